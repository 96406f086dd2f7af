/**
 * Chrome Trace Event JSON (the format Perfetto and chrome://tracing open).
 *
 * A process per loop, a thread track per task. Each track has "X" slices for
 * the running steps and for the waits (named after what was awaited), an
 * instant for the end, and flow arrows: from the parent's step to the child's
 * creation, and from an awaited task's end to its waiter's resumption.
 *
 * @module
 */
import { fmtValue } from "./labels.js";
import { toTimeline, type TimelineSegment, type TimelineTask, type TraceSource } from "./timeline.js";

/** One event of the Trace Event format (the fields this library writes). */
export interface ChromeTraceEvent {
  name: string;
  /** Phase: `X` complete slice, `i` instant, `s`/`f` flow start/end, `M` metadata. */
  ph: "X" | "i" | "s" | "f" | "M";
  /** Microseconds. */
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  /** `X` only: microseconds. */
  dur?: number;
  /** Flow events: pairs an `s` with its `f`. */
  id?: number;
  /** `f`: bind to the enclosing slice (absent: to the next slice). */
  bp?: "e";
  /** `i`: scope (thread). */
  s?: "t";
  args?: Record<string, string | number | boolean | null>;
}

/** A whole trace file: `JSON.stringify` it and open it in https://ui.perfetto.dev. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: "ms";
  otherData: Record<string, string>;
}


/**
 * A trace in Chrome Trace Event JSON: `JSON.stringify(chromeTrace(rec))` is a
 * file Perfetto (https://ui.perfetto.dev) and chrome://tracing open.
 *
 * @example
 * ```ts
 * const rec = new TraceRecorder();
 * await run(main, { trace: rec });
 * fs.writeFileSync("trace.json", JSON.stringify(chromeTrace(rec)));
 * ```
 * @throws TypeError if `source` is not a TraceRecorder or a Timeline
 */
export function chromeTrace(source: TraceSource): ChromeTrace {
  const tl = toTimeline(source, "chromeTrace(source)");
  // Microseconds since the trace's start, from whole nanoseconds: a real
  // clock's epoch-sized times would leave no room in a double for fractions.
  const origin = tl.start;
  const ns = (ms: number) => Math.round((ms - origin) * 1e6);
  const us = (ms: number) => ns(ms) / 1000;
  const meta: ChromeTraceEvent[] = [];
  const body: ChromeTraceEvent[] = [];
  const byId = new Map<number, TimelineTask>();
  for (const t of tl.tasks) byId.set(t.id, t);

  // Arrows, found up front so each end can be written next to the slice it binds to.
  let flowId = 0;
  const spawnsOf = new Map<number, { child: TimelineTask; id: number }[]>();
  const spawnId = new Map<TimelineTask, number>();
  const awaitersOf = new Map<number, { waiter: TimelineTask; id: number }[]>();
  const awaitId = new Map<TimelineSegment, number>();
  for (const t of tl.tasks) {
    if (t.parentId !== null && byId.has(t.parentId)) {
      const id = ++flowId;
      spawnId.set(t, id);
      let list = spawnsOf.get(t.parentId);
      if (list === undefined) spawnsOf.set(t.parentId, (list = []));
      list.push({ child: t, id });
    }
    for (const seg of t.segments) {
      if (seg.kind !== "wait" || seg.awaitedTaskId === undefined || seg.open) continue;
      const awaited = byId.get(seg.awaitedTaskId);
      if (awaited === undefined || awaited.end === null) continue;
      const id = ++flowId;
      awaitId.set(seg, id);
      let list = awaitersOf.get(awaited.id);
      if (list === undefined) awaitersOf.set(awaited.id, (list = []));
      list.push({ waiter: t, id });
    }
  }

  const loops = tl.loops.length === 0 ? [tl.clock] : tl.loops;
  loops.forEach((clock, i) => {
    meta.push({ name: "process_name", ph: "M", ts: 0, pid: i + 1, tid: 0, args: { name: `rx-asyncio loop ${i + 1} (${clock} clock)` } });
  });
  for (const t of tl.tasks) {
    const pid = t.loopId;
    const tid = t.id;
    meta.push({ name: "thread_name", ph: "M", ts: 0, pid, tid, args: { name: t.name } });
    meta.push({ name: "thread_sort_index", ph: "M", ts: 0, pid, tid, args: { sort_index: t.id } });
    const sid = spawnId.get(t);
    if (sid !== undefined) {
      // The child's end of the spawn arrow binds to its next slice.
      body.push({ name: "spawn", cat: "spawn", ph: "f", id: sid, ts: us(t.created), pid, tid });
    }
    const spawns = spawnsOf.get(t.id) ?? [];
    let nextSpawn = 0;
    let step = 0;
    for (const seg of t.segments) {
      const dur = (ns(seg.end) - ns(seg.start)) / 1000;
      // An empty "ready" stretch says nothing, and would nest the next step under it.
      if (seg.kind === "ready" && dur === 0) continue;
      const args: Record<string, string | number | boolean | null> = {};
      let name: string;
      if (seg.kind === "run") {
        name = "run";
        args.step = ++step;
      } else if (seg.kind === "wait") {
        name = `wait: ${seg.label}`;
        args.on = seg.label;
        if (seg.delay !== undefined) args.delay_ms = seg.delay;
      } else name = seg.label === "yield" ? "ready (yield)" : "scheduled";
      if (seg.open) args.unfinished = true;
      body.push({ name, cat: seg.kind, ph: "X", ts: us(seg.start), dur, pid, tid, args });
      if (seg.kind === "run") {
        // Spawn arrows start in the step that created the child (a flow start
        // binds to the slice on top of the track's stack: this one).
        while (nextSpawn < spawns.length && spawns[nextSpawn]!.child.created <= seg.end) {
          const { child, id } = spawns[nextSpawn++]!;
          body.push({ name: "spawn", cat: "spawn", ph: "s", id, ts: us(child.created), pid, tid });
        }
      }
      const aid = awaitId.get(seg);
      if (aid !== undefined) {
        // This task's end of the await arrow binds to its next slice: the resumption.
        body.push({ name: "await", cat: "await", ph: "f", id: aid, ts: us(seg.end), pid, tid });
      }
    }
    while (nextSpawn < spawns.length) {
      const { child, id } = spawns[nextSpawn++]!;
      body.push({ name: "spawn", cat: "spawn", ph: "s", id, ts: us(child.created), pid, tid });
    }
    if (t.end !== null) {
      const args: Record<string, string | number | boolean | null> = { outcome: t.end.outcome };
      if (t.end.outcome === "result") args.result = fmtValue(t.end.value, 200);
      else if (t.end.outcome === "error") args.error = fmtValue(t.end.error, 200);
      else if (t.end.message !== undefined) args.message = t.end.message;
      body.push({ name: t.end.outcome, cat: "end", ph: "i", s: "t", ts: us(t.end.time), pid, tid, args });
      for (const { id } of awaitersOf.get(t.id) ?? []) {
        body.push({ name: "await", cat: "await", ph: "s", id, ts: us(t.end.time), pid, tid });
      }
    }
  }
  // Viewers sort by time; a stable sort keeps each track's same-time events in
  // the order above, so each flow end stays next to the slice it binds to.
  body.sort((a, b) => a.ts - b.ts);
  return {
    traceEvents: meta.concat(orderFlows(body)),
    displayTimeUnit: "ms",
    otherData: {
      producer: "rx-asyncio",
      clock: tl.clock,
      timeUnit: "ts and dur are microseconds of loop time since startTime",
      startTime: `${origin} ms of loop time`,
    },
  };
}

/**
 * Within each run of same-time events, puts the tracks in an order where a
 * flow's start comes before its end (importers drop an end they have not seen
 * the start of), keeping each track's own events in order.
 */
function orderFlows(sorted: ChromeTraceEvent[]): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.ts === sorted[i]!.ts) j++;
    const group = sorted.slice(i, j);
    i = j;
    if (!group.some((e) => e.ph === "f")) {
      for (const e of group) out.push(e);
      continue;
    }
    const tracks = new Map<string, ChromeTraceEvent[]>();
    const starts = new Map<string, string>(); // flow -> track of its start
    for (const e of group) {
      const key = `${e.pid}/${e.tid}`;
      let list = tracks.get(key);
      if (list === undefined) tracks.set(key, (list = []));
      list.push(e);
      if (e.ph === "s") starts.set(`${e.cat}/${e.id}`, key);
    }
    const after = new Map<string, Set<string>>(); // track -> tracks that must come after it
    const blockers = new Map<string, number>();
    for (const key of tracks.keys()) blockers.set(key, 0);
    for (const e of group) {
      if (e.ph !== "f") continue;
      const from = starts.get(`${e.cat}/${e.id}`);
      const to = `${e.pid}/${e.tid}`;
      if (from === undefined || from === to) continue;
      let set = after.get(from);
      if (set === undefined) after.set(from, (set = new Set()));
      if (!set.has(to)) {
        set.add(to);
        blockers.set(to, blockers.get(to)! + 1);
      }
    }
    // Kahn's algorithm: tracks nothing waits for go first, in order of appearance.
    const queue = Array.from(tracks.keys()).filter((k) => blockers.get(k) === 0);
    const emitted = new Set<string>();
    for (let q = 0; emitted.size < tracks.size; q++) {
      // A cycle cannot happen (a task cannot await one that awaits it and both
      // end at once); should it, take the first remaining track.
      const key = q < queue.length ? queue[q]! : Array.from(tracks.keys()).find((k) => !emitted.has(k))!;
      if (emitted.has(key)) continue;
      emitted.add(key);
      for (const e of tracks.get(key)!) out.push(e);
      for (const to of after.get(key) ?? []) {
        const left = blockers.get(to)! - 1;
        blockers.set(to, left);
        if (left === 0) queue.push(to);
      }
    }
  }
  return out;
}
