/**
 * Bug 1: a task sleeping in real time on the shared rxLoop() must not finish
 * inside a later test's TestScheduler.run, and must leave no real RxJS timer
 * behind that throws "executing a cancelled action" later.
 */
import { rxLoop, sleep, task } from "../../src/index.js";
import { realDelay, testScheduler, withinRealMs } from "./helpers.js";

let aStarted = 0;
let aDoneAfter = -1;
let aDone: Promise<void>;

test("A: a real-time task sleeps 600 ms on the shared rxLoop()", async () => {
  aStarted = Date.now();
  aDone = new Promise<void>((resolve, reject) => {
    task(function* () {
      yield* sleep(600);
    }).subscribe({
      complete: () => {
        aDoneAfter = Date.now() - aStarted;
        resolve();
      },
      error: reject,
    });
  });
  expect(rxLoop().clock()).toBe("real");
  await realDelay(10);
});

test("B: a marble test with a task runs in virtual frames while A sleeps", () => {
  testScheduler().run(({ expectObservable }) => {
    expectObservable(
      task(function* () {
        yield* sleep(2);
        return "x";
      }),
    ).toBe("--(a|)", { a: "x" });
  });
  // A's 600 ms are real milliseconds, not frames of B's flush (A may only be
  // done already if this test itself started that late, on a loaded machine).
  expect(aDoneAfter === -1 || aDoneAfter >= 590 ? "ok" : `A finished after ${aDoneAfter} ms`).toBe("ok");
});

test("C: A finishes after its 600 real ms, and no stale RxJS timer throws afterwards", async () => {
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on("uncaughtException", onError);
  try {
    await withinRealMs(aDone, 3000, "A's sleep");
    expect(aDoneAfter).toBeGreaterThanOrEqual(590);
    await realDelay(400);
  } finally {
    process.off("uncaughtException", onError);
  }
  expect(errors).toEqual([]);
});
