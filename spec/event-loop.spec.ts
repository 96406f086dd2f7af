import {
  EventLoop,
  RuntimeError,
  sleep,
  createTask,
  ensureFuture,
  getRunningLoop,
  type Coroutine,
  type ExceptionContext,
} from "../src/index.js";
import { countingHost } from "./helpers.js";

function virtualLoop() {
  return new EventLoop({ clock: "virtual" });
}

describe("EventLoop callbacks", () => {
  test("callSoon runs callbacks in FIFO order, on a later iteration, with their arguments", async () => {
    const loop = virtualLoop();
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      loop.callSoon((a: string, b: number) => log.push(`${a}${b}`), "a", 1);
      loop.callSoon(() => log.push("b"));
      log.push("scheduled");
      yield* sleep(0);
      yield* sleep(0);
    });
    expect(log).toEqual(["scheduled", "a1", "b"]);
    loop.close();
  });

  test("callLater/callAt fire by deadline; same deadline in scheduling order", async () => {
    const loop = virtualLoop();
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      const l = getRunningLoop();
      l.callLater(30, () => log.push(`c@${l.time()}`));
      l.callLater(10, () => log.push(`a@${l.time()}`));
      l.callAt(10, () => log.push(`b@${l.time()}`));
      l.callLater(10, () => log.push(`a2@${l.time()}`));
      l.callAt(-5, () => log.push(`past@${l.time()}`));
      yield* sleep(40);
    });
    expect(log).toEqual(["past@0", "a@10", "b@10", "a2@10", "c@30"]);
    loop.close();
  });

  test("a cancelled handle never runs; cancelled timers are dropped lazily and the heap compacts", async () => {
    const loop = virtualLoop();
    const fired: number[] = [];
    await loop.runUntilComplete(function* () {
      const l = getRunningLoop();
      const hs = [];
      for (let i = 0; i < 1000; i++) hs.push(l.callLater(i + 1, () => fired.push(i)));
      for (let i = 0; i < 1000; i++) if (i % 10 !== 0) hs[i]!.cancel();
      expect(hs[1]!.cancelled()).toBe(true);
      const soon = l.callSoon(() => fired.push(-1));
      soon.cancel();
      yield* sleep(2000);
    });
    expect(fired).toEqual(Array.from({ length: 100 }, (_, k) => k * 10));
    expect(loop._timers.size).toBe(0);
    loop.close();
  });

  test("virtual time starts at 0 and jumps: an hour of sleeping takes no real time", async () => {
    const loop = virtualLoop();
    expect(loop.time()).toBe(0);
    const times: number[] = [];
    await loop.runUntilComplete(function* () {
      for (let i = 0; i < 60; i++) {
        yield* sleep(60_000);
        times.push(loop.time());
      }
    });
    expect(times[59]).toBe(3_600_000);
    expect(loop.time()).toBe(3_600_000);
    loop.close();
  });

  test("virtual time does not jump while a promise is pending outside the loop", async () => {
    const loop = virtualLoop();
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      const sleeper = createTask(function* () {
        yield* sleep(1000);
        log.push(`slept@${loop.time()}`);
      });
      const io = new Promise<string>((resolve) => setTimeout(() => resolve("io"), 20));
      const v = yield* ensureFuture(io);
      log.push(`${v}@${loop.time()}`);
      yield* sleeper;
    });
    expect(log).toEqual(["io@0", "slept@1000"]);
    loop.close();
  });
});

describe("EventLoop ready queue", () => {
  /** How many callbacks the loop's ready queue can hold before it grows. */
  const readySlots = (loop: EventLoop): number => (loop as unknown as { _ready: { _mask: number } })._ready._mask + 1;

  test("holds a burst, and gives back its slots as it drains", async () => {
    const loop = virtualLoop();
    const seen: number[] = [];
    await loop.runUntilComplete(function* () {
      // 20,000 tasks made at once: all of them in the ready queue together.
      const tasks = Array.from({ length: 20_000 }, (_, i) =>
        createTask(function* () {
          if (i === 0 || i === 19_999) seen.push(readySlots(loop));
          return i;
        }),
      );
      for (const t of tasks) yield* t;
    });
    expect(seen).toEqual([32_768, 2_048]);
    expect(readySlots(loop)).toBe(2_048);
    loop.close();
  });
});

describe("EventLoop running and closing", () => {
  test("runUntilComplete resolves with the result and rejects with the exception", async () => {
    const loop = virtualLoop();
    await expect(loop.runUntilComplete(function* () {
      yield* sleep(5);
      return 42;
    })).resolves.toBe(42);
    await expect(loop.runUntilComplete(function* (): Coroutine<void> {
      yield* sleep(5);
      throw new TypeError("boom");
    })).rejects.toThrow(TypeError);
    loop.close();
  });

  test("isRunning, runForever and stop (after the current iteration)", async () => {
    const loop = virtualLoop();
    const log: string[] = [];
    expect(loop.isRunning()).toBe(false);
    loop.callSoon(() => {
      log.push(`first running=${loop.isRunning()}`);
      loop.stop();
      loop.callSoon(() => log.push("next run"));
    });
    await loop.runForever();
    expect(loop.isRunning()).toBe(false);
    expect(log).toEqual(["first running=true"]);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(log).toEqual(["first running=true", "next run"]);
    loop.close();
  });

  test("close refuses while running; a closed loop refuses new work", async () => {
    const loop = virtualLoop();
    let err: unknown;
    await loop.runUntilComplete(function* () {
      try {
        loop.close();
      } catch (e) {
        err = e;
      }
      yield* sleep(1);
    });
    expect(err).toBeInstanceOf(RuntimeError);
    expect(String(err)).toMatch(/running/);
    loop.close();
    loop.close(); // idempotent
    expect(loop.isClosed()).toBe(true);
    expect(() => loop.callSoon(() => {})).toThrow(RuntimeError);
    expect(() => loop.callLater(1, () => {})).toThrow(/closed/);
    expect(() => loop.createFuture()).toThrow(/closed/);
    expect(() => loop.schedule(() => {})).toThrow(/closed/);
    expect(() => loop.runUntilComplete(function* () {})).toThrow(/closed/);
  });

  test("runUntilComplete while already running throws RuntimeError", async () => {
    const loop = virtualLoop();
    let err: unknown;
    await loop.runUntilComplete(function* () {
      try {
        void loop.runUntilComplete(function* () {});
      } catch (e) {
        err = e;
      }
    });
    expect(err).toBeInstanceOf(RuntimeError);
    loop.close();
  });
});

describe("EventLoop host wake-ups", () => {
  test("exactly one host wake-up is armed at a time, none when idle", async () => {
    const { host, stats } = countingHost();
    const loop = new EventLoop({ host });
    await loop.runUntilComplete(function* () {
      const l = getRunningLoop();
      for (let i = 0; i < 200; i++) l.callLater((i % 7) + 1, () => {});
      for (let i = 0; i < 50; i++) createTask(sleep(i % 5));
      yield* sleep(10);
    });
    expect(stats.maxArmed).toBe(1);
    expect(stats.armed).toBe(0);
    loop.close();
  });

  test("host delays are clamped to 2^31-1 ms", async () => {
    const { host, stats } = countingHost();
    const loop = new EventLoop({ host });
    loop.callLater(2 ** 31 + 1000, () => {});
    const running = loop.runForever();
    await new Promise((r) => setTimeout(r, 5));
    expect(stats.armed).toBe(1);
    expect(stats.laterDelays).toEqual([2 ** 31 - 1]);
    loop.stop();
    await running;
    loop.close();
    expect(stats.armed).toBe(0);
  });

  test("a busy drain yields to Node's I/O (a spinning task cannot starve setImmediate)", async () => {
    const loop = new EventLoop();
    let flag = false;
    setImmediate(() => (flag = true));
    let spins = 0;
    await loop.runUntilComplete(function* () {
      while (!flag) {
        spins++;
        yield* sleep(0);
      }
    });
    expect(flag).toBe(true);
    expect(spins).toBeGreaterThan(0);
    loop.close();
  });
});

describe("EventLoop exception handler", () => {
  test("an exception in a callback is reported with context and the loop goes on", async () => {
    const loop = virtualLoop();
    const seen: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => seen.push(ctx));
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      const h = loop.callSoon(function failing() {
        throw new Error("cb failed");
      });
      loop.callSoon(() => log.push("still serving"));
      yield* sleep(1);
      expect(seen[0]!.handle).toBe(h);
    });
    expect(log).toEqual(["still serving"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).toMatch(/Exception in callback failing/);
    expect((seen[0]!.exception as Error).message).toBe("cb failed");
    expect(loop.getExceptionHandler()).not.toBeNull();
    loop.setExceptionHandler(null);
    expect(loop.getExceptionHandler()).toBeNull();
    loop.close();
  });

  test("an exception handler that throws falls back to the default handler", async () => {
    const loop = virtualLoop();
    const errors: string[] = [];
    loop.logger = { warn: () => {}, error: (...a: unknown[]) => errors.push(a.join(" ")) };
    loop.setExceptionHandler(() => {
      throw new Error("handler broke");
    });
    await loop.runUntilComplete(function* () {
      loop.callSoon(() => {
        throw new Error("original");
      });
      yield* sleep(1);
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Unhandled error in exception handler/);
    expect(errors[0]).toMatch(/handler broke/);
    loop.close();
  });

  test("a done callback that throws is reported and other callbacks still run", async () => {
    const loop = virtualLoop();
    const seen: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => seen.push(ctx));
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      const f = loop.createFuture<number>();
      f.addDoneCallback(() => {
        throw new Error("dcb");
      });
      f.addDoneCallback((x) => log.push(`second ${x.result()}`));
      f.setResult(1);
      yield* sleep(1);
      expect(seen[0]!.future).toBe(f);
    });
    expect(log).toEqual(["second 1"]);
    expect(seen[0]!.message).toMatch(/done callback/);
    loop.close();
  });

  test("bad arguments throw at once, naming the argument and the value", () => {
    const loop = virtualLoop();
    expect(() => loop.callLater(-1, () => {})).toThrow(/'delay'.*-1/);
    expect(() => loop.callLater(NaN, () => {})).toThrow(RangeError);
    expect(() => loop.callAt(Infinity, () => {})).toThrow(/'when'/);
    expect(() => loop.callSoon(42 as never)).toThrow(/'fn' must be a function, got 42/);
    expect(() => loop.callLater(1, "x" as never)).toThrow(TypeError);
    expect(() => loop.setExceptionHandler(5 as never)).toThrow(/'handler'/);
    expect(() => new EventLoop({ clock: "fast" as never })).toThrow(/'clock'.*"fast"/);
    expect(() => loop.createTask(12 as never)).toThrow(/createTask\(coro\).*12/);
    loop.close();
  });
});
