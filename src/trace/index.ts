/**
 * See what the tasks did: a recorder for traces, three exports of them (Chrome
 * Trace Event JSON, marble lines, SVG), and the live task tree.
 *
 * @module
 */
export type { ChromeTrace, ChromeTraceEvent } from "./chrome-trace.js";
export { chromeTrace } from "./chrome-trace.js";
export type { MarbleTimelineOptions } from "./marble-timeline.js";
export { marbleTimeline } from "./marble-timeline.js";
export type { TaskOutcome, TraceClock, TraceEvent, TraceEventType, TraceRecorderOptions } from "./recorder.js";
export { TraceRecorder } from "./recorder.js";
export type { RunTraceOption } from "./run-trace.js";
export { traceFromArgv, writeTrace } from "./run-trace.js";
export type { SvgTimelineOptions } from "./svg-timeline.js";
export { svgTimeline } from "./svg-timeline.js";
export type {
  PrintTaskTreeOptions,
  TaskTree,
  TaskTreeFutureNode,
  TaskTreeNode,
  TaskTreeOptions,
  TaskTreeState,
  TaskTreeTaskNode,
} from "./task-tree.js";
export { captureTaskTree, formatTaskTree, printTaskTree } from "./task-tree.js";
export type { SegmentKind, Timeline, TimelineEnd, TimelineSegment, TimelineTask, TraceSource } from "./timeline.js";
export { buildTimeline } from "./timeline.js";
// Registers how `rx-asyncio ps <pid>` reads this copy's loops (a side effect on purpose).
import "./process-snapshot.js";
// Draws the task tree of a deadlock report (a side effect on purpose).
import "./deadlock-report.js";
export type { FutureCallGraph } from "./call-graph.js";
export { captureCallGraph, formatCallGraph, printCallGraph } from "./call-graph.js";
