/**
 * TaskGroup regressions gh-95289, gh-116720, gh-128550/gh-155418 and gh-155433
 * (gh-95704 is pinned by test_taskgroup_15/16 in taskgroups.spec.ts), the
 * TaskGroup.cancel() tests of CPython's test_taskgroups.py (gh-108951), and
 * structure checks, including gather vs TaskGroup.
 */
import {
  CancelledError,
  createTask,
  currentTask,
  ExceptionGroup,
  gather,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  Task,
  TaskGroup,
  taskGroup,
  timeout,
  TimeoutError,
  type Awaitable,
  type Coroutine,
} from "../src/index.js";

import { caught, crashAfter, errorTypes, MyExc, V, ValueError, ZeroDivisionError } from "./taskgroup-helpers.js";

describe("TaskGroup regressions", () => {
  test("gh-95289: a body that replaces the group's CancelledError still gets its cancel withdrawn", async () => {
    await run(function* () {
      const e = yield* caught(() =>
        taskGroup(function* (tg) {
          tg.createTask(crashAfter(0, MyExc));
          try {
            yield* sleep(1000);
          } catch {
            throw new ValueError();
          }
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["MyExc", "ValueError"]));
      expect(currentTask()!.cancelling()).toBe(0);
      yield* sleep(10); // not cancelled afterwards
    }, V);
  });

  test("gh-116720 (test_nested_groups_both_cancelled): a nested group does not swallow the outer group's cancel", async () => {
    await run(function* () {
      const log: string[] = [];
      const outer = yield* caught(() =>
        taskGroup(function* (outerTg) {
          const inner = yield* caught(() =>
            taskGroup(function* (innerTg) {
              innerTg.createTask(crashAfter(0, RuntimeError as never));
              outerTg.createTask(crashAfter(0, ValueError));
            }),
          );
          log.push(`inner: ${[...errorTypes(inner)]}`);
          log.push(`cancelling after inner: ${currentTask()!.cancelling()}`);
        }),
      );
      log.push(`outer: ${[...errorTypes(outer)]}`);
      log.push(`cancelling after outer: ${currentTask()!.cancelling()}`);
      expect(log).toEqual([
        "inner: RuntimeError",
        "cancelling after inner: 1",
        "outer: ValueError",
        "cancelling after outer: 0",
      ]);
    }, V);
  });

  test("gh-116720 (test_error_and_cancel): an outside cancel stays pending after the group's errors", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const event = loop.createFuture<void>();
      const log: string[] = [];
      function* raiseError(): Coroutine<void> {
        event.setResult(undefined);
        yield* sleep(0);
        throw new RuntimeError();
      }
      function* inner(): Coroutine<void> {
        const e = yield* caught(() =>
          taskGroup(function* (tg) {
            tg.createTask(raiseError());
            yield* sleep(1000);
            log.push("not reached: sleep in group should have been cancelled");
          }),
        );
        log.push(`group: ${[...errorTypes(e)]}, cancelling=${currentTask()!.cancelling()}`);
        yield* sleep(1000);
        log.push("not reached: sleep after group should have been cancelled");
      }
      const t = createTask(inner());
      yield* event;
      expect(t.cancelling()).toBe(0);
      t.cancel();
      expect(t.cancelling()).toBe(1);
      expect(yield* caught(() => t)).toBeInstanceOf(CancelledError);
      expect(t.cancelled()).toBe(true);
      expect(log).toEqual(["group: RuntimeError, cancelling=1"]);
    }, V);
  });

  test("gh-128550 / gh-155418: a child failing in its first step cancels the siblings started with it", async () => {
    await run(function* () {
      const log: string[] = [];
      let refused = "";
      const e = yield* caught(() =>
        taskGroup(function* (tg) {
          tg.createTask(function* (): Coroutine<void> {
            log.push("bad starts");
            throw new ValueError("at once");
          });
          tg.createTask(function* () {
            log.push("sibling starts");
            try {
              yield* sleep(1000);
            } finally {
              log.push("sibling cleanup");
            }
          });
          try {
            yield* sleep(1000);
          } finally {
            try {
              tg.createTask(sleep(1));
            } catch (err) {
              refused = (err as Error).message;
            }
          }
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["ValueError"]));
      expect(log).toEqual(["bad starts", "sibling starts", "sibling cleanup"]);
      expect(refused).toMatch(/is shutting down/);
      expect(currentTask()!.cancelling()).toBe(0);
      expect(getRunningLoop().time()).toBe(0);
    }, V);
  });

  test("gh-155433: after tg.cancel(), an outer timeout's cancel is not swallowed", async () => {
    await run(function* () {
      function* worker(): Coroutine<void> {
        try {
          yield* sleep(3_600_000);
        } finally {
          yield* sleep(1000);
        }
      }
      const e = yield* caught(() =>
        timeout(500, () =>
          taskGroup(function* (tg) {
            tg.createTask(worker());
            yield* sleep(100);
            tg.cancel();
          }),
        ),
      );
      expect(e).toBeInstanceOf(TimeoutError);
      expect(getRunningLoop().time()).toBe(1100);
      expect(currentTask()!.cancelling()).toBe(0);
    }, V);
  });
});

describe("TaskGroup.cancel() (gh-108951)", () => {
  test("test_taskgroup_cancel_body: the body stops at its next wait; no CancelledError", async () => {
    await run(function* () {
      let count = 0;
      const r = yield* taskGroup(function* (tg) {
        tg.cancel();
        count += 1;
        yield* sleep(0);
        count += 1;
        return "unreached";
      });
      expect(count).toBe(1);
      expect(r).toBeUndefined();
      expect(currentTask()!.cancelling()).toBe(0);
    }, V);
  });

  test("test_taskgroup_cancel_idempotent", async () => {
    await run(function* () {
      let count = 0;
      yield* taskGroup(function* (tg) {
        tg.cancel();
        tg.cancel();
        count += 1;
        yield* sleep(0);
        count += 1;
      });
      expect(count).toBe(1);
      expect(currentTask()!.cancelling()).toBe(0);
    }, V);
  });

  test("test_taskgroup_cancel_after_exit: a no-op", async () => {
    await run(function* () {
      const tg = new TaskGroup();
      yield* tg.run(() => sleep(0));
      tg.cancel();
      yield* sleep(10);
      expect(currentTask()!.cancelling()).toBe(0);
    }, V);
  });

  test("test_taskgroup_cancel_before_enter: cancelled on entry", async () => {
    await run(function* () {
      const tg = new TaskGroup();
      tg.cancel();
      let count = 0;
      yield* tg.run(function* () {
        count += 1;
        yield* sleep(0);
        count += 1;
      });
      expect(count).toBe(1);
    }, V);
  });

  test("test_taskgroup_cancel_before_create_task: a cancelled group refuses new tasks", async () => {
    await run(function* () {
      yield* taskGroup(function* (tg) {
        tg.cancel();
        expect(() => tg.createTask(sleep(1))).toThrow(RuntimeError);
      });
    }, V);
  });

  test.each([
    ["test_taskgroup_cancel_before_exception", true],
    ["test_taskgroup_cancel_after_exception", false],
  ])("%s: the child's error is still thrown", async (_n, cancelFirst) => {
    await run(function* () {
      const e = yield* caught(() =>
        taskGroup(function* (tg) {
          tg.createTask(function* (): Coroutine<void> {
            if (cancelFirst) tg.cancel();
            try {
              throw new RuntimeError();
            } finally {
              if (!cancelFirst) tg.cancel();
            }
          });
          yield* sleep(1000);
        }),
      );
      expect(errorTypes(e)).toEqual(new Set(["RuntimeError"]));
      expect(currentTask()!.cancelling()).toBe(0);
    }, V);
  });

  test("test_taskgroup_cancel_one_winner: a race built on tg.cancel()", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const event = loop.createFuture<void>();
      const record: string[] = [];
      function* race(...fns: (() => Coroutine<number>)[]): Coroutine<number | null> {
        let outcome: number | null = null;
        const tg = new TaskGroup();
        yield* tg.run(function* () {
          for (const fn of fns) {
            tg.createTask(function* () {
              outcome = yield* fn();
              tg.cancel();
            });
          }
        });
        return outcome;
      }
      function makeFn(n: number) {
        return function* (): Coroutine<number> {
          record.push(`${n} started`);
          yield* event;
          record.push(`${n} finished`);
          return n;
        };
      }
      let outcome: number | null = null;
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () {
          yield* sleep(0);
          record.push("trigger event");
          event.setResult(undefined);
        });
        outcome = yield* race(makeFn(1), makeFn(2));
      });
      expect(outcome).toBe(1);
      expect(record).toEqual(["1 started", "2 started", "trigger event", "1 finished"]);
    }, V);
  });
});

describe("TaskGroup: structure", () => {
  test("no child outlives the group, whichever way it ends", async () => {
    await run(function* () {
      const children: Task<unknown>[] = [];
      const e = yield* caught(() =>
        taskGroup(function* (tg) {
          for (let i = 0; i < 3; i++) {
            children.push(
              tg.createTask(function* () {
                try {
                  yield* sleep(1000 * (i + 1));
                } finally {
                  yield* sleep(50); // slow cleanup
                }
              }),
            );
          }
          children.push(tg.createTask(crashAfter(10)));
        }),
      );
      expect(e).toBeInstanceOf(ExceptionGroup);
      expect(children.every((t) => t.done())).toBe(true);
      expect(getRunningLoop().time()).toBe(60);
    }, V);
  });

  test("gather vs TaskGroup: gather leaves the siblings running, the group cancels them", async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const log: string[] = [];
      function* slow(label: string): Coroutine<void> {
        try {
          yield* sleep(100);
          log.push(`${label}: slow finished at ${loop.time()}`);
        } catch (e) {
          log.push(`${label}: slow cancelled at ${loop.time()}`);
          throw e;
        }
      }
      const s = createTask(slow("gather"));
      yield* caught(() => gather(s, crashAfter(10)));
      log.push(`gather threw at ${loop.time()}`);
      yield* s;
      yield* caught(() =>
        taskGroup(function* (tg) {
          tg.createTask(slow("group"));
          tg.createTask(crashAfter(10));
        }),
      );
      log.push(`group threw at ${loop.time()}`);
      expect(log).toEqual([
        "gather threw at 10",
        "gather: slow finished at 100",
        "group: slow cancelled at 110",
        "group threw at 110",
      ]);
    }, V);
  });

  test("the body's result is the value of yield* taskGroup(...)", async () => {
    await run(function* () {
      const r = yield* taskGroup(function* (tg) {
        const a = tg.createTask(sleep(5, 2));
        const b = tg.createTask(sleep(10, 3));
        return [a, b] as const;
      });
      expect(r![0].result() + r![1].result()).toBe(5);
    }, V);
  });

  test("bad input throws at once", async () => {
    expect(() => taskGroup(5 as never)).toThrow(TypeError);
    expect(() => new TaskGroup().run(null as never)).toThrow(/'body' must be a function/);
    await run(function* () {
      yield* taskGroup(function* (tg) {
        expect(() => tg.createTask(7 as never)).toThrow(TypeError);
      });
    }, V);
  });
});
