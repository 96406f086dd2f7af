/**
 * A terminal timeline in RxJS marble notation: one line per task.
 *
 * ```
 * one char = 10 ms of loop time; a = the task's result, | = completion, # = error, X = cancelled
 *            0         100       200
 * main       --------------------(a|)
 * fetch-1    ----------(a|)
 * fetch-2    ---------------#
 * ```
 *
 * With one char = 1 ms a line (without its name) is exactly what a spec of the
 * task's observable expects in `TestScheduler.run`, where a frame is 1 ms:
 * `expectObservable(task(fetch)).toBe("----------(a|)", { a: ... })`. The
 * spaces before a task's creation are ignored by marble parsing, so a pasted
 * line counts from the task's creation, which is when `task()` would have been
 * subscribed. `X` has no marble: in a spec a cancelled task's observable
 * errors, so write `#` with a `CancelledError`.
 *
 * @module
 */
import { fmtMs, fmtValue } from "./labels.js";
import { axisOrigin, checkOptionsObject, checkPositive, checkWidth, toTimeline, type TimelineTask, type TraceSource } from "./timeline.js";

/** Options of `marbleTimeline()`. */
export interface MarbleTimelineOptions {
  /** Total line width in characters, names included (default 80). */
  width?: number;
  /**
   * Loop time per character, in ms (default: the smallest of 1, 2, 5, 10, 20,
   * 50, ... that fits the whole trace in `width`). Give 1 for spec-exact lines.
   */
  msPerChar?: number;
  /** The header line with the scale and the legend of symbols (default true). */
  header?: boolean;
  /** A time ruler under the header (default true). */
  ruler?: boolean;
  /** The values and errors, listed after the lines (default true). */
  values?: boolean;
}

const NAME_MAX = 24;

function niceStep(minStep: number): number {
  if (minStep <= 1) return 1;
  let pow = 1;
  for (;;) {
    for (const m of [1, 2, 5]) {
      if (m * pow >= minStep) return m * pow;
    }
    pow *= 10;
  }
}

function fit(name: string, w: number): string {
  const n = name.length > w ? name.slice(0, w - 1) + "…" : name;
  return n.padEnd(w);
}

/** The marble of one task from its creation: `--(a|)`, `--#`, `--X`, or dashes if still pending. */
function line(t: TimelineTask, t0: number, ms: number, lastCol: number): string {
  const c0 = Math.floor((t.created - t0) / ms);
  const end = t.end;
  const cEnd = end === null ? lastCol + 1 : Math.floor((end.time - t0) / ms);
  const body = " ".repeat(c0) + "-".repeat(Math.max(0, cEnd - c0));
  if (end === null) return body;
  return body + (end.outcome === "result" ? "(a|)" : end.outcome === "error" ? "#" : "X");
}

/**
 * The trace as marble lines, one per task, scaled to fit `width`.
 *
 * @example
 * ```ts
 * const rec = new TraceRecorder();
 * await run(main, { clock: "virtual", trace: rec });
 * console.log(marbleTimeline(rec, { width: 100 }));
 * ```
 * @throws TypeError for a bad source; RangeError for a bad width or scale
 */
export function marbleTimeline(source: TraceSource, options: MarbleTimelineOptions = {}): string {
  const where = "marbleTimeline(source, options)";
  const tl = toTimeline(source, where);
  checkOptionsObject(where, options);
  const width = checkWidth(where, "width", options.width ?? 80, 20);
  const tasks = tl.tasks;
  const nameW = Math.min(NAME_MAX, Math.max(4, ...tasks.map((t) => t.name.length))) + 2;
  const cols = Math.max(1, width - nameW - 4); // room for "(a|)"
  const span = tl.end - tl.start;
  const ms = options.msPerChar !== undefined ? checkPositive(where, "msPerChar", options.msPerChar) : niceStep(span / cols);
  const lastCol = Math.floor(span / ms);
  const out: string[] = [];
  if (options.header !== false) {
    out.push(`one char = ${fmtMs(ms)} ms of loop time; a = the task's result, | = completion, # = error, X = cancelled`);
  }
  if (options.ruler !== false) {
    // A time label every 10 columns, where it does not run into the previous one.
    let labels = "";
    for (let c = 0; c <= lastCol; c += 10) {
      if (c === 0 || labels.length < c) labels = labels.padEnd(c) + fmtMs(tl.start - axisOrigin(tl) + c * ms);
    }
    out.push(" ".repeat(nameW) + labels);
  }
  for (const t of tasks) out.push((fit(t.name, nameW - 2) + "  " + line(t, tl.start, ms, lastCol)).trimEnd());
  if (options.values !== false) {
    const vals: string[] = [];
    for (const t of tasks) {
      const e = t.end;
      if (e === null) vals.push(`${t.name}: still pending`);
      else if (e.outcome === "result") vals.push(`${t.name}: a = ${fmtValue(e.value)}`);
      else if (e.outcome === "error") vals.push(`${t.name}: # = ${fmtValue(e.error)}`);
      else vals.push(`${t.name}: X = cancelled${e.message !== undefined ? ` (${JSON.stringify(e.message)})` : ""}`);
    }
    if (vals.length > 0) out.push("", ...vals);
  }
  return out.join("\n");
}
