/**
 * TaskGroup / taskGroup(): ports of CPython's Lib/test/test_asyncio/test_taskgroups.py
 * (test_taskgroup_15/16 pin gh-95704). The other regressions and
 * TaskGroup.cancel() are in taskgroups-regressions.spec.ts.
 *
 * Under the virtual clock, timers due at the same time fire in the order they
 * were set. Where a CPython test relies on real time passing between two
 * equal delays, the later one is made 1 ms longer (noted where done).
 */
import {
  CancelledError,
  createTask,
  currentTask,
  ExceptionGroup,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  Task,
  TaskGroup,
  taskGroup,
  type Awaitable,
  type Coroutine,
} from "../src/index.js";

import { caught, crashAfter, errorTypes, MyExc, V, ValueError, ZeroDivisionError } from "./taskgroup-helpers.js";

describe("TaskGroup (test_taskgroups.py)", () => {
  test("test_taskgroup_01: the group waits for its tasks", async () => {
    await run(function* () {
      let t1: Task<number> | null = null;
      let t2: Task<number> | null = null;
      yield* taskGroup(function* (g) {
        t1 = g.createTask(sleep(100, 42));
        t2 = g.createTask(sleep(200, 11));
      });
      expect(t1!.result()).toBe(42);
      expect(t2!.result()).toBe(11);
      expect(getRunningLoop().time()).toBe(200);
    }, V);
  });

  test("test_taskgroup_02: tasks may be created after the body slept", async () => {
    await run(function* () {
      let t2: Task<number> | null = null;
      const g = new TaskGroup();
      const t1 = yield* g.run(function* () {
        const t = g.createTask(sleep(100, 42));
        yield* sleep(150);
        t2 = g.createTask(sleep(200, 11));
        return t;
      });
      expect(t1!.result()).toBe(42);
      expect(t2!.result()).toBe(11);
    }, V);
  });

  test("test_taskgroup_03: a child cancelled explicitly is not an error", async () => {
    await run(function* () {
      let t1: Task<number> | null = null;
      let t2: Task<number> | null = null;
      yield* taskGroup(function* (g) {
        t1 = g.createTask(sleep(1000, 42));
        yield* sleep(150);
        t1.cancel();
        t2 = g.createTask(sleep(200, 11));
      });
      expect(t1!.cancelled()).toBe(true);
      expect(t2!.result()).toBe(11);
    }, V);
  });

  test("test_taskgroup_04: a failing child cancels its sibling; the group throws an ExceptionGroup", async () => {
    await run(function* () {
      let NUM = 0;
      let t2Cancel = false;
      let t2: Task<void> | null = null;
      function* foo2(): Coroutine<void> {
        try {
          yield* sleep(1000);
        } catch (e) {
          if (e instanceof CancelledError) t2Cancel = true;
          throw e;
        }
        NUM += 1;
      }
      function* runner(): Coroutine<void> {
        yield* taskGroup(function* (g) {
          g.createTask(crashAfter(100));
          t2 = g.createTask(foo2());
        });
        NUM += 10;
      }
      const e = yield* caught(() => createTask(runner()));
      expect(errorTypes(e)).toEqual(new Set(["ZeroDivisionError"]));
      expect(NUM).toBe(0);
      expect(t2Cancel).toBe(true);
      expect(t2!.cancelled()).toBe(true);
    }, V);
  });

  test("test_cancel_children_on_child_error: the rest of the children and the body are cancelled", async () => {
    await run(function* () {
      let NUM = 0;
      let t2Cancel = false;
      let runnerCancel = false;
      function* foo2(): Coroutine<void> {
        try {
          yield* sleep(5000);
        } catch (e) {
          if (e instanceof CancelledError) t2Cancel = true;
          throw e;
        }
        NUM += 1;
      }
      function* runner(): Coroutine<void> {
        yield* taskGroup(function* (g) {
          g.createTask(crashAfter(100));
          g.createTask(crashAfter(100));
          g.createTask(crashAfter(100));
          g.createTask(foo2());
          try {
            yield* sleep(10_000);
          } catch (e) {
            if (e instanceof CancelledError) runnerCancel = true;
            throw e;
          }
        });
        NUM += 10;
      }
      const e = yield* caught(() => createTask(runner()));
      expect(errorTypes(e)).toEqual(new Set(["ZeroDivisionError"]));
      // With the virtual clock all three crash in the same iteration: every failure is kept.
      expect((e as ExceptionGroup).errors.length).toBe(3);
      expect(NUM).toBe(0);
      expect(t2Cancel).toBe(true);
      expect(runnerCancel).toBe(true);
    }, V);
  });

  test("test_cancellation: cancelling the parent cancels every child; the message is kept", async () => {
    await run(function* () {
      let NUM = 0;
      function* foo(): Coroutine<void> {
        try {
          yield* sleep(5000);
        } catch (e) {
          if (e instanceof CancelledError) NUM += 1;
          throw e;
        }
      }
      const r = createTask(
        taskGroup(function* (g) {
          for (let i = 0; i < 5; i++) g.createTask(foo());
        }),
      );
      yield* sleep(100);
      expect(r.done()).toBe(false);
      r.cancel("test");
      const e = yield* caught(() => r);
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as Error).message).toBe("test");
      expect(NUM).toBe(5);
    }, V);
  });

  test("test_taskgroup_07: the body and the children see the cancellation", async () => {
    await run(function* () {
      let NUM = 0;
      function* foo(): Coroutine<void> {
        try {
          yield* sleep(5000);
        } catch (e) {
          NUM += 1;
          throw e;
        }
      }
      const r = createTask(
        taskGroup(function* (g) {
          for (let i = 0; i < 5; i++) g.createTask(foo());
          try {
            yield* sleep(10_000);
          } catch (e) {
            NUM += 10;
            throw e;
          }
        }),
      );
      yield* sleep(100);
      r.cancel();
      expect(yield* caught(() => r)).toBeInstanceOf(CancelledError);
      expect(NUM).toBe(15);
    }, V);
  });

  test("test_cancellation_in_body (children crash 1 ms after the cancel)", async () => {
    await run(function* () {
      const r = createTask(
        taskGroup(function* (g) {
          for (let i = 0; i < 5; i++) g.createTask(crashAfter(101));
          yield* sleep(10_000);
        }),
      );
      yield* sleep(100);
      expect(r.done()).toBe(false);
      r.cancel("test");
      const e = yield* caught(() => r);
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as Error).message).toBe("test");
    }, V);
  });

  test.each([
    ["test_taskgroup_09: the body fails after a sleep", true],
    ["test_taskgroup_10: the body fails at once", false],
  ])("%s: children are cancelled", async (_n, sleepFirst) => {
    await run(function* () {
      let t1: Task<number> | null = null;
      let t2: Task<number> | null = null;
      const e = yield* caught(() =>
        taskGroup(function* (g) {
          t1 = g.createTask(sleep(1000, 42));
          t2 = g.createTask(sleep(2000, 11));
          if (sleepFirst) yield* sleep(100);
          throw new ZeroDivisionError();
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["ZeroDivisionError"]));
      expect(t1!.cancelled()).toBe(true);
      expect(t2!.cancelled()).toBe(true);
    }, V);
  });

  test.each([
    ["test_taskgroup_11: nested groups", false],
    ["test_taskgroup_12: nested groups, the outer one with a task", true],
  ])("%s: a cancel from outside propagates as CancelledError", async (_n, outerTask) => {
    await run(function* () {
      const r = createTask(
        taskGroup(function* (g1) {
          if (outerTask) g1.createTask(sleep(10_000));
          yield* taskGroup(function* (g2) {
            for (let i = 0; i < 5; i++) g2.createTask(crashAfter(101));
            yield* sleep(10_000);
          });
        }),
      );
      yield* sleep(100);
      expect(r.done()).toBe(false);
      r.cancel();
      expect(yield* caught(() => r)).toBeInstanceOf(CancelledError);
    }, V);
  });

  test("test_taskgroup_13: the outer group's failure cancels the inner group", async () => {
    await run(function* () {
      const e = yield* caught(() =>
        taskGroup(function* (g1) {
          g1.createTask(crashAfter(100, ValueError));
          yield* taskGroup(function* (g2) {
            g2.createTask(crashAfter(10_000, ValueError));
          });
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["ValueError"]));
    }, V);
  });

  test("test_taskgroup_14: the inner group's ExceptionGroup nests in the outer one", async () => {
    await run(function* () {
      const e = yield* caught(() =>
        taskGroup(function* (g1) {
          g1.createTask(crashAfter(10_000, ValueError));
          yield* taskGroup(function* (g2) {
            g2.createTask(crashAfter(100, ValueError));
          });
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["ExceptionGroup"]));
      expect(errorTypes((e as ExceptionGroup).errors[0])).toEqual(new Set(["ValueError"]));
    }, V);
  });

  test("test_taskgroup_15 (gh-95704): a child error during the cancelled body's cleanup beats the cancellation", async () => {
    await run(function* () {
      const r = createTask(
        taskGroup(function* (g1) {
          g1.createTask(crashAfter(300));
          try {
            yield* sleep(10_000);
          } catch (e) {
            yield* sleep(500);
            throw e;
          }
        }),
      );
      yield* sleep(100);
      expect(r.done()).toBe(false);
      r.cancel();
      const e = yield* caught(() => r);
      expect(errorTypes(e)).toEqual(new Set(["ZeroDivisionError"]));
    }, V);
  });

  test("test_taskgroup_16 (gh-95704): the same with the group in a nested task", async () => {
    await run(function* () {
      function* nestedRunner(): Coroutine<void> {
        yield* taskGroup(function* (g1) {
          g1.createTask(crashAfter(300));
          try {
            yield* sleep(10_000);
          } catch (e) {
            yield* sleep(500);
            throw e;
          }
        });
      }
      const r = createTask(function* () {
        yield* createTask(nestedRunner());
      });
      yield* sleep(100);
      r.cancel();
      const e = yield* caught(() => r);
      expect(errorTypes(e)).toEqual(new Set(["ZeroDivisionError"]));
    }, V);
  });

  test("test_taskgroup_17: a group with no task, cancelled from outside", async () => {
    await run(function* () {
      let NUM = 0;
      const r = createTask(
        taskGroup(function* () {
          try {
            yield* sleep(10_000);
          } catch (e) {
            NUM += 10;
            throw e;
          }
        }),
      );
      yield* sleep(100);
      r.cancel();
      expect(yield* caught(() => r)).toBeInstanceOf(CancelledError);
      expect(NUM).toBe(10);
    }, V);
  });

  test("test_taskgroup_18: a body that turns the cancel into an error gives an ExceptionGroup", async () => {
    await run(function* () {
      let NUM = 0;
      const r = createTask(
        taskGroup(function* () {
          try {
            yield* sleep(10_000);
          } catch {
            NUM += 10;
            throw new MyExc();
          }
        }),
      );
      yield* sleep(100);
      r.cancel();
      const e = yield* caught(() => r);
      expect(errorTypes(e)).toEqual(new Set(["MyExc"]));
      expect(NUM).toBe(10);
    }, V);
  });

  test("test_taskgroup_19: the body's error and the child's are both kept", async () => {
    await run(function* () {
      function* nested(): Coroutine<void> {
        try {
          yield* sleep(10_000);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new MyExc();
        }
      }
      const e = yield* caught(() =>
        createTask(
          taskGroup(function* (g) {
            g.createTask(crashAfter(100));
            yield* nested();
          }),
        ),
      );
      expect(errorTypes(e)).toEqual(new Set(["MyExc", "ZeroDivisionError"]));
    }, V);
  });

  test("test_taskgroup_22: cancelled while only waiting for its children", async () => {
    await run(function* () {
      const r = createTask(
        taskGroup(function* (g) {
          g.createTask(sleep(1000, 42));
          g.createTask(sleep(2000, 11));
        }),
      );
      yield* sleep(50);
      r.cancel();
      expect(yield* caught(() => r)).toBeInstanceOf(CancelledError);
    }, V);
  });

  test("test_taskgroup_23: finished tasks leave the group", async () => {
    await run(function* () {
      yield* taskGroup(function* (g) {
        for (let count = 0; count < 10; count++) {
          yield* sleep(100);
          g.createTask(sleep(300));
          if (count === 5) expect(g._tasks.size).toBeLessThan(5);
        }
        yield* sleep(1350);
        expect(g._tasks.size).toBe(0);
      });
    }, V);
  });

  test("test_taskgroup_24: a child may add tasks while the body is already waiting", async () => {
    await run(function* () {
      const done: number[] = [];
      function* coro1(ms: number): Coroutine<void> {
        yield* sleep(ms);
        done.push(ms);
      }
      yield* taskGroup(function* (g) {
        g.createTask(function* () {
          yield* sleep(100);
          g.createTask(coro1(100));
          g.createTask(coro1(200));
        });
      });
      expect(done).toEqual([100, 200]);
      expect(getRunningLoop().time()).toBe(300);
    }, V);
  });

  test("test_taskgroup_25: hydra and hercules", async () => {
    await run(function* () {
      let nhydras = 0;
      function* hydra(g: TaskGroup): Coroutine<void> {
        nhydras += 1;
        yield* sleep(10);
        g.createTask(hydra(g));
        g.createTask(hydra(g));
      }
      function* hercules(): Coroutine<void> {
        while (nhydras < 10) yield* sleep(15);
        throw new ZeroDivisionError();
      }
      const e = yield* caught(() =>
        taskGroup(function* (g) {
          g.createTask(hydra(g));
          g.createTask(hercules());
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["ZeroDivisionError"]));
      expect(nhydras).toBeGreaterThanOrEqual(10);
    }, V);
  });

  test("test_taskgroup_task_name", async () => {
    await run(function* () {
      yield* taskGroup(function* (g) {
        const t = g.createTask(sleep(0), { name: "yolo" });
        expect(t.getName()).toBe("yolo");
      });
    }, V);
  });

  test("test_taskgroup_without_parent_task: a group outside a task throws RuntimeError", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<unknown>();
      loop.callSoon(() => {
        try {
          taskGroup(function* () {}).next();
          fut.setResult("no error");
        } catch (e) {
          fut.setResult(e);
        }
      });
      const e = yield* fut;
      expect(e).toBeInstanceOf(RuntimeError);
      expect((e as Error).message).toMatch(/cannot determine the parent task/);
    }, V);
  });

  test("test_coro_closed_when_tg_closed: createTask on a finished group throws and never runs the coroutine", async () => {
    await run(function* () {
      let ran = false;
      function* coro(): Coroutine<void> {
        ran = true;
      }
      const tg = new TaskGroup();
      expect(() => tg.createTask(coro())).toThrow(/has not been entered/);
      yield* tg.run(function* () {
        yield* sleep(0);
      });
      const c = coro();
      expect(() => tg.createTask(c)).toThrow(/is finished/);
      expect(String(tg)).toBe("<TaskGroup finished>"); // not "entered" (issue 17)
      expect(c.next().done).toBe(true); // closed
      expect(ran).toBe(false);
      expect(() => tg.run(function* () {}).next()).toThrow(/has already been entered/);
    }, V);
  });

  test("test_cancelling_level_preserved: after a child's failure, cancelling() is back to 0", async () => {
    await run(function* () {
      const e = yield* caught(() =>
        taskGroup(function* (tg) {
          tg.createTask(crashAfter(0, RuntimeError as never));
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["RuntimeError"]));
      expect(currentTask()!.cancelling()).toBe(0);
    }, V);
  });
});
