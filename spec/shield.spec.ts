/**
 * shield(): ports of CPython's Lib/test/test_asyncio/test_tasks.py (test_shield_*,
 * test_gather_shield) and bpo-35125 (no callback left behind).
 */
import {
  CancelledError,
  createTask,
  Future,
  gather,
  getRunningLoop,
  run,
  RuntimeError,
  shield,
  sleep,
  type Coroutine,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

function* runBriefly(n = 5): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

function callbacksOf(f: Future<unknown>): unknown {
  return (f as unknown as { _callbacks: unknown })._callbacks;
}

describe("shield (test_tasks.py)", () => {
  test("test_shield_result", async () => {
    await run(function* () {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      inner.setResult(42);
      expect(yield* outer).toBe(42);
    }, V);
  });

  test("test_shield_exception", async () => {
    await run(function* () {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      yield* runBriefly();
      const exc = new RuntimeError("expected");
      inner.setException(exc);
      yield* runBriefly();
      expect(outer.exception()).toBe(exc);
    }, V);
  });

  test("test_shield_cancel_inner: cancelling the inner future cancels the shield", async () => {
    await run(function* () {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      yield* runBriefly();
      inner.cancel();
      yield* runBriefly();
      expect(outer.cancelled()).toBe(true);
    }, V);
  });

  test("test_shield_cancel_outer: cancelling the shield leaves the inner future alone and no callback behind (bpo-35125)", async () => {
    await run(function* () {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      yield* runBriefly();
      outer.cancel();
      yield* runBriefly();
      expect(outer.cancelled()).toBe(true);
      expect(inner.cancelled()).toBe(false);
      expect(callbacksOf(outer)).toBeNull();
      expect(callbacksOf(inner)).toBeNull();
      inner.setResult(1);
    }, V);
  });

  test("test_shield_shortcut: a finished future is returned as is", async () => {
    await run(function* () {
      const fut = getRunningLoop().createFuture<number>();
      fut.setResult(42);
      expect(shield(fut)).toBe(fut);
      expect(yield* shield(fut)).toBe(42);
    }, V);
  });

  test("test_shield_effect: cancelling the caller raises in it; the shielded coroutine finishes", async () => {
    await run(function* () {
      let proof = 0;
      const waiter = getRunningLoop().createFuture<void>();
      function* inner(): Coroutine<void> {
        yield* waiter;
        proof += 1;
      }
      const f = createTask(function* () {
        yield* shield(inner());
        proof += 100;
      });
      yield* sleep(0);
      f.cancel();
      let err: unknown = null;
      try {
        yield* f;
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CancelledError);
      waiter.setResult(undefined);
      yield* runBriefly();
      expect(proof).toBe(1);
    }, V);
  });

  test("test_shield_gather: cancelling a shielded gather leaves the gather running", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const parent = gather(child1, child2);
      const outer = shield(parent);
      yield* runBriefly();
      outer.cancel();
      yield* runBriefly();
      expect(outer.cancelled()).toBe(true);
      child1.setResult(1);
      child2.setResult(2);
      yield* runBriefly();
      expect(parent.result()).toEqual([1, 2]);
    }, V);
  });

  test("test_gather_shield: cancelling a gather of shields cancels the shields, not the children", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const inner1 = shield(child1);
      const inner2 = shield(child2);
      const parent = gather(inner1, inner2);
      yield* runBriefly();
      parent.cancel();
      yield* runBriefly();
      expect(parent.exception()).toBeInstanceOf(CancelledError);
      expect(inner1.cancelled()).toBe(true);
      expect(inner2.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(false);
      child1.setResult(1);
      child2.setResult(2);
      yield* runBriefly();
    }, V);
  });

  test("test_shield_coroutine_use_running_loop: a coroutine becomes a task on the running loop", async () => {
    await run(function* () {
      function* coro(): Coroutine<number> {
        return 42;
      }
      const outer = shield(coro());
      expect(outer.getLoop()).toBe(getRunningLoop());
      expect(yield* outer).toBe(42);
    }, V);
  });

  test("test_shield_coroutine_without_loop: a coroutine outside a running loop throws RuntimeError", () => {
    expect(() => shield(sleep(1))).toThrow(RuntimeError);
  });

  test("a shielded cleanup outlives the cancelled caller and is not interrupted", async () => {
    await run(function* () {
      const log: string[] = [];
      function* save(): Coroutine<string> {
        yield* sleep(50);
        log.push("saved");
        return "ok";
      }
      const saving = createTask(save());
      const caller = createTask(function* () {
        try {
          return yield* shield(saving);
        } catch (e) {
          log.push(`caller: ${(e as Error).name}`);
          throw e;
        }
      });
      yield* sleep(10);
      caller.cancel();
      yield* runBriefly();
      expect(caller.cancelled()).toBe(true);
      expect(yield* saving).toBe("ok");
      expect(log).toEqual(["caller: CancelledError", "saved"]);
    }, V);
  });

  test("a shielded task failing after its caller was cancelled is reported, not silently lost (gh-86802)", async () => {
    const reports: string[] = [];
    await run(function* () {
      getRunningLoop().setExceptionHandler((_l, ctx) => reports.push(`${ctx.message}: ${(ctx.exception as Error).message}`));
      const inner = createTask(function* (): Coroutine<void> {
        yield* sleep(20);
        throw new RuntimeError("late failure");
      });
      const caller = createTask(function* () {
        yield* shield(inner);
      });
      yield* sleep(5);
      caller.cancel();
      yield* sleep(50);
      expect(caller.cancelled()).toBe(true);
      expect(inner.done()).toBe(true);
    }, V);
    expect(reports).toEqual(["Task exception was never retrieved: late failure"]);
  });

  test("bad input throws at once", async () => {
    await run(function* () {
      expect(() => shield(5 as never)).toThrow(/shield\(aw\): 'aw' must be a coroutine.*got 5/);
      expect(() => shield(null as never)).toThrow(TypeError);
    }, V);
  });
});
