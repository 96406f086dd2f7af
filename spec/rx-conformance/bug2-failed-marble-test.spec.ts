/**
 * Bug 2: a marble test that throws while a task on the shared rxLoop() still
 * sleeps must not wedge that loop for later real-time use.
 */
import { firstValueFrom, timer } from "rxjs";
import { rxLoop, sleep, task } from "../../src/index.js";
import { testScheduler, withinRealMs } from "./helpers.js";

test("a TestScheduler.run that throws at frame 2 while a task sleeps until frame 5", () => {
  const ts = testScheduler();
  expect(() =>
    ts.run(() => {
      task(function* () {
        yield* sleep(5);
      }).subscribe();
      ts.schedule(() => {
        throw new Error("marble test failed at frame 2");
      }, 2);
    }),
  ).toThrow("marble test failed at frame 2");
});

test("afterwards timer(10, rxLoop()) fires in real time", async () => {
  const t0 = Date.now();
  await expect(withinRealMs(firstValueFrom(timer(10, rxLoop())), 2000, "timer(10, rxLoop())")).resolves.toBe(0);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(9);
});

test("afterwards a task on rxLoop() sleeps in real time", async () => {
  const v = await withinRealMs(
    firstValueFrom(
      task(function* () {
        yield* sleep(10);
        return "slept";
      }),
    ),
    2000,
    "task on rxLoop()",
  );
  expect(v).toBe("slept");
});
