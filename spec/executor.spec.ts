/**
 * ThreadPoolExecutor: jobs, errors, transfers, cancellation and shutdown.
 * Worker-based cases share few pools and stay quick (2 cores); every pool is
 * shut down and checked to leave no worker thread alive.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  BrokenWorkerError,
  CancelledError,
  EventLoop,
  RuntimeError,
  ThreadPoolExecutor,
  createTask,
  ensureFuture,
  getRunningLoop,
  moduleFunction,
  run,
  transfer,
  type Coroutine,
  type Future,
  type ModuleFunction,
} from "../src/index.js";

const CJS = join(__dirname, "fixtures", "executor-work.cjs");
const ESM = join(__dirname, "fixtures", "executor-work.mjs");

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };

/** Suspends the task until another thread changes flags[i] from 0 (no polling, no clock). */
function* flagSet(flags: Int32Array, i: number): Coroutine<void> {
  const r = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(flags, i, 0);
  if (r.async) yield* ensureFuture(r.value as Promise<string>);
}

/** A job that waits until the main thread sets flags[0], then returns "released". */
const waitForRelease = (sab: SharedArrayBuffer): string => {
  Atomics.wait(new Int32Array(sab), 0, 0);
  return "released";
};

let shared: ThreadPoolExecutor;
beforeAll(() => {
  shared = new ThreadPoolExecutor({ maxWorkers: 2 });
});
afterAll(async () => {
  await shared.shutdown();
  expect(shared._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
});

function inLoop<T>(body: (loop: EventLoop) => Coroutine<T>): Promise<T> {
  return run(() => body(getRunningLoop()), { clock: "virtual" });
}

describe("ThreadPoolExecutor: bad input throws at once, before any thread starts", () => {
  test("options, functions, module specs and shutdown options are checked", async () => {
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 1.5 })).toThrow(/'maxWorkers' must be an integer >= 1, got 1.5/);
    expect(() => new ThreadPoolExecutor({ maxWorkers: "2" as never })).toThrow(TypeError);
    expect(() => new ThreadPoolExecutor(null as never)).toThrow(TypeError);
    expect(new ThreadPoolExecutor().maxWorkers).toBe(require("node:os").availableParallelism());
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    await inLoop(function* (loop) {
      const bad: [unknown, RegExp][] = [
        [42, /'fn' must be a self-contained function or a module export/],
        [function* gen() {}, /got a generator function \(function gen\) \(a coroutine runs on the event loop/],
        [Math.max, /native or bound function/],
        [((a: number) => a).bind(null), /native or bound function/],
        [class Job {}, /got a class \(Job\)/],
        [{ module: "./work.js", export: "fib" }, /'module' must be an absolute path, a file: URL or a node: built-in, got "\.\/work\.js"/],
        [{ module: "lodash" }, /require\.resolve/],
        [{ module: CJS, export: "" }, /'export' must be the name of an exported function/],
      ];
      for (const [fn, msg] of bad) {
        expect(() => loop.runInExecutor(ex, fn as never)).toThrow(TypeError);
        expect(() => loop.runInExecutor(ex, fn as never)).toThrow(msg);
      }
      expect(() => loop.runInExecutor({} as never, () => 1)).toThrow(/'executor' must be an Executor/);
      // A refused job moves nothing: the buffers stay with the caller.
      const buf = new ArrayBuffer(8);
      expect(() => loop.runInExecutor(ex, Math.max as never, transfer(buf))).toThrow(TypeError);
      expect(() => loop.runInExecutor(ex, (a: ArrayBuffer, b: ArrayBuffer) => a === b, transfer(buf), transfer(buf))).toThrow(
        /the transfer\(\) arguments cannot be moved/,
      );
      expect(buf.byteLength).toBe(8);
      expect(() => moduleFunction("rel.js")).toThrow(TypeError);
      expect(() => transfer({ a: 1 })).toThrow(/give 'list'/);
      expect(() => transfer(new ArrayBuffer(1), "x" as never)).toThrow(/'list' must be an array/);
      expect(() => ex.shutdown({ wait: "yes" as never })).toThrow(/'wait' must be a boolean/);
      expect(ex._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
      yield* ensureFuture(ex.shutdown());
      expect(() => loop.runInExecutor(ex, () => 1)).toThrow(RuntimeError);
      expect(() => loop.runInExecutor(ex, () => 1)).toThrow("cannot schedule new futures after shutdown");
    });
  });
});

describe("ThreadPoolExecutor: jobs", () => {
  test("self-contained functions, methods, async functions and module exports (CJS, ESM, file URL)", async () => {
    const results = await inLoop(function* (loop) {
      const fib = (n: number): number => {
        const f = (k: number): number => (k < 2 ? k : f(k - 1) + f(k - 2));
        return f(n);
      };
      const obj = {
        sum(a: number, b: number) {
          return a + b;
        },
      };
      const fibExport: ModuleFunction<[number], number> = { module: CJS, export: "fib" };
      const double = moduleFunction<(x: number) => number>(pathToFileURL(ESM));
      const futs = [
        loop.runInExecutor(shared, fib, 20),
        loop.runInExecutor(shared, obj.sum, 2, 3),
        loop.runInExecutor(shared, async (x: string) => `${x}!`, "hi"),
        loop.runInExecutor(shared, fibExport, 20),
        loop.runInExecutor(shared, double, 21),
        loop.runInExecutor(shared, { module: pathToFileURL(CJS).href, export: "fib" }, 10),
        loop.runInExecutor(shared, { module: "node:path", export: "basename" }, "/a/b.txt"),
        shared.submit((o: { a: number[] }) => o.a.length, { a: [1, 2, 3] }),
      ];
      const out: unknown[] = [];
      for (const f of futs) out.push(yield* f);
      // Arguments and results are typed from the function (checked by tsc).
      const typed: number = yield* loop.runInExecutor(shared, fibExport, 5);
      const moved: Float64Array = yield* loop.runInExecutor(shared, (a: Float64Array) => a, transfer(new Float64Array(2)));
      // @ts-expect-error: fib takes a number
      const wrongArg = () => loop.runInExecutor(shared, fib, "20");
      out.push(typed, moved.length, typeof wrongArg);
      return out;
    });
    expect(results).toEqual([6765, 5, "hi!", 6765, 42, 55, "b.txt", 3, 5, 2, "function"]);
  });

  test("transfer() moves buffers at once, both ways; plain arguments are copied", async () => {
    await inLoop(function* (loop) {
      const data = new Float64Array([1, 2, 3, 4]);
      const copied = new Float64Array([5, 6]);
      const sumArr = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
      const fut = loop.runInExecutor(shared, sumArr, transfer(data));
      expect(data.length).toBe(0); // detached before the job even started
      expect(yield* fut).toBe(10);
      expect(yield* loop.runInExecutor(shared, sumArr, copied)).toBe(11);
      expect(copied.length).toBe(2);
      const buf = new ArrayBuffer(16);
      const len = yield* loop.runInExecutor(shared, (o: { b: ArrayBuffer }) => o.b.byteLength, transfer({ b: buf }, [buf]));
      expect([len, buf.byteLength]).toEqual([16, 0]);
      const back = yield* loop.runInExecutor(shared, { module: ESM, export: "ones" }, 1000);
      // Cloned values are made in Node's own realm, not Jest's sandbox, so no toBeInstanceOf here.
      expect(Object.prototype.toString.call(back)).toBe("[object Float64Array]");
      expect((back as Float64Array).length).toBe(1000);
    });
  });
});

describe("ThreadPoolExecutor: errors reach the awaiting task; the pool stays usable", () => {
  test("a job's exception keeps its class name, message, fields and the worker's stack", async () => {
    await inLoop(function* (loop) {
      const caught: unknown[] = [];
      const attempt = function* (fut: Future<unknown>): Coroutine<void> {
        try {
          yield* fut;
          caught.push("no error");
        } catch (e) {
          caught.push(e);
        }
      };
      yield* attempt(loop.runInExecutor(shared, { module: CJS, export: "fail" }, "bad input"));
      function raiser(n: number) {
        if (n > 0) throw new RangeError(`n too big: ${n}`);
      }
      yield* attempt(loop.runInExecutor(shared, raiser, 5));
      yield* attempt(loop.runInExecutor(shared, () => {
        class QuotaError extends Error {}
        throw new QuotaError("over quota");
      }));
      yield* attempt(loop.runInExecutor(shared, () => {
        throw { code: 7 };
      }));
      yield* attempt(loop.runInExecutor(shared, { module: CJS, export: "notAFunction" }));
      const [work, range, quota, plain, missing] = caught as [Error & { code?: string }, Error, Error, unknown, Error];
      expect(work).toBeInstanceOf(Error);
      expect([work.name, work.message, work.code]).toEqual(["WorkError", "bad input", "E_WORK"]);
      expect(work.stack).toMatch(/^WorkError: bad input\n\s+at fail \(.*executor-work\.cjs/);
      expect(range).toBeInstanceOf(RangeError);
      expect(range.message).toBe("n too big: 5");
      expect(range.stack).toContain("at raiser");
      expect([quota.name, quota.message]).toEqual(["QuotaError", "over quota"]);
      expect(quota.stack).toMatch(/^QuotaError: over quota\n/);
      expect(plain).toEqual({ code: 7 });
      expect(missing).toBeInstanceOf(TypeError);
      expect(missing.message).toMatch(/has no exported function 'notAFunction' \(its exported functions: .*fib/);
    });
  });

  test("closures, uncloneable arguments/results and crashing or exiting workers: clear errors", async () => {
    await inLoop(function* (loop) {
      const failure = function* (fut: Future<unknown>): Coroutine<Error> {
        try {
          yield* fut;
        } catch (e) {
          return e as Error;
        }
        throw new Error("expected the job to fail");
      };
      const factor = 3;
      const closure = yield* failure(loop.runInExecutor(shared, function scale(x: number) {
        return x * factor;
      }, 2));
      expect(closure).toBeInstanceOf(ReferenceError);
      expect(closure.message).toMatch(/function scale uses 'factor', which does not exist in the worker thread/);
      expect(closure.message).toMatch(/must be self-contained/);
      expect(closure.message).toMatch(/moduleFunction\(absolutePath, exportName\)/); // what the README teaches

      const badArg = yield* failure(loop.runInExecutor(shared, (o: unknown) => o, { f: () => 1 }));
      expect(badArg).toBeInstanceOf(TypeError);
      expect(badArg.message).toMatch(/arguments of .* cannot be sent to a worker thread .*could not be cloned/);

      const badResult = yield* failure(loop.runInExecutor(shared, () => ({ cb() {} })));
      expect(badResult).toBeInstanceOf(TypeError);
      expect(badResult.message).toMatch(/result of .* cannot be sent back from the worker thread/);

      const exited = yield* failure(loop.runInExecutor(shared, () => process.exit(3)));
      expect(exited).toBeInstanceOf(BrokenWorkerError);
      expect(exited).toBeInstanceOf(RuntimeError);
      expect((exited as BrokenWorkerError).exitCode).toBe(3);
      expect(exited.message).toMatch(/exited with code 3 before the job finished/);

      const crashed = yield* failure(
        loop.runInExecutor(shared, () => new Promise(() => setTimeout(() => {
          throw new RangeError("escaped");
        }, 1))),
      );
      expect(crashed).toBeInstanceOf(BrokenWorkerError);
      expect(crashed.message).toMatch(/crashed: RangeError: escaped/);
      expect((crashed as Error & { cause: Error }).cause).toBeInstanceOf(RangeError);

      // The pool replaced what it lost: both workers still take jobs.
      const again = [loop.runInExecutor(shared, (x: number) => x + 1, 1), loop.runInExecutor(shared, (x: number) => x + 2, 1)];
      expect([yield* again[0]!, yield* again[1]!]).toEqual([2, 3]);
    });
  });
});

describe("ThreadPoolExecutor: cancellation", () => {
  test("cancelling a queued job's future drops the job: it never runs", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = new SharedArrayBuffer(8);
    const flags = new Int32Array(sab);
    await inLoop(function* (loop) {
      const a = loop.runInExecutor(ex, waitForRelease, sab);
      const b = loop.runInExecutor(ex, (s: SharedArrayBuffer) => Atomics.store(new Int32Array(s), 1, 1), sab);
      expect(ex._stats()).toMatchObject({ queued: 1, running: 1 });
      expect(b.cancel("not needed")).toBe(true);
      expect(ex._stats()).toMatchObject({ queued: 0, running: 1 });
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      expect(yield* a).toBe("released");
      // FIFO on one worker: had b run, it would have run before this job.
      expect(yield* loop.runInExecutor(ex, (s: SharedArrayBuffer) => Atomics.load(new Int32Array(s), 1), sab)).toBe(0);
      expect(b.cancelled()).toBe(true);
      expect(() => b.result()).toThrow(CancelledError);
    });
    await ex.shutdown();
    expect(ex._stats().workers).toBe(0);
  });

  test("cancelling the task awaiting a running job stops its worker; a new worker takes the next job", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = new SharedArrayBuffer(8);
    const flags = new Int32Array(sab);
    const trace: string[] = [];
    await inLoop(function* (loop) {
      const job = loop.runInExecutor(ex, { module: CJS, export: "blockForever" }, sab);
      const waiter = createTask(function* () {
        try {
          yield* job;
        } catch (e) {
          trace.push(`waiter: ${(e as Error).name}`);
          throw e;
        }
      });
      yield* flagSet(flags, 0); // the job runs on its worker now
      const blockedThread = Atomics.load(flags, 0);
      waiter.cancel();
      try {
        yield* waiter;
      } catch (e) {
        trace.push(`main: ${(e as Error).name}`);
      }
      expect(job.cancelled()).toBe(true);
      const next = yield* loop.runInExecutor(ex, { module: CJS, export: "threadId" });
      expect(next).not.toBe(blockedThread);
    });
    expect(trace).toEqual(["waiter: CancelledError", "main: CancelledError"]);
    await ex.shutdown(); // waits for the stopped worker to exit too
    expect(ex._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
  });
});

describe("ThreadPoolExecutor: shutdown", () => {
  test("shutdown() waits for running and queued jobs; cancelFutures drops the queued ones", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const sab = new SharedArrayBuffer(8);
    const flags = new Int32Array(sab);
    await inLoop(function* (loop) {
      const a = loop.runInExecutor(ex, waitForRelease, sab);
      const b = loop.runInExecutor(ex, (x: number) => x * 2, 21);
      const c = loop.runInExecutor(ex, (x: number) => x * 3, 1);
      let closed = false;
      const waiting = ex.shutdown().then(() => (closed = true));
      expect(ex.isShutdown()).toBe(true);
      expect(() => loop.runInExecutor(ex, () => 1)).toThrow("cannot schedule new futures after shutdown");
      yield* ensureFuture(ex.shutdown({ wait: false })); // at once, and safe to repeat
      void ex.shutdown({ wait: false, cancelFutures: true }); // c and b are still queued: dropped
      expect([b.cancelled(), c.cancelled(), a.done()]).toEqual([true, true, false]);
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      yield* ensureFuture(waiting);
      expect(closed).toBe(true);
      expect(a.result()).toBe("released");
    });
    expect(ex._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
  });

  test("shutdown({ cancelRunning }) stops running jobs, so it never hangs on them", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const sab = new SharedArrayBuffer(8);
    await inLoop(function* (loop) {
      const stuck = loop.runInExecutor(ex, { module: CJS, export: "blockForever" }, sab);
      yield* flagSet(new Int32Array(sab), 0);
      yield* ensureFuture(ex.shutdown({ cancelRunning: true }));
      expect(stuck.cancelled()).toBe(true);
    });
    expect(ex._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
  });

  test("await using / using shut the executor down at the end of the block", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    let kept: ThreadPoolExecutor | undefined;
    {
      await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
      kept = ex;
      const r = await loop.runUntilComplete(function* () {
        return yield* getRunningLoop().runInExecutor(ex, (x: number) => x + 1, 41);
      });
      expect(r).toBe(42);
      expect(ex.isShutdown()).toBe(false);
    }
    expect(kept.isShutdown()).toBe(true);
    expect(kept._stats().workers).toBe(0);
    {
      using ex = new ThreadPoolExecutor({ maxWorkers: 1 }); // sync dispose: shutdown({ wait: false })
      kept = ex;
    }
    expect(kept.isShutdown()).toBe(true);
    loop.close();
  });
});
