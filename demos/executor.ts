// executor: CPU-bound work on a worker thread while the event loop stays
// responsive; the same work on the loop for contrast; cancelling a running job
// stops its worker; a job's error reaches the awaiting task.
// Run: npm run demo -- executor
import {
  CancelledError,
  createTask,
  getRunningLoop,
  run,
  sleep,
  toThread,
  type Coroutine,
  type EventLoop,
  type Task,
} from "rx-asyncio";
import { stamp } from "./util/stamp.js";

/** Self-contained (no variables from around it), so it can be sent to a worker as source text. */
const fib = (n: number): number => {
  const f = (k: number): number => (k < 2 ? k : f(k - 1) + f(k - 2));
  return f(n);
};

/** Ticks every 200 ms until cancelled. */
function* heartbeat(): Coroutine<never> {
  for (let i = 1; ; i++) {
    yield* sleep(200);
    stamp(`  heartbeat ${i}`);
  }
}

function* stop(task: Task<unknown>): Coroutine<void> {
  task.cancel();
  try {
    yield* task;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
  }
}

let loop: EventLoop;

function* main(): Coroutine<void> {
  loop = getRunningLoop();
  yield* toThread(() => 0); // start a worker before the clock matters

  stamp("1. fib(39) on a worker thread: the heartbeat keeps its beat");
  let beat = createTask(heartbeat());
  const r = yield* toThread(fib, 39);
  stamp(`   worker says fib(39) = ${r}`);
  yield* stop(beat);

  stamp("2. fib(37) on the loop itself: the heartbeat stops until it is done");
  beat = createTask(heartbeat());
  yield* sleep(450);
  stamp(`   loop says fib(37) = ${fib(37)}`);
  yield* sleep(450);
  yield* stop(beat);

  stamp("3. cancelling a running job stops its worker; the next job gets a new one");
  const threadId = () => process.getBuiltinModule("node:worker_threads").threadId;
  // The endless job itself says where it runs, through shared memory (it never returns).
  const ranOn = new Int32Array(new SharedArrayBuffer(4));
  const endless = toThread((shared: Int32Array) => {
    Atomics.store(shared, 0, process.getBuiltinModule("node:worker_threads").threadId);
    for (;;);
  }, ranOn);
  while (Atomics.load(ranOn, 0) === 0) yield* sleep(10);
  yield* sleep(300);
  endless.cancel();
  const cancelledOn = Atomics.load(ranOn, 0);
  stamp(`   job cancelled: ${endless.cancelled()}; it ran on worker ${cancelledOn}`);
  const next = yield* toThread(threadId);
  stamp(`   the next job runs on worker ${next}${next === cancelledOn ? " (the stopped one: it was not stopped!)" : ", not the stopped one"}`);

  stamp("4. a job's exception reaches the awaiting task: class name, message, worker stack");
  try {
    yield* loop.runInExecutor(null, function check(x: number) {
      class ValidationError extends Error {}
      if (x < 0) throw new ValidationError(`x must be >= 0, got ${x}`);
      return x;
    }, -1);
  } catch (e) {
    const err = e as Error;
    stamp(`   caught ${err.name}: ${err.message}`);
    stamp(`   ${err.stack?.split("\n")[1]?.trim()}`);
  }
}

// A worker computes in real time: on a virtual clock the loop would wait for it
// and the heartbeat could not show anything.
void run(main, { clock: "real" }).then(() => stamp("done: run() shut the default executor down", loop));
