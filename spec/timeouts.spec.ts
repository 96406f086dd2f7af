/**
 * timeout() / timeoutAt(): ports of CPython's Lib/test/test_asyncio/test_timeouts.py.
 * The cancellation races (bpo-46771, gh-134471) are in timeouts-cancel.spec.ts.
 */
import {
  CancelledError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  Timeout,
  timeout,
  timeoutAt,
  TimeoutError,
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

describe("timeout scope (test_timeouts.py)", () => {
  test("test_timeout_basic", async () => {
    await run(function* () {
      let cm: Timeout | null = null;
      const e = yield* caught(() =>
        timeout(10, function* (scope) {
          cm = scope;
          yield* sleep(10_000);
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(cm!.expired()).toBe(true);
      expect(getRunningLoop().time()).toBe(10);
    }, V);
  });

  test("test_timeout_at_basic", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const deadline = loop.time() + 10;
      let cm: Timeout | null = null;
      const e = yield* caught(() =>
        timeoutAt(deadline, function* (scope) {
          cm = scope;
          yield* sleep(10_000);
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(cm!.expired()).toBe(true);
      expect(cm!.when()).toBe(deadline);
    }, V);
  });

  test("test_nested_timeouts: with one deadline only the topmost scope raises TimeoutError", async () => {
    await run(function* () {
      const deadline = getRunningLoop().time() + 10;
      let cancelled = false;
      let cm1: Timeout | null = null;
      let cm2: Timeout | null = null;
      const e = yield* caught(() =>
        timeoutAt(deadline, function* (s1) {
          cm1 = s1;
          try {
            yield* timeoutAt(deadline, function* (s2) {
              cm2 = s2;
              yield* sleep(10_000);
            });
          } catch (err) {
            if (err instanceof CancelledError) cancelled = true;
            throw err;
          }
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(cancelled).toBe(true);
      expect(cm1!.expired()).toBe(true);
      expect(cm2!.expired()).toBe(true);
    }, V);
  });

  test("test_nested_timeouts_concurrent: the outer deadline passes first; the inner scope lets CancelledError through", async () => {
    await run(function* () {
      const log: string[] = [];
      const e = yield* caught(() =>
        timeout(2, function* () {
          try {
            yield* timeout(100, () => sleep(1000));
          } catch (err) {
            log.push(`inner scope threw ${(err as Error).name}`);
            throw err;
          }
        }),
      );
      expect(log).toEqual(["inner scope threw CancelledError"]);
      expect(e).toBeInstanceOf(TimeoutError);
    }, V);
  });

  test("test_waiter_cancelled: the body sees CancelledError, the caller TimeoutError", async () => {
    await run(function* () {
      let cancelled = false;
      const e = yield* caught(() =>
        timeout(10, function* () {
          try {
            yield* sleep(10_000);
          } catch (err) {
            if (err instanceof CancelledError) cancelled = true;
            throw err;
          }
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(cancelled).toBe(true);
    }, V);
  });

  test("test_timeout_not_called: the body's result is the scope's value", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      let cm: Timeout | null = null;
      const r = yield* timeout(10_000, function* (scope) {
        cm = scope;
        yield* sleep(10);
        return "done";
      });
      expect(r).toBe("done");
      expect(cm!.expired()).toBe(false);
      expect(cm!.when()).toBeGreaterThan(loop.time());
    }, V);
  });

  test.each([
    ["timeout(null)", () => (body: (s: Timeout) => Coroutine<void>) => timeout(null, body)],
    ["timeoutAt(null)", () => (body: (s: Timeout) => Coroutine<void>) => timeoutAt(null, body)],
  ])("test_timeout_disabled / test_timeout_at_disabled: %s", async (_n, make) => {
    await run(function* () {
      let cm: Timeout | null = null;
      yield* make()(function* (scope) {
        cm = scope;
        expect(String(scope)).toBe("<Timeout [active] when=None>");
        yield* sleep(10);
      });
      expect(cm!.expired()).toBe(false);
      expect(cm!.when()).toBeNull();
    }, V);
  });

  test("test_timeout_zero", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const t0 = loop.time();
      let cm: Timeout | null = null;
      const e = yield* caught(() =>
        timeout(0, function* (scope) {
          cm = scope;
          yield* sleep(10_000);
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(cm!.expired()).toBe(true);
      expect(cm!.when()).toBe(t0);
      expect(loop.time()).toBe(t0);
    }, V);
  });

  test("test_timeout_zero_sleep_zero: a deadline of 0 interrupts even sleep(0) (gh-95051)", async () => {
    await run(function* () {
      const e = yield* caught(() => timeout(0, () => sleep(0)));
      expect(e).toBeInstanceOf(TimeoutError);
    }, V);
  });

  test("test_timeout_in_the_past_sleep_zero: a deadline in the past (timeoutAt; negative delays are refused)", async () => {
    await run(function* () {
      yield* sleep(20);
      const loop = getRunningLoop();
      let cm: Timeout | null = null;
      const e = yield* caught(() =>
        timeoutAt(loop.time() - 11, function* (scope) {
          cm = scope;
          yield* sleep(0);
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(cm!.expired()).toBe(true);
      expect(cm!.when()).toBe(9);
    }, V);
  });

  test("test_foreign_exception_passed", async () => {
    await run(function* () {
      let cm: Timeout | null = null;
      const boom = new Error("KeyError");
      const e = yield* caught(() =>
        timeout(10, function* (scope): Coroutine<void> {
          cm = scope;
          throw boom;
        }),
      );
      expect(e).toBe(boom);
      expect(cm!.expired()).toBe(false);
    }, V);
  });

  test("test_foreign_exception_on_timeout: an error raised in cleanup replaces the timeout", async () => {
    await run(function* () {
      function* crash(): Coroutine<void> {
        try {
          yield* sleep(1000);
        } finally {
          throw new RangeError("zero division");
        }
      }
      const e = yield* caught(() => timeout(10, () => crash()));
      expect(e).toBeInstanceOf(RangeError);
    }, V);
  });

  test("test_foreign_cancel_doesnt_timeout_if_not_expired", async () => {
    await run(function* () {
      let cm: Timeout | null = null;
      const e = yield* caught(() =>
        timeout(10_000, function* (scope) {
          cm = scope;
          currentTask()!.cancel();
          yield* sleep(10_000);
        }),
      );
      expect(e).toBeInstanceOf(CancelledError);
      expect(cm!.expired()).toBe(false);
      currentTask()!.uncancel();
    }, V);
  });

  test("test_outer_task_is_not_cancelled", async () => {
    await run(function* () {
      const t = createTask(function* () {
        const e = yield* caught(() => timeout(1, () => sleep(10_000)));
        expect(e).toBeInstanceOf(TimeoutError);
      });
      yield* t;
      expect(t.cancelled()).toBe(false);
      expect(t.done()).toBe(true);
      expect(t.cancelling()).toBe(0);
    }, V);
  });

  test("test_reschedule: when(), reschedule(when), reschedule(null); then an outside cancel", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<Timeout>();
      const deadline1 = loop.time() + 10;
      const deadline2 = deadline1 + 20;
      const task = createTask(
        timeoutAt(deadline1, function* (cm) {
          fut.setResult(cm);
          yield* sleep(50);
        }),
      );
      const cm = yield* fut;
      expect(cm.when()).toBe(deadline1);
      cm.reschedule(deadline2);
      expect(cm.when()).toBe(deadline2);
      cm.reschedule(null);
      expect(cm.when()).toBeNull();
      task.cancel();
      const e = yield* caught(() => task);
      expect(e).toBeInstanceOf(CancelledError);
      expect(cm.expired()).toBe(false);
    }, V);
  });

  test("reschedule moves the deadline: later, then earlier", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const e = yield* caught(() =>
        timeout(10, function* (scope) {
          scope.reschedule(loop.time() + 100);
          yield* sleep(50); // past the first deadline: not interrupted
          scope.reschedule(loop.time() + 5);
          yield* sleep(1000);
        }),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(55);
    }, V);
  });

  test("test_repr_active / test_repr_expired / test_repr_finished", async () => {
    await run(function* () {
      let active = "";
      let expired: Timeout | null = null;
      let finished: Timeout | null = null;
      yield* timeout(10, function* (cm) {
        active = String(cm);
        finished = cm;
        yield* sleep(0);
      });
      yield* caught(() =>
        timeout(1, function* (cm) {
          expired = cm;
          yield* sleep(10);
        }),
      );
      expect(active).toMatch(/^<Timeout \[active\] when=\d+\.\d+>$/);
      expect(String(expired)).toBe("<Timeout [expired]>");
      expect(String(finished)).toBe("<Timeout [finished]>");
    }, V);
  });

  test("test_nested_timeout_in_finally: a scope in the cleanup of a cancelled body still works", async () => {
    await run(function* () {
      let innerError: unknown = null;
      const e = yield* caught(() =>
        timeout(10, function* () {
          try {
            yield* sleep(1000);
          } finally {
            innerError = yield* caught(() => timeout(10, () => sleep(10_000)));
          }
        }),
      );
      expect(innerError).toBeInstanceOf(TimeoutError);
      expect(e).toBeInstanceOf(TimeoutError);
    }, V);
  });

  test("test_timeout_after_cancellation: after a delivered (and caught) cancel, timeout(0) still times out", async () => {
    await run(function* () {
      let e: unknown = null;
      try {
        currentTask()!.cancel();
        yield* sleep(1000);
      } catch {
        /* the cancel is delivered here */
      } finally {
        e = yield* caught(() => timeout(0, () => sleep(1000)));
      }
      expect(e).toBeInstanceOf(TimeoutError);
      currentTask()!.uncancel();
    }, V);
  });

  test("test_cancel_in_timeout_after_cancellation", async () => {
    await run(function* () {
      let e: unknown = null;
      try {
        currentTask()!.cancel();
        yield* sleep(1000);
      } catch {
        /* delivered */
      } finally {
        e = yield* caught(() =>
          timeout(1000, function* () {
            currentTask()!.cancel();
            yield* sleep(2000);
          }),
        );
      }
      expect(e).toBeInstanceOf(CancelledError);
      currentTask()!.uncancel();
      currentTask()!.uncancel();
    }, V);
  });

  test("test_timeout_exception_cause: the TimeoutError's cause is the CancelledError", async () => {
    await run(function* () {
      const e = yield* caught(() => timeout(0, () => sleep(1000)));
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as Error).cause).toBeInstanceOf(CancelledError);
    }, V);
  });

  test("test_timeout_finished / test_timeout_expired: reschedule outside the running scope throws RuntimeError", async () => {
    await run(function* () {
      let finished: Timeout | null = null;
      yield* timeout(10, function* (cm) {
        finished = cm;
      });
      expect(() => finished!.reschedule(5)).toThrow(new RuntimeError("Cannot change state of finished Timeout"));
      let expiring = "";
      let expired: Timeout | null = null;
      yield* caught(() =>
        timeout(1, function* (cm) {
          expired = cm;
          try {
            yield* sleep(10);
          } finally {
            try {
              cm.reschedule(100);
            } catch (err) {
              expiring = (err as Error).message;
            }
          }
        }),
      );
      expect(expiring).toBe("Cannot change state of expiring Timeout");
      expect(() => expired!.reschedule(5)).toThrow("Cannot change state of expired Timeout");
      expect(() => new Timeout(5).reschedule(1)).toThrow("Timeout has not been entered");
    }, V);
  });

  test("test_timeout_without_task: a scope outside a task throws RuntimeError", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<unknown>();
      loop.callSoon(() => {
        try {
          timeout(10, () => sleep(1)).next();
          fut.setResult("no error");
        } catch (e) {
          fut.setResult(e);
        }
      });
      const e = yield* fut;
      expect(e).toBeInstanceOf(RuntimeError);
      expect((e as Error).message).toBe("Timeout should be used inside a task");
    }, V);
  });

  test("the body may return any awaitable: a future, a task, a promise", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const f = loop.createFuture<number>();
      loop.callLater(5, () => f.setResult(7));
      expect(yield* timeout(10, () => f)).toBe(7);
      expect(yield* timeout(10, () => createTask(sleep(1, "t")))).toBe("t");
      expect(yield* timeout(10, () => Promise.resolve("p"))).toBe("p");
    }, V);
  });
});
