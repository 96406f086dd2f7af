/**
 * timeout(): a cancel from outside is never swallowed: the bpo-46771 race
 * (outside cancel and own deadline in one iteration) and gh-134471 (CPython's
 * open issue: timeout(0) after an earlier, undelivered cancel; its proposed
 * test_timeout_immediately_after_cancellation), plus bad input.
 */
import {
  CancelledError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  timeout,
  timeoutAt,
  type Awaitable,
  type Coroutine,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

/** Runs `body` in a task and returns what it threw (or "no error"). */
function* caught(body: () => Awaitable<unknown>): Coroutine<unknown> {
  try {
    yield* body();
  } catch (e) {
    return e;
  }
  return "no error";
}

describe("timeout: cancellation from outside is never swallowed", () => {
  test.each([
    ["the outside cancel first", true],
    ["the deadline first", false],
  ])("bpo-46771: an outside cancel in the same iteration as the deadline (%s) stays CancelledError", async (_n, cancelFirst) => {
    await run(function* () {
      const loop = getRunningLoop();
      const log: string[] = [];
      const t = createTask(function* () {
        try {
          yield* timeout(100, () => sleep(10_000));
          log.push("body returned");
        } catch (e) {
          log.push(`scope threw ${(e as Error).name}`);
          throw e;
        }
      });
      // Same-time timers run in the order they were set: before t enters its
      // scope, the outside cancel runs first; after, the deadline does.
      if (cancelFirst) loop.callAt(100, () => t.cancel());
      yield* sleep(0); // t is inside its scope now; its deadline timer is set
      if (!cancelFirst) loop.callAt(100, () => t.cancel());
      const e = yield* caught(() => t);
      expect(e).toBeInstanceOf(CancelledError);
      expect(t.cancelled()).toBe(true);
      expect(log).toEqual(["scope threw CancelledError"]);
    }, V);
  });

  test.each([0, 100])(
    "gh-134471: task.cancel() before timeout(%i) is not swallowed (test_timeout_immediately_after_cancellation)",
    async (delay) => {
      await run(function* () {
        const log: string[] = [];
        const t = createTask(function* () {
          currentTask()!.cancel();
          try {
            yield* timeout(delay, () => sleep(1000));
          } catch (e) {
            log.push(`${(e as Error).name} caught`);
            if (e instanceof CancelledError) throw e;
          }
          yield* sleep(2000);
          log.push("not cancelled");
        });
        const e = yield* caught(() => t);
        expect(log).toEqual(["CancelledError caught"]);
        expect(e).toBeInstanceOf(CancelledError);
        expect(t.cancelled()).toBe(true);
      }, V);
    },
  );

  test("a scope inside a cancelled task's cleanup converts only its own cancel", async () => {
    await run(function* () {
      const log: string[] = [];
      const t = createTask(function* () {
        try {
          yield* sleep(10_000);
        } finally {
          const e = yield* caught(() => timeout(5, () => sleep(1000)));
          log.push(`cleanup scope: ${(e as Error).name}, cancelling=${currentTask()!.cancelling()}`);
        }
      });
      yield* sleep(1);
      t.cancel();
      yield* caught(() => t);
      expect(log).toEqual(["cleanup scope: TimeoutError, cancelling=1"]);
      expect(t.cancelled()).toBe(true);
    }, V);
  });
});

describe("timeout: bad input throws at once", () => {
  test("negative, NaN, missing or non-number delays; a non-function body; a bad when", () => {
    const body = () => sleep(1);
    expect(() => timeout(-1, body)).toThrow(RangeError);
    expect(() => timeout(-1, body)).toThrow("timeout(delay, body): 'delay' must be >= 0 ms (or null for no timeout), got -1");
    expect(() => timeout(NaN, body)).toThrow(RangeError);
    expect(() => timeout("5" as never, body)).toThrow(TypeError);
    expect(() => timeout(undefined as never, body)).toThrow(TypeError);
    expect(() => timeout(5, sleep(1) as never)).toThrow(/'body' must be a function/);
    expect(() => timeoutAt(NaN, body)).toThrow(/'when' must be a loop time in ms or null, got NaN/);
    expect(() => timeoutAt("1" as never, body)).toThrow(TypeError);
  });
});
