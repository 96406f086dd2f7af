import {
  buildTimeline,
  chromeTrace,
  createTask,
  currentTask,
  EventLoop,
  gather,
  run,
  sleep,
  TraceRecorder,
  type ChromeTraceEvent,
  type Coroutine,
  type Timeline,
} from "../src/index.js";
import { validateChromeTrace } from "./trace-helpers.js";

const V = { clock: "virtual" } as const;

function* child(): Coroutine<number> {
  yield* sleep(10);
  return 7;
}

function* parentAndChild(): Coroutine<number> {
  currentTask()!.setName("main");
  const t = createTask(child(), { name: "child" });
  const v = yield* t;
  yield* sleep(0);
  return v;
}

async function traced(main: () => Coroutine<unknown>): Promise<TraceRecorder> {
  const rec = new TraceRecorder();
  try {
    await run(main, { ...V, trace: rec });
  } catch {
    /* the trace is what matters */
  }
  return rec;
}

describe("buildTimeline", () => {
  test("segments per task: ready, run, wait with its label, end", async () => {
    const tl = buildTimeline(await traced(parentAndChild));
    expect(tl).toEqual<Timeline>({
      start: 0,
      end: 10,
      clock: "virtual",
      precise: false,
      loops: ["virtual"],
      tasks: [
        {
          id: 1,
          name: "main",
          parentId: null,
          loopId: 1,
          created: 0,
          adopted: false,
          segments: [
            { kind: "ready", start: 0, end: 0, label: "scheduled" },
            { kind: "run", start: 0, end: 0, label: "step" },
            { kind: "wait", start: 0, end: 10, label: "task 'child'", awaitedTaskId: 2 },
            { kind: "run", start: 10, end: 10, label: "step" },
            { kind: "ready", start: 10, end: 10, label: "yield" },
            { kind: "run", start: 10, end: 10, label: "step" },
          ],
          end: { time: 10, outcome: "result", value: 7 },
        },
        {
          id: 2,
          name: "child",
          parentId: 1,
          loopId: 1,
          created: 0,
          adopted: false,
          segments: [
            { kind: "ready", start: 0, end: 0, label: "scheduled" },
            { kind: "run", start: 0, end: 0, label: "step" },
            { kind: "wait", start: 0, end: 10, label: "sleep 10 ms", delay: 10 },
            { kind: "run", start: 10, end: 10, label: "step" },
          ],
          end: { time: 10, outcome: "result", value: 7 },
        },
      ],
    });
  });

  test("a task still pending at export has an open last segment and no end", () => {
    const loop = new EventLoop(V);
    const rec = new TraceRecorder();
    loop.setTrace(rec);
    loop.createTask(sleep(100), { name: "sleeper" });
    return loop.runUntilComplete(sleep(5)).then(() => {
      const tl = buildTimeline(rec);
      const sleeper = tl.tasks.find((t) => t.name === "sleeper")!;
      expect(sleeper.end).toBeNull();
      expect(sleeper.segments.at(-1)).toEqual({ kind: "wait", start: 0, end: 5, label: "sleep 100 ms", delay: 100, open: true });
      loop.setTrace(null);
      loop.close();
    });
  });

  test("an empty recorder gives an empty timeline", () => {
    expect(buildTimeline(new TraceRecorder())).toEqual({ start: 0, end: 0, clock: "virtual", precise: false, loops: [], tasks: [] });
  });
});

describe("chromeTrace: Trace Event JSON for Perfetto and chrome://tracing", () => {
  test("the exact events of a small program", async () => {
    const trace = chromeTrace(await traced(parentAndChild));
    expect(validateChromeTrace(trace)).toEqual([]);
    expect(trace.displayTimeUnit).toBe("ms");
    expect(trace.traceEvents).toEqual<ChromeTraceEvent[]>([
      { name: "process_name", ph: "M", ts: 0, pid: 1, tid: 0, args: { name: "rx-asyncio loop 1 (virtual clock)" } },
      { name: "thread_name", ph: "M", ts: 0, pid: 1, tid: 1, args: { name: "main" } },
      { name: "thread_sort_index", ph: "M", ts: 0, pid: 1, tid: 1, args: { sort_index: 1 } },
      { name: "thread_name", ph: "M", ts: 0, pid: 1, tid: 2, args: { name: "child" } },
      { name: "thread_sort_index", ph: "M", ts: 0, pid: 1, tid: 2, args: { sort_index: 2 } },
      // main: its first step creates the child (the spawn arrow starts in it), then waits on it
      { name: "run", cat: "run", ph: "X", ts: 0, dur: 0, pid: 1, tid: 1, args: { step: 1 } },
      { name: "spawn", cat: "spawn", ph: "s", id: 2, ts: 0, pid: 1, tid: 1 },
      { name: "wait: task 'child'", cat: "wait", ph: "X", ts: 0, dur: 10000, pid: 1, tid: 1, args: { on: "task 'child'" } },
      // child: the spawn arrow ends at its first slice; it sleeps 10 ms = 10000 µs
      { name: "spawn", cat: "spawn", ph: "f", id: 2, ts: 0, pid: 1, tid: 2 },
      { name: "run", cat: "run", ph: "X", ts: 0, dur: 0, pid: 1, tid: 2, args: { step: 1 } },
      { name: "wait: sleep 10 ms", cat: "wait", ph: "X", ts: 0, dur: 10000, pid: 1, tid: 2, args: { on: "sleep 10 ms", delay_ms: 10 } },
      // at 10 ms the child ends first, and the await arrow goes from its end to main's resumption
      { name: "run", cat: "run", ph: "X", ts: 10000, dur: 0, pid: 1, tid: 2, args: { step: 2 } },
      { name: "result", cat: "end", ph: "i", s: "t", ts: 10000, pid: 1, tid: 2, args: { outcome: "result", result: "7" } },
      { name: "await", cat: "await", ph: "s", id: 1, ts: 10000, pid: 1, tid: 2 },
      { name: "await", cat: "await", ph: "f", id: 1, ts: 10000, pid: 1, tid: 1 },
      { name: "run", cat: "run", ph: "X", ts: 10000, dur: 0, pid: 1, tid: 1, args: { step: 2 } },
      { name: "run", cat: "run", ph: "X", ts: 10000, dur: 0, pid: 1, tid: 1, args: { step: 3 } },
      { name: "result", cat: "end", ph: "i", s: "t", ts: 10000, pid: 1, tid: 1, args: { outcome: "result", result: "7" } },
    ]);
    // It survives a JSON round trip unchanged (what a file holds).
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  });

  test("errors and cancellations end with an instant carrying the error or the message", async () => {
    const trace = chromeTrace(
      await traced(function* () {
        const a = createTask(function* () {
          yield* sleep(3);
          throw new TypeError("bad <input> & more");
        }, { name: "failing" });
        const b = createTask(sleep(50), { name: "sleeper" });
        yield* sleep(5);
        b.cancel("enough");
        yield* sleep(1);
        a.exception(); // seen: no "never retrieved" report
      }),
    );
    expect(validateChromeTrace(trace)).toEqual([]);
    const ends = trace.traceEvents.filter((e) => e.ph === "i").map((e) => [e.name, e.ts, e.args]);
    expect(ends).toEqual([
      ["error", 3000, { outcome: "error", error: "TypeError: bad <input> & more" }],
      ["cancelled", 5000, { outcome: "cancelled", message: "enough" }],
      ["result", 6000, { outcome: "result", result: "undefined" }],
    ]);
  });

  test("one track per task and valid flows for many tasks awaiting each other through gather", async () => {
    const trace = chromeTrace(
      await traced(function* () {
        const ws = [1, 2, 3, 4].map((i) => createTask(function* () {
          yield* sleep(i);
          const inner = createTask(sleep(i, i * 10), { name: `inner-${i}` });
          return yield* inner;
        }, { name: `worker-${i}` }));
        return yield* gather(...ws);
      }),
    );
    expect(validateChromeTrace(trace)).toEqual([]);
    const names = trace.traceEvents.filter((e) => e.name === "thread_name").map((e) => e.args!.name);
    expect(names).toHaveLength(9);
    expect(new Set(trace.traceEvents.filter((e) => e.name === "thread_name").map((e) => e.tid)).size).toBe(9);
    // 8 spawn arrows (main -> worker, worker -> inner) and 4 await arrows (inner -> worker)
    expect(trace.traceEvents.filter((e) => e.ph === "s" && e.cat === "spawn")).toHaveLength(8);
    expect(trace.traceEvents.filter((e) => e.ph === "s" && e.cat === "await")).toHaveLength(4);
  });

  test("real clock: slices get real durations and still validate", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      const t = createTask(sleep(2));
      yield* t;
    }, { clock: "real", trace: rec });
    const trace = chromeTrace(rec);
    expect(validateChromeTrace(trace)).toEqual([]);
    expect(trace.otherData.clock).toBe("real");
  });

  test("the validator catches what importers reject", () => {
    expect(validateChromeTrace({ traceEvents: [{ name: "x", ph: "X", ts: 0, pid: 1, tid: 1 }] })).toContain("event 0: X needs dur >= 0");
    expect(
      validateChromeTrace({
        traceEvents: [
          { name: "thread_name", ph: "M", ts: 0, pid: 1, tid: 1, args: { name: "t" } },
          { name: "a", ph: "X", ts: 0, dur: 10, pid: 1, tid: 1 },
          { name: "b", ph: "X", ts: 5, dur: 10, pid: 1, tid: 1 },
          { name: "f", cat: "c", ph: "f", id: 1, ts: 0, pid: 1, tid: 1 },
          { name: "f", cat: "c", ph: "s", id: 1, ts: 0, pid: 1, tid: 1 },
        ],
      }),
    ).toEqual(["event 3: flow end before its start (c/f/1)", "track 1/1: slices overlap at 5 µs"]);
    expect(() => chromeTrace(42 as never)).toThrow(/'source' must be a TraceRecorder or a Timeline/);
  });
});
