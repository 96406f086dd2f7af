import {
  captureTaskTree,
  createTask,
  currentTask,
  Event,
  EventLoop,
  formatTaskTree,
  gather,
  getRunningLoop,
  Lock,
  printTaskTree,
  Queue,
  run,
  RuntimeError,
  sleep,
  taskGroup,
  type Coroutine,
  type Task,
  type TaskTree,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

describe("captureTaskTree / printTaskTree: who awaits whom, live", () => {
  test("gather, a task awaiting a task, and leaves naming sleeps, a Lock, a Queue and an Event", async () => {
    let text = "";
    await run(function* () {
      currentTask()!.setName("main");
      const lock = new Lock();
      const q = new Queue<number>();
      const ev = new Event();
      const holder = createTask(function* () {
        yield* lock.acquire();
        yield* sleep(100);
        lock.release();
      }, { name: "holder" });
      const inner = createTask(sleep(50), { name: "inner" });
      const g = gather(
        createTask(sleep(10, 1), { name: "sleeper" }),
        createTask(function* () {
          yield* lock.acquire();
          lock.release();
        }, { name: "locker" }),
        createTask(function* () {
          return yield* q.get();
        }, { name: "getter" }),
        createTask(function* () {
          yield* ev.wait();
        }, { name: "event-waiter" }),
        createTask(function* () {
          return yield* inner;
        }, { name: "awaiter" }),
      );
      // From a plain callback: no task is running then.
      getRunningLoop().callLater(5, () => {
        text = printTaskTree({ write: () => {} });
        q.putNowait(1);
        ev.set();
      });
      yield* g;
      yield* holder;
    }, V);
    expect(text).toBe(
      [
        "Task tree at 5 ms (virtual clock), 8 tasks:",
        "├── (T) main  [waiting]",
        "│   └── gather (5 of 5 pending)",
        "│       ├── (T) sleeper  [waiting]",
        "│       │   └── sleep until 10 ms (5 ms left)",
        "│       ├── (T) locker  [waiting]",
        "│       │   └── Lock.acquire",
        "│       ├── (T) getter  [waiting]",
        "│       │   └── Queue.get",
        "│       ├── (T) event-waiter  [waiting]",
        "│       │   └── Event.wait",
        "│       └── (T) awaiter  [waiting]",
        "│           └── (T) inner  [waiting]",
        "│               └── sleep until 50 ms (45 ms left)",
        "└── (T) holder  [waiting]",
        "    └── sleep until 100 ms (95 ms left)",
      ].join("\n"),
    );
  });

  test("a TaskGroup's tasks hang below its parent while it waits for them", async () => {
    let text = "";
    await run(function* () {
      currentTask()!.setName("main");
      getRunningLoop().callLater(5, () => (text = printTaskTree({ write: () => {} })));
      yield* taskGroup(function* (tg) {
        tg.createTask(sleep(10), { name: "a" });
        tg.createTask(sleep(20), { name: "b" });
      });
    }, V);
    expect(text).toBe(
      [
        "Task tree at 5 ms (virtual clock), 3 tasks:",
        "└── (T) main  [waiting]",
        "    └── TaskGroup (2 of 2 pending)",
        "        ├── (T) a  [waiting]",
        "        │   └── sleep until 10 ms (5 ms left)",
        "        └── (T) b  [waiting]",
        "            └── sleep until 20 ms (15 ms left)",
      ].join("\n"),
    );
  });

  test("running, ready, and a pending cancel request", async () => {
    let text = "";
    await run(function* () {
      currentTask()!.setName("main");
      const doomed = createTask(sleep(100), { name: "doomed" });
      yield* sleep(1);
      createTask(sleep(1), { name: "fresh" });
      doomed.cancel();
      text = printTaskTree({ write: () => {} });
    }, V);
    expect(text).toBe(
      [
        "Task tree at 1 ms (virtual clock), 3 tasks:",
        "├── (T) main  [running]",
        "├── (T) doomed  [waiting, cancelling x1]",
        "│   └── sleep until 100 ms (99 ms left)",
        "└── (T) fresh  [ready]",
      ].join("\n"),
    );
  });

  test("a deadlock (tasks awaiting each other) and a task awaited twice, from outside the loop", async () => {
    const loop = new EventLoop(V);
    const t: Record<string, Task<unknown>> = {};
    const awaitLater = (name: string): (() => Coroutine<unknown>) =>
      function* () {
        yield* sleep(1);
        return yield* t[name]!;
      };
    t.a = loop.createTask(awaitLater("b"), { name: "a" });
    t.b = loop.createTask(awaitLater("a"), { name: "b" });
    t.c = loop.createTask(awaitLater("a"), { name: "c" });
    t.d = loop.createTask(awaitLater("a"), { name: "d" });
    await loop.runUntilComplete(sleep(2));
    const tree: TaskTree = captureTaskTree({ loop });
    expect(tree.roots.map((r) => r.name)).toEqual(["c", "d"]);
    expect(formatTaskTree(tree)).toBe(
      [
        "Task tree at 2 ms (virtual clock), 4 tasks:",
        "├── (T) c  [waiting]",
        "│   └── (T) a  [waiting]",
        "│       └── (T) b  [waiting]",
        "│           └── (T) a  [waiting]  <- awaits itself: deadlock",
        "└── (T) d  [waiting]",
        "    └── (T) a  [waiting]  (shown above)",
      ].join("\n"),
    );
    // Without anyone outside the ring, the oldest task of the ring is the root.
    const ring = new EventLoop(V);
    t.x = ring.createTask(awaitLater("y"), { name: "x" });
    t.y = ring.createTask(awaitLater("x"), { name: "y" });
    await ring.runUntilComplete(sleep(2));
    expect(formatTaskTree(captureTaskTree({ loop: ring }))).toBe(
      [
        "Task tree at 2 ms (virtual clock), 2 tasks:",
        "└── (T) x  [waiting]",
        "    └── (T) y  [waiting]",
        "        └── (T) x  [waiting]  <- awaits itself: deadlock",
      ].join("\n"),
    );
    // (Cancelling a ring would recurse through the waiters: just drop the loops.)
    loop.close();
    ring.close();
  });

  test("the node objects: tasks, futures, states", async () => {
    await run(function* () {
      const child = createTask(sleep(10), { name: "child" });
      const tree = captureTaskTree();
      expect(tree.time).toBe(0);
      expect(tree.clock).toBe("virtual");
      const [me, c] = tree.roots;
      expect(me!.task).toBe(currentTask());
      expect([me!.kind, me!.state, me!.cancelling, me!.children]).toEqual(["task", "running", 0, []]);
      expect(c!.task).toBe(child);
      expect([c!.kind, c!.name, c!.state, c!.children]).toEqual(["task", "child", "ready", []]);
      yield* sleep(1);
      const leaf = captureTaskTree().roots[1]!.children[0]!;
      expect(leaf.kind).toBe("future");
      expect(leaf.kind === "future" && leaf.label).toBe("sleep until 10 ms (9 ms left)");
      expect(leaf.kind === "future" && leaf.future).toBe(child._futWaiter);
      yield* child;
    }, V);
  });

  test("an empty loop; bad arguments; no loop", () => {
    const loop = new EventLoop(V);
    const lines: string[] = [];
    expect(printTaskTree({ loop, write: (s) => lines.push(s) })).toBe("Task tree at 0 ms (virtual clock), 0 tasks:\n(no pending tasks)");
    expect(lines).toHaveLength(1);
    expect(() => captureTaskTree()).toThrow(RuntimeError);
    expect(() => captureTaskTree({ loop: {} as never })).toThrow(/'loop' must be an EventLoop/);
    expect(() => printTaskTree({ loop, write: 1 as never })).toThrow(/'write' must be a function/);
    expect(() => formatTaskTree({} as never)).toThrow(TypeError);
    loop.close();
  });
});
