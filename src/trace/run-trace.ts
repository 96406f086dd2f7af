/**
 * Tracing a whole `run()`: the `trace` option, env `RX_ASYNCIO_TRACE`, writing
 * the trace file when `run()` ends, and `traceFromArgv` for demos.
 *
 * @module
 */
import { describe } from "../coroutines.js";
import type { EventLoop, LoopTracer } from "../event-loop.js";
import { nodeRequire } from "../internal/node-env.js";
import { chromeTrace } from "./chrome-trace.js";
import { marbleTimeline } from "./marble-timeline.js";
import { TraceRecorder } from "./recorder.js";
import { svgTimeline } from "./svg-timeline.js";
import { toTimeline, type TraceSource } from "./timeline.js";

/**
 * The `trace` option of `run()`: a file to write when `run()` ends (`.json`:
 * Chrome Trace Event JSON for Perfetto / chrome://tracing; `.svg`: an SVG
 * timeline; `.txt`: the marble timeline), a tracer to record into (e.g. a
 * `TraceRecorder` you export yourself afterwards), or `false` to ignore env
 * `RX_ASYNCIO_TRACE`.
 */
export type RunTraceOption = string | LoopTracer | false;

function envTrace(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.RX_ASYNCIO_TRACE;
  return v === undefined || v === "" ? undefined : v;
}

/** @internal Checks `run()`'s `trace` option before any loop exists. */
export function checkTraceOption(option: unknown): void {
  if (option === undefined || option === false) return;
  if (typeof option === "string") {
    if (option === "") throw new TypeError("run(main, options): 'trace' must be a file path, a tracer or false, got \"\"");
    return;
  }
  if (
    typeof option === "object" &&
    option !== null &&
    typeof (option as LoopTracer).taskCreated === "function" &&
    typeof (option as LoopTracer).stepStarted === "function" &&
    typeof (option as LoopTracer).stepEnded === "function"
  ) {
    return;
  }
  throw new TypeError(`run(main, options): 'trace' must be a file path, a tracer (e.g. a TraceRecorder) or false, got ${describe(option)}`);
}

/**
 * @internal Turns tracing on for a `run()` loop; returns what to call once the
 * loop is closed (it detaches the tracer and writes the file), or `null`.
 */
export function startRunTrace(loop: EventLoop, option: RunTraceOption | undefined): (() => void) | null {
  const target = option === undefined ? envTrace() : option;
  if (target === undefined || target === false) return null;
  const tracer = typeof target === "string" ? new TraceRecorder() : target;
  loop.setTrace(tracer);
  return () => {
    loop.setTrace(null);
    if (typeof target !== "string") return;
    try {
      writeTrace(tracer as TraceRecorder, target);
    } catch (e) {
      loop.logger.error(`rx-asyncio: could not write the trace to ${target}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

/**
 * Writes a trace to `path`, in the format its extension names: `.svg` an SVG
 * timeline, `.txt` or `.marble` the marble timeline, anything else Chrome
 * Trace Event JSON (open it in https://ui.perfetto.dev or chrome://tracing).
 * Node.js only.
 *
 * @example
 * ```ts
 * const rec = new TraceRecorder();
 * await run(main, { trace: rec });
 * writeTrace(rec, "trace.json");
 * writeTrace(rec, "timeline.svg");
 * ```
 * @throws TypeError for a bad `path`; the file system's error if it cannot write
 */
export function writeTrace(source: TraceSource, path: string): void {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`writeTrace(source, path): 'path' must be a file path, got ${describe(path)}`);
  }
  source = toTimeline(source, "writeTrace(source, path)");
  const lower = path.toLowerCase();
  const text = lower.endsWith(".svg")
    ? svgTimeline(source)
    : lower.endsWith(".txt") || lower.endsWith(".marble")
      ? marbleTimeline(source) + "\n"
      : JSON.stringify(chromeTrace(source));
  nodeRequire<typeof import("node:fs")>("node:fs").writeFileSync(path, text);
}

/**
 * `run()` options from command-line arguments, so a demo can be traced with
 * `npm run demo -- <name> --trace out.json` (or `--trace=out.svg`; a bare
 * `--trace` writes `trace.json`). Without `--trace` it gives `{}`.
 *
 * @example
 * ```ts
 * void run(main, { ...traceFromArgv(process.argv) });
 * ```
 */
export function traceFromArgv(argv: readonly string[]): { trace?: string } {
  if (!Array.isArray(argv)) throw new TypeError(`traceFromArgv(argv): 'argv' must be an array of strings, got ${describe(argv)}`);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--trace") {
      const next = argv[i + 1];
      return { trace: typeof next === "string" && next !== "" && !next.startsWith("--") ? next : "trace.json" };
    }
    if (typeof a === "string" && a.startsWith("--trace=")) {
      const v = a.slice("--trace=".length);
      return { trace: v === "" ? "trace.json" : v };
    }
  }
  return {};
}
