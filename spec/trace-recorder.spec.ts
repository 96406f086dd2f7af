import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timer } from "rxjs";
import {
  Barrier,
  buildTimeline,
  Condition,
  ensureFuture,
  Queue,
  Semaphore,
  taskGroup,
  toThread,
  createTask,
  currentTask,
  EventLoop,
  Future,
  getRunningLoop,
  RuntimeError,
  run,
  sleep,
  traceFromArgv,
  TraceRecorder,
  writeTrace,
  type Coroutine,
  type ExceptionContext,
  type LoopTracer,
  type TraceEvent,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

function rename(name: string): void {
  currentTask()!.setName(name);
}

function* child(): Coroutine<number> {
  yield* sleep(10);
  return 7;
}

describe("TraceRecorder: the events of small programs, exactly", () => {
  test("create, start, suspend on a task and on a sleep, resume, yield, end", async () => {
    const rec = new TraceRecorder();
    const r = await run(function* () {
      rename("main");
      const t = createTask(child(), { name: "child" });
      const v = yield* t;
      yield* sleep(0);
      return v;
    }, { ...V, trace: rec });
    expect(r).toBe(7);
    expect(rec.events()).toEqual<TraceEvent[]>([
      { time: 0, type: "create", task: "main", taskId: 1, parent: null, parentId: null },
      { time: 0, type: "start", task: "main", taskId: 1 },
      { time: 0, type: "create", task: "child", taskId: 2, parent: "main", parentId: 1 },
      { time: 0, type: "suspend", task: "main", taskId: 1, on: "task 'child'", awaitedTaskId: 2 },
      { time: 0, type: "start", task: "child", taskId: 2 },
      { time: 0, type: "suspend", task: "child", taskId: 2, on: "sleep 10 ms", delay: 10 },
      { time: 10, type: "resume", task: "child", taskId: 2 },
      { time: 10, type: "end", task: "child", taskId: 2, outcome: "result", value: 7 },
      { time: 10, type: "resume", task: "main", taskId: 1 },
      { time: 10, type: "suspend", task: "main", taskId: 1, on: "yield" },
      { time: 10, type: "resume", task: "main", taskId: 1 },
      { time: 10, type: "end", task: "main", taskId: 1, outcome: "result", value: 7 },
    ]);
  });

  test("an exception and a cancellation with its message", async () => {
    const rec = new TraceRecorder();
    const boom = new Error("boom");
    await run(function* () {
      rename("main");
      const a = createTask(function* () {
        yield* sleep(5);
        throw boom;
      }, { name: "failing" });
      const b = createTask(sleep(100), { name: "sleeper" });
      try {
        yield* a;
      } catch {
        /* seen */
      }
      b.cancel("stop");
      try {
        yield* b;
      } catch {
        /* cancelled */
      }
    }, { ...V, trace: rec });
    const ends = rec.events().filter((e) => e.type === "end");
    expect(ends).toEqual([
      { time: 5, type: "end", task: "failing", taskId: 2, outcome: "error", error: boom },
      { time: 5, type: "end", task: "sleeper", taskId: 3, outcome: "cancelled", message: "stop" },
      { time: 5, type: "end", task: "main", taskId: 1, outcome: "result", value: undefined },
    ]);
    const mainWaits = rec.events().filter((e) => e.task === "main" && e.type === "suspend").map((e) => e.on);
    expect(mainWaits).toEqual(["task 'failing'", "task 'sleeper'"]);
  });

  test("what is awaited: a promise, an observable, a plain future", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      rename("main");
      const p = createTask(async () => 1, { name: "async" });
      yield* p;
      const f = getRunningLoop().createFuture<number>();
      getRunningLoop().callLater(3, () => f.setResult(1));
      yield* f;
      yield* ensureFuture(timer(2, getRunningLoop()));
    }, { ...V, trace: rec });
    const waits = rec.events().filter((e) => e.type === "suspend").map((e) => `${e.task}: ${e.on}`);
    expect(waits).toEqual(["main: task 'async'", "async: promise", "main: future", "main: observable"]);
  });

  test("tasks alive when tracing starts are adopted, with what they wait on", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      rename("main");
      const early = createTask(sleep(20), { name: "early" });
      yield* sleep(5);
      getRunningLoop().setTrace(rec);
      yield* sleep(30);
      void early;
    }, V);
    expect(rec.events()).toEqual<TraceEvent[]>([
      { time: 5, type: "create", task: "main", taskId: 1, parent: null, parentId: null, adopted: true },
      { time: 5, type: "create", task: "early", taskId: 2, parent: null, parentId: null, adopted: true },
      { time: 5, type: "suspend", task: "early", taskId: 2, on: "sleep 20 ms", delay: 20 }, // the sleep as asked for
      { time: 5, type: "suspend", task: "main", taskId: 1, on: "sleep 30 ms", delay: 30 },
      { time: 20, type: "resume", task: "early", taskId: 2 },
      { time: 20, type: "end", task: "early", taskId: 2, outcome: "result", value: undefined },
      { time: 35, type: "resume", task: "main", taskId: 1 },
      { time: 35, type: "end", task: "main", taskId: 1, outcome: "result", value: undefined },
    ]);
  });

  test("setTrace(null) stops recording after the step that called it", async () => {
    const rec = new TraceRecorder();
    let loop: EventLoop | null = null;
    await run(function* () {
      rename("main");
      loop = getRunningLoop();
      yield* sleep(1);
      loop.setTrace(null);
      expect(loop.getTrace()).toBeNull();
      createTask(sleep(1), { name: "unseen" });
      yield* sleep(1);
    }, { ...V, trace: rec });
    expect(rec.events().map((e) => `${e.time} ${e.task} ${e.type}`)).toEqual([
      "0 main create",
      "0 main start",
      "0 main suspend",
      "1 main resume",
      "1 main suspend",
    ]);
    expect(rec.loop).toBeNull();
  });

  test("run({ trace: recorder }) attaches it for the run and detaches it at the end", async () => {
    const rec = new TraceRecorder();
    let seen: LoopTracer | null = null;
    await run(function* () {
      seen = getRunningLoop().getTrace();
      expect(rec.loop).toBe(getRunningLoop());
    }, { ...V, trace: rec });
    expect(seen).toBe(rec);
    expect(rec.loop).toBeNull();
    expect(rec.size).toBe(3); // create, start, end
    rec.clear();
    expect(rec.size).toBe(0);
    expect(rec.events()).toEqual([]);
  });

  test("clear() while recording keeps later events readable: live tasks are adopted again", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      rename("main");
      const other = createTask(sleep(10), { name: "other" });
      yield* sleep(4);
      rec.clear();
      yield* other;
    }, { ...V, trace: rec });
    expect(rec.events().map((e) => `${e.time} ${e.task} ${e.type}${e.on ? " " + e.on : ""}${e.adopted ? " (adopted)" : ""}`)).toEqual([
      "4 main create (adopted)",
      "4 other create (adopted)",
      "4 other suspend sleep 10 ms",
      "4 main suspend task 'other'", // the step under way at clear() ends here, recorded when the next step starts
      "10 other resume",
      "10 other end",
      "10 main resume",
      "10 main end",
    ]);
  });

  test("leftover tasks cancelled by run() are recorded to their end", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      createTask(sleep(1000), { name: "leftover" });
      yield* sleep(1);
    }, { ...V, trace: rec });
    const last = rec.events().filter((e) => e.task === "leftover").pop();
    expect(last).toEqual({ time: 1, type: "end", task: "leftover", taskId: 2, outcome: "cancelled" });
  });

  test("recording and exporting never mark an exception as retrieved", async () => {
    const rec = new TraceRecorder();
    const reports: ExceptionContext[] = [];
    await run(function* () {
      getRunningLoop().setExceptionHandler((_l, ctx) => reports.push(ctx));
      createTask(function* () {
        throw new Error("nobody looks");
      }, { name: "lonely" });
      yield* sleep(1);
      expect(rec.events().some((e) => e.outcome === "error")).toBe(true);
      buildTimeline(rec);
    }, { ...V, trace: rec });
    expect(reports.map((r) => r.message)).toEqual(["Task exception was never retrieved"]);
  });

  test("a precise clock on a real-clock loop, the loop's clock when asked", async () => {
    const precise = new TraceRecorder();
    await run(function* () {
      yield* sleep(1);
    }, { clock: "real", trace: precise });
    expect(precise.precise).toBe(true);
    const times = precise.events().map((e) => e.time);
    expect(times.slice().sort((a, b) => a - b)).toEqual(times);

    const loopClock = new TraceRecorder({ clock: "loop" });
    await run(function* () {
      yield* sleep(1);
    }, { clock: "real", trace: loopClock });
    expect(loopClock.precise).toBe(false);

    const virtual = new TraceRecorder();
    await run(function* () {
      yield* sleep(1);
    }, { ...V, trace: virtual });
    expect(virtual.precise).toBe(false);
  });

  test("bad arguments throw at once, naming them", () => {
    const loop = new EventLoop(V);
    expect(() => loop.setTrace({} as never)).toThrow(/setTrace\(tracer\): 'tracer' must be a LoopTracer/);
    expect(() => run(function* () {}, { trace: 5 as never })).toThrow(TypeError);
    expect(() => run(function* () {}, { trace: "" })).toThrow(/'trace' must be a file path/);
    expect(() => new TraceRecorder({ clock: "fast" as never })).toThrow(RangeError);
    expect(() => buildTimeline({} as never)).toThrow(/'rec' must be a TraceRecorder/);
    loop.close();
    expect(() => loop.setTrace(new TraceRecorder())).toThrow(RuntimeError);
    loop.setTrace(null);
  });

  test("one recorder cannot record two live loops at once", () => {
    const rec = new TraceRecorder();
    const a = new EventLoop(V);
    const b = new EventLoop(V);
    a.setTrace(rec);
    expect(() => b.setTrace(rec)).toThrow(/already recording another loop/);
    a.setTrace(null);
    b.setTrace(rec);
    expect(rec.loop).toBe(b);
    b.setTrace(null);
    a.close();
    b.close();
  });

  test("a custom LoopTracer gets the hooks", async () => {
    const log: string[] = [];
    const tracer: LoopTracer = {
      taskCreated: (t, p) => log.push(`created ${t.getName()} by ${p?.getName() ?? "-"}`),
      stepStarted: (t) => log.push(`step ${t.getName()}`),
      stepEnded: (t, f) => log.push(`ended ${t.getName()} ${f === null ? "-" : f instanceof Future ? "waiting" : "?"}`),
    };
    await run(function* () {
      rename("m");
      yield* sleep(1);
    }, { ...V, trace: tracer });
    expect(log).toEqual(expect.arrayContaining(["step m", "ended m waiting", "ended m -"]));
  });
});

describe("trace files: run({ trace: path }), RX_ASYNCIO_TRACE, traceFromArgv", () => {
  const dir = mkdtempSync(join(tmpdir(), "rx-trace-"));

  test("a .json path gets a Chrome trace when run() ends", async () => {
    const file = join(dir, "run.json");
    await run(child, { ...V, trace: file });
    const json = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: { name: string }[] };
    expect(json.traceEvents.some((e) => e.name === "wait: sleep 10 ms")).toBe(true);
  });

  test(".svg and .txt paths get the SVG and the marble timeline", async () => {
    await run(child, { ...V, trace: join(dir, "run.svg") });
    await run(child, { ...V, trace: join(dir, "run.txt") });
    expect(readFileSync(join(dir, "run.svg"), "utf8")).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(readFileSync(join(dir, "run.txt"), "utf8")).toMatch(/^one char = 1 ms of loop time/);
  });

  test("env RX_ASYNCIO_TRACE writes the file; trace: false ignores it", async () => {
    const file = join(dir, "env.json");
    const other = join(dir, "ignored.json");
    process.env.RX_ASYNCIO_TRACE = file;
    try {
      await run(child, V);
      expect(existsSync(file)).toBe(true);
      process.env.RX_ASYNCIO_TRACE = other;
      await run(child, { ...V, trace: false });
      expect(existsSync(other)).toBe(false);
    } finally {
      delete process.env.RX_ASYNCIO_TRACE;
    }
  });

  test("a file that cannot be written is reported, and run() still resolves", async () => {
    const errors: unknown[] = [];
    const spy = jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
    try {
      await expect(run(child, { ...V, trace: join(dir, "no-such-dir", "x.json") })).resolves.toBe(7);
    } finally {
      spy.mockRestore();
    }
    expect(String(errors[0])).toMatch(/could not write the trace to .*x\.json/);
    expect(() => writeTrace(new TraceRecorder(), "")).toThrow(TypeError);
  });

  test("traceFromArgv", () => {
    expect(traceFromArgv(["node", "demo.ts"])).toEqual({});
    expect(traceFromArgv(["node", "demo.ts", "--trace", "out.json"])).toEqual({ trace: "out.json" });
    expect(traceFromArgv(["node", "demo.ts", "--trace=out.svg"])).toEqual({ trace: "out.svg" });
    expect(traceFromArgv(["node", "demo.ts", "--trace"])).toEqual({ trace: "trace.json" });
    expect(traceFromArgv(["node", "demo.ts", "--trace", "--other"])).toEqual({ trace: "trace.json" });
    expect(() => traceFromArgv("--trace" as never)).toThrow(TypeError);
  });
});

describe("labels of the library's own waits", () => {
  test("an executor job, a Semaphore, a Condition, a Barrier, a Queue put and join, a TaskGroup", async () => {
    const rec = new TraceRecorder();
    await run(function* () {
      rename("main");
      const sem = new Semaphore(0);
      const cond = new Condition();
      const barrier = new Barrier(2);
      const q = new Queue<number>(1);
      q.putNowait(0);
      const waiters = [
        createTask(function* () {
          yield* sem.acquire();
        }, { name: "sem" }),
        createTask(function* () {
          yield* cond.acquire();
          yield* cond.wait();
        }, { name: "cond" }),
        createTask(function* () {
          yield* barrier.wait();
        }, { name: "barrier" }),
        createTask(function* () {
          yield* q.put(1);
        }, { name: "put" }),
        createTask(function* () {
          yield* q.join();
        }, { name: "join" }),
      ];
      yield* sleep(1);
      sem.release();
      yield* cond.acquire();
      cond.notifyAll();
      cond.release();
      yield* barrier.wait();
      q.getNowait();
      q.taskDone();
      yield* sleep(1); // the woken putter puts its item
      q.getNowait();
      q.taskDone();
      yield* taskGroup(function* (tg) {
        tg.createTask(sleep(1), { name: "in-group" });
      });
      for (const w of waiters) yield* w;
      return yield* toThread(function double(x: number) {
        return 2 * x;
      }, 21);
    }, { clock: "real", trace: rec });
    const on = (name: string) => rec.events().find((e) => e.task === name && e.type === "suspend")?.on;
    expect([on("sem"), on("cond"), on("barrier"), on("put"), on("join")]).toEqual([
      "Semaphore.acquire",
      "Condition.wait",
      "Barrier.wait",
      "Queue.put",
      "Queue.join",
    ]);
    const mainWaits = rec.events().filter((e) => e.task === "main" && e.type === "suspend").map((e) => e.on);
    expect(mainWaits).toContain("TaskGroup");
    expect(mainWaits.at(-1)).toBe("executor job (function double)");
  });
});
