/**
 * switchMapTask / concatMapTask / exhaustMapTask, frame by frame in
 * TestScheduler's virtual frames. Switch: the running task is cancelled and
 * its cleanup finishes before the next value's task starts.
 */
import { CancelledError, concatMapTask, exhaustMapTask, getRunningLoop, mapTask, sleep, switchMapTask, type Coroutine } from "../../src/index.js";
import { testScheduler } from "./helpers.js";

/** Logs its start, sleeps `ms`, returns the value upper-cased; its cleanup takes `cleanupMs`. */
function* work(v: string, ms: number, log: string[], cleanupMs = 0): Coroutine<string> {
  const loop = getRunningLoop();
  log.push(`${v} start @${loop.time()}`);
  try {
    yield* sleep(ms);
    return v.toUpperCase();
  } catch (e) {
    if (e instanceof CancelledError) {
      log.push(`${v} cancelled @${loop.time()}`);
      if (cleanupMs > 0) yield* sleep(cleanupMs);
      log.push(`${v} cleaned up @${loop.time()}`);
    }
    throw e;
  }
}

describe("switchMapTask", () => {
  test("a new value cancels the running task; the next starts when its cleanup is done", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a--b|").pipe(switchMapTask((v) => work(v, 5, log, 2)))).toBe("----------(B|)");
    });
    expect(log).toEqual(["a start @0", "a cancelled @3", "a cleaned up @5", "b start @5"]);
  });

  test("values during a cleanup replace each other: only the latest starts", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a-b-c|").pipe(switchMapTask((v) => work(v, 5, log, 3)))).toBe("----------(C|)");
    });
    expect(log).toEqual(["a start @0", "a cancelled @2", "a cleaned up @5", "c start @5"]);
  });

  test("a task that finishes before the next value emits its result", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a----b|").pipe(switchMapTask((v) => work(v, 2, log)))).toBe("--A----(B|)");
    });
    expect(log).toEqual(["a start @0", "b start @5"]);
  });

  test("an error in a superseded task's cleanup fails the stream", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("a-b|").pipe(
        switchMapTask(function* (v): Coroutine<string> {
          try {
            yield* sleep(5);
            return v;
          } finally {
            if (v === "a") throw new RangeError("cleanup failed");
          }
        }),
      );
      expectObservable(out).toBe("--#", undefined, new RangeError("cleanup failed"));
    });
  });

  test("unsubscribing cancels the running task; its cleanup still runs", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a|").pipe(switchMapTask((v) => work(v, 10, log, 1))), "^--!").toBe("---");
    });
    expect(log).toEqual(["a start @0", "a cancelled @3", "a cleaned up @4"]);
  });
});

describe("concatMapTask", () => {
  test("one task at a time, in order", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("(abc|)").pipe(concatMapTask((v) => work(v, 2, log)))).toBe("--A-B-(C|)");
    });
    expect(log).toEqual(["a start @0", "b start @2", "c start @4"]);
  });
});

describe("exhaustMapTask", () => {
  test("values arriving while a task runs are ignored", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a-b---c|").pipe(exhaustMapTask((v) => work(v, 3, log)))).toBe("---A-----(C|)");
    });
    expect(log).toEqual(["a start @0", "c start @6"]);
  });
});

test("mapTask stays the merge form", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    // b starts while a runs: both run at once.
    expectObservable(cold("ab|").pipe(mapTask((v) => work(v, 3, [])))).toBe("---A(B|)");
  });
});

test.each([
  ["switchMapTask", switchMapTask],
  ["concatMapTask", concatMapTask],
  ["exhaustMapTask", exhaustMapTask],
] as const)("%s(5) is a TypeError at once", (_n, op) => {
  expect(() => op(5 as never)).toThrow(TypeError);
});
