/**
 * `TraceRecorder`: the loop tracer that records what every task did.
 *
 * Recording is the hot path (it runs twice per task step), so an event is one
 * slot in a few flat arrays: a kind byte, a time, the task, and one reference
 * (the parent at creation, the awaited future at a suspension). Nothing is
 * formatted while recording: names, labels and outcomes are read from the
 * tasks and futures when the trace is exported.
 *
 * @module
 */
import { describe } from "../coroutines.js";
import { RuntimeError } from "../errors.js";
import type { EventLoop, LoopTracer } from "../event-loop.js";
import type { Future } from "../futures.js";
import { Task } from "../tasks.js";
import { waitLabel, type WaitInfo } from "./labels.js";
import { perfNow } from "../internal/loop-checks.js";
import { CANCELLED, PENDING } from "../internal/future-state.js";

/** @internal Event kinds in the flat log. */
export const K_CREATE = 0;
/** @internal A task that existed before recording started. */
export const K_ADOPT = 1;
/** @internal */ export const K_STEP = 2;
/** @internal Step ended waiting on a future. */
export const K_WAIT = 3;
/** @internal Step ended ready again (a bare yield: `sleep(0)`). */
export const K_YIELD = 4;
/** @internal Step ended with the task done. */
export const K_END = 5;

/** Where event times come from. */
export type TraceClock = "loop" | "precise" | "auto";

/** Options of `new TraceRecorder()`. */
export interface TraceRecorderOptions {
  /**
   * `"loop"`: `loop.time()` (exact, and the only sensible choice for a virtual
   * clock). `"precise"`: a sub-millisecond clock (`performance.now()`) aligned
   * with the loop's time when recording starts, so running steps get real
   * durations. `"auto"` (default): `"precise"` for a real-clock loop whose clock
   * is the real monotonic one, else `"loop"`.
   */
  clock?: TraceClock;
}

/** What kind of thing happened to a task. */
export type TraceEventType = "create" | "start" | "suspend" | "resume" | "end";

/** How a task ended. */
export type TaskOutcome = "result" | "error" | "cancelled";

/**
 * One recorded event, decoded. Only the fields that apply are present, so
 * specs can compare whole events with `toEqual`.
 */
export interface TraceEvent {
  /** Loop time in ms. */
  time: number;
  type: TraceEventType;
  /** The task's name (as it is at export time). */
  task: string;
  /** The task's number in this trace: 1, 2, ... in order of first appearance. */
  taskId: number;
  /** create: the task running when it was created (`null`: none). */
  parent?: string | null;
  /** create: the parent's number in this trace (`null`: none or not traced). */
  parentId?: number | null;
  /** create: the task existed before recording started. */
  adopted?: true;
  /** suspend: what the task waits on (`sleep 100 ms`, `task 'x'`, `Lock.acquire`, `yield`, ...). */
  on?: string;
  /** suspend on a sleep: its delay in ms. */
  delay?: number;
  /** suspend on another task: that task's number in this trace. */
  awaitedTaskId?: number;
  /** end: how the task ended. */
  outcome?: TaskOutcome;
  /** end with a result: the value. */
  value?: unknown;
  /** end with an exception: the exception. */
  error?: unknown;
  /** end cancelled: the cancel message, when there was one. */
  message?: string;
}

const now = perfNow;
const INITIAL = 1024;

/**
 * Records, with loop time, each task's creation (and parent), every step, every
 * suspension and what it waits on, and its end. Give it to `loop.setTrace()` or
 * to `run(main, { trace })`; export with `chromeTrace()`, `marbleTimeline()`,
 * `svgTimeline()` or read `events()`.
 *
 * @example
 * ```ts
 * const rec = new TraceRecorder();
 * await run(main, { clock: "virtual", trace: rec });
 * console.log(marbleTimeline(rec));
 * fs.writeFileSync("trace.json", JSON.stringify(chromeTrace(rec)));
 * ```
 */
export class TraceRecorder implements LoopTracer {
  /** @internal */ _n = 0;
  /** @internal */ _kind = new Uint8Array(INITIAL);
  /** @internal */ _time = new Float64Array(INITIAL);
  /** @internal The task's `_id` (no reference per event: less for the GC to trace). */
  _tid = new Int32Array(INITIAL);
  /**
   * @internal References, in event order: the task and its parent (create), the
   * task (adopt), the awaited future (wait). Other events have none.
   */
  _objs: (Task<unknown> | Future<unknown> | null)[] = [];
  /** @internal The latest event's time. */
  _last = 0;
  /**
   * @internal The task whose step was under way when recording started: the
   * loop will not report that step's end, so the next step start records it.
   */
  _midStep: Task<unknown> | null = null;
  /** @internal When that task was adopted: the time its step end is recorded at. */
  _midStepTime = 0;
  /** @internal Loops recorded, in order; the index + 1 is the loop's pid in exports. */
  readonly _loops: EventLoop[] = [];
  /** @internal */ _loop: EventLoop | null = null;
  private readonly _clockOption: TraceClock;
  /** @internal */ _precise = false;
  private _perfBase = 0;
  private _loopBase = 0;

  /** @throws RangeError for an unknown `clock` */
  constructor(options: TraceRecorderOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`new TraceRecorder(options): 'options' must be an object, got ${describe(options)}`);
    }
    const clock = options.clock ?? "auto";
    if (clock !== "loop" && clock !== "precise" && clock !== "auto") {
      throw new RangeError(`new TraceRecorder(options): 'clock' must be "loop", "precise" or "auto", got ${describe(clock)}`);
    }
    this._clockOption = clock;
  }

  /** How many events were recorded. */
  get size(): number {
    return this._n;
  }

  /** The loop being recorded, or `null`. */
  get loop(): EventLoop | null {
    return this._loop;
  }

  /** Whether event times come from the sub-millisecond clock (see {@link TraceRecorderOptions.clock}). */
  get precise(): boolean {
    return this._precise;
  }

  /**
   * Forgets every event. While recording, the loop's live tasks are adopted
   * again (as at `setTrace`), so what they do next still reads well.
   */
  clear(): void {
    this._n = 0;
    this._objs = [];
    this._midStep = null;
    const loop = this._loop;
    // A step under way will report its end to this recorder: no need to make one up.
    if (loop !== null && !loop.isClosed()) this._adopt(loop, false);
  }

  // ---- LoopTracer ----------------------------------------------------------------

  /** @internal Called by `loop.setTrace(this)`. */
  attached(loop: EventLoop): void {
    if (this._loop !== null && this._loop !== loop && !this._loop.isClosed() && this._loop.getTrace() === this) {
      throw new RuntimeError("TraceRecorder is already recording another loop: call setTrace(null) on that loop first");
    }
    this._loop = loop;
    if (!this._loops.includes(loop)) this._loops.push(loop);
    const t = loop.time();
    this._precise =
      this._clockOption === "precise" ||
      (this._clockOption === "auto" && loop.clock() === "real" && Math.abs(t - now()) < 1000);
    this._loopBase = t;
    this._perfBase = now();
    this._adopt(loop, true);
  }

  /**
   * Tasks already alive are adopted, so their later events make sense: one
   * waiting on a future is shown waiting on it; a step under way (setTrace
   * called from a task: the loop reports that step's end to the tracer it had
   * when the step began) has its end recorded when the next step starts.
   */
  private _adopt(loop: EventLoop, midStep: boolean): void {
    this._last = this._precise ? this._loopBase + (now() - this._perfBase) : loop.time();
    this._midStep = null;
    for (const task of loop._tasks) {
      this._objs.push(task);
      this._push(K_ADOPT, task);
      const w = task._futWaiter;
      if (w !== null) {
        this._objs.push(w);
        this._push(K_WAIT, task);
      } else if (midStep && task === loop._currentTask) {
        this._midStep = task;
        this._midStepTime = this._last;
      }
    }
  }

  /** @internal Called when the loop drops this tracer. */
  detached(loop: EventLoop): void {
    if (this._midStep !== null && loop._currentTask !== this._midStep) this._endMidStep();
    if (this._loop === loop) this._loop = null;
  }

  /** Records how the step under way at `attached()` ended, at the time recording started. */
  private _endMidStep(): void {
    const task = this._midStep!;
    this._midStep = null;
    const w = task._futWaiter;
    const kind = task._state !== PENDING ? K_END : w !== null ? K_WAIT : K_YIELD;
    if (kind === K_WAIT) this._objs.push(w!);
    const last = this._last;
    this._store(kind, task._id, this._midStepTime);
    this._last = last;
  }

  /** @internal */
  taskCreated(task: Task<unknown>, parent: Task<unknown> | null): void {
    this._objs.push(task, parent);
    // Created inside a step: that step's start is the time (clock reads are
    // the dearest part of recording). Elsewhere the clock is read.
    if (parent !== null) this._store(K_CREATE, task._id, this._last);
    else this._push(K_CREATE, task);
  }

  /** @internal */
  stepStarted(task: Task<unknown>): void {
    if (this._midStep !== null) this._endMidStep();
    this._push(K_STEP, task);
  }

  /** @internal */
  stepEnded(task: Task<unknown>, awaiting: Future<unknown> | null): void {
    if (task._state !== PENDING) this._push(K_END, task);
    else if (awaiting === null) this._push(K_YIELD, task);
    else {
      this._objs.push(awaiting);
      this._push(K_WAIT, task);
    }
  }

  /** @internal The hot path: one clock read and three stores. */
  _push(kind: number, task: Task<unknown>): void {
    this._store(kind, task._id, this._precise ? this._loopBase + (now() - this._perfBase) : task._loop.time());
  }

  private _store(kind: number, id: number, time: number): void {
    const n = this._n;
    if (n === this._kind.length) this._grow();
    this._kind[n] = kind;
    this._time[n] = time;
    this._tid[n] = id;
    this._last = time;
    this._n = n + 1;
  }

  private _grow(): void {
    const cap = this._kind.length * 2;
    const kind = new Uint8Array(cap);
    kind.set(this._kind);
    const time = new Float64Array(cap);
    time.set(this._time);
    const tid = new Int32Array(cap);
    tid.set(this._tid);
    this._kind = kind;
    this._time = time;
    this._tid = tid;
  }

  // ---- decoding ---------------------------------------------------------------

  /**
   * The recorded events, decoded, in the order they happened.
   *
   * @example
   * ```ts
   * expect(rec.events()).toEqual([
   *   { time: 0, type: "create", task: "main", taskId: 1, parent: null, parentId: null },
   *   { time: 0, type: "start", task: "main", taskId: 1 },
   *   { time: 0, type: "suspend", task: "main", taskId: 1, on: "sleep 10 ms", delay: 10 },
   *   ...
   * ]);
   * ```
   */
  events(): TraceEvent[] {
    return this._decode().events;
  }

  /** @internal The events, and the tasks by `taskId - 1`. */
  _decode(): { events: TraceEvent[]; tasks: Task<unknown>[] } {
    const byRawId = new Map<number, Task<unknown>>();
    const ids = new Map<Task<unknown>, number>();
    const started = new Set<Task<unknown>>();
    const out: TraceEvent[] = [];
    const objs = this._objs;
    let o = 0;
    for (let i = 0; i < this._n; i++) {
      const kind = this._kind[i]!;
      let task: Task<unknown> | undefined;
      let parent: Task<unknown> | null = null;
      if (kind === K_CREATE || kind === K_ADOPT) {
        task = objs[o++] as Task<unknown>;
        if (kind === K_CREATE) parent = objs[o++] as Task<unknown> | null;
        byRawId.set(task._id, task);
      } else task = byRawId.get(this._tid[i]!);
      const awaited = kind === K_WAIT ? (objs[o++] as Future<unknown>) : null;
      if (task === undefined) continue; // not seen created or adopted: cannot name it
      let id = ids.get(task);
      if (id === undefined) ids.set(task, (id = ids.size + 1));
      const time = this._time[i]!;
      const base = { time, task: task.getName(), taskId: id };
      switch (kind) {
        case K_CREATE:
        case K_ADOPT: {
          const ev: TraceEvent = { ...base, type: "create", parent: parent === null ? null : parent.getName(), parentId: parent === null ? null : (ids.get(parent) ?? null) };
          if (kind === K_ADOPT) {
            ev.adopted = true;
            started.add(task);
          }
          out.push(ev);
          break;
        }
        case K_STEP:
          out.push({ ...base, type: started.has(task) ? "resume" : "start" });
          started.add(task);
          break;
        case K_WAIT:
          out.push(suspendEvent(base, waitLabel(awaited!), ids));
          break;
        case K_YIELD:
          out.push({ ...base, type: "suspend", on: "yield" });
          break;
        default:
          out.push({ ...base, type: "end", ...outcomeOf(task) });
      }
    }
    return { events: out, tasks: Array.from(ids.keys()) };
  }
}

function suspendEvent(base: { time: number; task: string; taskId: number }, info: WaitInfo, ids: Map<Task<unknown>, number>): TraceEvent {
  const ev: TraceEvent = { ...base, type: "suspend", on: info.label };
  if (info.delay !== undefined) ev.delay = info.delay;
  if (info.task !== undefined) {
    const aid = ids.get(info.task);
    if (aid !== undefined) ev.awaitedTaskId = aid;
  }
  return ev;
}

/**
 * How a done task ended, read from its fields (never through `exception()`,
 * which would mark an unretrieved exception as seen).
 * @internal
 */
export function outcomeOf(task: Task<unknown>): { outcome: TaskOutcome; value?: unknown; error?: unknown; message?: string } {
  if (task._state === CANCELLED) {
    const m = task._cancelMessage;
    return m === undefined || m === "" ? { outcome: "cancelled" } : { outcome: "cancelled", message: m };
  }
  if (task._failed) return { outcome: "error", error: task._exception };
  return { outcome: "result", value: task._result };
}
