import { ignoreElements, merge, take, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { Queue, fromQueue, sleep, task } from "../src/index.js";
import { outcome, runV, settle, spawn } from "./sync-helpers.js";

describe("Queue: consuming until shutdown", () => {
  test("consume(body) handles every item, marks each done, and ends on shutdown", async () => {
    await runV(function* () {
      const q = new Queue<number>(2);
      let sum = 0;
      const consumer = spawn(
        q.consume(function* (n) {
          yield* sleep(1);
          sum += n;
        }),
      );
      for (let i = 1; i <= 10; i++) yield* q.put(i);
      yield* q.join(); // works because consume() calls taskDone()
      expect(sum).toBe(55);
      q.shutdown();
      expect(yield* consumer).toBe(10);
    });
  });

  test("consume(body) also marks an item done when body throws", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      const boom = new Error("boom");
      const o = yield* outcome(
        spawn(
          q.consume(() => {
            throw boom;
          }),
        ),
      );
      expect(o.ok === false && o.error === boom).toBe(true);
      yield* q.join(); // not stuck
      expect(() => new Queue().consume(3 as never)).toThrow(TypeError);
    });
  });

  test("next() gives iterator results and { done: true } on shutdown", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      spawn(function* () {
        for (let i = 1; i <= 3; i++) yield* q.put(i);
        q.shutdown();
      });
      let total = 0;
      for (let r = yield* q.next(); !r.done; r = yield* q.next()) {
        total += r.value;
        q.taskDone();
      }
      expect(total).toBe(6);
    });
  });

  test("fromQueue(q) emits the items and completes on shutdown; join() works", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      const out: number[] = [];
      let completed = false;
      fromQueue(q).subscribe({ next: (x) => out.push(x), complete: () => (completed = true) });
      q.putNowait(1);
      q.putNowait(2);
      yield* q.join();
      expect(out).toEqual([1, 2]);
      q.putNowait(3);
      q.shutdown();
      yield* settle();
      expect(out).toEqual([1, 2, 3]);
      expect(completed).toBe(true);
    });
  });

  test("unsubscribing from fromQueue never loses an item", async () => {
    await runV(function* () {
      const q = new Queue<number>();
      for (let i = 1; i <= 5; i++) q.putNowait(i);
      const firstTwo: number[][] = [];
      fromQueue(q, { taskDone: false })
        .pipe(take(2), toArray())
        .subscribe((xs) => firstTwo.push(xs));
      // A subscriber unsubscribed just after its waiting get() was woken.
      const q2 = new Queue<number>();
      const seen2: number[] = [];
      const sub = fromQueue(q2).subscribe((x) => seen2.push(x));
      yield* sleep(0);
      q2.putNowait(42); // wakes the subscriber's task...
      sub.unsubscribe(); // ...which is cancelled before it runs
      yield* settle();
      expect(firstTwo).toEqual([[1, 2]]);
      expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([3, 4, 5]);
      expect(seen2).toEqual([]);
      expect(q2.getNowait()).toBe(42); // still there
    });
  });
});

describe("fromQueue in marble tests", () => {
  test("outside a loop it runs on rxLoop(), in TestScheduler's virtual frames", () => {
    const ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    ts.run(({ expectObservable }) => {
      const q = new Queue<string>();
      const producer = task(function* () {
        yield* sleep(1);
        q.putNowait("a");
        yield* sleep(2);
        q.putNowait("b");
        q.shutdown();
      });
      expectObservable(merge(fromQueue(q), producer.pipe(ignoreElements()))).toBe("-a-(b|)");
    });
  });
});
