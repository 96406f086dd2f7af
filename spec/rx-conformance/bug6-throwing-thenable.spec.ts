/**
 * Bug 6: a thenable whose `then` throws synchronously must not leak the
 * loop's count of outside work: the virtual clock must still move afterwards.
 */
import { createTask, ensureFuture, EventLoop, sleep } from "../../src/index.js";
import { withinRealMs } from "./helpers.js";

const badThenable = (): PromiseLike<number> => ({
  then() {
    throw new RangeError("then() threw");
  },
});

test("ensureFuture(thenable) fails with what then() threw, and virtual time still moves", async () => {
  const loop = new EventLoop({ clock: "virtual" });
  const r = loop.runUntilComplete(function* () {
    let caught: unknown = null;
    try {
      yield* ensureFuture(badThenable());
    } catch (e) {
      caught = e;
    }
    yield* sleep(10);
    return [caught, loop.time()] as const;
  });
  const [caught, t] = await withinRealMs(r, 1500, "sleep after a throwing thenable");
  expect(caught).toBeInstanceOf(RangeError);
  expect(t).toBe(10);
  loop.close();
});

test("a task function returning such a thenable fails, and virtual time still moves", async () => {
  const loop = new EventLoop({ clock: "virtual" });
  const r = loop.runUntilComplete(function* () {
    const t = createTask(() => badThenable());
    let caught: unknown = null;
    try {
      yield* t;
    } catch (e) {
      caught = e;
    }
    yield* sleep(10);
    return [caught, loop.time()] as const;
  });
  const [caught, t] = await withinRealMs(r, 1500, "sleep after a throwing thenable task");
  expect(caught).toBeInstanceOf(RangeError);
  expect(t).toBe(10);
  loop.close();
});
