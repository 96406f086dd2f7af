/**
 * The reader `rx-asyncio ps <pid>` calls inside the target process: each live
 * loop's task tree (see task-tree.ts) as plain JSON. Coroutine objects cannot
 * travel as JSON; they are collected into a list the command then asks the
 * inspector about (a suspended generator's function and position are visible
 * to the inspector only, not to JavaScript).
 *
 * @module
 */
import { EventLoop } from "../event-loop.js";
import { registerLoopReader } from "../internal/process-registry.js";
import { _plainFunctionOf } from "../async-task.js";
import { captureTaskTree, type TaskTreeNode, type TaskTreeState } from "./task-tree.js";

/** A task of a snapshot. */
export interface SnapshotTask {
  kind: "task";
  id: number;
  name: string;
  state: TaskTreeState;
  cancelling: number;
  /** Index of its generator in the registry's `coros` list, or `null` (done, or not a generator). */
  coro: number | null;
  /** "generator", "async function <name>", or the class of a hand-written coroutine (e.g. `sleep()`'s). */
  coroKind: string;
  shownAbove?: true;
  cycle?: true;
  children: SnapshotNode[];
}

/** A future a task waits on. */
export interface SnapshotFuture {
  kind: "future";
  label: string;
  children: SnapshotNode[];
}

export type SnapshotNode = SnapshotTask | SnapshotFuture;

/** One loop of a snapshot. */
export interface SnapshotLoop {
  index: number;
  clock: "real" | "virtual";
  time: number;
  running: boolean;
  closed: boolean;
  roots: SnapshotTask[];
}

/** What `snapshot()` answers (as a JSON string). */
export interface ProcessSnapshot {
  format: 1;
  pid: number | null;
  loops: SnapshotLoop[];
}

function toJson(node: TaskTreeNode, coros: unknown[]): SnapshotNode {
  if (node.kind === "future") return { kind: "future", label: node.label, children: node.children.map((c) => toJson(c, coros)) };
  const coro = node.task.getCoro();
  const fn = _plainFunctionOf(coro);
  // An async function's position is not visible even to the inspector: name it.
  const isGen = fn === undefined && Object.prototype.toString.call(coro) === "[object Generator]";
  const out: SnapshotTask = {
    kind: "task",
    id: node.task._id,
    name: node.name,
    state: node.state,
    cancelling: node.cancelling,
    coro: null,
    coroKind: fn !== undefined ? `async function ${fn.name || "<anonymous>"}` : isGen ? "generator" : ((coro as object).constructor?.name ?? "coroutine"),
    children: node.children.map((c) => toJson(c, coros)),
  };
  if (isGen && node.state !== "done" && !node.shownAbove) out.coro = coros.push(coro) - 1;
  if (node.shownAbove) out.shownAbove = true;
  if (node.cycle) out.cycle = true;
  return out;
}

/** Reads a loop of this copy of the library; `undefined` for any other object. */
export function readLoop(loop: object, index: number, coros: unknown[]): SnapshotLoop | undefined {
  if (!(loop instanceof EventLoop)) return undefined;
  const closed = loop.isClosed();
  const roots = closed ? [] : captureTaskTree({ loop }).roots.map((r) => toJson(r, coros) as SnapshotTask);
  return { index, clock: loop.clock(), time: loop.time(), running: loop.isRunning(), closed, roots };
}

registerLoopReader(readLoop);
