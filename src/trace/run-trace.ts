/**
 * Tracing a whole `run()`: the `trace` option, env `RX_ASYNCIO_TRACE`, writing
 * the trace file when `run()` ends, and `traceFromArgv` for demos.
 *
 * @module
 */
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";
import { nodeRequire } from "../internal/node-env.js";
import { chromeTrace } from "./chrome-trace.js";
import { marbleTimeline } from "./marble-timeline.js";
import { TraceRecorder } from "./recorder.js";
import { svgTimeline } from "./svg-timeline.js";
import { toTimeline, type TraceSource } from "./timeline.js";
import { setRunTraceWriter } from "../runners.js";

export type { RunTraceOption } from "../runners.js";

/**
 * The trace layer's side of `run()`'s `trace` option (the hook in
 * runners.ts): records a run into a `TraceRecorder` and, once the loop is
 * closed, writes the file. Installed when this module loads, so `run()` does
 * not load the trace layer itself.
 */
function traceRunToFile(loop: EventLoop, path: string): () => void {
  const recorder = new TraceRecorder();
  loop.setTrace(recorder);
  return () => {
    loop.setTrace(null);
    try {
      writeTrace(recorder, path);
    } catch (e) {
      loop.logger.error(`rx-asyncio: could not write the trace to ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

setRunTraceWriter(traceRunToFile);

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
