/**
 * waitFor(): ports of CPython's Lib/test/test_asyncio/test_waitfor.py, with the
 * bugs fixed in 3.12 by building wait_for on the timeout scope: bpo-32751
 * (return only once the cancelled awaitable has finished), gh-86296 /
 * bpo-42130 (an outside cancel is never swallowed), and the result race.
 */
import {
  CancelledError,
  createTask,
  getRunningLoop,
  run,
  shield,
  sleep,
  TimeoutError,
  wait,
  waitFor,
  type Awaitable,
  type Coroutine,
} from "../src/index.js";

const V = { clock: "virtual" } as const;
const EPSILON = 1;

function* caught(body: () => Awaitable<unknown>): Coroutine<unknown> {
  try {
    yield* body();
  } catch (e) {
    return e;
  }
  return "no error";
}

/** test_waitfor.py's SlowTask: runs for 200 ms (loop time), ignoring cancel requests. */
class SlowTask {
  static readonly TASK_TIMEOUT = 200;
  exited = false;
  *run(): Coroutine<string> {
    const loop = getRunningLoop();
    const exitAt = loop.time() + SlowTask.TASK_TIMEOUT;
    for (;;) {
      const tosleep = exitAt - loop.time();
      if (tosleep <= 0) break;
      try {
        yield* sleep(tosleep);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }
    this.exited = true;
    return "slow";
  }
}

describe("waitFor (test_waitfor.py)", () => {
  test("test_asyncio_wait_for_cancelled: cancelling the caller waits for the slow awaitable to exit", async () => {
    await run(function* () {
      const t = new SlowTask();
      const waitfortask = createTask(waitFor(t.run(), SlowTask.TASK_TIMEOUT * 2));
      yield* sleep(0);
      waitfortask.cancel();
      yield* wait([waitfortask]);
      expect(t.exited).toBe(true);
      expect(getRunningLoop().time()).toBe(200);
    }, V);
  });

  test("test_asyncio_wait_for_timeout: on timeout waitFor waits until the awaitable has really finished (bpo-32751)", async () => {
    await run(function* () {
      const t = new SlowTask();
      const r = yield* caught(() => waitFor(t.run(), SlowTask.TASK_TIMEOUT / 2));
      expect(t.exited).toBe(true);
      expect(getRunningLoop().time()).toBe(200);
      // It swallowed the cancellation and returned: its result is kept.
      expect(r).toBe("no error");
    }, V);
  });

  test("test_wait_for_timeout_less_then_0_or_0_future_done", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      fut.setResult("done");
      const t0 = loop.time();
      expect(yield* waitFor(fut, 0)).toBe("done");
      expect(loop.time()).toBe(t0);
    }, V);
  });

  test("test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started", async () => {
    await run(function* () {
      let fooStarted = false;
      function* foo(): Coroutine<void> {
        fooStarted = true;
      }
      const e = yield* caught(() => waitFor(foo(), 0));
      expect(e).toBeInstanceOf(TimeoutError);
      expect(fooStarted).toBe(false);
      expect(getRunningLoop().time()).toBe(0);
    }, V);
  });

  test("test_wait_for_timeout_less_then_0_or_0: a started task is cancelled and awaited", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      let fooRunning: boolean | null = null;
      const started = loop.createFuture<void>();
      function* foo(): Coroutine<string> {
        fooRunning = true;
        started.setResult(undefined);
        try {
          yield* sleep(10_000);
        } finally {
          fooRunning = false;
        }
        return "done";
      }
      const fut = createTask(foo());
      yield* started;
      const e = yield* caught(() => waitFor(fut, 0));
      expect(e).toBeInstanceOf(TimeoutError);
      expect(fut.done()).toBe(true);
      expect(fut.cancelled()).toBe(true);
      expect(fooRunning).toBe(false);
      expect(loop.time()).toBe(0);
    }, V);
  });

  test("test_wait_for: the timed-out task is cancelled and finished when waitFor throws", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      let fooRunning: boolean | null = null;
      function* foo(): Coroutine<string> {
        fooRunning = true;
        try {
          yield* sleep(10_000);
        } finally {
          fooRunning = false;
        }
        return "done";
      }
      const fut = createTask(foo());
      const e = yield* caught(() => waitFor(fut, 100));
      expect(e).toBeInstanceOf(TimeoutError);
      expect(fut.done()).toBe(true);
      expect(fut.cancelled()).toBe(true);
      expect(loop.time()).toBe(100);
      expect(fooRunning).toBe(false);
    }, V);
  });

  test("test_wait_for_blocking: timeout null waits as long as it takes", async () => {
    await run(function* () {
      function* coro(): Coroutine<string> {
        yield* sleep(1_000_000);
        return "done";
      }
      expect(yield* waitFor(coro(), null)).toBe("done");
    }, V);
  });

  test("test_wait_for_race_condition: a result before the deadline is returned", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      const task = waitFor(fut, 200);
      loop.callLater(100, () => fut.setResult("ok"));
      expect(yield* task).toBe("ok");
    }, V);
  });

  test("test_wait_for_cancellation_race_condition: an awaitable that swallows the cancel keeps its result", async () => {
    await run(function* () {
      function* inner(): Coroutine<number> {
        const e = yield* caught(() => sleep(1000));
        expect(e).toBeInstanceOf(CancelledError);
        return 1;
      }
      expect(yield* waitFor(inner(), 10)).toBe(1);
    }, V);
  });

  test("a result that arrives in the same iteration as the deadline is not lost", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      // Set first, same time as the deadline: the result is in before the deadline runs.
      loop.callLater(100, () => fut.setResult("in time"));
      expect(yield* waitFor(fut, 100)).toBe("in time");
      expect(fut.cancelled()).toBe(false);
      // The same for a coroutine awaited inline.
      const fut2 = loop.createFuture<string>();
      loop.callLater(100, () => fut2.setResult("inline"));
      function* inner(): Coroutine<string> {
        return yield* fut2;
      }
      expect(yield* waitFor(inner(), 100)).toBe("inline");
      // The deadline is only put off once: if the body waits again, it is cancelled.
      const fut3 = loop.createFuture<string>();
      loop.callLater(100, () => fut3.setResult("first"));
      function* twoWaits(): Coroutine<string> {
        yield* fut3;
        return yield* sleep(1000, "second");
      }
      expect(yield* caught(() => waitFor(twoWaits(), 100))).toBeInstanceOf(TimeoutError);
      expect(loop.time()).toBe(300);
    }, V);
  });

  test("test_wait_for_waits_for_task_cancellation: the cleanup runs to the end; cause is the CancelledError", async () => {
    await run(function* () {
      let taskDone = false;
      function* inner(): Coroutine<void> {
        try {
          yield* sleep(10_000);
        } catch (e) {
          yield* sleep(EPSILON);
          throw e;
        } finally {
          taskDone = true;
        }
      }
      const innerTask = createTask(inner());
      const e = yield* caught(() => waitFor(innerTask, EPSILON));
      expect(e).toBeInstanceOf(TimeoutError);
      expect(taskDone).toBe(true);
      expect((e as Error).cause).toBeInstanceOf(CancelledError);
      expect(getRunningLoop().time()).toBe(2 * EPSILON);
    }, V);
  });

  test("test_wait_for_waits_for_task_cancellation_w_timeout_0", async () => {
    await run(function* () {
      let taskDone = false;
      function* foo(): Coroutine<void> {
        function* inner(): Coroutine<void> {
          try {
            yield* sleep(10_000);
          } catch (e) {
            yield* sleep(EPSILON);
            throw e;
          } finally {
            taskDone = true;
          }
        }
        const innerTask = createTask(inner());
        yield* sleep(EPSILON);
        yield* waitFor(innerTask, 0);
      }
      const e = yield* caught(() => foo());
      expect(e).toBeInstanceOf(TimeoutError);
      expect(taskDone).toBe(true);
      expect((e as Error).cause).toBeInstanceOf(CancelledError);
    }, V);
  });

  test("test_wait_for_reraises_exception_during_cancellation", async () => {
    await run(function* () {
      class FooException extends Error {}
      function* foo(): Coroutine<void> {
        function* inner(): Coroutine<void> {
          try {
            yield* sleep(200);
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw new FooException();
          }
        }
        const innerTask = createTask(inner());
        yield* waitFor(innerTask, EPSILON);
      }
      expect(yield* caught(() => foo())).toBeInstanceOf(FooException);
    }, V);
  });

  test("test_wait_for_self_cancellation: a waitFor cancelled before it starts leaves the awaitable alone", async () => {
    await run(function* () {
      function* inner(): Coroutine<number> {
        if ((yield* caught(() => sleep(300))) instanceof CancelledError) {
          if ((yield* caught(() => sleep(300))) instanceof CancelledError) yield* sleep(300);
        }
        return 42;
      }
      const innerTask = createTask(inner());
      const task = createTask(waitFor(innerTask, 100));
      task.cancel();
      expect(yield* caught(() => task)).toBeInstanceOf(CancelledError);
      expect(yield* innerTask).toBe(42);
    }, V);
  });

  test.each([null, 60_000])("_test_cancel_wait_for(%s): cancelling the waitFor cancels the task (Python issue #23219)", async (timeoutMs) => {
    await run(function* () {
      const loop = getRunningLoop();
      function* blocking(): Coroutine<void> {
        yield* loop.createFuture<void>();
      }
      const task = createTask(blocking());
      const w = createTask(waitFor(task, timeoutMs));
      loop.callSoon(() => w.cancel());
      expect(yield* caught(() => w)).toBeInstanceOf(CancelledError);
      expect(task.cancelled()).toBe(true);
    }, V);
  });

  test("test_wait_for_cancel_suppressed: the suppressed cancel's return value is the result", async () => {
    await run(function* () {
      function* return42(): Coroutine<number | undefined> {
        if ((yield* caught(() => sleep(10_000))) instanceof CancelledError) return 42;
        return undefined;
      }
      expect(yield* waitFor(return42(), 100)).toBe(42);
    }, V);
  });

  test("test_wait_for_issue86296: an outside cancel right after the inner finished is not swallowed (gh-86296)", async () => {
    await run(function* () {
      function* inner(): Coroutine<void> {
        return;
      }
      let reachedEnd = false;
      function* waitForCoro(): Coroutine<void> {
        yield* waitFor(inner(), 100_000);
        yield* sleep(1000);
        reachedEnd = true;
      }
      const task = createTask(waitForCoro());
      yield* sleep(0);
      expect(task.done()).toBe(false);
      task.cancel();
      expect(yield* caught(() => task)).toBeInstanceOf(CancelledError);
      expect(reachedEnd).toBe(false);
    }, V);
  });

  test("gh-86296 variant: an outside cancel in the iteration where the awaited future finishes is not swallowed", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      let after = false;
      const outer = createTask(function* () {
        yield* waitFor(fut, 1000);
        after = true;
      });
      yield* sleep(0);
      // Same time, in this order: the result arrives, then the outside cancel.
      loop.callLater(50, () => fut.setResult("inner"));
      loop.callLater(50, () => outer.cancel());
      expect(yield* caught(() => outer)).toBeInstanceOf(CancelledError);
      expect(outer.cancelled()).toBe(true);
      expect(after).toBe(false);
      expect(loop.time()).toBe(50);
    }, V);
  });

  test("shield(): with a timeout the shielded task keeps running", async () => {
    await run(function* () {
      const t = createTask(sleep(100, "late"));
      expect(yield* caught(() => waitFor(shield(t), 10))).toBeInstanceOf(TimeoutError);
      expect(t.cancelled()).toBe(false);
      expect(yield* t).toBe("late");
    }, V);
  });

  test("promises and observables are accepted", async () => {
    await run(function* () {
      expect(yield* waitFor(Promise.resolve(5), 10)).toBe(5);
    }, V);
  });
});

describe("waitFor: bad input throws at once", () => {
  test("a negative, NaN or missing timeout; a non-awaitable", () => {
    const c = sleep(1);
    expect(() => waitFor(c, -1)).toThrow(RangeError);
    expect(() => waitFor(c, -1)).toThrow("waitFor(aw, timeout): 'timeout' must be >= 0 ms (or null for no timeout), got -1");
    expect(() => waitFor(c, NaN)).toThrow(RangeError);
    expect(() => waitFor(c, undefined as never)).toThrow(TypeError);
    expect(() => waitFor(42 as never, 10)).toThrow(/waitFor\(aw, timeout\): 'aw' must be a coroutine.*got 42/);
    expect(() => waitFor((() => c) as never, 10)).toThrow(/pass fn\(\), not fn/);
  });
});
