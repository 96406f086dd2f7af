/**
 * Bug 4: a main that returns a Task (a PromiseLike) must not leave run()'s
 * promise adopting it after the loop has stopped. asyncio hands back the Task
 * object; a JavaScript promise cannot hold a thenable, so run() says so at once.
 */
import { createTask, EventLoop, run, sleep, type ClockKind, type Coroutine } from "../../src/index.js";
import { withinRealMs } from "./helpers.js";

function* after<T>(ms: number, v: T): Coroutine<T> {
  yield* sleep(ms);
  return v;
}

describe.each<ClockKind>(["real", "virtual"])("on the %s clock", (clock) => {
  test("run(main) where main returns a Task rejects with a TypeError that says what to write", async () => {
    const p = run(
      function* () {
        return createTask(after(5, "x"));
      },
      { clock },
    );
    const err = await withinRealMs(p.then(() => null, (e: unknown) => e), 1500, "run(main returning a Task)");
    expect(err).toBeInstanceOf(TypeError);
    expect(String(err)).toMatch(/returned a Task.*yield\*/);
  });

  test("loop.runUntilComplete(main) where main returns a Future does the same", async () => {
    const loop = new EventLoop({ clock });
    const p = loop.runUntilComplete(function* () {
      return loop.createFuture<number>();
    });
    const err = await withinRealMs(p.then(() => null, (e: unknown) => e), 1500, "runUntilComplete(main returning a Future)");
    expect(err).toBeInstanceOf(TypeError);
    loop.close();
  });

  test("a main that returns the task's result (yield* t) resolves with it", async () => {
    await expect(
      run(
        function* () {
          return yield* createTask(after(5, "x"));
        },
        { clock },
      ),
    ).resolves.toBe("x");
  });
});
