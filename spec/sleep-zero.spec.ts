/**
 * `sleep(0)` with no value is one shared operation outside debug mode (its
 * state is the task's F_YIELDED bit): it must still behave as a hop in every
 * way a task can meet it.
 */
import { CancelledError, createTask, gather, run, RuntimeError, sleep, type Coroutine } from "../src/index.js";

const V = { clock: "virtual" } as const;

describe("sleep(0) (the shared hop)", () => {
  test("lets every other ready task run first, in FIFO order", async () => {
    const log: string[] = [];
    await run(function* () {
      function* worker(name: string): Coroutine<void> {
        for (let i = 0; i < 3; i++) {
          log.push(`${name}${i}`);
          yield* sleep(0);
        }
      }
      yield* gather(worker("a"), worker("b"));
    }, V);
    expect(log).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
  });

  test("a cancel while a task is suspended in it lands there, and cleanup runs", async () => {
    const log: string[] = [];
    const out = await run(function* () {
      const t = createTask(function* (): Coroutine<string> {
        try {
          yield* sleep(0);
          return "not cancelled";
        } catch (e) {
          log.push(e instanceof CancelledError ? "cancelled" : "other");
          // The task hops again after catching: the hop still works for it.
          yield* sleep(0);
          log.push("hopped after the catch");
          return "swallowed";
        }
      });
      yield* sleep(0); // t is suspended in the hop now
      t.cancel();
      return yield* t;
    }, V);
    expect(log).toEqual(["cancelled", "hopped after the catch"]);
    expect(out).toBe("swallowed");
  });

  test("the same one awaited twice hops twice (nothing to get wrong); createTask and gather take it", async () => {
    const out = await run(function* () {
      const z = sleep(0);
      yield* z;
      yield* z;
      const a = createTask(sleep(0));
      const b = createTask(sleep(0));
      return [yield* a, yield* b, ...(yield* gather(sleep(0), sleep(0)))];
    }, V);
    expect(out).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("in debug mode each sleep(0) is its own coroutine again, and a second yield* of it raises", async () => {
    const out = await run(
      function* () {
        const z = sleep(0);
        yield* z;
        try {
          yield* z;
          return "no error";
        } catch (e) {
          return e;
        }
      },
      { ...V, debug: true },
    );
    expect(out).toBeInstanceOf(RuntimeError);
    expect(String(out)).toMatch(/cannot reuse already awaited coroutine: sleep\(0\)/);
  });

  test("stepped outside a task it says so", () => {
    expect(() => sleep(0).next()).toThrow(/sleep\(0\) was stepped outside a task/);
  });
});
