/**
 * asCompleted(): ports of CPython's Lib/test/test_asyncio/test_tasks.py
 * (test_as_completed*), the 3.13 form that yields the original tasks, the
 * Observable form, and no entry lost when a waiter is cancelled.
 */
import { from, toArray } from "rxjs";
import {
  AsCompleted,
  asCompleted,
  CancelledError,
  createTask,
  ensureFuture,
  Future,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  TimeoutError,
  wait,
  type Coroutine,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

describe("asCompleted (test_tasks.py)", () => {
  test("test_as_completed: results in completion order", async () => {
    await run(function* () {
      function* sleeper(dt: number, x: string): Coroutine<string> {
        yield* sleep(dt);
        return x;
      }
      const a = sleeper(10, "a");
      const b = sleeper(10, "b");
      const c = sleeper(150, "c");
      const values: string[] = [];
      for (const f of asCompleted([b, c, a])) values.push(yield* f);
      expect(getRunningLoop().time()).toBe(150);
      expect(values.slice(0, 2).sort()).toEqual(["a", "b"]);
      expect(values[2]).toBe("c");
    }, V);
  });

  test("test_as_completed_with_timeout: results not in by then throw TimeoutError; nothing is cancelled", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(100, "a"));
      const b = createTask(sleep(150, "b"));
      const values: [number, unknown][] = [];
      for (const f of asCompleted([a, b], { timeout: 120 })) {
        try {
          values.push([1, yield* f]);
        } catch (e) {
          values.push([2, e]);
        }
      }
      expect(values.length).toBe(2);
      expect(values[0]).toEqual([1, "a"]);
      expect(values[1]![0]).toBe(2);
      expect(values[1]![1]).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(120);
      expect(b.cancelled()).toBe(false);
      yield* b;
    }, V);
  });

  test("test_as_completed_with_unused_timeout", async () => {
    await run(function* () {
      for (const f of asCompleted([sleep(10, "a")], { timeout: 1000 })) expect(yield* f).toBe("a");
      expect(getRunningLoop().time()).toBe(10);
    }, V);
  });

  test("test_as_completed_reverse_wait: whichever awaitable is awaited first gets the first result", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const futs = Array.from(asCompleted([sleep(50, "a"), sleep(100, "b")]));
      expect(futs.length).toBe(2);
      expect(yield* futs[1]!).toBe("a");
      expect(loop.time()).toBe(50);
      expect(yield* futs[0]!).toBe("b");
      expect(loop.time()).toBe(100);
    }, V);
  });

  test("test_as_completed_concurrent: the awaitables can be awaited concurrently", async () => {
    await run(function* () {
      const futs = Array.from(asCompleted([sleep(50, "a"), sleep(50, "b")]));
      expect(futs.length).toBe(2);
      const [done] = yield* wait(futs.map((f) => ensureFuture(f)));
      expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(["a", "b"]));
    }, V);
  });

  test("test_as_completed_duplicate_coroutines: a repeated input counts once", async () => {
    await run(function* () {
      function* coro(s: string): Coroutine<string> {
        return s;
      }
      const c = coro("ham");
      const result: string[] = [];
      for (const f of asCompleted([c, c, coro("spam")])) result.push(yield* f);
      expect(new Set(result)).toEqual(new Set(["ham", "spam"]));
      expect(result.length).toBe(2);
    }, V);
  });

  test("test_as_completed_coroutine_use_running_loop / _without_loop", async () => {
    expect(() => asCompleted([sleep(1)])).toThrow(RuntimeError);
    await run(function* () {
      const futs = Array.from(asCompleted([sleep(1, 42)]));
      expect(futs.length).toBe(1);
      expect(yield* futs[0]!).toBe(42);
    }, V);
  });

  test("failures come in completion order too", async () => {
    await run(function* () {
      function* bad(): Coroutine<string> {
        yield* sleep(5);
        throw new RangeError("bad");
      }
      const out: string[] = [];
      for (const f of asCompleted([sleep(10, "ok"), bad()])) {
        try {
          out.push(yield* f);
        } catch (e) {
          out.push((e as Error).message);
        }
      }
      expect(out).toEqual(["bad", "ok"]);
    }, V);
  });

  test("asCompleted([]) yields nothing (and its Observable completes at once)", async () => {
    await run(function* () {
      expect(Array.from(asCompleted([]))).toEqual([]);
      expect(yield* ensureFuture(from(asCompleted([])).pipe(toArray()))).toEqual([]);
    }, V);
  });

  test("test_as_completed_invalid_args: a future or a coroutine instead of an iterable", async () => {
    await run(function* () {
      const fut = new Future<number>();
      expect(() => asCompleted(fut as never)).toThrow(TypeError);
      expect(() => asCompleted(sleep(1) as never)).toThrow(/'aws' must be an iterable/);
      expect(() => asCompleted([sleep(1)], { timeout: -1 })).toThrow(RangeError);
      expect(() => asCompleted([1 as never])).toThrow(/aws\[0\] must be a coroutine/);
      fut.cancel();
      yield* sleep(0);
    }, V);
  });
});

describe("asCompleted: the futures themselves (asyncio 3.13's async iteration)", () => {
  test("futures() gives the input tasks in completion order (test_as_completed_same_tasks_in_as_out)", async () => {
    await run(function* () {
      const slow = createTask(sleep(20, "slow"), { name: "slow" });
      const fast = createTask(sleep(10, "fast"), { name: "fast" });
      const names: string[] = [];
      for (const next of asCompleted([slow, fast]).futures()) {
        const t = yield* next;
        expect(t === slow || t === fast).toBe(true);
        names.push(`${(t as typeof slow).getName()}=${t.result()}`);
      }
      expect(names).toEqual(["fast=fast", "slow=slow"]);
    }, V);
  });

  test("iterating and futures() share one count", async () => {
    await run(function* () {
      const ac = asCompleted([sleep(1, 1), sleep(2, 2), sleep(3, 3)]);
      expect(ac).toBeInstanceOf(AsCompleted);
      const it = ac[Symbol.iterator]();
      expect(yield* it.next().value!).toBe(1);
      const rest = Array.from(ac.futures());
      expect(rest.length).toBe(2);
      expect((yield* rest[0]!).result()).toBe(2);
      expect(it.next().done).toBe(true);
    }, V);
  });
});

describe("asCompleted: Observable form", () => {
  test("from(asCompleted(...)) emits results in completion order, then completes", async () => {
    await run(function* () {
      const seen: string[] = [];
      const ac = asCompleted([sleep(30, "c"), sleep(10, "a"), sleep(20, "b")]);
      ac.asObservable().subscribe({ next: (v) => seen.push(v), complete: () => seen.push("|") });
      const all = yield* ensureFuture(from(ac).pipe(toArray()));
      expect(all).toEqual(["a", "b", "c"]);
      expect(seen).toEqual(["a", "b", "c", "|"]);
    }, V);
  });

  test("a late subscriber still sees every result from the first", async () => {
    await run(function* () {
      const ac = asCompleted([sleep(10, 1), sleep(20, 2)]);
      yield* sleep(15);
      expect(yield* ensureFuture(ac.asObservable().pipe(toArray()))).toEqual([1, 2]);
    }, V);
  });

  test("the first failure or the timeout errors the Observable", async () => {
    await run(function* () {
      function* bad(): Coroutine<number> {
        yield* sleep(5);
        throw new RangeError("bad");
      }
      const got: unknown[] = [];
      from(asCompleted([sleep(1, 1), bad(), sleep(10, 3)])).subscribe({ next: (v) => got.push(v), error: (e) => got.push(e) });
      from(asCompleted([sleep(100, 9)], { timeout: 50 })).subscribe({ error: (e) => got.push(e) });
      yield* sleep(200);
      expect(got[0]).toBe(1);
      expect(got[1]).toBeInstanceOf(RangeError);
      expect(got[2]).toBeInstanceOf(TimeoutError);
      expect(got.length).toBe(3);
    }, V);
  });
});

describe("asCompleted: no entry is lost", () => {
  test("a waiter cancelled after being woken hands the entry on", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const f1 = loop.createFuture<string>();
      const f2 = loop.createFuture<string>();
      const [n1, n2] = Array.from(asCompleted([f1, f2]));
      const log: string[] = [];
      const w1 = createTask(function* () {
        try {
          log.push(`w1 got ${yield* n1!}`);
        } catch (e) {
          log.push(`w1 ${(e as Error).name}`);
          throw e;
        }
      });
      const w2 = createTask(function* () {
        log.push(`w2 got ${yield* n2!}`);
      });
      yield* sleep(0); // both wait, w1 first
      // Runs right after asCompleted's own callback woke w1, before w1 resumes.
      f1.addDoneCallback(() => w1.cancel());
      f1.setResult("first");
      for (let i = 0; i < 5; i++) yield* sleep(0);
      // w2 has the first result without waiting for the second one.
      expect(w2.done()).toBe(true);
      expect(w1.cancelled()).toBe(true);
      expect(log).toEqual(["w1 CancelledError", "w2 got first"]);
      f2.setResult("second");
      // The second result is still there for whoever asks next.
      const rest = Array.from(asCompleted([f2]));
      expect(yield* rest[0]!).toBe("second");
    }, V);
  });

  test("cancelling a waiter that was not woken leaves the entries for the others", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const f = loop.createFuture<number>();
      const ac = asCompleted([f]);
      const [next] = Array.from(ac);
      const t = createTask(next!);
      yield* sleep(0);
      t.cancel();
      yield* sleep(0);
      expect(t.cancelled()).toBe(true);
      f.setResult(7);
      yield* sleep(0);
      expect(yield* ensureFuture(ac.asObservable().pipe(toArray()))).toEqual([7]);
      expect(yield* (ac as unknown as { _next(r: boolean): Coroutine<number> })._next(true)).toBe(7);
      void CancelledError;
    }, V);
  });
});
