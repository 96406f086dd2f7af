// cancellation: a task is cancelled after 1 s. CancelledError is thrown into it
// at the `yield*` where it waits; it catches it, cleans up (cleanup may wait
// too), and re-raises. The caller awaiting the task sees the cancellation.
// Run: npm run demo -- cancellation
import { CancelledError, createTask, run, sleep, type Coroutine } from "rx-asyncio";
import { stamp } from "./util/stamp.js";

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

function* main(): Coroutine<void> {
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

void run(main);
