/**
 * Eager tasks, ported from CPython's Lib/test/test_asyncio/test_eager_task_factory.py
 * (EagerTaskFactoryLoopTests and the task-counting tests), plus the
 * `eager` option on createTask, TaskGroup.createTask and gather.
 */
import {
  allTasks,
  CancelledError,
  ContextVar,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  EventLoop,
  ExceptionGroup,
  gather,
  getRunningLoop,
  sleep,
  Task,
  taskGroup,
  type Coroutine,
  type CoroutineLike,
  type Future,
  type TaskOptions,
} from "../src/index.js";

/** Runs `main` on a virtual-clock loop whose task factory is eager (as the CPython tests' setUp). */
async function runEager<T>(main: () => Coroutine<T>, factory = eagerTaskFactory): Promise<T> {
  const loop = new EventLoop({ clock: "virtual" });
  loop.setTaskFactory(factory);
  try {
    return await loop.runUntilComplete(main);
  } finally {
    loop.close();
  }
}

describe("eager task factory (test_eager_task_factory.py)", () => {
  test("eager_task_factory_set: the factory is set and makes Tasks", async () => {
    await runEager(function* () {
      const loop = getRunningLoop();
      expect(loop.getTaskFactory()).toBe(eagerTaskFactory);
      const t = loop.createTask(function* () {});
      expect(t).toBeInstanceOf(Task);
      yield* t;
    });
  });

  test("await_future_during_eager_step: the eager step completes the task", async () => {
    const r = await runEager(function* () {
      const fut = getRunningLoop().createFuture<string>();
      const t = createTask(function* () {
        fut.setResult("my message");
      });
      expect(t.done()).toBe(true);
      return yield* fut;
    });
    expect(r).toBe("my message");
  });

  test("eager_completion: a coroutine that does not suspend is done when createTask returns", async () => {
    const r = await runEager(function* () {
      const t = createTask(function* () {
        return "hello";
      });
      expect(t.done()).toBe(true);
      expect(t.result()).toBe("hello");
      return yield* t;
    });
    expect(r).toBe("hello");
  });

  test("block_after_eager_step: a coroutine that suspends becomes a scheduled task", async () => {
    const r = await runEager(function* () {
      const t = createTask(function* () {
        yield* sleep(100);
        return "finished after blocking";
      });
      expect(t.done()).toBe(false);
      const result = yield* t;
      expect(t.done()).toBe(true);
      return result;
    });
    expect(r).toBe("finished after blocking");
  });

  test("cancellation_after_eager_completion: a finished task cannot be cancelled", async () => {
    const r = await runEager(function* () {
      const t = createTask(function* () {
        return "finished without blocking";
      });
      expect(t.cancel()).toBe(false);
      const result = yield* t;
      expect(t.cancelled()).toBe(false);
      return result;
    });
    expect(r).toBe("finished without blocking");
  });

  test("cancellation_after_eager_step_blocks: cancelled at its first suspension, with the message", async () => {
    let caught: unknown;
    await runEager(function* () {
      const t = createTask(function* () {
        yield* sleep(100);
        return "finished after blocking";
      });
      t.cancel("cancellation message");
      expect(t.cancelling()).toBeGreaterThan(0);
      try {
        yield* t;
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(CancelledError);
    expect((caught as Error).message).toBe("cancellation message");
  });

  test("current_task: the new task is current during its eager step, and the creator again after", async () => {
    await runEager(function* () {
      const main = currentTask();
      let captured: unknown = null;
      const t = createTask(function* () {
        captured = currentTask();
        yield* sleep(100);
        expect(currentTask()).toBe(captured);
      });
      expect(captured).toBe(t);
      expect(currentTask()).toBe(main);
      yield* t;
    });
  });

  test("all_tasks_with_eager_completion: registered during the step, gone once done", async () => {
    await runEager(function* () {
      let captured: Set<Task<unknown>> | null = null;
      const t = createTask(function* () {
        captured = allTasks();
      });
      expect(captured!.has(t)).toBe(true);
      expect(allTasks().has(t)).toBe(false);
    });
  });

  test("all_tasks_with_blocking: a suspended eager task stays in allTasks() until done", async () => {
    await runEager(function* () {
      const loop = getRunningLoop();
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      let captured: Set<Task<unknown>> | null = null;
      const t = createTask(function* () {
        captured = allTasks();
        yield* fut1;
        fut2.setResult();
      });
      expect(captured!.has(t)).toBe(true);
      expect(allTasks().has(t)).toBe(true);
      fut1.setResult();
      yield* fut2;
      expect(allTasks().has(t)).toBe(false);
    });
  });

  test("context_vars: the eager step runs in a copy of the creator's context", async () => {
    const cv = new ContextVar<number>("cv", { default: 0 });
    let firstStepRan = false;
    let secondStepRan = false;
    await runEager(function* () {
      cv.set(1);
      const t = createTask(function* () {
        expect(cv.get()).toBe(1);
        cv.set(2);
        expect(cv.get()).toBe(2);
        firstStepRan = true;
        yield* sleep(100);
        expect(cv.get()).toBe(2);
        cv.set(3);
        expect(cv.get()).toBe(3);
        secondStepRan = true;
      });
      expect(firstStepRan).toBe(true);
      expect(secondStepRan).toBe(false);
      expect(cv.get()).toBe(1);
      yield* t;
      expect(secondStepRan).toBe(true);
      expect(cv.get()).toBe(1);
    });
  });

  test("an exception in the eager step is stored in the task, not thrown from createTask", async () => {
    const boom = new Error("boom");
    await runEager(function* () {
      const t = createTask(function* () {
        throw boom;
      });
      expect(t.done()).toBe(true);
      expect(t.exception()).toBe(boom);
    });
  });

  test("a task that cancels itself in its eager step is cancelled at its first suspension (asyncio's _must_cancel)", async () => {
    const order: string[] = [];
    await runEager(function* () {
      const t = createTask(function* () {
        currentTask()!.cancel("self");
        order.push("after cancel");
        try {
          yield* sleep(100);
          order.push("slept");
        } catch (e) {
          order.push(`caught ${(e as Error).message}`);
          throw e;
        }
      });
      expect(t.done()).toBe(false);
      expect(order).toEqual(["after cancel"]);
      yield* sleep(0);
      yield* sleep(0);
      expect(t.cancelled()).toBe(true);
      expect(order).toEqual(["after cancel", "caught self"]);
    });
  });

  test("a bare yield (sleep(0)) in the eager step schedules the task like any other", async () => {
    const order: string[] = [];
    await runEager(function* () {
      const t = createTask(function* () {
        order.push("eager");
        yield* sleep(0);
        order.push("resumed");
      });
      order.push("created");
      yield* t;
    });
    expect(order).toEqual(["eager", "created", "resumed"]);
  });

  test("not running: an eager task made before the loop runs is scheduled as usual", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const order: string[] = [];
    const t = loop.createTask(
      function* () {
        order.push("step");
      },
      { eager: true },
    );
    order.push("created");
    expect(t.done()).toBe(false);
    await loop.runUntilComplete(t);
    loop.close();
    expect(order).toEqual(["created", "step"]);
  });

  test("createEagerTaskFactory(TaskClass) makes eager tasks of a subclass", async () => {
    class MyTask<T> extends Task<T> {}
    await runEager(
      function* () {
        const t = createTask(function* () {
          return 1;
        });
        expect(t).toBeInstanceOf(MyTask);
        expect(t.done()).toBe(true);
      },
      createEagerTaskFactory(MyTask),
    );
    expect(() => createEagerTaskFactory(1 as never)).toThrow(TypeError);
  });
});

describe("task counting (test_eager_task_factory.py's BaseTaskCountingTests)", () => {
  /** Counts the tasks that had to be scheduled: not done when their constructor returned. */
  function counting(eager: boolean) {
    const counter = { scheduled: 0 };
    class CountingTask<T> extends Task<T> {
      constructor(coro: CoroutineLike<T>, options: TaskOptions) {
        super(coro, options);
        if (!this.done()) counter.scheduled++;
      }
    }
    const factory = eager
      ? createEagerTaskFactory(CountingTask)
      : <T>(loop: EventLoop, coro: CoroutineLike<T>, options: TaskOptions) => new CountingTask(coro, { ...options, loop }) as Task<T>;
    return { counter, factory };
  }

  function* awaitableChain(depth: number): Coroutine<number> {
    if (depth === 0) return 0;
    return 1 + (yield* awaitableChain(depth - 1));
  }

  function* recursiveTaskGroups(width: number, depth: number): Coroutine<void> {
    if (depth === 0) return;
    yield* taskGroup(function* (tg) {
      for (let i = 0; i < width; i++) tg.createTask(recursiveTaskGroups(width, depth - 1));
    });
  }

  function* recursiveGather(width: number, depth: number): Coroutine<void> {
    if (depth === 0) return;
    yield* gather(...Array.from({ length: width }, () => recursiveGather(width, depth - 1)));
  }

  async function count(eager: boolean, main: () => Coroutine<unknown>): Promise<number> {
    const { counter, factory } = counting(eager);
    const loop = new EventLoop({ clock: "virtual" });
    loop.setTaskFactory(factory);
    // As CPython's run_until_complete: the main task goes through the factory too.
    await loop.runUntilComplete(loop.createTask(main));
    loop.close();
    return counter.scheduled;
  }

  test.each([
    [false, 1],
    [true, 1],
  ])("awaitables_chain (eager %s): one task, the main one", async (eager, expected) => {
    expect(await count(eager, () => awaitableChain(100))).toBe(expected);
  });

  test.each([
    [false, 781],
    [true, 1],
  ])("recursive_taskgroups (eager %s): %i scheduled tasks", async (eager, expected) => {
    // 781 = 1 + 5 + 5^2 + 5^3 + 5^4. Eager: none but main (made before the loop runs).
    expect(await count(eager, () => recursiveTaskGroups(5, 4))).toBe(expected);
  });

  test.each([
    [false, 781],
    [true, 1],
  ])("recursive_gather (eager %s): %i scheduled tasks", async (eager, expected) => {
    expect(await count(eager, () => recursiveGather(5, 4))).toBe(expected);
  });
});

describe("the eager option", () => {
  test("createTask(coro, { eager: true }) without a factory; bad values are refused", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        return 7;
      }, { eager: true });
      expect(t.result()).toBe(7);
      const lazy = createTask(function* () {
        return 8;
      });
      expect(lazy.done()).toBe(false);
      yield* lazy;
      expect(() => createTask(function* () {}, { eager: "yes" as never })).toThrow(
        new TypeError(`createTask(coro, options): 'eager' must be a boolean, got "yes"`),
      );
    });
    loop.close();
  });

  test("TaskGroup.createTask(coro, { eager: true }): a failure in the eager step aborts the group at once", async () => {
    const order: string[] = [];
    const loop = new EventLoop({ clock: "virtual" });
    let caught: unknown;
    await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          const slow = tg.createTask(function* () {
            try {
              yield* sleep(1000);
            } catch (e) {
              order.push("slow cancelled");
              throw e;
            }
          }, { eager: true });
          const done = tg.createTask(function* () {
            return "cached";
          }, { eager: true });
          expect(done.result()).toBe("cached");
          tg.createTask(function* () {
            throw new Error("eager failure");
          }, { eager: true });
          order.push(`slow cancelling ${slow.cancelling()}`);
        });
      } catch (e) {
        caught = e;
      }
    });
    loop.close();
    expect(order).toEqual(["slow cancelling 1", "slow cancelled"]);
    expect(caught).toBeInstanceOf(ExceptionGroup);
    expect((caught as ExceptionGroup).errors.map((e) => (e as Error).message)).toEqual(["eager failure"]);
  });

  test("gather(..., { eager: true }): children run their first step inside gather; all done -> gather done at once", async () => {
    const order: string[] = [];
    const loop = new EventLoop({ clock: "virtual" });
    await loop.runUntilComplete(function* () {
      const child = (name: string, suspend: boolean) =>
        (function* () {
          order.push(`${name} first step`);
          if (suspend) yield* sleep(10);
          return name;
        })();
      const g = gather(child("a", false), child("b", false), { eager: true });
      order.push("gather returned");
      expect(g.done()).toBe(true);
      expect(yield* g).toEqual(["a", "b"]);
      const g2: Future<[string, string]> = gather(child("c", true), child("d", false), { eager: true });
      expect(g2.done()).toBe(false);
      expect(yield* g2).toEqual(["c", "d"]);
      expect(() => gather(child("x", false), { eager: 1 as never })).toThrow(TypeError);
    });
    loop.close();
    expect(order).toEqual(["a first step", "b first step", "gather returned", "c first step", "d first step"]);
  });
});
