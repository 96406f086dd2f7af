import { TestScheduler } from "rxjs/testing";
import { createTask, currentTask, marbleTimeline, run, sleep, task, TraceRecorder, type Coroutine } from "../src/index.js";

function* fetch(ms: number, v: string): Coroutine<string> {
  yield* sleep(ms);
  if (v === "bad") throw new Error("boom");
  return v;
}

function* program(): Coroutine<number> {
  currentTask()!.setName("main");
  const a = createTask(fetch(3, "x"), { name: "fetch-a" });
  yield* sleep(2);
  const b = createTask(fetch(4, "bad"), { name: "fetch-b" });
  const c = createTask(fetch(10, "y"), { name: "fetch-c" });
  yield* a;
  try {
    yield* b;
  } catch {
    /* seen */
  }
  c.cancel("late");
  yield* sleep(1);
  return 42;
}

async function traced(main: () => Coroutine<unknown>): Promise<TraceRecorder> {
  const rec = new TraceRecorder();
  await run(main, { clock: "virtual", trace: rec });
  return rec;
}

describe("marbleTimeline", () => {
  test("one line per task: result, error, cancelled; the scale, a ruler and the values", async () => {
    const rec = await traced(program);
    expect(marbleTimeline(rec)).toBe(
      [
        "one char = 1 ms of loop time; a = the task's result, | = completion, # = error, X = cancelled",
        "         0",
        "main     -------(a|)",
        "fetch-a  ---(a|)",
        "fetch-b    ----#",
        "fetch-c    ----X",
        "",
        "main: a = 42",
        'fetch-a: a = "x"',
        "fetch-b: # = Error: boom",
        'fetch-c: X = cancelled ("late")',
      ].join("\n"),
    );
  });

  test("scaled to fit the width: one char = N ms, N from 1, 2, 5, 10, 20, 50, ...", async () => {
    const rec = await traced(function* () {
      currentTask()!.setName("main");
      const w = createTask(sleep(250, "w"), { name: "worker" });
      yield* sleep(1000);
      yield* w;
    });
    // 1000 ms in 40 - 8 - 4 = 28 columns: 50 ms per char (20 columns).
    expect(marbleTimeline(rec, { width: 40, values: false })).toBe(
      [
        "one char = 50 ms of loop time; a = the task's result, | = completion, # = error, X = cancelled",
        "        0         500       1000",
        "main    --------------------(a|)",
        "worker  -----(a|)",
      ].join("\n"),
    );
    expect(marbleTimeline(rec, { msPerChar: 100, header: false, ruler: false, values: false })).toBe(
      ["main    ----------(a|)", "worker  --(a|)"].join("\n"),
    );
  });

  test("a task still pending at export runs to the end of the line, without an end mark", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      currentTask()!.setName("main");
      createTask(sleep(100), { name: "leftover" });
      yield* sleep(3);
      expect(marbleTimeline(rec, { header: false, ruler: false })).toBe(
        ["main      ----", "leftover  ----", "", "main: still pending", "leftover: still pending"].join("\n"),
      );
    }, { clock: "virtual", trace: rec });
  });

  test("with one char = 1 ms, a task's line is the marble its task observable gives in TestScheduler.run", async () => {
    const rec = await traced(program);
    const lines = marbleTimeline(rec, { msPerChar: 1, header: false, ruler: false, values: false }).split("\n");
    const marbleOf = (name: string) => lines.find((l) => l.startsWith(name + " "))!.slice(name.length);
    // Pasted as is: the leading spaces (before the task existed) are ignored by marble parsing.
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
      expectObservable(task(() => fetch(3, "x"))).toBe(marbleOf("fetch-a"), { a: "x" });
      expectObservable(task(() => fetch(4, "bad"))).toBe(marbleOf("fetch-b"), undefined, new Error("boom"));
    });
  });

  test("bad options throw at once, naming them", async () => {
    const rec = new TraceRecorder();
    expect(() => marbleTimeline(rec, { width: 5 })).toThrow(/'width' must be an integer >= 20, got 5/);
    expect(() => marbleTimeline(rec, { msPerChar: 0 })).toThrow(/'msPerChar' must be a finite number > 0, got 0/);
    expect(() => marbleTimeline(null as never)).toThrow(TypeError);
    expect(marbleTimeline(rec, { header: false, ruler: false })).toBe("");
  });
});
