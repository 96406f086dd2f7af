/**
 * wait(): ports of CPython's Lib/test/test_asyncio/test_tasks.py (test_wait*,
 * test_yield_wait_does_not_shield_cancel, test_cancel_with_message_then_future_*).
 */
import {
  ALL_COMPLETED,
  CancelledError,
  createTask,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  getRunningLoop,
  run,
  sleep,
  wait,
  type Coroutine,
  type Task,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

function* runBriefly(n = 5): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

test("the returnWhen constants have asyncio's values", () => {
  expect([FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED]).toEqual(["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"]);
});

describe("wait (test_tasks.py)", () => {
  test("test_wait: ALL_COMPLETED returns [done, pending] sets once all are done; again, at once", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(100));
      const b = createTask(sleep(150));
      function* foo(): Coroutine<number> {
        const [done, pending] = yield* wait([b, a]);
        expect(done).toEqual(new Set([a, b]));
        expect(pending).toEqual(new Set());
        return 42;
      }
      expect(yield* createTask(foo())).toBe(42);
      expect(loop.time()).toBe(150);
      expect(yield* createTask(foo())).toBe(42);
      expect(loop.time()).toBe(150);
    }, V);
  });

  test("test_wait_duplicate_coroutines: a task passed twice counts once", async () => {
    await run(function* () {
      function* coro(s: string): Coroutine<string> {
        return s;
      }
      const c = createTask(coro("test"));
      const [done, pending] = yield* wait([c, c, createTask(coro("spam"))]);
      expect(pending.size).toBe(0);
      expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(["test", "spam"]));
    }, V);
  });

  test("test_wait_first_completed: returns at the first completion and cancels nothing", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(10_000));
      const b = createTask(sleep(100));
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_COMPLETED });
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(a.done()).toBe(false);
      expect(a.cancelled()).toBe(false);
      expect(b.result()).toBeUndefined();
      expect(loop.time()).toBe(100);
      // No callback of the finished wait is left on the pending task.
      expect((a as unknown as { _callbacks: unknown })._callbacks).toBeNull();
      a.cancel();
    }, V);
  });

  test("test_wait_really_done: tasks that finished before the waiter resumed are in done", async () => {
    await run(function* () {
      function* coro1(): Coroutine<void> {
        yield* sleep(0);
      }
      function* coro2(): Coroutine<void> {
        yield* sleep(0);
        yield* sleep(0);
      }
      const a = createTask(coro1());
      const b = createTask(coro2());
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_COMPLETED });
      expect(done).toEqual(new Set([a, b]));
      expect(pending.size).toBe(0);
    }, V);
  });

  test("test_wait_first_exception: a task that already failed returns at once", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(10_000));
      const b = createTask(function* (): Coroutine<void> {
        throw new Error("err");
      });
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_EXCEPTION });
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(loop.time()).toBe(0);
      a.cancel();
    }, V);
  });

  test("test_wait_first_exception_in_wait: returns when a task fails while waiting", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(10_000));
      const b = createTask(function* (): Coroutine<void> {
        yield* sleep(10);
        throw new Error("err");
      });
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_EXCEPTION });
      expect(done).toEqual(new Set([b]));
      expect(pending).toEqual(new Set([a]));
      expect(loop.time()).toBe(10);
      expect(b.exception()).toBeInstanceOf(Error);
      a.cancel();
    }, V);
  });

  test("FIRST_EXCEPTION with no failure (a cancellation is not one) waits for all", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(20));
      const b = createTask(sleep(10_000));
      loop.callLater(5, () => b.cancel());
      const [done, pending] = yield* wait([a, b], { returnWhen: FIRST_EXCEPTION });
      expect(done).toEqual(new Set([a, b]));
      expect(pending.size).toBe(0);
      expect(loop.time()).toBe(20);
    }, V);
  });

  test("test_wait_with_exception: ALL_COMPLETED keeps going past a failure", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(100));
      const b = createTask(function* (): Coroutine<void> {
        yield* sleep(150);
        throw new Error("really");
      });
      const [done, pending] = yield* wait([b, a]);
      expect(done.size).toBe(2);
      expect(pending.size).toBe(0);
      expect([...done].filter((f) => f.exception() !== null).length).toBe(1);
      expect(loop.time()).toBe(150);
    }, V);
  });

  test("test_wait_with_timeout: the timeout returns what is done; nothing is cancelled", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(100));
      const b = createTask(sleep(150));
      const [done, pending] = yield* wait([b, a], { timeout: 110 });
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
      expect(loop.time()).toBe(110);
      expect(b.cancelled()).toBe(false);
      yield* b;
    }, V);
  });

  test("test_wait_concurrent_complete: a task finishing at the timeout's time is done", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(100));
      const b = createTask(sleep(150));
      // As in CPython, the wait runs in its own task, started after a and b.
      const [done, pending] = yield* createTask(wait([b, a], { timeout: 100 }));
      expect(done).toEqual(new Set([a]));
      expect(pending).toEqual(new Set([b]));
      expect(loop.time()).toBe(100);
      yield* b;
    }, V);
  });

  test("test_wait_with_iterator_of_tasks: any iterable works", async () => {
    await run(function* () {
      const a = createTask(sleep(100));
      const b = createTask(sleep(150));
      const [done, pending] = yield* wait([b, a][Symbol.iterator]());
      expect(done).toEqual(new Set([a, b]));
      expect(pending.size).toBe(0);
    }, V);
  });

  test("coroutines are wrapped in tasks, which are what the sets hold", async () => {
    await run(function* () {
      function* coro(): Coroutine<string> {
        yield* sleep(5);
        return "x";
      }
      const [done] = yield* wait([coro()]);
      const [t] = [...done];
      expect(t!.result()).toBe("x");
      expect((t as Task<string>).getName()).toMatch(/^Task-/);
    }, V);
  });

  test("test_yield_wait_does_not_shield_cancel: cancelling the waiter raises in it and leaves the tasks running", async () => {
    await run(function* () {
      let proof = 0;
      const waiter = getRunningLoop().createFuture<void>();
      const inner = createTask(function* () {
        yield* waiter;
        proof += 1;
      });
      const outer = createTask(function* () {
        yield* wait([inner]);
        proof += 100;
      });
      yield* sleep(0);
      outer.cancel();
      yield* runBriefly();
      expect(outer.cancelled()).toBe(true);
      expect(inner.done()).toBe(false);
      waiter.setResult(undefined);
      yield* runBriefly();
      expect(proof).toBe(1);
    }, V);
  });

  test.each([
    [undefined, ""],
    ["my message", "my message"],
  ])("test_cancel_with_message_then_future_result: result() after wait() raises the cancel message (%s)", async (msg, expected) => {
    const err = await run(function* () {
      const t = createTask(sleep(10_000));
      yield* sleep(0);
      t.cancel(msg);
      yield* wait([t]);
      try {
        t.result();
      } catch (e) {
        return e;
      }
      return null;
    }, V);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe(expected);
  });

  test("test_cancel_with_message_before_starting_task", async () => {
    const err = await run(function* () {
      const t = createTask(sleep(10_000));
      t.cancel("my message");
      yield* wait([t]);
      try {
        t.exception();
      } catch (e) {
        return e;
      }
      return null;
    }, V);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe("my message");
  });
});

describe("wait: bad input throws at once (test_wait_errors, test_wait_invalid_args)", () => {
  test("empty, a future, a coroutine, a bad returnWhen, a negative timeout", async () => {
    await run(function* () {
      const fut = new Future<number>();
      const c = sleep(1);
      expect(() => wait([])).toThrow(RangeError);
      expect(() => wait([])).toThrow("wait(aws, options): 'aws' must not be empty");
      expect(() => wait(fut as never)).toThrow(TypeError);
      expect(() => wait(c as never)).toThrow(/'aws' must be an iterable/);
      expect(() => wait([c], { returnWhen: -1 as never })).toThrow(RangeError);
      expect(() => wait([c], { returnWhen: -1 as never })).toThrow(/'returnWhen' must be FIRST_COMPLETED.*got -1/);
      expect(() => wait([c], { timeout: -5 })).toThrow(/'timeout' must be >= 0 ms.*got -5/);
      expect(() => wait([c], { timeout: "1" as never })).toThrow(TypeError);
      expect(() => wait([c, 3 as never])).toThrow(/aws\[1\] must be a coroutine.*got 3/);
      expect(() => wait([c], { timout: 1 } as never)).toThrow(/unknown option 'timout'/);
      fut.cancel();
      yield* sleep(0);
    }, V);
  });
});
