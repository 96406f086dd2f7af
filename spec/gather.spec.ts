/**
 * gather(): ports of CPython's Lib/test/test_asyncio/test_tasks.py
 * (GatherTestsBase, FutureGatherTests, CoroutineGatherTests, test_cancel_gather_*)
 * plus the typed tuple, observables/promises and bad input.
 */
import { of } from "rxjs";
import {
  CancelledError,
  createTask,
  EventLoop,
  Future,
  gather,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  task,
  type Coroutine,
  type ExceptionContext,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

/** Lets the loop run a few iterations (asyncio's test_utils.run_briefly, repeated). */
function* runBriefly(n = 5): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

/** Records what reaches the loop's exception handler. */
function captureReports(): ExceptionContext[] {
  const reports: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_l, ctx) => reports.push(ctx));
  return reports;
}

type Wrap = (futs: Future<number>[]) => unknown[];
const asFutures: Wrap = (futs) => futs;
const asCoroutines: Wrap = (futs) =>
  futs.map((f) =>
    (function* (): Coroutine<number> {
      return yield* f;
    })(),
  );

describe.each([
  ["futures (FutureGatherTests)", asFutures],
  ["coroutines (CoroutineGatherTests)", asCoroutines],
])("gather of %s", (_name, wrap) => {
  test.each([false, true])("test_success: results in argument order (returnExceptions=%s)", async (re) => {
    await run(function* () {
      const loop = getRunningLoop();
      const [a, b, c] = [loop.createFuture<number>(), loop.createFuture<number>(), loop.createFuture<number>()];
      const fut = gather(...(wrap([a, b, c]) as Future<number>[]), { returnExceptions: re });
      let calls = 0;
      fut.addDoneCallback(() => calls++);
      yield* runBriefly();
      b.setResult(1);
      a.setResult(2);
      yield* runBriefly();
      expect(calls).toBe(0);
      expect(fut.done()).toBe(false);
      c.setResult(3);
      yield* runBriefly();
      expect(calls).toBe(1);
      expect(fut.result()).toEqual([2, 1, 3]);
    }, V);
  });

  test("test_one_exception: the first failure fails the gather; later children change nothing", async () => {
    await run(function* () {
      const reports = captureReports();
      const loop = getRunningLoop();
      const [a, b, c, d, e] = Array.from({ length: 5 }, () => loop.createFuture<number>());
      const fut = gather(...(wrap([a!, b!, c!, d!, e!]) as Future<number>[]));
      let calls = 0;
      fut.addDoneCallback(() => calls++);
      yield* runBriefly();
      const exc = new Error("zero division");
      a!.setResult(1);
      b!.setException(exc);
      yield* runBriefly();
      expect(fut.done()).toBe(true);
      expect(calls).toBe(1);
      expect(fut.exception()).toBe(exc);
      c!.setResult(3);
      d!.cancel();
      e!.setException(new Error("late"));
      e!.exception();
      yield* runBriefly();
      expect(calls).toBe(1);
      expect(reports).toEqual([]);
    }, V);
  });

  test("test_return_exceptions: failures take their slots", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const [a, b, c, d] = Array.from({ length: 4 }, () => loop.createFuture<number>());
      const fut = gather(...(wrap([a!, b!, c!, d!]) as Future<number>[]), { returnExceptions: true });
      yield* runBriefly();
      const exc = new Error("zde");
      const exc2 = new RuntimeError("rte");
      b!.setResult(1);
      c!.setException(exc);
      a!.setResult(3);
      yield* runBriefly();
      expect(fut.done()).toBe(false);
      d!.setException(exc2);
      yield* runBriefly();
      expect(fut.result()).toEqual([3, 1, exc, exc2]);
    }, V);
  });
});

describe("gather: cancellation", () => {
  test("test_one_cancellation: a cancelled child fails the gather with CancelledError; the gather is not cancelled", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const [a, b, c, d, e] = Array.from({ length: 5 }, () => loop.createFuture<number>());
      const fut = gather(a!, b!, c!, d!, e!);
      a!.setResult(1);
      b!.cancel();
      yield* runBriefly();
      expect(fut.done()).toBe(true);
      expect(fut.cancelled()).toBe(false);
      expect(fut.exception()).toBeInstanceOf(CancelledError);
      c!.setResult(3);
      d!.cancel();
      e!.setException(new Error("late"));
      e!.exception();
    }, V);
  });

  test("test_result_exception_one_cancellation: with returnExceptions a cancelled child gives a CancelledError slot", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => loop.createFuture<number>());
      const fut = gather(a!, b!, c!, d!, e!, f!, { returnExceptions: true });
      a!.setResult(1);
      const zde = new Error("zde");
      b!.setException(zde);
      c!.cancel();
      yield* runBriefly();
      expect(fut.done()).toBe(false);
      d!.setResult(3);
      e!.cancel();
      const rte = new RuntimeError("rte");
      f!.setException(rte);
      const res = (yield* fut) as unknown[];
      expect(res[2]).toBeInstanceOf(CancelledError);
      expect(res[4]).toBeInstanceOf(CancelledError);
      expect([res[0], res[1], res[3], res[5]]).toEqual([1, zde, 3, rte]);
    }, V);
  });

  test("test_cancellation_broadcast: cancelling the caller cancels every child", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      let proof = 0;
      const waiter = loop.createFuture<void>();
      function* inner(): Coroutine<void> {
        yield* waiter;
        proof += 1;
      }
      const child1 = createTask(inner());
      const child2 = createTask(inner());
      let gatherer: Future<unknown> | null = null;
      const f = createTask(function* () {
        gatherer = gather(child1, child2);
        yield* gatherer;
        proof += 100;
      });
      yield* sleep(0);
      expect(f.cancel()).toBe(true);
      yield* runBriefly();
      expect(f.cancelled()).toBe(true);
      expect(gatherer!.cancel()).toBe(false);
      expect(waiter.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(true);
      expect(child2.cancelled()).toBe(true);
      expect(proof).toBe(0);
    }, V);
  });

  test("cancelling the gather future itself cancels the children, then it fails with CancelledError", async () => {
    await run(function* () {
      const log: string[] = [];
      function* child(name: string, ms: number): Coroutine<string> {
        try {
          yield* sleep(ms);
          return name;
        } finally {
          log.push(`${name} finally`);
        }
      }
      const g = gather(child("a", 10), child("b", 20));
      yield* sleep(5);
      expect(g.cancel("stop")).toBe(true);
      expect(g.done()).toBe(false); // like Task.cancel(), a request
      try {
        yield* g;
      } catch (e) {
        log.push(`gather: ${(e as Error).name} ${(e as Error).message}`);
      }
      expect(log).toEqual(["a finally", "b finally", "gather: CancelledError stop"]);
    }, V);
  });

  test("test_cancel_gather_1: a gather whose children are all done refuses cancellation (bpo-26923)", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<number>();
      function* childCoro(): Coroutine<number> {
        return yield* fut;
      }
      const g = gather(childCoro());
      let cancelResult: boolean | null = null;
      fut.addDoneCallback(() => {
        cancelResult = g.cancel();
      });
      fut.setResult(42);
      const r = yield* g;
      expect(cancelResult).toBe(false);
      expect(g.cancelled()).toBe(false);
      expect(r).toEqual([42]);
    }, V);
  });

  test("test_cancel_gather_2: cancelling a task waiting in gather(returnExceptions) propagates CancelledError with its message (bpo-32684)", async () => {
    const err = await run(function* () {
      function* loopForever(): Coroutine<void> {
        let time = 0;
        for (;;) {
          time += 50;
          yield* gather(sleep(50), { returnExceptions: true });
          if (time > 1000) return;
        }
      }
      const qwe = createTask(loopForever());
      yield* sleep(200);
      qwe.cancel("my message");
      try {
        yield* qwe;
      } catch (e) {
        return e;
      }
      return null;
    }, V);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe("my message");
  });
});

describe("gather: asyncio's failure rule", () => {
  test("a child's failure propagates at once while its siblings keep running", async () => {
    const log: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      function* slow(): Coroutine<number> {
        yield* sleep(10);
        log.push(`slow done at ${loop.time()}`);
        return 1;
      }
      function* bad(): Coroutine<number> {
        yield* sleep(5);
        throw new Error("boom");
      }
      const s = createTask(slow());
      try {
        yield* gather(s, bad());
      } catch (e) {
        log.push(`caught ${(e as Error).message} at ${loop.time()}`);
      }
      log.push(`slow running: ${!s.done()}`);
      log.push(`slow result ${yield* s}`);
    }, V);
    expect(log).toEqual(["caught boom at 5", "slow running: true", "slow done at 10", "slow result 1"]);
  });

  test("test_exception_marking: a second failure after the gather failed is not reported as never retrieved", async () => {
    await run(function* () {
      const reports = captureReports();
      const loop = getRunningLoop();
      const a = loop.createFuture<void>();
      const b = loop.createFuture<void>();
      function* inner(f: Future<void>): Coroutine<void> {
        yield* f;
        throw new RuntimeError("should not be ignored");
      }
      const f = createTask(function* () {
        yield* gather(inner(a), inner(b));
      });
      yield* sleep(0);
      a.setResult(undefined);
      yield* runBriefly();
      b.setResult(undefined);
      yield* runBriefly();
      expect(f.exception()).toBeInstanceOf(RuntimeError);
      expect(reports).toEqual([]);
    }, V);
  });
});

describe("gather: inputs", () => {
  test("test_constructor_empty_sequence_use_running_loop: gather() gives []", async () => {
    await run(function* () {
      const fut = gather();
      expect(fut).toBeInstanceOf(Future);
      expect(fut.getLoop()).toBe(getRunningLoop());
      expect(yield* fut).toEqual([]);
      expect(yield* gather({ returnExceptions: true })).toEqual([]);
    }, V);
  });

  test("gather() outside a running loop throws RuntimeError (test_constructor_empty_sequence_without_loop)", () => {
    expect(() => gather()).toThrow(RuntimeError);
  });

  test("test_duplicate_coroutines: the same coroutine object runs once and fills every slot", async () => {
    await run(function* () {
      let runs = 0;
      function* coro(s: string): Coroutine<string> {
        runs++;
        return s;
      }
      const c = coro("abc");
      expect(yield* gather(c, c, coro("def"), c)).toEqual(["abc", "abc", "def", "abc"]);
      expect(runs).toBe(2);
      const t = createTask(coro("t"));
      expect(yield* gather(t, t)).toEqual(["t", "t"]);
      // Several repeated coroutines, repeats after the first one looked up, and a
      // promise passed twice (one future for it).
      runs = 0;
      const [a, b, d] = [coro("a"), coro("b"), coro("d")];
      const p = Promise.resolve("p");
      expect(yield* gather(a, b, a, p, d, b, p, a, coro("e"), d)).toEqual(["a", "b", "a", "p", "d", "b", "p", "a", "e", "d"]);
      expect(runs).toBe(4);
    }, V);
  });

  test("a repeated sleep() fills both slots; a coroutine given to an earlier task is refused, not taken as a repeat", async () => {
    await run(function* () {
      const s = sleep(5, "z");
      expect(yield* gather(s, s)).toEqual(["z", "z"]);
      function* coro(): Coroutine<number> {
        yield* sleep(1);
        return 1;
      }
      const c = coro();
      const t = createTask(c);
      expect(() => gather(coro(), c)).toThrow(/cannot reuse already awaited coroutine/);
      expect(yield* t).toBe(1);
    }, V);
  });

  test("test_constructor_heterogenous_futures: futures of two loops are refused", async () => {
    const other = new EventLoop({ clock: "virtual" });
    try {
      await run(function* () {
        const f1 = getRunningLoop().createFuture<number>();
        const f2 = other.createFuture<number>();
        expect(() => gather(f1, f2)).toThrow(/aws\[1\] is a future of another event loop/);
      }, V);
    } finally {
      other.close();
    }
  });

  test("test_constructor_homogenous_futures: with only futures the gather uses their loop, even outside it", () => {
    const other = new EventLoop({ clock: "virtual" });
    try {
      const children = [other.createFuture<number>(), other.createFuture<number>()];
      const fut = gather(...children);
      expect(fut.getLoop()).toBe(other);
      expect(fut.done()).toBe(false);
    } finally {
      other.close();
    }
  });

  test("task observables, plain observables and promises are gathered too", async () => {
    await run(function* () {
      function* f(): Coroutine<string> {
        yield* sleep(10);
        return "task";
      }
      const [a, b, c] = yield* gather(task(f), of(1, 2, 3), Promise.resolve(true));
      expect([a, b, c]).toEqual(["task", 3, true]);
      expect(getRunningLoop().time()).toBe(10);
    }, V);
  });

  test("bad input throws at once, names the argument, and starts no task (test_issue46672)", async () => {
    await run(function* () {
      let started = 0;
      function* coro(): Coroutine<number> {
        started++;
        return 1;
      }
      const c = coro();
      expect(() => gather(c, 42 as never)).toThrow(TypeError);
      expect(() => gather(c, 42 as never)).toThrow(/gather\(\.\.\.aws\): aws\[1\] must be a coroutine.*got 42/);
      expect(() => gather(coro as never)).toThrow(/pass fn\(\), not fn/);
      expect(() => gather([c] as never)).toThrow(/spread it/);
      expect(() => gather(c, { returnExceptions: "yes" } as never)).toThrow(/'returnExceptions' must be a boolean/);
      expect(() => gather(c, { returnException: true } as never)).toThrow(/unknown option 'returnException'/);
      yield* runBriefly();
      expect(started).toBe(0);
    }, V);
  });

  test("many children: 20,000 tasks each doing sleep(0), results in order", async () => {
    const n = 20_000;
    const r = await run(function* () {
      function* child(i: number): Coroutine<number> {
        yield* sleep(0);
        return i;
      }
      const coros = new Array<Coroutine<number>>(n);
      for (let i = 0; i < n; i++) coros[i] = child(i);
      return yield* gather(...coros);
    }, V);
    expect(r.length).toBe(n);
    expect(r[0]).toBe(0);
    expect(r[n - 1]).toBe(n - 1);
    expect(r.reduce((s, x) => s + x, 0)).toBe((n * (n - 1)) / 2);
  });
});

describe("gather: typing", () => {
  test("yield* gather(...) gives a typed tuple", async () => {
    await run(function* () {
      function* fetchA(): Coroutine<string> {
        yield* sleep(1);
        return "a";
      }
      function* fetchB(): Coroutine<number> {
        yield* sleep(2);
        return 2;
      }
      const [a, b] = yield* gather(fetchA(), fetchB());
      const sa: string = a;
      const nb: number = b;
      // @ts-expect-error b is a number, not a string
      const wrong: string = b;
      void wrong;
      const t = createTask(fetchB());
      const [c, d, e] = yield* gather(t, sleep(1, true), Promise.resolve(new Date(0)));
      const nc: number = c;
      const bd: boolean = d;
      const de: Date = e;
      const settled = yield* gather(fetchA(), fetchB(), { returnExceptions: true });
      const s0: string | Error = settled[0];
      // @ts-expect-error a settled slot may hold an Error
      const s1: number = settled[1];
      void s1;
      const many = yield* gather(...[fetchB(), fetchB()]);
      const list: number[] = many;
      expect([sa, nb, nc, bd, de.getTime(), s0, list]).toEqual(["a", 2, 2, true, 0, "a", [2, 2]]);
    }, V);
  });
});
