import { from, firstValueFrom, interval, take, NEVER } from "rxjs";
import {
  allTasks,
  CancelledError,
  createTask,
  currentTask,
  ensureFuture,
  EventLoop,
  getRunningLoop,
  RuntimeError,
  run,
  sleep,
  Task,
  type Coroutine,
  type ExceptionContext,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

describe("Task lifecycle", () => {
  test("a new task starts on the next iteration, not inside createTask", async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(function* () {
        log.push("child runs");
        return 1;
      });
      log.push("created");
      expect(t.done()).toBe(false);
      const r = yield* t;
      log.push(`child returned ${r}`);
    }, V);
    expect(log).toEqual(["created", "child runs", "child returned 1"]);
  });

  test("names default to Task-<n>; setName, getCoro, toString", async () => {
    await run(function* () {
      const coro = sleep(1);
      const a = createTask(coro);
      const b = createTask(sleep(1), { name: "worker" });
      expect(a.getName()).toMatch(/^Task-\d+$/);
      expect(b.getName()).toBe("worker");
      b.setName("renamed");
      expect(b.getName()).toBe("renamed");
      expect(a.getCoro()).toBe(coro);
      expect(String(b)).toBe("<Task pending name='renamed'>");
      yield* a;
      yield* b;
      expect(String(b)).toBe("<Task finished name='renamed'>");
    }, V);
  });

  test("setResult / setException on a task throw RuntimeError", async () => {
    await run(function* () {
      const t = createTask(sleep(1));
      expect(() => t.setResult(undefined)).toThrow(RuntimeError);
      expect(() => t.setException(new Error())).toThrow(RuntimeError);
      yield* t;
    }, V);
  });

  test("a coroutine's exception fails its task; yield* the task rethrows it", async () => {
    const r = await run(function* () {
      const t = createTask(function* (): Coroutine<number> {
        yield* sleep(5);
        throw new RangeError("bad");
      });
      try {
        yield* t;
        return "no";
      } catch (e) {
        return `${(e as Error).name}:${(e as Error).message}:${t.exception() === e}`;
      }
    }, V);
    expect(r).toBe("RangeError:bad:true");
  });

  test("currentTask() is the running task, null in a plain callback; allTasks() lists pending tasks", async () => {
    await run(function* () {
      const me = currentTask();
      expect(me).toBeInstanceOf(Task);
      let inCallback: unknown = "unset";
      getRunningLoop().callSoon(() => (inCallback = currentTask()));
      const other = createTask(sleep(10), { name: "other" });
      yield* sleep(0);
      expect(inCallback).toBeNull();
      const names = [...allTasks()].map((t) => t.getName());
      expect(names).toContain("other");
      expect(names).toContain(me!.getName());
      other.cancel();
    }, V);
    expect(() => currentTask()).toThrow(RuntimeError);
  });
});

describe("Task cancellation", () => {
  test("CancelledError(msg) is thrown at the pending yield*; cleanup that yields runs to the end", async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(function* () {
        try {
          log.push("start");
          yield* sleep(10_000);
          log.push("never");
        } catch (e) {
          log.push(`caught ${(e as Error).name}(${(e as Error).message}) @${getRunningLoop().time()}`);
          yield* sleep(50);
          log.push(`cleanup done @${getRunningLoop().time()}`);
          throw e;
        } finally {
          log.push("finally");
        }
      });
      yield* sleep(100);
      expect(t.cancel("stop now")).toBe(true);
      expect(t.cancelling()).toBe(1);
      try {
        yield* t;
      } catch (e) {
        log.push(`awaiter saw ${e instanceof CancelledError} ${(e as Error).message}`);
      }
      expect(t.cancelled()).toBe(true);
      expect(t.cancel()).toBe(false);
    }, V);
    expect(log).toEqual([
      "start",
      "caught CancelledError(stop now) @100",
      "cleanup done @150",
      "finally",
      "awaiter saw true stop now",
    ]);
  });

  test("no resurrection: cancellation unwinds a yield* chain inner-first and never resumes past it", async () => {
    const log: string[] = [];
    function* inner(): Coroutine<void> {
      try {
        yield* sleep(1000);
      } finally {
        log.push("inner finally");
        yield* sleep(5); // cleanup may itself yield*
        log.push("inner cleanup done");
      }
    }
    function* outer(): Coroutine<void> {
      try {
        yield* inner();
        log.push("RESURRECTED");
      } finally {
        log.push("outer finally");
      }
    }
    await run(function* () {
      const t = createTask(outer());
      yield* sleep(10);
      t.cancel();
      yield* sleep(100);
      expect(t.cancelled()).toBe(true);
    }, V);
    expect(log).toEqual(["inner finally", "inner cleanup done", "outer finally"]);
  });

  test("a task that swallows its cancellation completes normally", async () => {
    const r = await run(function* () {
      const t = createTask(function* (): Coroutine<string> {
        try {
          yield* sleep(1000);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        }
        return "survived";
      });
      yield* sleep(1);
      t.cancel();
      const v = yield* t;
      return `${v} cancelled=${t.cancelled()} cancelling=${t.cancelling()}`;
    }, V);
    expect(r).toBe("survived cancelled=false cancelling=1");
  });

  test("cancel before the first step: the body never runs", async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(function* () {
        log.push("body");
      });
      t.cancel("early");
      try {
        yield* t;
      } catch (e) {
        log.push(`cancelled: ${(e as Error).message}`);
      }
    }, V);
    expect(log).toEqual(["cancelled: early"]);
  });

  test("cancelling a task that awaits another task cancels the inner one too", async () => {
    const log: string[] = [];
    await run(function* () {
      const inner = createTask(function* () {
        try {
          yield* sleep(1000);
        } finally {
          log.push("inner finally");
        }
      });
      const outer = createTask(function* () {
        try {
          yield* inner;
        } finally {
          log.push("outer finally");
        }
      });
      yield* sleep(1);
      outer.cancel();
      yield* sleep(1);
      expect(inner.cancelled()).toBe(true);
      expect(outer.cancelled()).toBe(true);
    }, V);
    expect(log).toEqual(["inner finally", "outer finally"]);
  });

  test("cancelling() counts requests and uncancel() withdraws them", async () => {
    await run(function* () {
      const t = createTask(function* () {
        for (;;) {
          try {
            yield* sleep(10);
          } catch {
            /* keep going */
          }
          if (currentTask()!.cancelling() > 0 && currentTask()!.uncancel() === 0) return "uncancelled";
        }
      });
      yield* sleep(1);
      t.cancel();
      t.cancel();
      expect(t.cancelling()).toBe(2);
      expect(t.uncancel()).toBe(1);
      expect(yield* t).toBe("uncancelled");
    }, V);
  });

  test("a task cancelling itself gets CancelledError at its next suspension", async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(function* () {
        currentTask()!.cancel("self");
        log.push("still running this step");
        try {
          yield* sleep(1);
        } catch (e) {
          log.push(`got ${(e as Error).message}`);
          throw e;
        }
      });
      yield* sleep(5);
      expect(t.cancelled()).toBe(true);
    }, V);
    expect(log).toEqual(["still running this step", "got self"]);
  });
});

describe("Bad yields", () => {
  test("yielding a non-awaitable throws RuntimeError into the coroutine", async () => {
    const r = await run(function* (): Coroutine<string> {
      try {
        yield 5 as never;
        return "no";
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    }, V);
    expect(r).toMatch(/RuntimeError: Task .* got bad yield: 5/);
  });

  test("yield instead of yield* is caught with a hint", async () => {
    const r = await run(function* (): Coroutine<string> {
      try {
        yield sleep(1) as never;
        return "no";
      } catch (e) {
        return (e as Error).message;
      }
    }, V);
    expect(r).toMatch(/did you mean yield\*\?/);
    const r2 = await run(function* (): Coroutine<string> {
      const f = getRunningLoop().createFuture<number>();
      try {
        yield f;
        return "no";
      } catch (e) {
        return (e as Error).message;
      }
    }, V);
    expect(r2).toMatch(/'yield' was used instead of 'yield\*'/);
  });
});

describe("Interop", () => {
  test("createTask(async (signal) => ...): cancelling the task aborts the signal", async () => {
    let aborted: unknown = null;
    await run(function* () {
      const t = createTask(async (signal: AbortSignal) => {
        signal.addEventListener("abort", () => (aborted = signal.reason));
        await new Promise((r) => setTimeout(r, 50));
        return "never";
      });
      yield* sleep(0);
      yield* sleep(0);
      t.cancel("enough");
      try {
        yield* t;
      } catch (e) {
        expect(e).toBeInstanceOf(CancelledError);
      }
    });
    expect(aborted).toBeInstanceOf(CancelledError);
    expect((aborted as Error).message).toBe("enough");
  });

  test("an async-function task: a function returning a coroutine runs it in the task; a sync throw and a bad return fail it", async () => {
    const out = await run(function* () {
      const log: string[] = [];
      const viaCoro = createTask(() =>
        (function* (): Coroutine<string> {
          log.push(`in task ${currentTask() !== null}`);
          yield* sleep(1);
          return "coro result";
        })(),
      );
      const throws = createTask(() => {
        throw new Error("sync throw");
      });
      const bad = createTask((() => 42) as never);
      const results: unknown[] = [yield* viaCoro];
      for (const t of [throws, bad]) {
        try {
          yield* t;
        } catch (e) {
          results.push(String(e));
        }
      }
      return { log, results };
    }, V);
    expect(out.log).toEqual(["in task true"]);
    expect(out.results).toEqual([
      "coro result",
      "Error: sync throw",
      "TypeError: createTask(coro): the function must return a coroutine or a promise, got 42",
    ]);
  });

  test("an async-function task's coroutine given to a second task fails that task (as CPython's first send); currentTask() holds across awaits", async () => {
    const out = await run(function* () {
      const seen: boolean[] = [];
      const t = createTask(async () => {
        seen.push(currentTask() === t);
        await Promise.resolve();
        seen.push(currentTask() === t);
        return 5;
      });
      yield* sleep(0);
      let refused = "";
      try {
        yield* createTask(t.getCoro());
      } catch (e) {
        refused = String(e);
      }
      return { r: yield* t, seen, refused };
    });
    expect(out.r).toBe(5);
    expect(out.seen).toEqual([true, true]);
    expect(out.refused).toMatch(/^RuntimeError: cannot reuse already awaited coroutine/);
  });

  test("async functions and promises are awaited; their rejection reaches the task", async () => {
    const r = await run(function* (): Coroutine<string> {
      const a = yield* createTask(async () => "from async");
      const b = yield* ensureFuture(Promise.resolve(2));
      try {
        yield* ensureFuture(Promise.reject(new Error("rejected")));
      } catch (e) {
        return `${a} ${b} ${(e as Error).message}`;
      }
      return "no";
    }, V);
    expect(r).toBe("from async 2 rejected");
  });

  test("ensureFuture(observable) gives its last value; cancelling unsubscribes", async () => {
    let unsubscribed = false;
    const r = await run(function* (): Coroutine<number> {
      const last = yield* ensureFuture(interval(1, getRunningLoop()).pipe(take(3)));
      const never = ensureFuture(
        new (NEVER.constructor as typeof import("rxjs").Observable)<number>(() => () => (unsubscribed = true)),
      );
      yield* sleep(1);
      never.cancel();
      return last;
    }, V);
    expect(r).toBe(2);
    expect(unsubscribed).toBe(true);
  });

  test("ensureFuture rejects non-awaitables, naming what it got", async () => {
    await run(function* () {
      expect(() => ensureFuture(42 as never)).toThrow(/'x' must be .* got 42/);
      expect(() => ensureFuture(function* () {} as never)).toThrow(/pass fn\(\), not fn/);
    }, V);
  });

  test("await task in async code; from(task) in RxJS", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const t = loop.createTask(function* () {
      yield* sleep(10);
      return "T";
    });
    const viaRx = firstValueFrom(from(t));
    const viaAwait = (async () => await t)();
    await loop.runUntilComplete(t);
    expect(await viaAwait).toBe("T");
    expect(await viaRx).toBe("T");
    loop.close();
  });
});

describe("run()", () => {
  test("cancels leftover tasks and waits for their cleanup before resolving", async () => {
    const log: string[] = [];
    const r = await run(function* () {
      createTask(function* () {
        try {
          yield* sleep(1e9);
        } finally {
          yield* sleep(10);
          log.push("leftover cleaned up");
        }
      });
      yield* sleep(1);
      return "main done";
    }, V);
    expect(r).toBe("main done");
    expect(log).toEqual(["leftover cleaned up"]);
  });

  test("rejects with main's exception; reports a leftover's failure during shutdown", async () => {
    const seen: string[] = [];
    await expect(
      run(function* (): Coroutine<void> {
        getRunningLoop().setExceptionHandler((_l, c) => seen.push(c.message));
        createTask(function* () {
          try {
            yield* sleep(1e9);
          } finally {
            throw new Error("cleanup failed");
          }
        });
        yield* sleep(1);
        throw new SyntaxError("main failed");
      }, V),
    ).rejects.toBeInstanceOf(SyntaxError);
    expect(seen).toEqual(["unhandled exception during run() shutdown"]);
  });

  test("an unretrieved task exception is reported by the end of run()", async () => {
    const seen: ExceptionContext[] = [];
    await run(function* () {
      getRunningLoop().setExceptionHandler((_l, c) => seen.push(c));
      createTask(function* (): Coroutine<void> {
        throw new Error("lost");
      }, { name: "loser" });
      yield* sleep(5);
    }, V);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).toBe("Task exception was never retrieved");
    expect((seen[0]!.task as Task).getName()).toBe("loser");
  });

  test("run() inside a running loop throws RuntimeError; getRunningLoop() outside throws", async () => {
    let err: unknown;
    await run(function* () {
      try {
        void run(function* () {});
      } catch (e) {
        err = e;
      }
    }, V);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(() => getRunningLoop()).toThrow(/no running event loop/);
    expect(() => run(7 as never)).toThrow(/'main'.*7/);
  });

  test("RX_ASYNCIO_CLOCK=virtual makes run() default to the virtual clock", async () => {
    const before = process.env.RX_ASYNCIO_CLOCK;
    process.env.RX_ASYNCIO_CLOCK = "virtual";
    try {
      const t = await run(function* () {
        yield* sleep(3_600_000);
        return getRunningLoop().time();
      });
      expect(t).toBe(3_600_000);
    } finally {
      if (before === undefined) delete process.env.RX_ASYNCIO_CLOCK;
      else process.env.RX_ASYNCIO_CLOCK = before;
    }
  });
});

describe("async-function tasks keep their loop across awaits", () => {
  test("getRunningLoop() and currentTask() work after an await inside createTask(async ...)", async () => {
    const seen: string[] = [];
    await run(function* () {
      const here = getRunningLoop();
      const t = createTask(async () => {
        await new Promise((r) => setTimeout(r, 1));
        seen.push(`loop ok: ${getRunningLoop() === here}`);
        seen.push(`task: ${currentTask()?.getName()}`);
        // Library calls that need the running loop work here too.
        const inner = createTask(function* () {
          yield* sleep(1);
          return "inner done";
        });
        seen.push(await inner);
      }, { name: "asyncer" });
      yield* t;
    });
    expect(seen).toEqual(["loop ok: true", "task: asyncer", "inner done"]);
    // Outside any task again:
    expect(() => getRunningLoop()).toThrow(RuntimeError);
  });

  test("new EventLoop() follows RX_ASYNCIO_CLOCK=virtual too", () => {
    const before = process.env.RX_ASYNCIO_CLOCK;
    process.env.RX_ASYNCIO_CLOCK = "virtual";
    try {
      const loop = new EventLoop();
      expect(loop.clock()).toBe("virtual");
      loop.close();
    } finally {
      if (before === undefined) delete process.env.RX_ASYNCIO_CLOCK;
      else process.env.RX_ASYNCIO_CLOCK = before;
    }
    const loop = new EventLoop();
    expect(loop.clock()).toBe("real");
    loop.close();
  });
});

describe("sleep() is a coroutine until it is awaited", () => {
  const V = { clock: "virtual" } as const;

  test("its timer starts when it is first awaited, not when sleep() is called (asyncio)", async () => {
    const t = await run(function* () {
      const later = sleep(100, "late");
      yield* sleep(50);
      const v = yield* later;
      return [getRunningLoop().time(), v];
    }, V);
    expect(t).toEqual([150, "late"]);
  });

  test("it is not a future before that: gather and ensureFuture wrap it in a task", async () => {
    const { gather, isFuture, isTask } = await import("../src/index.js");
    const r = await run(function* () {
      const s = sleep(10, "x");
      const unstarted = isFuture(s);
      const wrapped = ensureFuture(sleep(5, 1));
      const both = yield* gather(sleep(20, "a"), sleep(10, "b"));
      return { unstarted, wrappedIsTask: isTask(wrapped), wrapped: yield* wrapped, both, at: getRunningLoop().time() };
    }, V);
    expect(r).toEqual({ unstarted: false, wrappedIsTask: true, wrapped: 1, both: ["a", "b"], at: 20 });
  });

  test("a task cancelled while it sleeps gets CancelledError and leaves no live timer", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const out = await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        yield* sleep(1000);
        return "woke";
      });
      yield* sleep(1);
      t.cancel();
      try {
        yield* t;
        return "not cancelled";
      } catch (e) {
        return e instanceof CancelledError ? "cancelled" : String(e);
      }
    });
    expect(out).toBe("cancelled");
    expect(loop._timers.liveCount).toBe(0);
    loop.close();
  });

  test("`await sleep(ms)` in async code is an error with a hint, not a silent no-op", async () => {
    const r = await run(async () => {
      try {
        await (sleep(10) as unknown as Promise<void>);
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    }, V);
    expect(r).toMatch(/yield\* sleep\(ms\)/);
  });
});
