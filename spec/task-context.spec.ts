/**
 * Tasks and callbacks in contexts: the task-context cases of CPython's
 * test_tasks.py (test_context_1..3, test_task_context_*), asyncio's Handle and
 * add_done_callback contexts, async-function tasks across awaits,
 * cancellation and TaskGroup.
 */
import {
  CancelledError,
  Context,
  ContextVar,
  copyContext,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  taskGroup,
  type Coroutine,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

describe("tasks run in a copy of the context they were created in", () => {
  test("test_context_1: the task sees the value at creation; what it sets stays inside it", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "nope" });
    function* sub(): Coroutine<void> {
      yield* sleep(10);
      expect(cvar.get()).toBe("nope");
      cvar.set("something else");
    }
    function* main(): Coroutine<void> {
      expect(cvar.get()).toBe("nope");
      const subtask = createTask(sub());
      cvar.set("yes");
      expect(cvar.get()).toBe("yes");
      yield* subtask;
      expect(cvar.get()).toBe("yes");
    }
    await run(main, V);
  });

  test("test_context_2: nested tasks each copy their creator's context", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "nope" });
    function* main(): Coroutine<void> {
      const fut = getRunningLoop().createFuture<void>();
      function* sub(): Coroutine<void> {
        yield* sleep(10);
        expect(cvar.get()).toBe("outer");
        const inner = createTask(function* () {
          cvar.set("inner");
          yield* sleep(1);
          expect(cvar.get()).toBe("inner");
        });
        yield* inner;
        expect(cvar.get()).toBe("outer");
        fut.setResult();
      }
      cvar.set("outer");
      const t = createTask(sub());
      cvar.set("changed in main after");
      yield* fut;
      yield* t;
      expect(cvar.get()).toBe("changed in main after");
    }
    await run(main, V);
  });

  test("test_context_3: many concurrent tasks keep their own values across their waits", async () => {
    const cvar = new ContextVar<number>("cvar", { default: -1 });
    const n = 100;
    const seen: number[] = [];
    function* worker(i: number): Coroutine<void> {
      cvar.set(i);
      yield* sleep((i * 7) % 13);
      seen.push(cvar.get() - i);
      yield* sleep(1);
      seen.push(cvar.get() - i);
    }
    await run(function* () {
      const tasks = Array.from({ length: n }, (_, i) => createTask(worker(i)));
      for (const t of tasks) yield* t;
      expect(cvar.get()).toBe(-1);
    }, V);
    expect(seen).toHaveLength(2 * n);
    expect(seen.every((d) => d === 0)).toBe(true);
  });

  test("test_task_context_1: createTask(coro, { context }) runs the task in that very Context", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "nope" });
    await run(function* () {
      const ctx = copyContext();
      ctx.run(() => cvar.set("in ctx"));
      const t = createTask(function* () {
        expect(cvar.get()).toBe("in ctx");
        yield* sleep(1);
        cvar.set("set by the task");
      }, { context: ctx });
      yield* t;
      expect(ctx.get(cvar)).toBe("set by the task");
      expect(cvar.get()).toBe("nope");
      expect(() => createTask(function* () {}, { context: {} as never })).toThrow(
        new TypeError("createTask(coro, options): 'context' must be a Context (see copyContext()), got a Object"),
      );
    }, V);
  });

  test("test_task_context_2: two tasks sharing one Context see each other's sets", async () => {
    const cvar = new ContextVar<number>("cvar", { default: 0 });
    await run(function* () {
      const ctx = new Context();
      const a = createTask(function* () {
        cvar.set(1);
        yield* sleep(10);
        return cvar.get();
      }, { context: ctx });
      const b = createTask(function* () {
        yield* sleep(5);
        const before = cvar.get();
        cvar.set(2);
        return before;
      }, { context: ctx });
      expect(yield* b).toBe(1);
      expect(yield* a).toBe(2);
      expect(cvar.get()).toBe(0);
    }, V);
  });

  test("a cancelled task's cleanup still runs in its context", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "none" });
    const seen: string[] = [];
    await run(function* () {
      cvar.set("main");
      const t = createTask(function* () {
        cvar.set("task");
        try {
          yield* sleep(1000);
        } finally {
          seen.push(cvar.get());
          yield* sleep(1);
          seen.push(cvar.get());
        }
      });
      yield* sleep(10);
      t.cancel();
      try {
        yield* t;
      } catch (e) {
        expect(e).toBeInstanceOf(CancelledError);
      }
      expect(cvar.get()).toBe("main");
    }, V);
    expect(seen).toEqual(["task", "task"]);
  });

  test("TaskGroup: tasks copy the body's context; the context option is passed on", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "none" });
    await run(function* () {
      cvar.set("body");
      const ctx = new Context();
      const got: string[] = [];
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () {
          got.push(cvar.get());
          cvar.set("child");
        });
        tg.createTask(function* () {
          yield* sleep(1);
          got.push(cvar.get());
          cvar.set("in ctx");
        }, { context: ctx });
      });
      expect(got).toEqual(["body", "none"]);
      expect(cvar.get()).toBe("body");
      expect(ctx.get(cvar)).toBe("in ctx");
    }, V);
  });

  test("an async-function task sees its context across its awaits, apart from its siblings", async () => {
    const rid = new ContextVar<string>("rid", { default: "-" });
    const seen: string[] = [];
    await run(function* () {
      const handle = (id: string, ms: number) => async () => {
        rid.set(id);
        await new Promise((r) => setTimeout(r, ms));
        seen.push(`${id}:${rid.get()}`);
        await Promise.resolve();
        seen.push(`${id}:${rid.get()}`);
      };
      rid.set("main");
      const a = createTask(handle("a", 20));
      const b = createTask(handle("b", 5));
      yield* a;
      yield* b;
      expect(rid.get()).toBe("main");
    });
    expect(seen.sort()).toEqual(["a:a", "a:a", "b:b", "b:b"]);
  });
});

describe("eager steps inside callbacks and Context.run()", () => {
  test("an eager task made in a callback or inside ctx.run() runs in its own copy; its sets stay inside it", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "none" });
    const seen: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      cvar.set("main");
      loop.callSoon(() => {
        cvar.set("callback");
        const t = createTask(function* () {
          seen.push(`eager in callback sees ${cvar.get()}`);
          cvar.set("eager task");
          yield* sleep(1);
          seen.push(`after its wait ${cvar.get()}`);
        }, { eager: true });
        seen.push(`callback after createTask sees ${cvar.get()} (task done: ${t.done()})`);
      });
      yield* sleep(5);
      const ctx = new Context();
      ctx.run(() => {
        cvar.set("ctx");
        createTask(function* () {
          seen.push(`eager in ctx.run sees ${cvar.get()}`);
          cvar.set("eager 2");
        }, { eager: true });
        seen.push(`ctx.run after createTask sees ${cvar.get()}`);
      });
      expect(ctx.get(cvar)).toBe("ctx");
      expect(cvar.get()).toBe("main");
    }, V);
    expect(seen).toEqual([
      "eager in callback sees callback",
      "callback after createTask sees callback (task done: false)",
      "after its wait eager task",
      "eager in ctx.run sees ctx",
      "ctx.run after createTask sees ctx",
    ]);
  });
});

describe("callbacks run in the context they were scheduled from (asyncio's Handle)", () => {
  test("callSoon and callLater: a copy of the scheduler's context; their sets stay inside", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "none" });
    const seen: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      cvar.set("at callSoon");
      loop.callSoon(() => {
        seen.push(`soon ${cvar.get()}`);
        cvar.set("set in callback");
      });
      cvar.set("at callLater");
      loop.callLater(5, () => seen.push(`later ${cvar.get()}`));
      cvar.set("after");
      // A callback scheduled from an empty context runs in an empty one.
      new Context().run(() => loop.callSoon(() => seen.push(`empty ${cvar.get()}`)));
      yield* sleep(10);
      expect(cvar.get()).toBe("after");
    }, V);
    expect(seen).toEqual(["soon at callSoon", "empty none", "later at callLater"]);
  });

  test("done callbacks run in the context current at addDoneCallback; removeDoneCallback still finds them", async () => {
    const cvar = new ContextVar<string>("cvar", { default: "none" });
    const seen: string[] = [];
    await run(function* () {
      const fut = getRunningLoop().createFuture<number>();
      cvar.set("first");
      fut.addDoneCallback(() => seen.push(`cb1 ${cvar.get()}`));
      cvar.set("second");
      const removed = () => seen.push("removed ran");
      fut.addDoneCallback(removed);
      expect(fut.removeDoneCallback(removed)).toBe(1);
      fut.addDoneCallback(() => {
        seen.push(`cb2 ${cvar.get()}`);
        cvar.set("changed by cb2");
      });
      fut.setResult(1);
      yield* sleep(0);
      yield* sleep(0);
      expect(cvar.get()).toBe("second");
      // A task is current in its own callbacks? No: a done callback is a plain callback.
      fut.addDoneCallback(() => seen.push(`late ${cvar.get()} ${currentTask() === null}`));
      yield* sleep(0);
    }, V);
    expect(seen).toEqual(["cb1 first", "cb2 second", "late second true"]);
  });
});
