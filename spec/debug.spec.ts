import { EventLoop, createTask, getRunningLoop, run, sleep, globalThisHost, type Coroutine, type ExceptionContext } from "../src/index.js";
import { busyWait } from "./helpers.js";

describe("debug mode", () => {
  test("a slow task step is reported with the task's name and where it was created", async () => {
    const warnings: string[] = [];
    await run(
      function* () {
        const loop = getRunningLoop();
        loop.logger = { warn: (...a: unknown[]) => warnings.push(a.join(" ")), error: () => {} };
        loop.slowCallbackDuration = 40;
        yield* createTask(function* () {
          busyWait(60); // a step that blocks the loop
          yield* sleep(0);
        }, { name: "hog" });
      },
      { debug: true, clock: "virtual" },
    );
    // The blocking step must be reported (a loaded machine may report others too).
    const hog = warnings.filter((w) => w.includes("'hog'"));
    expect(hog).toHaveLength(1);
    expect(hog[0]).toMatch(/^Executing task 'hog' took \d+\.\d ms/);
    expect(hog[0]).toMatch(/created at/);
    expect(hog[0]).toMatch(/debug\.spec\.ts/);
  });

  test("a slow plain callback is reported too; fast ones are not", async () => {
    const loop = new EventLoop({ clock: "virtual", debug: true });
    const warnings: string[] = [];
    loop.logger = { warn: (m: unknown) => warnings.push(String(m)), error: () => {} };
    loop.slowCallbackDuration = 40;
    await loop.runUntilComplete(function* () {
      loop.callSoon(function slowOne() {
        busyWait(60);
      });
      loop.callSoon(function fastOne() {});
      yield* sleep(1);
    });
    expect(warnings.filter((w) => /Executing callback slowOne took/.test(w))).toHaveLength(1);
    expect(warnings.filter((w) => /fastOne/.test(w))).toHaveLength(0);
    loop.close();
  });

  test("every exception report carries the stack where the task was created", async () => {
    const seen: ExceptionContext[] = [];
    await run(
      function* () {
        getRunningLoop().setExceptionHandler((_l, c) => seen.push(c));
        createTask(function* (): Coroutine<void> {
          throw new Error("unseen");
        });
        yield* sleep(1);
      },
      { debug: true, clock: "virtual" },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.sourceTraceback).toMatch(/debug\.spec\.ts/);
  });

  test("the default handler prints the message, the creation stack and the error's stack", () => {
    const loop = new EventLoop({ debug: true });
    const out: string[] = [];
    loop.logger = { warn: () => {}, error: (m: unknown) => out.push(String(m)) };
    loop.callExceptionHandler({ message: "boom happened", exception: new Error("boom"), sourceTraceback: "    at here (x.ts:1:1)" });
    expect(out[0]).toMatch(/^boom happened\n/);
    expect(out[0]).toMatch(/created at.*\n    at here \(x\.ts:1:1\)/);
    expect(out[0]).toMatch(/Error: boom\n/);
    loop.close();
  });

  test("RX_ASYNCIO_DEBUG=1 turns debug on by default; setDebug/getDebug", () => {
    const before = process.env.RX_ASYNCIO_DEBUG;
    process.env.RX_ASYNCIO_DEBUG = "1";
    try {
      const loop = new EventLoop();
      expect(loop.getDebug()).toBe(true);
      loop.setDebug(false);
      expect(loop.getDebug()).toBe(false);
      loop.close();
    } finally {
      if (before === undefined) delete process.env.RX_ASYNCIO_DEBUG;
      else process.env.RX_ASYNCIO_DEBUG = before;
    }
    expect(new EventLoop().getDebug()).toBe(false);
  });
});

describe("globalThisHost (late-bound timers)", () => {
  afterEach(() => jest.useRealTimers());

  test("Jest fake timers drive a loop on globalThisHost", async () => {
    jest.useFakeTimers();
    const loop = new EventLoop({ host: globalThisHost });
    const t0 = loop.time();
    const log: number[] = [];
    const done = loop.runUntilComplete(function* () {
      yield* sleep(60_000);
      log.push(loop.time() - t0);
      yield* sleep(1000);
      log.push(loop.time() - t0);
      return "done";
    });
    await jest.advanceTimersByTimeAsync(61_000);
    await expect(done).resolves.toBe("done");
    expect(log).toEqual([60_000, 61_000]);
    loop.close();
  });
});
