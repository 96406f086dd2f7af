// cancellation: a task is cancelled after 1 s. CancelledError is thrown into it
// at the `yield*` where it waits; it catches it, cleans up (cleanup may wait
// too), and re-raises. The caller awaiting the task sees the cancellation.
// Then the RxJS way: takeUntil(timer) unsubscribes from a task observable,
// which cancels the task; the stream completes at once, and the task's cleanup
// still runs to the end on the loop (raw RxJS operators do not wait for it).
// Run: npm run demo -- cancellation
import { takeUntil, timer } from "rxjs";
import { CancelledError, createTask, currentTask, getRunningLoop, run, sleep, task, type Coroutine, type Task } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

function* worker(): Coroutine<string> {
  stamp("worker: started, needs 5 s");
  try {
    yield* sleep(5000);
    return "finished";
  } catch (e) {
    if (e instanceof CancelledError) {
      stamp(`worker: caught CancelledError("${e.message}"), cleaning up`);
      yield* sleep(500); // flush buffers, close connections...
      stamp("worker: cleanup done, re-raising");
    }
    throw e; // swallowing it would turn the cancellation into a normal return
  }
}

function* withCancel(): Coroutine<void> {
  const t = createTask(worker(), { name: "worker" });
  yield* sleep(1000);

  const requested = t.cancel("shutting down");
  // cancel() only asks: the worker has not even seen it yet.
  stamp(`main: cancel() returned ${requested}; done() = ${t.done()}`);
  try {
    yield* t;
    stamp("main: the worker finished normally (not expected)");
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    stamp(`main: awaiting the worker threw CancelledError("${e.message}")`);
  }
  stamp(`main: cancelled() = ${t.cancelled()}, done() = ${t.done()}`);
}

function* withTakeUntil(): Coroutine<void> {
  const loop = getRunningLoop();
  let inner: Task<unknown> | null = null; // the task the observable created, to watch its cleanup
  const completed = loop.createFuture<void>();
  task(function* () {
    inner = currentTask();
    return yield* worker();
  })
    .pipe(takeUntil(timer(1000, loop))) // the loop as the timer's scheduler: its clock, virtual or real
    .subscribe({
      next: (v) => stamp(`main: the stream emitted ${v} (not expected)`),
      complete: () => {
        stamp("main: takeUntil fired: the stream completed and the task was cancelled");
        completed.setResult();
      },
    });
  yield* completed;
  stamp(`main: the task is done? ${inner!.done()} (its cleanup is still running)`);
  try {
    yield* inner!;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
  }
  stamp(`main: now the cleanup has finished: cancelled() = ${inner!.cancelled()}`);
}

function* main(): Coroutine<void> {
  section("1. cancel(): a request the task handles");
  yield* withCancel();
  section("2. RxJS takeUntil: unsubscribing cancels the task; its cleanup still finishes");
  yield* withTakeUntil();
}

void run(main);
