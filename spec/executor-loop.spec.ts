/**
 * Executors and the event loop: the default executor's life (made on first
 * use, shut down by run() and close()), toThread, withExecutor, the virtual
 * clock waiting for a running job, and a loop that stays responsive while a
 * worker computes (the one spec here on the real clock).
 */
import {
  CancelledError,
  EventLoop,
  RuntimeError,
  ThreadPoolExecutor,
  createTask,
  getRunningLoop,
  run,
  sleep,
  toThread,
  withExecutor,
  type Coroutine,
  type Executor,
  type Future,
} from "../src/index.js";

/** Sleeps `ms` of real time inside a worker without using the CPU, then sets flags[0]. */
const napThenFlag = (sab: SharedArrayBuffer, ms: number): number => {
  const flags = new Int32Array(sab);
  Atomics.wait(flags, 1, 0, ms);
  Atomics.store(flags, 0, 1);
  return ms;
};

const blockForever = (): never => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("unreachable");
};

describe("the default executor", () => {
  test("made on first use (size: availableParallelism); run() waits for its jobs, then shuts it down", async () => {
    const sab = new SharedArrayBuffer(8);
    let ex: ThreadPoolExecutor | undefined;
    const out = await run(
      function* () {
        const loop = getRunningLoop();
        expect(loop._defaultExecutor).toBeNull();
        const r = yield* loop.runInExecutor(null, (a: number, b: number) => a * b, 6, 7);
        ex = loop._defaultExecutor as ThreadPoolExecutor;
        expect(ex).toBeInstanceOf(ThreadPoolExecutor);
        expect(ex.maxWorkers).toBe(require("node:os").availableParallelism());
        expect(yield* toThread((s: string) => s.toUpperCase(), "same pool")).toBe("SAME POOL");
        expect(loop._defaultExecutor).toBe(ex);
        // Nobody awaits this one: run() still waits for it, as asyncio.run does.
        loop.runInExecutor(null, napThenFlag, sab, 100);
        return r;
      },
      { clock: "virtual" },
    );
    expect(out).toBe(42);
    expect(Atomics.load(new Int32Array(sab), 0)).toBe(1);
    expect(ex!.isShutdown()).toBe(true);
    expect(ex!._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
  });

  test("shutdownDefaultExecutor(): no default executor afterwards; a timeout stops stuck jobs with a warning", async () => {
    const warnings: string[] = [];
    await run(
      function* () {
        const loop = getRunningLoop();
        loop.logger = { warn: (...a: unknown[]) => warnings.push(a.join(" ")), error: () => undefined };
        const stuck = loop.runInExecutor(null, blockForever);
        const ex = loop._defaultExecutor as ThreadPoolExecutor;
        yield* sleep(0);
        expect(() => loop.shutdownDefaultExecutor(-1)).toThrow(RangeError);
        yield* loop.shutdownDefaultExecutor(50); // real ms
        expect(stuck.cancelled()).toBe(true);
        expect(ex._stats()).toEqual({ queued: 0, running: 0, workers: 0 });
        expect(() => loop.runInExecutor(null, () => 1)).toThrow(RuntimeError);
        expect(() => toThread(() => 1)).toThrow("Executor shutdown has been called");
        yield* loop.shutdownDefaultExecutor(); // again: nothing to do
      },
      { clock: "virtual" },
    );
    expect(warnings).toEqual([expect.stringMatching(/did not finish its jobs within 50 ms: cancelling them/)]);
  });

  test("setDefaultExecutor() takes any Executor; run() shuts it down", async () => {
    const log: string[] = [];
    const inline: Executor = {
      runOn<R>(loop: EventLoop, fn: unknown, args: readonly unknown[]) {
        log.push(`run ${(fn as Function).name}`);
        const fut = loop.createFuture<R>();
        fut.setResult((fn as (...a: unknown[]) => R)(...args));
        return fut as never;
      },
      shutdown: async () => {
        log.push("shutdown");
      },
    };
    const r = await run(
      function* () {
        const loop = getRunningLoop();
        expect(() => loop.setDefaultExecutor({} as never)).toThrow(TypeError);
        expect(() => loop.setDefaultExecutor(null as never)).toThrow(/'executor' must be an Executor/);
        loop.setDefaultExecutor(inline);
        return yield* loop.runInExecutor(null, function triple(x: number) {
          return 3 * x;
        }, 5);
      },
      { clock: "virtual" },
    );
    expect(r).toBe(15);
    expect(log).toEqual(["run triple", "shutdown"]);
  });

  test("loop.close() starts the default executor's shutdown without waiting", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const r = await loop.runUntilComplete(function* () {
      return yield* toThread((x: number) => x - 1, 1);
    });
    const ex = loop._defaultExecutor as ThreadPoolExecutor;
    loop.close();
    expect(r).toBe(0);
    expect(loop._defaultExecutor).toBeNull();
    expect(ex.isShutdown()).toBe(true);
    await ex.shutdown(); // the shutdown close() started: wait for the workers to exit
    expect(ex._stats().workers).toBe(0);
  });

  test("toThread() outside a running loop throws RuntimeError", () => {
    expect(() => toThread(() => 1)).toThrow(RuntimeError);
  });
});

describe("withExecutor", () => {
  test("shuts its executor down when the body returns or throws", async () => {
    const seen: ThreadPoolExecutor[] = [];
    const r = await run(
      function* () {
        const loop = getRunningLoop();
        const ok = yield* withExecutor(
          function* (ex) {
            seen.push(ex);
            const a = loop.runInExecutor(ex, (x: number) => x + 1, 1);
            const b = loop.runInExecutor(ex, (x: number) => x + 2, 1);
            return (yield* a) + (yield* b);
          },
          { maxWorkers: 2 },
        );
        let failed: unknown;
        try {
          yield* withExecutor(function* (ex): Coroutine<void> {
            seen.push(ex);
            yield* loop.runInExecutor(ex, () => 0);
            throw new Error("body failed");
          });
        } catch (e) {
          failed = e;
        }
        expect((failed as Error).message).toBe("body failed");
        expect(() => withExecutor(42 as never)).toThrow(TypeError);
        expect(() => withExecutor(function* () {}, { maxWorkers: -1 })).toThrow(RangeError);
        return ok;
      },
      { clock: "virtual" },
    );
    expect(r).toBe(5);
    expect(seen.map((ex) => [ex.isShutdown(), ex._stats().workers])).toEqual([
      [true, 0],
      [true, 0],
    ]);
  });
});

describe("executors and the clock", () => {
  test("the virtual clock does not jump past a running job", async () => {
    const trace: string[] = [];
    await run(
      function* () {
        const loop = getRunningLoop();
        const sleeper = createTask(function* () {
          yield* sleep(1000);
          trace.push(`sleeper woke at ${loop.time()}`);
        });
        // 100 ms of real time in the worker; the loop has nothing else to do meanwhile.
        const ms = yield* loop.runInExecutor(null, napThenFlag, new SharedArrayBuffer(8), 100);
        trace.push(`job (${ms} ms) done at ${loop.time()}`);
        yield* sleeper;
      },
      { clock: "virtual" },
    );
    expect(trace).toEqual(["job (100 ms) done at 0", "sleeper woke at 1000"]);
  });

  test("a cancelled job no longer holds the virtual clock back", async () => {
    const trace: string[] = [];
    await run(
      function* () {
        const loop = getRunningLoop();
        const job: Future<never> = loop.runInExecutor(null, blockForever);
        loop.callSoon(() => job.cancel());
        try {
          yield* job;
        } catch (e) {
          trace.push(`${(e as Error).name} at ${loop.time()}`);
        }
        // Were the stopped job still counted, the clock could never reach 2000 and this would hang.
        yield* sleep(2000);
        trace.push(`slept to ${loop.time()}`);
      },
      { clock: "virtual" },
    );
    expect(trace).toEqual(["CancelledError at 0", "slept to 2000"]);
  });

  test("the loop stays responsive while a worker computes for about a second (real clock)", async () => {
    const ticks: number[] = [];
    const { start, end, spins } = await run(
      function* () {
        yield* toThread(() => 0); // a warm worker
        let beating = true;
        const heartbeat = createTask(function* () {
          while (beating) {
            ticks.push(performance.now());
            yield* sleep(50);
          }
        });
        const start = performance.now();
        const spins = yield* toThread(() => {
          const until = Date.now() + 1000;
          let n = 0;
          while (Date.now() < until) n++;
          return n;
        });
        const end = performance.now();
        beating = false;
        heartbeat.cancel();
        try {
          yield* heartbeat;
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        }
        return { start, end, spins };
      },
      { clock: "real" },
    );
    const during = ticks.filter((t) => t >= start && t <= end);
    const gaps = during.slice(1).map((t, i) => t - during[i]!);
    expect(spins).toBeGreaterThan(0);
    expect(end - start).toBeGreaterThanOrEqual(950);
    // About 20 beats of 50 ms; a loaded 2-core machine still manages several, none near the job's length.
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...gaps)).toBeLessThan(500);
  });
});
