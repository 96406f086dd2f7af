/**
 * The recorded events as one timeline per task: what the exports draw.
 *
 * @module
 */
import type { ClockKind } from "../event-loop.js";
import { describe } from "../coroutines.js";
import type { TaskOutcome } from "./recorder.js";
import { TraceRecorder } from "./recorder.js";

/**
 * A stretch of a task's life: `"ready"` (scheduled, waiting for its turn:
 * after creation, or after a bare yield such as `sleep(0)`), `"run"` (a step
 * running) or `"wait"` (suspended on something).
 */
export type SegmentKind = "ready" | "run" | "wait";

/** One stretch of a task's life. */
export interface TimelineSegment {
  kind: SegmentKind;
  /** Loop time in ms. */
  start: number;
  end: number;
  /** What it waits on (`wait`), `"scheduled"` or `"yield"` (`ready`), `"step"` (`run`). */
  label: string;
  /** `wait` on a sleep: its delay. */
  delay?: number;
  /** `wait` on another task: that task's id. */
  awaitedTaskId?: number;
  /** Still going when the trace was taken. */
  open?: true;
}

/** How and when a task ended. */
export interface TimelineEnd {
  time: number;
  outcome: TaskOutcome;
  value?: unknown;
  error?: unknown;
  message?: string;
}

/** One task's timeline. */
export interface TimelineTask {
  /** The task's number in the trace (1, 2, ...). */
  id: number;
  name: string;
  /** The task running when it was created, if traced. */
  parentId: number | null;
  /** The loop's number in the trace (1, 2, ...). */
  loopId: number;
  /** When it was created (or when recording started, for an adopted task). */
  created: number;
  adopted: boolean;
  segments: TimelineSegment[];
  /** `null` while the task was still pending at export. */
  end: TimelineEnd | null;
}

/** Every task's timeline, on one time axis. */
export interface Timeline {
  /** Earliest and latest event time (ms). */
  start: number;
  end: number;
  /** `"virtual"` or `"real"`: the clock of the (first) loop recorded. */
  clock: ClockKind;
  /** Event times come from the sub-millisecond clock. */
  precise: boolean;
  /** The loops, by `loopId - 1`: their clock kind. */
  loops: ClockKind[];
  tasks: TimelineTask[];
}

/** Anything a timeline export accepts. */
export type TraceSource = TraceRecorder | Timeline;

/**
 * Builds the per-task timelines from a recorder.
 *
 * @example
 * ```ts
 * const tl = buildTimeline(rec);
 * for (const t of tl.tasks) console.log(t.name, t.end?.outcome);
 * ```
 * @throws TypeError if `rec` is not a TraceRecorder
 */
export function buildTimeline(rec: TraceRecorder): Timeline {
  if (!(rec instanceof TraceRecorder)) {
    throw new TypeError(`buildTimeline(rec): 'rec' must be a TraceRecorder, got ${describe(rec)}`);
  }
  const { events, tasks: taskObjs } = rec._decode();
  const loops = rec._loops;
  const loopIds = new Map(loops.map((l, i) => [l, i + 1] as const));
  const tasks: TimelineTask[] = [];
  const open = new Map<number, TimelineSegment>();
  let start = Infinity;
  let end = -Infinity;
  const close = (id: number, time: number) => {
    const seg = open.get(id);
    if (seg !== undefined) {
      seg.end = time;
      open.delete(id);
    }
  };
  const begin = (task: TimelineTask, seg: TimelineSegment) => {
    close(task.id, seg.start);
    task.segments.push(seg);
    open.set(task.id, seg);
  };
  for (const ev of events) {
    if (ev.time < start) start = ev.time;
    if (ev.time > end) end = ev.time;
    let task = tasks[ev.taskId - 1];
    if (task === undefined) {
      const obj = taskObjs[ev.taskId - 1];
      task = {
        id: ev.taskId,
        name: ev.task,
        parentId: ev.parentId ?? null,
        loopId: (obj !== undefined ? loopIds.get(obj._loop) : undefined) ?? 1,
        created: ev.time,
        adopted: ev.adopted === true,
        segments: [],
        end: null,
      };
      tasks[ev.taskId - 1] = task;
    }
    switch (ev.type) {
      case "create":
        begin(task, { kind: "ready", start: ev.time, end: ev.time, label: "scheduled" });
        break;
      case "start":
      case "resume":
        begin(task, { kind: "run", start: ev.time, end: ev.time, label: "step" });
        break;
      case "suspend": {
        if (ev.on === "yield") {
          begin(task, { kind: "ready", start: ev.time, end: ev.time, label: "yield" });
          break;
        }
        const seg: TimelineSegment = { kind: "wait", start: ev.time, end: ev.time, label: ev.on ?? "future" };
        if (ev.delay !== undefined) seg.delay = ev.delay;
        if (ev.awaitedTaskId !== undefined) seg.awaitedTaskId = ev.awaitedTaskId;
        begin(task, seg);
        break;
      }
      case "end": {
        close(task.id, ev.time);
        const e: TimelineEnd = { time: ev.time, outcome: ev.outcome! };
        if ("value" in ev) e.value = ev.value;
        if ("error" in ev) e.error = ev.error;
        if (ev.message !== undefined) e.message = ev.message;
        task.end = e;
        break;
      }
    }
  }
  if (events.length === 0) start = end = 0;
  for (const seg of open.values()) {
    seg.end = end;
    seg.open = true;
  }
  const kinds = loops.map((l) => l.clock());
  return { start, end, clock: kinds[0] ?? "virtual", precise: rec.precise, loops: kinds, tasks: tasks.filter((t) => t !== undefined) };
}

/**
 * Where time axes count from: 0 of loop time on a virtual clock, the first
 * event on a real one (whose loop time is epoch milliseconds). @internal
 */
export function axisOrigin(tl: Timeline): number {
  return tl.clock === "virtual" && !tl.precise ? 0 : tl.start;
}

/** The timeline of a source: built from a recorder, or given. @internal */
export function toTimeline(source: TraceSource, where: string): Timeline {
  if (source instanceof TraceRecorder) return buildTimeline(source);
  if (typeof source === "object" && source !== null && Array.isArray((source as Timeline).tasks)) return source;
  throw new TypeError(`${where}: 'source' must be a TraceRecorder or a Timeline, got ${describe(source)}`);
}

/** @internal */
export function checkOptionsObject(where: string, options: unknown): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
  }
}

/** @internal */
export function checkWidth(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number") throw new TypeError(`${where}: '${name}' must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${where}: '${name}' must be an integer >= ${min}, got ${describe(v)}`);
  }
  return v;
}

/** @internal */
export function checkPositive(where: string, name: string, v: unknown): number {
  if (typeof v !== "number") throw new TypeError(`${where}: '${name}' must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v) || v <= 0) {
    throw new RangeError(`${where}: '${name}' must be a finite number > 0, got ${describe(v)}`);
  }
  return v;
}
