/**
 * Runs in Chromium (bundled by spec/browser-helpers.ts): each scenario uses
 * the library as a page would and returns what it saw, as plain data, for
 * browser.spec.ts to assert on.
 */
import { TestScheduler } from "rxjs/testing";
import { delay, interval, map, of, race, take, toArray } from "rxjs";
import {
  BrokenWorkerError,
  CancelledError,
  ExceptionGroup,
  Queue,
  RuntimeError,
  TaskGroup,
  WebWorkerExecutor,
  createTask,
  currentTask,
  ensureFuture,
  fromQueue,
  gather,
  getRunningLoop,
  mapTask,
  moduleFunction,
  globalThisHost,
  run,
  rxjsHost,
  type LoopHost,
  sleep,
  task,
  taskGroup,
  toThread,
  transfer,
  type Coroutine,
} from "rx-asyncio";

type Scenario = () => Promise<unknown>;

function errName(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Counts animation frames until `stop()`, which returns the count. */
function countFrames(): { count(): number; stop(): number } {
  let frames = 0;
  let on = true;
  const tick = () => {
    if (!on) return;
    frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return {
    count: () => frames,
    stop: () => {
      on = false;
      return frames;
    },
  };
}

const scenarios: Record<string, Scenario> = {
  async tasks() {
    const log: string[] = [];
    const result = await run(function* () {
      const loop = getRunningLoop();
      const t0 = loop.time();
      const worker = function* (name: string, ms: number): Coroutine<string> {
        log.push(`${name} start`);
        yield* sleep(ms);
        log.push(`${name} end`);
        return `${name}:${currentTask()!.getName()}`;
      };
      const a = createTask(worker("a", 40), { name: "A" });
      const b = createTask(worker("b", 10), { name: "B" });
      const ra = yield* a;
      const rb = yield* b;
      return { ra, rb, elapsed: loop.time() - t0 };
    });
    return { log, ...result };
  },

  async cancellation() {
    const log: string[] = [];
    const outcome = await run(function* () {
      const child = createTask(function* () {
        try {
          log.push("child: working");
          yield* sleep(10_000);
        } catch (e) {
          log.push(`child: caught ${(e as Error).name}`);
          yield* sleep(20); // cleanup that itself waits
          log.push("child: cleaned up");
          throw e;
        }
      });
      yield* sleep(30);
      child.cancel("stop now");
      try {
        yield* child;
        return "not cancelled";
      } catch (e) {
        return `${errName(e)}; cancelled()=${child.cancelled()}`;
      }
    });
    return { log, outcome };
  },

  async gather() {
    return run(function* () {
      const loop = getRunningLoop();
      const t0 = loop.time();
      const after = function* (ms: number, v: string): Coroutine<string> {
        yield* sleep(ms);
        return v;
      };
      const results = yield* gather(after(60, "slow"), after(10, "fast"), after(30, "mid"));
      const settled = yield* gather(after(5, "ok"), (function* (): Coroutine<never> { throw new RangeError("bad"); })(), { returnExceptions: true });
      return { results, elapsed: loop.time() - t0, settled: settled.map((x) => (x instanceof Error ? errName(x) : x)) };
    });
  },

  async taskGroup() {
    const log: string[] = [];
    const outcome = await run(function* () {
      try {
        yield* taskGroup(function* (tg: TaskGroup) {
          tg.createTask(function* () {
            try {
              yield* sleep(1000);
              log.push("slow finished");
            } catch (e) {
              log.push(`slow: ${(e as Error).name}, cleaning up`);
              yield* sleep(5);
              log.push("slow: cleaned up");
              throw e;
            }
          });
          tg.createTask(function* () {
            yield* sleep(20);
            throw new TypeError("boom");
          });
        });
        return "no error";
      } catch (e) {
        return e instanceof ExceptionGroup ? `ExceptionGroup[${(e.errors as unknown[]).map(errName).join(", ")}]` : errName(e);
      }
    });
    return { log, outcome };
  },

  async queue() {
    return run(function* () {
      const q = new Queue<number>(2);
      const seen: string[] = [];
      const producer = createTask(function* () {
        for (let i = 1; i <= 6; i++) {
          yield* q.put(i); // waits while 2 are queued
          seen.push(`put ${i} (size ${q.qsize()})`);
        }
        q.shutdown();
      });
      const consumer = createTask(function* () {
        let sum = 0;
        yield* q.consume(function* (n) {
          yield* sleep(5);
          sum += n;
          seen.push(`got ${n}`);
        });
        return sum;
      });
      yield* producer;
      const sum = yield* consumer;
      return { sum, maxSize: Math.max(...seen.filter((s) => s.startsWith("put")).map((s) => Number(/size (\d+)/.exec(s)![1]))), seen };
    });
  },

  async marbles() {
    const failures: string[] = [];
    let checked = 0;
    const ts = new TestScheduler((actual, expected) => {
      checked++;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) failures.push(`${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
    });
    const after = function* (ms: number, v: string): Coroutine<string> {
      yield* sleep(ms);
      return v;
    };
    ts.run(({ expectObservable }) => {
      expectObservable(race(task(() => after(3, "slow")), task(() => after(1, "fast")))).toBe("-(a|)", { a: "fast" });
      expectObservable(of(1, 2, 3).pipe(mapTask(function* (n: number) { yield* sleep(n * 2); return n * 10; }, 1))).toBe("--a---b-----(c|)", { a: 10, b: 20, c: 30 });
    });
    // A deliberately wrong expectation must be caught: the comparison is real.
    let wrongCaught = false;
    new TestScheduler((a, b) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) wrongCaught = true;
    }).run(({ expectObservable }) => {
      expectObservable(task(() => after(2, "x"))).toBe("-(a|)", { a: "x" });
    });
    return { checked, failures, wrongCaught };
  },

  async virtualClock() {
    const started = performance.now();
    const r = await run(
      function* () {
        const loop = getRunningLoop();
        yield* gather(sleep(3_600_000), sleep(86_400_000));
        // The virtual loop as an RxJS scheduler: an interval of an hour, three ticks.
        const ticks = yield* ensureFuture(interval(3_600_000, loop).pipe(take(3), map((i) => [i, loop.time()]), toArray()));
        return { time: loop.time(), ticks };
      },
      { clock: "virtual" },
    );
    return { loopTime: r.time, ticks: r.ticks, wallMs: performance.now() - started };
  },

  async operators() {
    return run(function* () {
      const loop = getRunningLoop();
      const t0 = loop.time();
      // The loop is an RxJS scheduler: interval and delay on it.
      const ticks = yield* ensureFuture(interval(10, loop).pipe(take(3), delay(5, loop), toArray()));
      const tickTime = loop.time() - t0;
      const doubled = yield* ensureFuture(
        // At most 2 at once, results in finishing order: 2 (at 10 ms), 1 (30), 4 (30 + 5), 3 (10 + 40).
        of(1, 2, 3, 4).pipe(mapTask(function* (n: number) { yield* sleep([30, 10, 40, 5][n - 1]!); return n * 2; }, 2), toArray()),
      );
      const q = new Queue<string>();
      createTask(function* () {
        for (const s of ["a", "b", "c"]) yield* q.put(s);
        q.shutdown();
      });
      const fromQ = yield* ensureFuture(fromQueue(q).pipe(map((s) => s.toUpperCase()), toArray()));
      return { ticks, tickTime, doubled, fromQ };
    });
  },

  async asyncFunctionTask() {
    // What an `async (signal) => T` task sees after an await, without AsyncLocalStorage.
    return run(async () => {
      const loop = getRunningLoop();
      const before = loop !== undefined;
      await ensureFuture(sleep(1));
      // With the loop given, the task goes on after an await as in Node.
      const t0 = loop.time();
      await ensureFuture(sleep(20), { loop });
      await loop.createTask(function* () { yield* sleep(5); });
      const slept = loop.time() - t0;
      let after: string;
      try {
        getRunningLoop();
        after = "loop visible";
      } catch (e) {
        after = e instanceof RuntimeError ? `RuntimeError: ${e.message}` : errName(e);
      }
      return { before, after, sleptAtLeast25: slept >= 24 };
    });
  },

  async hostYield() {
    // Which browser facility carries the loop's yield: count MessageChannel
    // messages and timers while 10 chained yields of each host run. Nested
    // timers are clamped to 4 ms; messages are not.
    const proto = MessagePort.prototype;
    const post = proto.postMessage;
    const st = window.setTimeout;
    const si = window.setInterval;
    const counts = { messages: 0, timers: 0 };
    proto.postMessage = function (this: MessagePort, ...a: Parameters<MessagePort["postMessage"]>) {
      counts.messages++;
      return post.apply(this, a as never);
    } as MessagePort["postMessage"];
    window.setTimeout = ((...a: Parameters<typeof setTimeout>) => (counts.timers++, st(...a))) as typeof setTimeout;
    window.setInterval = ((...a: Parameters<typeof setInterval>) => (counts.timers++, si(...a))) as typeof setInterval;
    const chain = (host: LoopHost) =>
      new Promise<void>((resolve) => {
        let n = 0;
        const next = (): void => (++n === 10 ? resolve() : void host.yieldToIO!(next));
        host.yieldToIO!(next);
      });
    let rx: typeof counts;
    let global: typeof counts;
    try {
      await chain(rxjsHost);
      rx = { ...counts };
      counts.messages = counts.timers = 0;
      await chain(globalThisHost);
      global = { ...counts };
    } finally {
      proto.postMessage = post;
      window.setTimeout = st;
      window.setInterval = si;
    }
    // Inside TestScheduler.run the yield stays on RxJS's virtual timers: it runs at flush.
    let inRun = "not run";
    new TestScheduler(() => undefined).run(({ flush }) => {
      rxjsHost.yieldToIO!(() => (inRun = "ran at flush"));
      const before = inRun;
      flush();
      inRun = before === "not run" ? inRun : `ran early (${before})`;
    });
    return { rx, global, inRun };
  },

  async responsive() {
    // 100,000 tasks, each a few steps; meanwhile count animation frames and
    // note whether a real click (sent by the spec) was served during the run.
    const frames = countFrames();
    let framesDuringTasks = 0;
    let clicksDuringTasks = 0;
    let running = true;
    const w = window as unknown as { clicksDuringRun: number; runStarted: boolean };
    w.clicksDuringRun = 0;
    const onClick = () => {
      if (running) w.clicksDuringRun++;
    };
    window.addEventListener("click", onClick);
    const t0 = performance.now();
    const steps = await run(function* () {
      w.runStarted = true;
      let n = 0;
      const one = function* (): Coroutine<void> {
        for (let i = 0; i < 3; i++) {
          yield* sleep(0);
          n++;
        }
      };
      const tasks = [];
      for (let i = 0; i < 100_000; i++) tasks.push(createTask(one()));
      yield* gather(...tasks);
      framesDuringTasks = frames.count();
      clicksDuringTasks = w.clicksDuringRun;
      // Keep running until the spec's click arrived (or 5 s): the run must not freeze the page.
      const until = performance.now() + 5000;
      while (w.clicksDuringRun === 0 && performance.now() < until) {
        for (let i = 0; i < 2000; i++) createTask(one());
        yield* sleep(0);
      }
      return n;
    });
    running = false;
    frames.stop();
    window.removeEventListener("click", onClick);
    return { steps, framesDuringTasks, clicksDuringTasks, clicks: w.clicksDuringRun, ms: performance.now() - t0 };
  },

  async workers() {
    const workUrl = new URL("/work.js", location.href);
    const ex = new WebWorkerExecutor({ maxWorkers: 2, idleTimeout: 60_000 });
    const out = await run(function* () {
      const loop = getRunningLoop();
      // A self-contained function, and a module's export by URL.
      const sum = yield* toThread((n: number) => {
        let s = 0;
        for (let i = 1; i <= n; i++) s += i;
        return s;
      }, 1000);
      const fib = moduleFunction<(n: number) => number>(workUrl, "fib");
      const fib20 = yield* loop.runInExecutor(ex, fib, 20);
      // An exception keeps its class name and fields.
      let thrown = "";
      try {
        yield* loop.runInExecutor(ex, () => {
          const e = new RangeError("too big");
          (e as RangeError & { code: number }).code = 7;
          throw e;
        });
      } catch (e) {
        thrown = `${errName(e)} code=${(e as { code?: number }).code}`;
      }
      // Cancelling a running job terminates its worker; the next job gets a new one.
      const spin = loop.runInExecutor(ex, () => {
        for (;;) {
          /* never returns */
        }
      });
      yield* sleep(100);
      const statsBefore = (ex as unknown as { _stats(): object })._stats();
      spin.cancel();
      let cancelled = "";
      try {
        yield* spin;
      } catch (e) {
        cancelled = e instanceof CancelledError ? "CancelledError" : errName(e);
      }
      const statsAfter = (ex as unknown as { _stats(): object })._stats();
      const afterCancel = yield* loop.runInExecutor(ex, (a: number, b: number) => a * b, 6, 7);
      // A worker that crashes (an error escapes the job) fails that job and is replaced.
      let crashed = "";
      try {
        yield* loop.runInExecutor(ex, () => new Promise(() => setTimeout(() => { throw new Error("async boom"); }, 1)));
      } catch (e) {
        crashed = e instanceof BrokenWorkerError ? `BrokenWorkerError: ${e.message}` : errName(e);
      }
      // A job that closes its own worker fails as a crash instead of hanging.
      let closed = "";
      try {
        yield* loop.runInExecutor(ex, () => {
          (globalThis as unknown as { close(): void }).close();
          return 1;
        });
      } catch (e) {
        closed = e instanceof BrokenWorkerError ? `BrokenWorkerError: ${e.message}` : errName(e);
      }
      const afterCrash = yield* loop.runInExecutor(ex, () => "still working");
      // The page stays responsive while workers compute: frames keep coming.
      const counter = countFrames();
      const t0 = performance.now();
      yield* gather(
        loop.runInExecutor(ex, () => { const end = performance.now() + 400; while (performance.now() < end) { /* busy */ } return 1; }),
        loop.runInExecutor(ex, () => { const end = performance.now() + 400; while (performance.now() < end) { /* busy */ } return 2; }),
      );
      const frames = counter.stop();
      const busyMs = performance.now() - t0;
      // A closure that is not self-contained is refused with the name it used.
      const outside = 5;
      let closure = "";
      try {
        yield* toThread(() => outside * 2);
      } catch (e) {
        closure = errName(e);
      }
      // transfer(): the argument's buffer moves to the worker (detached here), the result's moves back.
      const buf = new Float64Array([1, 2, 3, 4]);
      const back = yield* loop.runInExecutor(
        ex,
        (a: Float64Array) => {
          const out = a.map((x) => x * 2);
          return { [Symbol.for("rx-asyncio.transfer")]: true, value: out, list: [out.buffer] };
        },
        transfer(buf),
      );
      const transferred = { detached: buf.byteLength === 0, back: Array.from(back as unknown as Float64Array) };
      // Bad input fails at once, naming the argument.
      const bad: string[] = [];
      for (const f of [
        () => new WebWorkerExecutor({ maxWorkers: 0 }),
        () => loop.runInExecutor(ex, { module: "/abs/work.js", export: "fib" }, 1),
        () => loop.runInExecutor(ex, 42 as never),
      ]) {
        try {
          f();
          bad.push("no error");
        } catch (e) {
          bad.push(errName(e));
        }
      }
      // shutdown({ cancelRunning }) cancels a running job and terminates its worker.
      const ex2 = new WebWorkerExecutor({ maxWorkers: 1 });
      const stuck = loop.runInExecutor(ex2, () => {
        for (;;) {
          /* never returns */
        }
      });
      const queued = loop.runInExecutor(ex2, () => 1);
      yield* sleep(50);
      yield* ensureFuture(ex2.shutdown({ cancelRunning: true }));
      const shutdownCancelled = [stuck.cancelled(), queued.cancelled(), JSON.stringify((ex2 as unknown as { _stats(): object })._stats())];
      return { sum, fib20, thrown, cancelled, statsBefore, statsAfter, afterCancel, crashed, closed, afterCrash, frames, busyMs, closure, transferred, bad, shutdownCancelled };
    });
    await ex.shutdown();
    return { ...out, statsShutdown: (ex as unknown as { _stats(): object })._stats() };
  },
};

(window as unknown as { scenarios: Record<string, Scenario> }).scenarios = scenarios;
(window as unknown as { ready: boolean }).ready = true;
