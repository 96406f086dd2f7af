/**
 * The real clock is monotonic (issue 15), as asyncio's `loop.time()` is
 * `time.monotonic()`: loop time is `performance.now()` (ms since the process
 * started), so a wall-clock step (NTP, a user changing the date) neither fires
 * timers early nor holds them back, and traces read "sleep until 1234 ms",
 * not an epoch. RxJS's side, `loop.now()`, stays what `asyncScheduler.now()`
 * gives, the wall clock, so dates given to RxJS operators keep working.
 */
import { firstValueFrom, timer, timestamp } from "rxjs";
import { captureTaskTree, createTask, ensureFuture, EventLoop, getRunningLoop, run, sleep, type Coroutine } from "../src/index.js";

const HOUR = 3_600_000;

afterEach(() => jest.restoreAllMocks());

/** From now on, Date.now() (and so RxJS's clock) reads `offset` ms off. */
function stepWallClock(offset: number): void {
  const real = Date.now.bind(Date);
  jest.spyOn(Date, "now").mockImplementation(() => real() + offset);
}

/** How long (real ms) a `sleep(ms)` takes while the wall clock is stepped by `offset` 20 ms in. */
async function sleepAcrossStep(ms: number, offset: number): Promise<number> {
  return run(function* (): Coroutine<number> {
    const t0 = performance.now();
    const loop = getRunningLoop();
    loop.callLater(20, () => {
      stepWallClock(offset);
      // Something else wakes the loop right after the step, as any I/O would.
      loop.callSoon(() => undefined);
    });
    yield* sleep(ms);
    return performance.now() - t0;
  }, { clock: "real" });
}

test("the wall clock jumping an hour ahead does not fire a pending sleep early", async () => {
  const took = await sleepAcrossStep(300, HOUR);
  expect(took).toBeGreaterThanOrEqual(295);
});

test("the wall clock going back an hour does not hold a pending sleep for an hour", async () => {
  const took = await Promise.race([sleepAcrossStep(200, -HOUR), new Promise<number>((r) => setTimeout(() => r(Infinity), 3000))]);
  expect(took).toBeGreaterThanOrEqual(195);
  expect(took).toBeLessThan(3000);
});

test("a real loop's time() is performance.now(); its RxJS now() is the wall clock, as asyncScheduler's", () => {
  const loop = new EventLoop({ clock: "real" });
  try {
    expect(Math.abs(loop.time() - performance.now())).toBeLessThan(50);
    expect(Math.abs(loop.now() - Date.now())).toBeLessThan(50);
  } finally {
    loop.close();
  }
});

test("the task tree of a real-clock loop reads in ms since the start, not as an epoch", async () => {
  const label = await run(function* (): Coroutine<string> {
    const t = createTask(sleep(1000), { name: "sleeper" });
    yield* sleep(1);
    const tree = captureTaskTree();
    t.cancel();
    const sleeper = tree.roots.find((r) => r.name === "sleeper")!;
    return sleeper.children[0]!.kind === "future" ? sleeper.children[0]!.label : "";
  }, { clock: "real" });
  const until = Number(/^sleep until ([\d.]+) ms \(/.exec(label)?.[1]);
  expect(until).toBeGreaterThan(0);
  expect(until).toBeLessThan(performance.now() + 1000);
});

test("virtual time is unchanged: it starts at 0", async () => {
  const times = await run(function* (): Coroutine<number[]> {
    const loop = getRunningLoop();
    const t0 = loop.time();
    yield* sleep(1500);
    return [t0, loop.time(), loop.now()];
  }, { clock: "virtual" });
  expect(times).toEqual([0, 1500, 1500]);
});

test("RxJS on the loop keeps wall-clock semantics: timestamp() and timer(date) work on dates", async () => {
  const at = new Date(Date.now() + 50);
  const stamped = await run(function* (): Coroutine<number> {
    const loop = getRunningLoop();
    const v = yield* ensureFuture(firstValueFrom(timer(at, loop).pipe(timestamp(loop))));
    return v.timestamp;
  }, { clock: "real" });
  expect(stamped).toBeGreaterThanOrEqual(at.getTime() - 1);
  expect(stamped).toBeLessThanOrEqual(Date.now());
});
