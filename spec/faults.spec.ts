/**
 * Faults inside the loop (issue 8): a callback, a done callback, RxJS work on
 * the loop, a tracer hook or a coroutine that misbehaves is reported with
 * context, and the loop goes on serving every other task. Each test runs a
 * "ticker" task next to the fault and checks it kept its schedule exactly.
 */
import { config, delay, interval, map, observeOn, of, take, timer, toArray } from "rxjs";
import {
  CancelledError,
  EventLoop,
  Future,
  RuntimeError,
  Task,
  createTask,
  ensureFuture,
  getRunningLoop,
  run,
  sleep,
  task,
  type Coroutine,
  type ExceptionContext,
  type LoopTracer,
} from "../src/index.js";

/** A task that wakes every ms `n` times and records the loop time. */
function* ticker(ticks: number[], n = 5): Coroutine<number> {
  for (let i = 0; i < n; i++) {
    yield* sleep(1);
    ticks.push(getRunningLoop().time());
  }
  return n;
}

/** A virtual loop whose exception handler records every report. */
function recordingLoop(): { loop: EventLoop; seen: ExceptionContext[] } {
  const loop = new EventLoop({ clock: "virtual" });
  const seen: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, c) => seen.push(c));
  return { loop, seen };
}

function messages(seen: ExceptionContext[]): string[] {
  return seen.map((c) => `${c.message}: ${c.exception instanceof Error ? c.exception.message : String(c.exception)}`);
}

describe("faults in callbacks", () => {
  test("callSoon / callLater / callAt callbacks that throw are reported with their handle; the loop goes on", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const handles = await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      const hs = [
        loop.callSoon(function soonFails() {
          throw new Error("soon");
        }),
        loop.callLater(2, function laterFails(x: number) {
          throw new Error(`later ${x}`);
        }, 7),
        loop.callAt(3, function atFails() {
          throw "a string, not an Error";
        }),
      ];
      yield* t;
      return hs;
    });
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    expect(messages(seen)).toEqual([
      "Exception in callback soonFails: soon",
      "Exception in callback laterFails: later 7",
      "Exception in callback atFails: a string, not an Error",
    ]);
    expect(seen.map((c) => c.handle)).toEqual(handles);
    loop.close();
  });

  test("a done callback that throws is reported with its future; the future's other callbacks and other tasks still run", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const log: string[] = [];
    let fut: Future<number> | null = null;
    await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      fut = loop.createFuture<number>();
      fut.addDoneCallback(function first() {
        throw new Error("done callback failed");
      });
      fut.addDoneCallback((f) => log.push(`second got ${f.result()}`));
      loop.callLater(2, () => fut!.setResult(42));
      yield* t;
    });
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    expect(log).toEqual(["second got 42"]);
    expect(messages(seen)).toEqual(["Exception in done callback first: done callback failed"]);
    expect(seen[0]!.future).toBe(fut);
    loop.close();
  });

  test("an exception handler that throws falls back to the default handler; a logger that throws too is contained", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const logged: string[] = [];
    loop.logger = {
      warn: () => {},
      error: (...a: unknown[]) => {
        logged.push(a.join(" "));
        throw new Error("the logger broke as well");
      },
    };
    loop.setExceptionHandler(() => {
      throw new Error("handler broke");
    });
    const ticks: number[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      loop.callSoon(() => {
        throw new Error("original fault");
      });
      const f = loop.createFuture<void>();
      f.addDoneCallback(() => {
        throw new Error("second fault");
      });
      f.setResult();
      yield* t;
    });
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    // Each fault reached the default handler, which names both the handler's error and the original context.
    expect(logged).toHaveLength(2);
    for (const line of logged) {
      expect(line).toMatch(/Unhandled error in exception handler/);
      expect(line).toMatch(/handler broke/);
    }
    // The report keeps the original context: its message and exception, not "[object Object]".
    expect(logged[0]).toMatch(/context: Exception in callback .*: Error: original fault/);
    expect(logged[1]).toMatch(/context: Exception in done callback .*: Error: second fault/);
    loop.close();
  });

  test("an exception handler that throws while close() reports unretrieved exceptions: close still completes", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    loop.logger = { warn: () => {}, error: () => {} };
    loop.setExceptionHandler(() => {
      throw new Error("handler broke");
    });
    await loop.runUntilComplete(function* () {
      createTask(function* () {
        throw new Error("nobody looks at me");
      });
      yield* sleep(1);
    });
    expect(() => loop.close()).not.toThrow();
    expect(loop.isClosed()).toBe(true);
  });
});

describe("faults in coroutines", () => {
  const bad: [string, (other: EventLoop) => unknown, RegExp][] = [
    ["a number", () => 5, /got bad yield: 5$/],
    ["a promise", () => Promise.resolve(1), /got bad yield: a Promise/],
    ["a coroutine object (yield instead of yield*)", () => sleep(1), /did you mean yield\*\?/],
    ["a future (yield instead of yield*)", () => getRunningLoop().createFuture(), /'yield' was used instead of 'yield\*'/],
    ["null", () => null, /got bad yield: null/],
  ];
  test.each(bad)("yielding %s throws RuntimeError into the coroutine at the yield; other tasks go on", async (_what, make, re) => {
    const ticks: number[] = [];
    const r = await run(function* (): Coroutine<string> {
      const t = createTask(ticker(ticks));
      let caught = "";
      try {
        yield make(new EventLoop()) as never;
      } catch (e) {
        caught = `${(e as Error).name}: ${(e as Error).message}`;
      }
      yield* t;
      return caught;
    }, { clock: "virtual" });
    expect(r).toMatch(/^RuntimeError: /);
    expect(r).toMatch(re);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
  });

  test("a future of another loop is refused into the coroutine with RuntimeError", async () => {
    const other = new EventLoop({ clock: "virtual" });
    const r = await run(function* (): Coroutine<string> {
      try {
        yield* other.createFuture<number>();
        return "no";
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    }, { clock: "virtual" });
    expect(r).toMatch(/^RuntimeError: Task .* got a future attached to a different loop/);
    other.close();
  });

  test("a task that does not catch its bad yield fails with the RuntimeError, reported with the task if nobody looks", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    let victim: Task<void> | null = null;
    await loop.runUntilComplete(function* () {
      victim = createTask(function* () {
        yield 42 as never;
      }, { name: "bad-yielder" });
      yield* ticker(ticks);
    });
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    expect(victim!.done()).toBe(true);
    loop.close(); // reports what nobody retrieved
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).toBe("Task exception was never retrieved");
    expect(seen[0]!.task).toBe(victim);
    expect(seen[0]!.exception).toBeInstanceOf(RuntimeError);
    expect(String(seen[0]!.exception)).toMatch(/Task bad-yielder got bad yield: 42/);
  });

  test("throwing a non-Error (and undefined) fails the task with it; the loop goes on", async () => {
    const ticks: number[] = [];
    const out = await run(function* (): Coroutine<unknown[]> {
      const t = createTask(ticker(ticks));
      const a = createTask(function* () {
        yield* sleep(1);
        throw 42;
      });
      const b = createTask(function* () {
        yield* sleep(1);
        throw undefined;
      });
      const c = createTask(async () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw undefined;
      });
      yield* t;
      return [a.exception(), String(b.exception()), String(c.exception())];
    }, { clock: "virtual" });
    expect(out).toEqual([42, "RuntimeError: coroutine threw undefined", "Error: promise rejected with undefined"]);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
  });

  test("a finally that throws while the task is cancelled replaces the CancelledError, and is reported if unretrieved", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      const v = createTask(function* () {
        try {
          yield* sleep(100);
        } finally {
          throw new Error("cleanup failed");
        }
      }, { name: "bad-cleanup" });
      yield* sleep(2);
      v.cancel();
      yield* t;
      expect(v.cancelled()).toBe(false);
    });
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    loop.close();
    expect(messages(seen)).toEqual(["Task exception was never retrieved: cleanup failed"]);
  });
});

describe("faults in RxJS work scheduled on the loop", () => {
  test("work given to loop.schedule() that throws is reported naming the work; timers and tasks go on", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const values = await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      loop.schedule(function failingWork() {
        throw new Error("work failed");
      }, 2);
      // An interval on the loop keeps firing past the fault.
      const v = yield* ensureFuture(interval(1, loop).pipe(take(4), toArray()));
      yield* t;
      return v;
    });
    expect(values).toEqual([0, 1, 2, 3]);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    expect(messages(seen)).toEqual(["Exception in RxJS work failingWork: work failed"]);
    expect(seen[0]!.action).toBeDefined();
    loop.close();
  });

  test("a rescheduling action whose work throws on a later run is reported and stops only itself", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    let runs = 0;
    await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      loop.schedule(function periodic() {
        runs++;
        if (runs === 3) throw new Error(`run ${runs}`);
        this.schedule(undefined, 1);
      }, 1);
      yield* t;
    });
    expect(runs).toBe(3);
    expect(messages(seen)).toEqual(["Exception in RxJS work periodic: run 3"]);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    loop.close();
  });

  test("an operator that throws on the loop (map, after delay/observeOn) errors its own subscriber only", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const err = await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      let caught: unknown = null;
      try {
        yield* ensureFuture(
          of(1, 2).pipe(
            delay(2, loop),
            observeOn(loop),
            map((x) => {
              if (x === 2) throw new Error("map failed");
              return x;
            }),
          ),
        );
      } catch (e) {
        caught = e;
      }
      yield* t;
      return caught;
    });
    expect(String(err)).toBe("Error: map failed");
    expect(seen).toEqual([]);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    loop.close();
  });

  test("a subscriber callback that throws goes to RxJS's own unhandled-error channel; the loop goes on", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const reported: unknown[] = [];
    const prev = config.onUnhandledError;
    config.onUnhandledError = (e) => reported.push(e);
    try {
      await loop.runUntilComplete(function* () {
        const t = createTask(ticker(ticks));
        timer(1, loop).subscribe(() => {
          throw new Error("consumer failed");
        });
        task(function* () {
          yield* sleep(2);
          return 1;
        }).subscribe(() => {
          throw new Error("task consumer failed");
        });
        yield* t;
      });
      // RxJS reports consumer errors on a host timeout, after the loop's turn.
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      config.onUnhandledError = prev;
    }
    expect(reported.map(String)).toEqual(["Error: consumer failed", "Error: task consumer failed"]);
    expect(seen).toEqual([]);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    loop.close();
  });
});

describe("faults in task observables", () => {
  test("a failing task errors its subscriber with the same exception, which counts as retrieved", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const boom = new Error("task failed");
    const got = await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      let caught: unknown = null;
      try {
        yield* ensureFuture(
          task(function* () {
            yield* sleep(2);
            throw boom;
          }),
        );
      } catch (e) {
        caught = e;
      }
      yield* t;
      return caught;
    });
    expect(got).toBe(boom);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    loop.close();
    expect(seen).toEqual([]);
  });

  test("a task whose subscriber left, and whose cleanup then fails, is reported as never retrieved with the task", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const finals: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      const sub = task(function* () {
        try {
          yield* sleep(100);
        } finally {
          finals.push("cleanup ran");
          yield* sleep(1);
          throw new Error("cleanup failed after unsubscribe");
        }
      }, { name: "observed" }).subscribe({ error: () => finals.push("subscriber told (wrong)") });
      yield* sleep(1);
      sub.unsubscribe();
      yield* t;
    });
    expect(finals).toEqual(["cleanup ran"]);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    loop.close();
    expect(messages(seen)).toEqual(["Task exception was never retrieved: cleanup failed after unsubscribe"]);
    expect((seen[0]!.task as Task<unknown>).getName()).toBe("observed");
  });

  test("cancelling the task behind a task observable errors the subscriber with CancelledError", async () => {
    const ticks: number[] = [];
    const r = await run(function* (): Coroutine<string> {
      const t = createTask(ticker(ticks));
      const inner: Task<unknown>[] = [];
      const f = ensureFuture(
        task(function* () {
          inner.push(getRunningLoop()._currentTask!);
          yield* sleep(100);
        }),
      );
      yield* sleep(1);
      inner[0]!.cancel("stop");
      try {
        yield* f;
        return "no";
      } catch (e) {
        yield* t;
        return `${(e as Error).name}: ${(e as CancelledError).message}`;
      }
    }, { clock: "virtual" });
    expect(r).toBe("CancelledError: stop");
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("faults in tracer hooks", () => {
  test("a tracer whose hooks throw is reported with the task; the task still runs every step", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    const failing = new Set(["taskCreated", "stepStarted", "stepEnded"]);
    const tracer: LoopTracer = {
      taskCreated(t) {
        if (t.getName() === "victim" && failing.has("taskCreated")) throw new Error("taskCreated hook");
      },
      stepStarted(t) {
        if (t.getName() === "victim" && failing.has("stepStarted")) throw new Error("stepStarted hook");
      },
      stepEnded(t) {
        if (t.getName() === "victim" && failing.has("stepEnded")) throw new Error("stepEnded hook");
      },
    };
    const r = await loop.runUntilComplete(function* () {
      loop.setTrace(tracer);
      const t = createTask(ticker(ticks));
      const v = createTask(function* () {
        yield* sleep(2);
        return "victim finished";
      }, { name: "victim" });
      const out = yield* v;
      yield* t;
      loop.setTrace(null);
      return out;
    });
    expect(r).toBe("victim finished");
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    const m = messages(seen);
    expect(m[0]).toBe("Exception in tracer hook taskCreated for task 'victim': taskCreated hook");
    // Two steps (start, after the sleep), each reporting both hooks.
    expect(m.slice(1)).toEqual([
      "Exception in tracer hook stepStarted for task 'victim': stepStarted hook",
      "Exception in tracer hook stepEnded for task 'victim': stepEnded hook",
      "Exception in tracer hook stepStarted for task 'victim': stepStarted hook",
      "Exception in tracer hook stepEnded for task 'victim': stepEnded hook",
    ]);
    expect(seen.every((c) => (c.task as Task<unknown>).getName() === "victim")).toBe(true);
    loop.close();
  });
});

describe("faults inside the drain itself", () => {
  test("a runnable whose _run throws is reported as an unexpected loop error and the drain goes on", async () => {
    const { loop, seen } = recordingLoop();
    const ticks: number[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(ticker(ticks));
      loop._pushReady({
        _run() {
          throw new Error("broken runnable");
        },
      });
      yield* t;
    });
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    expect(messages(seen)).toEqual(["Unexpected error in the event loop: broken runnable"]);
    loop.close();
  });

  test("many faults in one iteration: every one is reported once and every healthy task finishes", async () => {
    const { loop, seen } = recordingLoop();
    const done: number[] = [];
    await loop.runUntilComplete(function* () {
      const healthy: Task<number>[] = [];
      for (let i = 0; i < 20; i++) {
        loop.callSoon(() => {
          throw new Error(`cb ${i}`);
        });
        healthy.push(
          createTask(function* () {
            yield* sleep(i % 3);
            done.push(i);
            return i;
          }),
        );
        createTask(function* () {
          yield i as never;
        });
      }
      for (const h of healthy) yield* h;
    });
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    loop.close();
    const m = messages(seen);
    expect(m.filter((x) => x.startsWith("Exception in callback"))).toHaveLength(20);
    expect(m.filter((x) => x.startsWith("Task exception was never retrieved") && /bad yield/.test(x))).toHaveLength(20);
    expect(m).toHaveLength(40);
  });
});
