/**
 * RxJS operators for asyncio ideas RxJS lacks: mapTask (a semaphore of n with
 * TaskGroup-style failure) and firstCompleted / raceTasks (first completion
 * wins, the others are cancelled and waited for). Marble specs run the tasks
 * in TestScheduler's virtual frames with no setup.
 */
import { EmptyError, mergeMap, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import {
  CancelledError,
  ensureFuture,
  ExceptionGroup,
  firstCompleted,
  getRunningLoop,
  mapTask,
  raceTasks,
  run,
  sleep,
  task,
  type Coroutine,
} from "../src/index.js";

function testScheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Sleeps `ms` frames and returns `value`; logs cleanup, which itself takes `cleanupMs` frames. */
function* work<T>(ms: number, value: T, log: string[], cleanupMs = 0): Coroutine<T> {
  const loop = getRunningLoop();
  try {
    yield* sleep(ms);
    return value;
  } catch (e) {
    if (e instanceof CancelledError) {
      log.push(`${String(value)} cancelled @${loop.time()}`);
      if (cleanupMs > 0) yield* sleep(cleanupMs);
      log.push(`${String(value)} cleaned up @${loop.time()}`);
    }
    throw e;
  }
}

function* failAfter(ms: number, message: string): Coroutine<never> {
  yield* sleep(ms);
  throw new RangeError(message);
}

describe("mapTask(project, concurrency)", () => {
  test("maps each value to a task and emits results as they finish", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a-b-c|");
      expectObservable(src.pipe(mapTask((v) => work(3, v.toUpperCase(), log)))).toBe("---A-B-(C|)");
    });
    expect(log).toEqual([]);
  });

  test("concurrency 1 runs one task at a time, queued values in FIFO order", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold("(abc|)");
      expectObservable(src.pipe(mapTask((v, i) => work(2, `${v}${i}`, []), 1))).toBe("--a-b-(c|)", {
        a: "a0",
        b: "b1",
        c: "c2",
      });
    });
  });

  test("concurrency 2: at most two run at once", () => {
    let running = 0;
    let peak = 0;
    const ms: Record<string, number> = { a: 2, b: 3, c: 2, d: 2 };
    function* counted(v: string): Coroutine<string> {
      running++;
      peak = Math.max(peak, running);
      try {
        yield* sleep(ms[v]!);
        return v;
      } finally {
        running--;
      }
    }
    testScheduler().run(({ cold, expectObservable }) => {
      // a and b start at 0; c takes a's place at 2, d takes b's at 3.
      expectObservable(cold("(abcd|)").pipe(mapTask(counted, 2))).toBe("--abc(d|)");
    });
    expect(peak).toBe(2);
  });

  test("a failure cancels the running tasks and errors only once their cleanup has finished", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("(ab)-c|");
      const out = src.pipe(mapTask((v) => (v === "b" ? failAfter(1, "b failed") : work(5, v, log, 2))));
      expectObservable(out).toBe("---#", undefined, new RangeError("b failed"));
      expectSubscriptions(src.subscriptions).toBe("^!");
    });
    expect(log).toEqual(["a cancelled @1", "a cleaned up @3"]);
  });

  test("mergeMap + task(), for comparison, errors at once without waiting for the cleanup", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("(ab)|").pipe(
        mergeMap((v) => task(() => (v === "b" ? failAfter(1, "b failed") : work(5, v, log, 2)))),
      );
      expectObservable(out).toBe("-#", undefined, new RangeError("b failed"));
    });
    expect(log).toEqual(["a cancelled @1", "a cleaned up @3"]);
  });

  test("a source error cancels the running tasks and is delivered after their cleanup", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("a-#", undefined, new Error("source")).pipe(mapTask((v) => work(10, v, log, 3)));
      expectObservable(out).toBe("-----#", undefined, new Error("source"));
    });
    expect(log).toEqual(["a cancelled @2", "a cleaned up @5"]);
  });

  test("unsubscribing cancels the running tasks (their cleanup still runs to the end)", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("ab|").pipe(mapTask((v) => work(10, v, log, 2)));
      expectObservable(out, "^--!").toBe("---");
    });
    expect(log).toEqual(["a cancelled @3", "b cancelled @3", "a cleaned up @5", "b cleaned up @5"]);
  });

  test("a project that does not return a coroutine errors the Observable", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("a|").pipe(mapTask((() => 5) as never));
      expectObservable(out).toBe(
        "#",
        undefined,
        new TypeError("mapTask(project, concurrency): 'project' must return a coroutine (call a generator function), got 5"),
      );
    });
  });

  test("inside a running loop it runs on that loop", async () => {
    const r = await run(function* () {
      const src = task(function* () {
        yield* sleep(1);
        return 1;
      });
      return yield* ensureFuture(src.pipe(mapTask((v) => work(5, v * 10, [])), toArray()));
    }, { clock: "virtual" });
    expect(r).toEqual([10]);
  });

  test("bad arguments throw at once", () => {
    expect(() => mapTask(5 as never)).toThrow(TypeError);
    expect(() => mapTask(() => sleep(1), 0)).toThrow(RangeError);
    expect(() => mapTask(() => sleep(1), 1.5)).toThrow(/'concurrency' must be an integer >= 1 or Infinity, got 1.5/);
  });
});

describe("firstCompleted(project) / raceTasks(...coroFns)", () => {
  test("raceTasks: the first to finish wins; the loser's cleanup finishes before the result is emitted", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      const out = raceTasks(
        () => work(10, "slow", log, 2),
        () => work(3, "fast", log),
      );
      expectObservable(out).toBe("-----(a|)", { a: "fast" });
    });
    expect(log).toEqual(["slow cancelled @3", "slow cleaned up @5"]);
  });

  test("a staggered race: candidates start as the source emits; the first finisher wins", () => {
    const log: string[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b-c-d|");
      const durations: Record<string, number> = { a: 20, b: 3, c: 10, d: 1 };
      const out = src.pipe(firstCompleted((v) => work(durations[v]!, v, log)));
      // b starts at 2 and ends at 5; c (started at 4) and a are cancelled; d never starts.
      expectObservable(out).toBe("-----(b|)");
      expectSubscriptions(src.subscriptions).toBe("^----!");
    });
    expect(log).toEqual(["a cancelled @5", "a cleaned up @5", "c cancelled @5", "c cleaned up @5"]);
  });

  test("by default a failure finishing first wins (FIRST_COMPLETED)", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      const out = raceTasks(
        () => work(10, "ok", log, 1),
        () => failAfter(2, "first to finish"),
      );
      expectObservable(out).toBe("---#", undefined, new RangeError("first to finish"));
    });
    expect(log).toEqual(["ok cancelled @2", "ok cleaned up @3"]);
  });

  test("ignoreErrors: the first success wins; failures are set aside", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("(ab)|").pipe(
        firstCompleted((v) => (v === "a" ? failAfter(1, "a failed") : work(4, v, [])), { ignoreErrors: true }),
      );
      expectObservable(out).toBe("----(b|)");
    });
  });

  test("ignoreErrors: if every task fails, an ExceptionGroup of the failures", () => {
    let err: unknown = null;
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold("(ab|)").pipe(firstCompleted((v) => failAfter(v === "a" ? 1 : 2, `${v} failed`), { ignoreErrors: true }));
      out.subscribe({ error: (e) => (err = e) });
      expectObservable(out).toBe("--#", undefined, new ExceptionGroup("firstCompleted: every task failed", [
        new RangeError("a failed"),
        new RangeError("b failed"),
      ]));
    });
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).errors.map((e) => (e as Error).message)).toEqual(["a failed", "b failed"]);
  });

  test("a source that completes with no value gives EmptyError", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("--|").pipe(firstCompleted((v: string) => work(1, v, [])))).toBe("--#", undefined, new EmptyError());
    });
  });

  test("unsubscribing cancels every running task", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      const out = raceTasks(
        () => work(10, "x", log),
        () => work(10, "y", log),
      );
      expectObservable(out, "^-!").toBe("--");
    });
    expect(log).toEqual(["x cancelled @2", "x cleaned up @2", "y cancelled @2", "y cleaned up @2"]);
  });

  test("inside a running loop: a race as a value", async () => {
    const r = await run(function* () {
      return yield* ensureFuture(raceTasks(() => work(5, "a", []), () => work(2, "b", [])));
    }, { clock: "virtual" });
    expect(r).toBe("b");
  });

  test("bad arguments throw at once", () => {
    expect(() => raceTasks()).toThrow(TypeError);
    expect(() => raceTasks(5 as never)).toThrow(/coroFns\[0\] must be a coroutine function/);
    expect(() => firstCompleted(null as never)).toThrow(TypeError);
    expect(() => firstCompleted(() => sleep(1), { ignoreErrors: "yes" } as never)).toThrow(/'ignoreErrors' must be a boolean/);
  });
});
