import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  fromQueue,
  getRunningLoop,
  sleep,
  type Coroutine,
  type Task,
} from "../src/index.js";
import { isCancelled, outcome, runV, settle, spawn } from "./sync-helpers.js";

function* gatherAll<T>(ts: Task<T>[]): Coroutine<T[]> {
  const out: T[] = [];
  for (const t of ts) out.push(yield* t);
  return out;
}

/** Runs `co` and returns what it threw (or fails if it did not throw). */
function* thrown(co: Iterable<unknown> & object): Coroutine<unknown> {
  try {
    yield* co as Coroutine<unknown>;
  } catch (e) {
    return e;
  }
  throw new Error("expected an exception");
}

describe("Queue: ported from CPython test_queues.QueueBasicTests", () => {
  test("test_repr / test_str: toString shows getters, putters and items", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      expect(String(q)).toBe("<Queue maxsize=0>");
      const getter = spawn(q.get());
      yield* sleep(0);
      expect(String(q)).toContain("_getters[1]");
      q.putNowait(0);
      expect(yield* getter).toBe(0);

      const q2 = new Queue<number>(1);
      q2.putNowait(1);
      const putter = spawn(q2.put(2));
      yield* sleep(0);
      expect(String(q2)).toContain("_putters[1]");
      q2.getNowait();
      yield* putter;

      const q3 = new Queue<number>();
      q3.putNowait(1);
      expect(String(q3)).toContain("_queue=[1]");
    });
  });

  test("test_empty / test_full", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      expect(q.empty()).toBe(true);
      yield* q.put(1);
      expect(q.empty()).toBe(false);
      expect(yield* q.get()).toBe(1);
      expect(q.empty()).toBe(true);
      expect(q.full()).toBe(false);
      const q1 = new Queue<number>(1);
      yield* q1.put(1);
      expect(q1.full()).toBe(true);
    });
  });

  test("test_order: first in, first out", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items: number[] = [];
      for (let k = 0; k < 3; k++) items.push(yield* q.get());
      expect(items).toEqual([1, 3, 2]);
    });
  });

  test("test_maxsize: a putter blocks at maxsize and resumes when an item is got", async () => {
    await runV(function* () {
      const q = new Queue<number>(2);
      expect(q.maxsize).toBe(2);
      const haveBeenPut: number[] = [];
      const t = spawn(function* () {
        for (let i = 0; i < 3; i++) {
          yield* q.put(i);
          haveBeenPut.push(i);
        }
        return true;
      });
      yield* sleep(0);
      yield* sleep(0);
      expect(haveBeenPut).toEqual([0, 1]); // blocked after two
      expect(yield* q.get()).toBe(0);
      yield* sleep(0);
      expect(haveBeenPut).toEqual([0, 1, 2]);
      expect(yield* q.get()).toBe(1);
      expect(yield* q.get()).toBe(2);
      expect(t.result()).toBe(true);
    });
  });
});

describe("Queue: ported from CPython test_queues.QueueGetTests", () => {
  test("test_blocking_get", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      expect(yield* q.get()).toBe(1);
    });
  });

  test("test_get_with_putters: get() makes room and wakes the waiting putter", async () => {
    await runV(function* () {
      const q = new Queue<number>(1);
      yield* q.put(1);
      const putter = spawn(q.put(2));
      yield* sleep(0);
      expect(q._putters.size).toBe(1);
      expect(yield* q.get()).toBe(1);
      yield* putter;
      expect(q.getNowait()).toBe(2);
    });
  });

  test("test_blocking_get_wait", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      let finished = false;
      let started = false;
      const t = spawn(function* () {
        started = true;
        const res = yield* q.get();
        finished = true;
        return res;
      });
      yield* sleep(0);
      expect(started && !finished).toBe(true);
      getRunningLoop().callLater(10, () => q.putNowait(1));
      expect(yield* t).toBe(1);
      expect(finished).toBe(true);
    });
  });

  test("test_nonblocking_get / test_nonblocking_get_exception", () => {
    const q = new Queue<number>();
    q.putNowait(1);
    expect(q.getNowait()).toBe(1);
    expect(() => q.getNowait()).toThrow(QueueEmpty);
  });

  test("test_get_cancelled_race: a cancelled getter does not take the next item", async () => {
    await runV(function* () {
      const q = new Queue<string>();
      const t1 = spawn(q.get());
      const t2 = spawn(q.get());
      yield* sleep(0);
      t1.cancel();
      yield* sleep(0);
      expect(t1.done()).toBe(true);
      yield* q.put("a");
      yield* sleep(0);
      expect(yield* t2).toBe("a");
    });
  });

  test("test_get_with_waiting_putters", async () => {
    await runV(function* () {
      const q = new Queue<string>(1);
      spawn(q.put("a"));
      spawn(q.put("b"));
      expect(yield* q.get()).toBe("a");
      expect(yield* q.get()).toBe("b");
    });
  });

  test("test_why_are_getters_waiting: a producer and a consumer through Queue(1) finish", async () => {
    await runV(function* () {
      const q = new Queue<number>(1);
      const n = 5;
      yield* gatherAll([
        spawn(function* () {
          for (let i = 0; i < n; i++) yield* q.put(i);
        }),
        spawn(function* () {
          for (let i = 0; i < n; i++) yield* q.get();
        }),
      ]);
      expect(q.qsize()).toBe(0);
    });
  });

  test("test_cancelled_getters_not_being_held_in_self_getters", async () => {
    await runV(function* () {
      const q = new Queue<number>(5);
      const t = spawn(q.get());
      yield* sleep(100); // a 100 ms timeout
      t.cancel();
      yield* outcome(t);
      expect(q._getters.size).toBe(0);
    });
  });
});

describe("Queue: ported from CPython test_queues.QueuePutTests", () => {
  test("test_blocking_put: no maxsize, no blocking", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      yield* q.put(1);
      expect(yield* q.get()).toBe(1);
    });
  });

  test("test_blocking_put_wait", async () => {
    await runV(function* () {
      const q = new Queue<number>(1);
      let finished = false;
      getRunningLoop().callLater(10, () => q.getNowait());
      const t = spawn(function* () {
        yield* q.put(1);
        yield* q.put(2);
        finished = true;
      });
      yield* sleep(0);
      expect(finished).toBe(false);
      yield* t;
      expect(finished).toBe(true);
    });
  });

  test("test_nonblocking_put / test_nonblocking_put_exception", () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow(QueueFull);
    expect(q.getNowait()).toBe(1);
  });

  test("test_get_cancel_drop_one_pending_reader: a reader cancelled after it was woken drops nothing (bpo-23812)", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      let reader = spawn(q.get());
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      reader.cancel();
      const o = yield* outcome(reader);
      if (!o.ok) {
        reader = spawn(q.get()); // try again
        yield* reader;
      }
      expect(reader.result()).toBe(1); // 2 would mean 1 got dropped
    });
  });

  test("test_get_cancel_drop_many_pending_readers", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      const [r1, r2, r3] = [0, 1, 2].map(() => spawn(q.get()));
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      r1!.cancel();
      const o = yield* outcome(r1!);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      yield* r3!;
      yield* r2!;
      expect(new Set([r2!.result(), r3!.result()])).toEqual(new Set([1, 2]));
    });
  });

  test("test_put_cancel_drop: a writer cancelled after it was woken adds nothing", async () => {
    await runV(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      let writer = spawn(q.put(2));
      yield* sleep(0);
      expect(q.getNowait()).toBe(1);
      writer.cancel();
      const o = yield* outcome(writer);
      if (!o.ok) {
        writer = spawn(q.put(2));
        yield* writer;
      }
      expect(q.getNowait()).toBe(2);
      expect(q.qsize()).toBe(0);
    });
  });

  test("test_float_maxsize, deliberately not ported: a fractional maxsize is refused (issue 15)", () => {
    // CPython accepts Queue(1.3) and holds 2 items; a fraction is no count of
    // items, so here it is a RangeError at once (README: Differences from asyncio).
    expect(() => new Queue<number>(1.3)).toThrow(RangeError);
    expect(() => new Queue<number>(1.3)).toThrow("new Queue(maxsize): 'maxsize' must be a whole number of items (<= 0 or Infinity for unbounded), got 1.3");
    expect(new Queue<number>(Infinity).full()).toBe(false);
  });

  test("test_put_cancelled: put() without waiting", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      const t = spawn(function* () {
        yield* q.put(1);
        return true;
      });
      expect(yield* q.get()).toBe(1);
      expect(t.done() && t.result()).toBe(true);
    });
  });

  test("test_put_cancelled_race: a cancelled putter is skipped", async () => {
    await runV(function* () {
      const q = new Queue<string>(1);
      const putA = spawn(q.put("a"));
      const putB = spawn(q.put("b"));
      const putC = spawn(q.put("X"));
      yield* sleep(0);
      expect(putA.done()).toBe(true);
      expect(putB.done()).toBe(false);
      putC.cancel();
      yield* sleep(0);
      expect(putC.done()).toBe(true);
      expect(q.getNowait()).toBe("a");
      yield* sleep(0);
      expect(q.getNowait()).toBe("b");
      yield* putB;
    });
  });

  test("test_put_with_waiting_getters", async () => {
    await runV(function* () {
      const q = new Queue<string>();
      const t = spawn(q.get());
      yield* sleep(0);
      yield* q.put("a");
      expect(yield* t).toBe("a");
    });
  });

  test("test_why_are_putters_waiting", async () => {
    await runV(function* () {
      const q = new Queue<number>(2);
      const getter = spawn(function* () {
        yield* sleep(0);
        const n = q.qsize();
        for (let i = 0; i < n; i++) q.getNowait();
      });
      const putters = [0, 1, 2, 3].map((i) => spawn(q.put(i)));
      yield* gatherAll([getter, ...putters]);
      expect(q.qsize()).toBe(2);
    });
  });

  test("test_cancelled_puts_not_being_held_in_self_putters", async () => {
    await runV(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const t = spawn(q.put(1));
      yield* sleep(0);
      expect(q._putters.size).toBe(1);
      t.cancel();
      const o = yield* outcome(t);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(q._putters.size).toBe(0);
    });
  });

  test("test_cancelled_put_silence_value_error_exception: cancelled after getNowait() woke it", async () => {
    await runV(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const t = spawn(q.put(1));
      yield* sleep(0);
      q.getNowait(); // wakes the putter
      t.cancel();
      const o = yield* outcome(t);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(q.qsize()).toBe(0); // and it put nothing
    });
  });
});

describe("LifoQueue / PriorityQueue: ported test_order", () => {
  test("LifoQueueTests.test_order", async () => {
    await runV(function* () {
      const q = new LifoQueue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items: number[] = [];
      for (let k = 0; k < 3; k++) items.push(yield* q.get());
      expect(items).toEqual([2, 3, 1]);
    });
  });

  test("PriorityQueueTests.test_order", async () => {
    await runV(function* () {
      const q = new PriorityQueue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items: number[] = [];
      for (let k = 0; k < 3; k++) items.push(yield* q.get());
      expect(items).toEqual([1, 2, 3]);
    });
  });
});

const kinds: [string, new (maxsize?: number) => Queue<unknown>][] = [
  ["Queue", Queue],
  ["LifoQueue", LifoQueue],
  ["PriorityQueue", PriorityQueue],
];

describe.each(kinds)("%s: ported from CPython test_queues._QueueJoinTestMixin", (name, QueueClass) => {
  test("test_task_done_underflow: RangeError (asyncio's ValueError)", () => {
    const q = new QueueClass();
    expect(() => q.taskDone()).toThrow(RangeError);
    expect(() => q.taskDone()).toThrow("taskDone() called too many times");
  });

  test("test_task_done: join() returns once every item is marked done", async () => {
    await runV(function* () {
      const q = new QueueClass();
      for (let i = 0; i < 100; i++) q.putNowait(i);
      let accumulator = 0;
      let running = true;
      const worker = () =>
        spawn(function* () {
          while (running) {
            accumulator += (yield* q.get()) as number;
            q.taskDone();
          }
        });
      const tasks = [worker(), worker()];
      yield* q.join();
      expect(accumulator).toBe(4950);
      running = false;
      for (let i = 0; i < tasks.length; i++) q.putNowait(0);
      yield* gatherAll(tasks);
    });
  });

  test("test_join_empty_queue", async () => {
    await runV(function* () {
      const q = new QueueClass();
      yield* q.join();
      yield* q.join();
    });
  });

  test("test_format", () => {
    const q = new QueueClass();
    expect(String(q)).toBe(`<${name} maxsize=0>`);
    q._unfinished = 2;
    expect(String(q)).toBe(`<${name} maxsize=0 tasks=2>`);
  });
});

describe.each(kinds)("%s: ported from CPython test_queues._QueueShutdownTestMixin", (name, QueueClass) => {
  function* expectShutDown(q: Queue<unknown>): Coroutine<void> {
    expect(yield* thrown(q.put("data"))).toBeInstanceOf(QueueShutDown);
    expect(() => q.putNowait("data")).toThrow(QueueShutDown);
    expect(yield* thrown(q.get())).toBeInstanceOf(QueueShutDown);
    expect(() => q.getNowait()).toThrow(QueueShutDown);
  }

  test("test_format", () => {
    const q = new QueueClass();
    q.shutdown();
    expect(String(q)).toBe(`<${name} maxsize=0 shutdown>`);
  });

  test("test_shutdown_empty: a waiting get() throws QueueShutDown", async () => {
    await runV(function* () {
      const q = new QueueClass();
      const getTask = spawn(q.get());
      yield* sleep(0);
      q.shutdown(false);
      expect(q.qsize()).toBe(0);
      yield* q.join();
      yield* sleep(0);
      expect(getTask.done()).toBe(true);
      const o = yield* outcome(getTask);
      expect(o.ok === false && o.error instanceof QueueShutDown).toBe(true);
      yield* expectShutDown(q);
    });
  });

  test("test_shutdown_nonempty: a waiting put() throws, the items left can still be got", async () => {
    await runV(function* () {
      const q = new QueueClass(1);
      q.putNowait("data");
      const joinTask = spawn(q.join());
      const putTask = spawn(q.put("data2"));
      yield* sleep(0);
      expect(putTask.done()).toBe(false);
      q.shutdown(false);
      expect(q.qsize()).toBe(1);
      yield* sleep(0);
      expect(putTask.done()).toBe(true);
      const o = yield* outcome(putTask);
      expect(o.ok === false && o.error instanceof QueueShutDown).toBe(true);
      expect(yield* q.get()).toBe("data");
      yield* sleep(0);
      expect(joinTask.done()).toBe(false);
      yield* expectShutDown(q);
      q.taskDone();
      yield* sleep(0);
      expect(joinTask.done()).toBe(true);
      yield* joinTask;
      expect(() => q.taskDone()).toThrow(RangeError);
    });
  });

  test("test_shutdown_immediate: the items left are dropped and join() returns", async () => {
    await runV(function* () {
      const q = new QueueClass();
      q.putNowait("data");
      const joinTask = spawn(q.join());
      q.shutdown(true);
      expect(q.qsize()).toBe(0);
      yield* sleep(0);
      expect(joinTask.done()).toBe(true);
      yield* joinTask;
      yield* expectShutDown(q);
      expect(() => q.taskDone()).toThrow(RangeError);
    });
  });

  test("test_shutdown_immediate_with_unfinished: items already got still count", async () => {
    await runV(function* () {
      const q = new QueueClass();
      q.putNowait("data");
      q.putNowait("data");
      const joinTask = spawn(q.join());
      expect(yield* q.get()).toBe("data");
      q.shutdown(true);
      expect(q.qsize()).toBe(0);
      yield* sleep(0);
      expect(joinTask.done()).toBe(false);
      yield* expectShutDown(q);
      q.taskDone();
      expect(() => q.taskDone()).toThrow(RangeError);
      yield* sleep(0);
      expect(joinTask.done()).toBe(true);
      yield* joinTask;
    });
  });
});

describe("Queue: fairness, back-pressure and the fast path", () => {
  test("put() and get() that need not wait do not suspend", async () => {
    await runV(function* () {
      const q = new Queue<number>(2);
      const order: string[] = [];
      spawn(function* () {
        order.push("other");
      });
      yield* q.put(1);
      yield* q.put(2);
      const a = yield* q.get();
      const b = yield* q.get();
      order.push(`got ${a},${b}`);
      yield* sleep(0);
      expect(order).toEqual(["got 1,2", "other"]);
    });
  });

  test("no barging: get() while a woken getter has not run yet queues behind it", async () => {
    await runV(function* () {
      const q = new Queue<string>();
      const got: string[] = [];
      const first = spawn(function* () {
        got.push(`first:${yield* q.get()}`);
      });
      yield* sleep(0);
      q.putNowait("a"); // wakes `first`
      q.putNowait("b"); // an item nobody was woken for yet
      got.push(`main:${yield* q.get()}`); // must not overtake `first`
      yield* first;
      expect(got).toEqual(["first:a", "main:b"]);
    });
  });

  test("no barging: put() while a woken putter has not run yet queues behind it", async () => {
    await runV(function* () {
      const q = new Queue<string>(2);
      q.putNowait("x");
      q.putNowait("y");
      const p = spawn(q.put("p"));
      yield* sleep(0);
      q.getNowait(); // a slot for p
      q.getNowait(); // a second free slot
      yield* q.put("main"); // waits behind p although a slot is free
      yield* p;
      expect([q.getNowait(), q.getNowait()]).toEqual(["p", "main"]);
    });
  });

  test("a woken getter whose item was taken by getNowait() waits again at the head of the line", async () => {
    await runV(function* () {
      const q = new Queue<string>();
      const g1 = spawn(q.get());
      yield* sleep(0);
      const g2 = spawn(q.get());
      yield* sleep(0);
      q.putNowait("a"); // wakes g1
      expect(q.getNowait()).toBe("a"); // ...but this takes it first
      yield* sleep(0);
      expect(g1.done()).toBe(false);
      expect(q._getters.size).toBe(2);
      q.putNowait("b");
      yield* settle();
      expect(g1.result()).toBe("b"); // g1 kept its place ahead of g2
      expect(g2.done()).toBe(false);
      q.putNowait("c");
      expect(yield* g2).toBe("c");
    });
  });

  test("back-pressure: many producers into Queue(3) never exceed the bound, and all items arrive once", async () => {
    await runV(function* () {
      const q = new Queue<number>(3);
      let maxSeen = 0;
      const producers = [0, 1, 2, 3].map((p) =>
        spawn(function* () {
          for (let i = 0; i < 25; i++) {
            yield* q.put(p * 100 + i);
            maxSeen = Math.max(maxSeen, q.qsize());
          }
        }),
      );
      const seen: number[] = [];
      for (let k = 0; k < 100; k++) {
        seen.push(yield* q.get());
        if (k % 7 === 0) yield* sleep(1);
      }
      yield* gatherAll(producers);
      expect(maxSeen).toBeLessThanOrEqual(3);
      expect(seen.length).toBe(100);
      expect(new Set(seen).size).toBe(100);
      for (const p of [0, 1, 2, 3]) {
        const mine = seen.filter((x) => Math.floor(x / 100) === p);
        expect(mine).toEqual([...mine].sort((a, b) => a - b)); // each producer's items stay in order
      }
    });
  });
});

describe("Queue: a woken waiter that is cancelled passes its turn on (bpo-23812)", () => {
  test("getter: the item goes to the next getter", async () => {
    await runV(function* () {
      const q = new Queue<string>();
      const g1 = spawn(q.get());
      const g2 = spawn(q.get());
      yield* sleep(0);
      q.putNowait("a"); // wakes g1 only
      g1.cancel(); // before g1 runs
      yield* settle();
      expect(g1.cancelled()).toBe(true);
      expect(g2.result()).toBe("a");
      expect(q._getReserved).toBe(0);
    });
  });

  test("putter: the free slot goes to the next putter", async () => {
    await runV(function* () {
      const q = new Queue<string>(1);
      q.putNowait("x");
      const p1 = spawn(q.put("p1"));
      const p2 = spawn(q.put("p2"));
      yield* sleep(0);
      expect(q.getNowait()).toBe("x"); // wakes p1 only
      p1.cancel(); // before p1 runs
      yield* settle();
      expect(p1.cancelled()).toBe(true);
      expect(p2.done()).toBe(true);
      expect(q.getNowait()).toBe("p2");
      expect(q.empty()).toBe(true);
      expect(q._putReserved).toBe(0);
    });
  });
});

describe("Queue: bad input", () => {
  test("maxsize must be a number, not NaN; shutdown(immediate) a boolean", () => {
    expect(() => new Queue(Number.NaN)).toThrow(RangeError);
    expect(() => new Queue(Number.NaN)).toThrow("new Queue(maxsize): 'maxsize' must be a whole number of items (<= 0 or Infinity for unbounded), got NaN");
    expect(() => new Queue("3" as never)).toThrow(TypeError);
    expect(() => new PriorityQueue(Number.NaN)).toThrow(/new PriorityQueue\(maxsize\)/);
    expect(() => new Queue().shutdown("yes" as never)).toThrow(TypeError);
    expect(new Queue(-1).full()).toBe(false); // <= 0: unbounded, as in asyncio
    expect(() => fromQueue({} as never)).toThrow(TypeError);
  });
});
