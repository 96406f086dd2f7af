/**
 * The library in real Chromium: spec/browser/library-page.ts, bundled for the
 * browser as a page's own code would be, runs each scenario in the page; the
 * assertions here check what it saw. One browser for the whole file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleForBrowser, modulePage, openPage, root, type BrowserSession } from "./browser-helpers";
import { CHROMIUM, describeWithSystem } from "./system-deps";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describeWithSystem(CHROMIUM, "in Chromium", () => {
  let s: BrowserSession;
  let bundle: string;

  beforeAll(async () => {
    bundle = await bundleForBrowser(join(root, "spec/browser/library-page.ts"));
    s = await openPage({
      "/index.html": modulePage(),
      "/main.js": bundle,
      "/work.js": readFileSync(join(root, "spec/browser/work.js"), "utf8"),
    });
    await s.page.waitForFunction(() => (window as Any).ready === true);
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  afterEach(() => {
    expect(s.errors).toEqual([]);
  });

  const scenario = (name: string): Promise<Any> => s.page.evaluate((n) => (window as Any).scenarios[n](), name);

  test("the bundle for a browser imports no Node built-in and needs no shim", () => {
    expect(bundle).not.toMatch(/\bfrom\s*["']node:/);
    expect(bundle).not.toMatch(/\brequire\(\s*["'](node:)?(os|fs|path|worker_threads|async_hooks|module|url)["']\s*\)/);
  });

  test("tasks run concurrently on the real clock and know their names", async () => {
    const r = await scenario("tasks");
    expect(r.log).toEqual(["a start", "b start", "b end", "a end"]);
    expect([r.ra, r.rb]).toEqual(["a:A", "b:B"]);
    expect(r.elapsed).toBeGreaterThanOrEqual(39);
  });

  test("cancellation reaches the task at its sleep, its cleanup runs (and waits), the caller sees CancelledError", async () => {
    const r = await scenario("cancellation");
    expect(r.log).toEqual(["child: working", "child: caught CancelledError", "child: cleaned up"]);
    expect(r.outcome).toBe("CancelledError: stop now; cancelled()=true");
  });

  test("gather: results in argument order, returnExceptions", async () => {
    const r = await scenario("gather");
    expect(r.results).toEqual(["slow", "fast", "mid"]);
    expect(r.elapsed).toBeGreaterThanOrEqual(59);
    expect(r.settled).toEqual(["ok", "RangeError: bad"]);
  });

  test("TaskGroup: a failing child cancels its sibling, waits for its cleanup, raises an ExceptionGroup", async () => {
    const r = await scenario("taskGroup");
    expect(r.log).toEqual(["slow: CancelledError, cleaning up", "slow: cleaned up"]);
    expect(r.outcome).toBe("ExceptionGroup[TypeError: boom]");
  });

  test("a bounded Queue between a producer and a consumer: back-pressure, every item once, shutdown ends it", async () => {
    const r = await scenario("queue");
    expect(r.sum).toBe(21);
    expect(r.maxSize).toBe(2);
    expect(r.seen.filter((x: string) => x.startsWith("got"))).toEqual(["got 1", "got 2", "got 3", "got 4", "got 5", "got 6"]);
  });

  test("marbles: TestScheduler.run drives tasks in virtual frames (and a wrong expectation is caught)", async () => {
    const r = await scenario("marbles");
    expect(r.checked).toBe(2);
    expect(r.failures).toEqual([]);
    expect(r.wrongCaught).toBe(true);
  });

  test("the virtual clock: a day of sleeps and an hourly interval on the loop end at once, at exact virtual times", async () => {
    const r = await scenario("virtualClock");
    expect(r.loopTime).toBe(86_400_000 + 3 * 3_600_000);
    expect(r.ticks).toEqual([
      [0, 86_400_000 + 3_600_000],
      [1, 86_400_000 + 2 * 3_600_000],
      [2, 86_400_000 + 3 * 3_600_000],
    ]);
    expect(r.wallMs).toBeLessThan(5_000);
  });

  test("RxJS operators: the loop as interval/delay scheduler, mapTask, fromQueue", async () => {
    const r = await scenario("operators");
    expect(r.ticks).toEqual([0, 1, 2]);
    expect(r.tickTime).toBeGreaterThanOrEqual(35);
    expect(r.doubled).toEqual([4, 2, 8, 6]);
    expect(r.fromQ).toEqual(["A", "B", "C"]);
  });

  test("async-function tasks: the loop is visible before the first await, not after it (no AsyncLocalStorage; docs/browser.md)", async () => {
    const r = await scenario("asyncFunctionTask");
    expect(r).toEqual({ before: true, after: "RuntimeError: no running event loop", sleptAtLeast25: true });
  });

  test("the loop's yield to the page is a MessageChannel task (no 4 ms clamp), and stays virtual inside TestScheduler.run", async () => {
    const r = await scenario("hostYield");
    expect(r).toEqual({ rx: { messages: 10, timers: 0 }, global: { messages: 10, timers: 0 }, inRun: "ran at flush" });
  });

  test("the page stays responsive while 100,000 tasks run: animation frames and a real click are served", async () => {
    const click = (async () => {
      await s.page.waitForFunction(() => (window as Any).runStarted === true, undefined, { polling: 20 });
      await s.page.mouse.click(10, 10);
    })();
    const [r] = await Promise.all([scenario("responsive"), click]);
    expect(r.steps).toBeGreaterThanOrEqual(300_000);
    expect(r.framesDuringTasks).toBeGreaterThanOrEqual(1);
    expect(r.clicks).toBeGreaterThanOrEqual(1);
  });

  test("WebWorkerExecutor: functions and module exports, errors, cancellation terminates, a crash is replaced, the page keeps drawing", async () => {
    const r = await scenario("workers");
    expect(r.sum).toBe(500_500); // toThread on the default executor: a Web Worker pool here
    expect(r.fib20).toBe(6765); // a module's export, by URL
    expect(r.thrown).toBe("RangeError: too big code=7");
    expect(r.statsBefore).toEqual({ queued: 0, running: 1, workers: 1 });
    expect(r.cancelled).toBe("CancelledError");
    expect(r.statsAfter).toEqual({ queued: 0, running: 0, workers: 0 }); // the spinning worker was terminated
    expect(r.afterCancel).toBe(42);
    expect(r.crashed).toMatch(/^BrokenWorkerError: .*crashed: Error: async boom$/);
    expect(r.closed).toMatch(/^BrokenWorkerError: .*crashed: Error: the job called close\(\) in its worker$/);
    expect(r.afterCrash).toBe("still working");
    expect(r.frames).toBeGreaterThanOrEqual(3); // while two workers were busy for 400 ms
    expect(r.closure).toMatch(/uses 'outside', which does not exist in the worker thread/);
    expect(r.statsShutdown).toEqual({ queued: 0, running: 0, workers: 0 });
    expect(r.transferred).toEqual({ detached: true, back: [2, 4, 6, 8] });
    expect(r.bad[0]).toBe("RangeError: new WebWorkerExecutor(options): 'maxWorkers' must be an integer >= 1, got 0");
    expect(r.bad[1]).toMatch(/^TypeError: runInExecutor\(executor, fn, \.\.\.args\): 'module' must be an http\(s\):, blob: or data: URL, got "\/abs\/work\.js"/);
    expect(r.bad[2]).toMatch(/^TypeError: .*'fn' must be a self-contained function or a module export/);
    expect(r.shutdownCancelled).toEqual([true, true, JSON.stringify({ queued: 0, running: 0, workers: 0 })]);
  });
});
