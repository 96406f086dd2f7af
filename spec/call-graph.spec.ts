/**
 * captureCallGraph / printCallGraph (Python 3.14): a future's await graph,
 * in the shape of CPython's test_graph.py cases (a task awaited through a
 * gather, through a TaskGroup, and a task awaited directly).
 */
import {
  captureCallGraph,
  createTask,
  currentTask,
  formatCallGraph,
  gather,
  getRunningLoop,
  printCallGraph,
  run,
  sleep,
  taskGroup,
  type Coroutine,
  type FutureCallGraph,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

/** The graph with names only (futures replaced by what they are). */
function shape(g: FutureCallGraph): unknown {
  return { node: formatCallGraph({ ...g, awaitedBy: [] }).split("\n")[0], awaiting: g.awaiting, awaitedBy: g.awaitedBy.map(shape) };
}

describe("captureCallGraph / printCallGraph", () => {
  test("outside a task: null; a non-future is refused", async () => {
    expect(captureCallGraph()).toBeNull();
    await run(function* () {
      getRunningLoop().callSoon(() => expect(captureCallGraph()).toBeNull());
      yield* sleep(0);
      expect(() => captureCallGraph({} as never)).toThrow(TypeError);
    }, V);
  });

  test("a task awaited through a gather by main: leaf -> gather -> main", async () => {
    let text = "";
    let graph: unknown;
    await run(function* () {
      currentTask()!.setName("main");
      function* leaf(): Coroutine<void> {
        yield* sleep(1);
        graph = shape(captureCallGraph()!);
        text = printCallGraph(undefined, { write: () => {} })!;
        yield* sleep(1);
      }
      const a = createTask(leaf(), { name: "leaf" });
      const b = createTask(sleep(10), { name: "other" });
      yield* gather(a, b);
    }, V);
    expect(graph).toEqual({
      node: expect.stringMatching(/^\* Task\(name='leaf', id=\d+\)$/),
      awaiting: null, // it is running: it awaits nothing now
      awaitedBy: [
        {
          node: "* gather",
          awaiting: expect.stringMatching(/^Task\(name='leaf', id=\d+\), Task\(name='other', id=\d+\)$/),
          awaitedBy: [{ node: expect.stringMatching(/^\* Task\(name='main', id=\d+\)$/), awaiting: "gather", awaitedBy: [] }],
        },
      ],
    });
    expect(text.replace(/id=\d+/g, "id=N").split("\n")).toEqual([
      "* Task(name='leaf', id=N)",
      "  + awaited by:",
      "     * gather",
      "       + awaiting: Task(name='leaf', id=N), Task(name='other', id=N)",
      "       + awaited by:",
      "          * Task(name='main', id=N)",
      "            + awaiting: gather",
    ]);
  });

  test("a waiting task's graph from outside it: what it awaits, and a task awaiting it directly", async () => {
    await run(function* () {
      const sleeper = createTask(sleep(100), { name: "sleeper" });
      const waiter = createTask(function* () {
        yield* sleeper;
      }, { name: "waiter" });
      yield* sleep(1);
      const g = captureCallGraph(sleeper)!;
      expect(g.future).toBe(sleeper);
      expect(g.awaiting).toBe("sleep until 100 ms (99 ms left)");
      // (Futures are iterable: compare them with toBe, never toEqual.)
      expect(g.awaitedBy).toHaveLength(1);
      expect(g.awaitedBy[0]!.future).toBe(waiter);
      expect(g.awaitedBy[0]!.awaiting).toMatch(/^Task\(name='sleeper', id=\d+\)$/);
      sleeper.cancel();
      waiter.cancel();
    }, V);
  });

  test("through a TaskGroup: the child is awaited by the group, the group by its body's task", async () => {
    let graph: FutureCallGraph | null = null;
    await run(function* () {
      currentTask()!.setName("main");
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () {
          yield* sleep(1);
          graph = captureCallGraph();
        }, { name: "child" });
      });
    }, V);
    const text = formatCallGraph(graph!).replace(/id=\d+/g, "id=N");
    expect(text).toMatch(/^\* Task\(name='child', id=N\)\n  \+ awaited by:\n     \* TaskGroup/);
    expect(text).toContain("* Task(name='main', id=N)");
  });
});
