// producer-consumer: a bounded Queue between a fast producer and a slow
// consumer (put() waits while the queue is full). Three ways to finish:
// (1) a sentinel value, (2) taskDone()/join() with workers that run forever and
// are cancelled once the work is done, (3) shutdown(): consumers stop when the
// queue is shut down and empty.
// Run: npm run demo -- producer-consumer [--trace out.json | out.svg | out.txt]
import { CancelledError, Queue, createTask, gather, run, sleep, traceFromArgv, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

// ---- 1. a sentinel --------------------------------------------------------------

const DONE = null; // the sentinel: "no more items"

function* producer(q: Queue<number | null>, n: number): Coroutine<void> {
  for (let i = 1; i <= n; i++) {
    if (q.full()) stamp(`producer: queue full, waiting to put ${i}`);
    yield* q.put(i);
    stamp(`producer: put ${i} (size ${q.qsize()})`);
    yield* sleep(200);
  }
  yield* q.put(DONE);
  stamp("producer: put the sentinel");
}

function* consumer(q: Queue<number | null>): Coroutine<number> {
  let sum = 0;
  for (;;) {
    const item = yield* q.get();
    if (item === DONE) break;
    stamp(`consumer: got ${item}, working 0.5 s`);
    yield* sleep(500);
    sum += item;
  }
  stamp("consumer: got the sentinel, stopping");
  return sum;
}

// ---- 2. taskDone / join ----------------------------------------------------------

function* worker(name: string, q: Queue<number>): Coroutine<never> {
  try {
    for (;;) {
      const job = yield* q.get();
      stamp(`${name}: job ${job}`);
      yield* sleep(job * 100);
      q.taskDone(); // join() returns once every item put was marked done
    }
  } catch (e) {
    if (e instanceof CancelledError) stamp(`${name}: cancelled while idle`);
    throw e;
  }
}

// ---- 3. shutdown ------------------------------------------------------------------

function* reader(name: string, q: Queue<string>): Coroutine<void> {
  // next() gives { done: true } once the queue is shut down and empty.
  for (let r = yield* q.next(); !r.done; r = yield* q.next()) {
    stamp(`${name}: ${r.value}`);
    yield* sleep(300);
  }
  stamp(`${name}: queue shut down and empty, stopping`);
}

function* main(): Coroutine<void> {
  section("1. bounded queue (maxsize 2), consumer stops on a sentinel");
  const q1 = new Queue<number | null>(2);
  // Named tasks, so a trace (--trace) shows who is who.
  const [, sum] = yield* gather(
    createTask(producer(q1, 5), { name: "producer" }),
    createTask(consumer(q1), { name: "consumer" }),
  );
  stamp(`sum of the items: ${sum}`);

  section("2. taskDone()/join(): wait until every job is processed, then cancel the workers");
  const q2 = new Queue<number>();
  for (const job of [3, 1, 4, 1, 5]) q2.putNowait(job);
  const workers = ["worker A", "worker B"].map((name) => createTask(worker(name, q2), { name }));
  yield* q2.join();
  stamp("main: join() returned, all jobs done");
  for (const w of workers) w.cancel();
  yield* gather(...workers, { returnExceptions: true });

  section("3. shutdown(): the readers end on their own once the queue is empty");
  const q3 = new Queue<string>(10);
  const readers = ["reader A", "reader B"].map((name) => createTask(reader(name, q3), { name }));
  for (const line of ["alpha", "beta", "gamma", "delta", "epsilon"]) yield* q3.put(line);
  q3.shutdown(); // no more puts; the items already in the queue are still delivered
  stamp("main: queue shut down");
  yield* gather(...readers);
}

void run(main, traceFromArgv(process.argv));
