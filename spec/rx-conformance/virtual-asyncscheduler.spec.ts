/**
 * A whole program in virtual time: run(main, { clock: "virtual" }) makes
 * RxJS's default asyncScheduler run on the loop's clock for its duration (as
 * TestScheduler.run does through RxJS's providers) and restores it after.
 */
import { asyncScheduler, delay, firstValueFrom, interval, lastValueFrom, of, take, timer, toArray } from "rxjs";
import { ensureFuture, getRunningLoop, rxLoop, run, RuntimeError, sleep, task } from "../../src/index.js";
import { testScheduler, withinRealMs } from "./helpers.js";

test("delay(100) and interval(1000) with no scheduler, inside a task, run in virtual time", async () => {
  const t0 = Date.now();
  const log = await withinRealMs(
    run(
      function* () {
        const loop = getRunningLoop();
        const seen: string[] = [];
        of("x").pipe(delay(100)).subscribe((v) => seen.push(`${v}@${loop.time()}`));
        const ticks = yield* ensureFuture(lastValueFrom(interval(1000).pipe(take(3), toArray())));
        seen.push(`${ticks.join(",")}@${loop.time()}`);
        seen.push(`now=${asyncScheduler.now()}`);
        return seen;
      },
      { clock: "virtual" },
    ),
    2000,
    "virtual run with default-scheduler operators",
  );
  expect(log).toEqual(["x@100", "0,1,2@3000", "now=3000"]);
  expect(Date.now() - t0).toBeLessThan(1000);
});

test("an async main awaiting firstValueFrom(timer(5)) and a task observable ends at virtual 5 + 2", async () => {
  const end = await withinRealMs(
    run(
      async () => {
        await firstValueFrom(timer(5));
        await firstValueFrom(
          task(function* () {
            yield* sleep(2);
          }).pipe((s) => s, take(1)),
          { defaultValue: undefined },
        );
        return getRunningLoop().time();
      },
      { clock: "virtual" },
    ),
    2000,
    "async main on the virtual clock",
  );
  expect(end).toBe(7);
});

test("afterwards asyncScheduler and rxLoop() are on the real clock again, also after a failed run", async () => {
  await expect(
    run(
      function* () {
        yield* sleep(10_000);
        throw new RangeError("main failed");
      },
      { clock: "virtual" },
    ),
  ).rejects.toThrow(RangeError);
  expect(Math.abs(asyncScheduler.now() - Date.now())).toBeLessThan(1000);
  const t0 = Date.now();
  await withinRealMs(firstValueFrom(timer(15)), 2000, "timer(15)");
  await withinRealMs(firstValueFrom(timer(5, rxLoop())), 2000, "timer(5, rxLoop())");
  expect(Date.now() - t0).toBeGreaterThanOrEqual(14);
});

test("a second virtual-clock run while one runs is refused with a clear RuntimeError", async () => {
  const first = run(
    function* () {
      yield* sleep(5);
      return "first";
    },
    { clock: "virtual" },
  );
  expect(() => run(function* () {}, { clock: "virtual" })).toThrow(RuntimeError);
  expect(() => run(function* () {}, { clock: "virtual" })).toThrow(/already virtual/);
  await expect(first).resolves.toBe("first");
  // One after the other is fine.
  await expect(run(function* () { yield* sleep(1); return 2; }, { clock: "virtual" })).resolves.toBe(2);
});

test("a virtual-clock run inside TestScheduler.run is refused", () => {
  testScheduler().run(() => {
    expect(() => run(function* () {}, { clock: "virtual" })).toThrow(/TestScheduler\.run/);
  });
});
