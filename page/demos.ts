/**
 * The tour's demos (demos/*.ts), as the page runs them: the same programs and
 * timings, each task named so its lane says who it is, printing through `out`
 * instead of the console. A task cancelled from the page's button behaves as
 * the demo's own cancellations do: it cleans up and re-raises.
 */
import {
  CancelledError,
  Event,
  Lock,
  Queue,
  Semaphore,
  createTask,
  gather,
  sleep,
  type Coroutine,
  type Future,
} from "rx-asyncio";

/** Prints one line beside the lanes, stamped with the loop's time. */
export type Out = (line: string) => void;

export interface PageDemo {
  name: string;
  title: string;
  main: (out: Out) => Coroutine<void>;
}

function* cancellable<T>(out: Out, who: string, ms: number, result: T, cleanupMs = 200): Coroutine<T> {
  try {
    yield* sleep(ms);
  } catch (e) {
    if (e instanceof CancelledError) {
      out(`${who}: cancelled ("${e.message}"), cleaning up`);
      yield* sleep(cleanupMs);
      out(`${who}: cleanup done`);
    }
    throw e;
  }
  return result;
}

function* firstCompletion(out: Out): Coroutine<void> {
  const mirrors: [string, number][] = [
    ["eu", 3000],
    ["us", 1000],
    ["asia", 2000],
  ];
  const download = function* (mirror: string, ms: number): Coroutine<string> {
    out(`${mirror}: started (needs ${ms / 1000} s)`);
    const data = yield* cancellable(out, mirror, ms, `data from ${mirror}`);
    out(`${mirror}: finished`);
    return data;
  };
  const tasks = mirrors.map(([name, ms]) => createTask(download(name, ms), { name }));
  const cancelTheRest = (finished: Future<string>) => {
    for (const t of tasks) if (t !== finished) t.cancel("another mirror won");
  };
  for (const t of tasks) t.addDoneCallback(cancelTheRest);
  yield* gather(...tasks, { returnExceptions: true });
  const winner = tasks.find((t) => !t.cancelled());
  out(winner !== undefined ? `winner: ${winner.getName()} -> "${winner.result()}"` : "no winner: every download was cancelled");
}

function* gatherDemo(out: Out): Coroutine<void> {
  const fetchUser = function* (id: number): Coroutine<string> {
    out(`fetchUser(${id}): started`);
    yield* cancellable(out, "fetchUser", 2000, null);
    out(`fetchUser(${id}): done`);
    return "Ada";
  };
  const countPosts = function* (id: number): Coroutine<number> {
    out(`countPosts(${id}): started`);
    yield* cancellable(out, "countPosts", 1000, null);
    out(`countPosts(${id}): done`);
    return 42;
  };
  const [user, posts] = yield* gather(createTask(fetchUser(1), { name: "fetchUser" }), createTask(countPosts(1), { name: "countPosts" }));
  out(`results in argument order: [${user}, ${posts}]; the longest time, not the sum`);
}

function* cancellation(out: Out): Coroutine<void> {
  const worker = function* (): Coroutine<string> {
    out("worker: started, needs 5 s");
    const r = yield* cancellable(out, "worker", 5000, "finished", 500);
    out("worker: finished");
    return r;
  };
  const t = createTask(worker(), { name: "worker" });
  yield* sleep(1000);
  out(`main: cancel() returned ${t.cancel("shutting down")}; done() = ${t.done()}`);
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    out(`main: awaiting the worker threw CancelledError("${e.message}")`);
  }
  out(`main: cancelled() = ${t.cancelled()}`);
}

function* limited(out: Out): Coroutine<void> {
  const durations = [1000, 500, 1500, 700, 300, 1200, 800, 400, 1000, 600];
  const sem = new Semaphore(3);
  let running = 0;
  let most = 0;
  const job = function* (n: number): Coroutine<number> {
    running++;
    most = Math.max(most, running);
    out(`job ${n} starts, running: ${running}`);
    try {
      yield* cancellable(out, `job ${n}`, durations[n - 1]!, null, 100);
    } finally {
      running--;
    }
    out(`job ${n} ends`);
    return n;
  };
  const tasks = durations.map((_, i) => createTask(sem.withPermit(() => job(i + 1)), { name: `job ${i + 1}` }));
  const settled = yield* gather(...tasks, { returnExceptions: true });
  out(`all ${settled.length} done; most at once: ${most}`);
}

function* producerConsumer(out: Out): Coroutine<void> {
  const q = new Queue<number>(2);
  const producer = function* (): Coroutine<void> {
    for (let i = 1; i <= 6; i++) {
      if (q.full()) out(`producer: queue full, waiting to put ${i}`);
      yield* q.put(i);
      out(`producer: put ${i} (size ${q.qsize()})`);
      yield* sleep(200);
    }
    q.shutdown(); // the consumers stop once the queue is empty
    out("producer: done, queue shut down");
  };
  const consumer = function* (name: string): Coroutine<number> {
    let sum = 0;
    for (let r = yield* q.next(); !r.done; r = yield* q.next()) {
      out(`${name}: got ${r.value}, working 0.5 s`);
      yield* cancellable(out, name, 500, null);
      sum += r.value;
    }
    out(`${name}: queue shut down and empty, stopping`);
    return sum;
  };
  const [, a, b] = yield* gather(
    createTask(producer(), { name: "producer" }),
    createTask(consumer("consumer A"), { name: "consumer A" }),
    createTask(consumer("consumer B"), { name: "consumer B" }),
  );
  out(`sum of the items: ${a + b}`);
}

function* lockDemo(out: Out): Coroutine<void> {
  const lock = new Lock();
  const printer = function* (name: string): Coroutine<void> {
    out(`${name}: waiting for the lock`);
    using _held = yield* lock.hold();
    out(`${name}: printing (lock held)`);
    yield* cancellable(out, name, 1000, null);
    out(`${name}: done, releasing`);
  };
  yield* gather(...["A", "B", "C"].map((n) => createTask(printer(n), { name: n })), { returnExceptions: true });
  out("all three went through one at a time");
}

function* eventDemo(out: Out): Coroutine<void> {
  const ready = new Event();
  const waiter = function* (name: string): Coroutine<void> {
    out(`${name}: waiting for the event`);
    yield* ready.wait();
    out(`${name}: the event is set, going on`);
  };
  const setter = function* (): Coroutine<void> {
    yield* cancellable(out, "setter", 2000, null);
    out("setter: ready.set()");
    ready.set();
  };
  yield* gather(
    createTask(setter(), { name: "setter" }),
    createTask(waiter("A"), { name: "A" }),
    createTask(waiter("B"), { name: "B" }),
  );
  out(`isSet() = ${ready.isSet()}`);
}

/** The demos the page offers, in the tour's order. */
export const PAGE_DEMOS: readonly PageDemo[] = [
  { name: "first-completion", title: "the first task to finish wins, the others are cancelled", main: firstCompletion },
  { name: "gather", title: "two coroutines at once: results in argument order, the longest time not the sum", main: gatherDemo },
  { name: "cancellation", title: "a task catches CancelledError, cleans up, re-raises; the caller sees it", main: cancellation },
  { name: "limited", title: "10 jobs, never more than 3 at once (Semaphore)", main: limited },
  { name: "producer-consumer", title: "a bounded Queue between a producer and two consumers, then shutdown", main: producerConsumer },
  { name: "lock", title: "three tasks through one critical section (Lock)", main: lockDemo },
  { name: "event", title: "waiters block until another task sets an Event", main: eventDemo },
];
