/**
 * The live tree of who awaits whom (Python 3.14's `asyncio.capture_call_graph`
 * and `python -m asyncio pstree`), read from the loop's pending tasks and the
 * future each one waits on. Needs no tracer.
 *
 * A task waiting on another task has it as its child; a task waiting on a
 * composite future (a `gather`, or any future with `_traceChildren()`) has that
 * future as child and its pending parts below it; any other wait is a leaf
 * naming what is awaited. Roots are the tasks nobody awaits.
 *
 * @module
 */
import { describe } from "../coroutines.js";
import { RuntimeError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import { _getRunningLoop } from "../running-loop.js";
import { Future } from "../futures.js";
import { SleepFuture } from "../sleep.js";
import { Task } from "../tasks.js";
import { fmtMs } from "./labels.js";
import { PENDING } from "../internal/future-state.js";
import { checkLoop } from "../internal/loop-checks.js";

/** What a task is doing: running now, ready to run, waiting, or already done. */
export type TaskTreeState = "running" | "ready" | "waiting" | "done";

/** A task in the tree. */
export interface TaskTreeTaskNode {
  kind: "task";
  task: Task<unknown>;
  name: string;
  state: TaskTreeState;
  /** Pending cancel requests (`task.cancelling()`). */
  cancelling: number;
  /** What it waits on: a task, a composite or a leaf (empty unless waiting). */
  children: TaskTreeNode[];
  /** A task awaited by several: its subtree is shown at its first place only. */
  shownAbove?: true;
  /** The task awaits itself through this path: a deadlock. */
  cycle?: true;
}

/** A future a task waits on: a leaf (`sleep until 100 ms`, `Lock.acquire`) or a composite. */
export interface TaskTreeFutureNode {
  kind: "future";
  future: Future<unknown>;
  label: string;
  /** A composite's pending parts. */
  children: TaskTreeNode[];
}

/** A node of the task tree. */
export type TaskTreeNode = TaskTreeTaskNode | TaskTreeFutureNode;

/** A snapshot of who awaits whom. */
export interface TaskTree {
  /** Loop time of the snapshot. */
  time: number;
  clock: "real" | "virtual";
  /** Tasks nobody awaits, oldest first. */
  roots: TaskTreeTaskNode[];
}

/** Options of `captureTaskTree()` / `printTaskTree()`. */
export interface TaskTreeOptions {
  /** The loop (default: the running loop). */
  loop?: EventLoop;
}

/** Options of `printTaskTree()`. */
export interface PrintTaskTreeOptions extends TaskTreeOptions {
  /** Where the text goes (default `console.log`). */
  write?: (text: string) => void;
}

const MAX_DEPTH = 64;

/** The parts of a composite future, if it is one. @internal */
export function partsOf(fut: Future<unknown>): Future<unknown>[] | null {
  const f = fut as Future<unknown> & { _traceChildren?: () => unknown; _children?: unknown };
  let parts: unknown;
  if (typeof f._traceChildren === "function") parts = f._traceChildren();
  else parts = f._children;
  if (!Array.isArray(parts)) return null;
  const out: Future<unknown>[] = [];
  for (const p of parts) if (p instanceof Future && !out.includes(p)) out.push(p);
  return out;
}

function safeLabel(fut: Future<unknown>): string {
  try {
    return String(fut._traceLabel());
  } catch {
    return "future";
  }
}

/** What a leaf wait is, in words. @internal */
export function leafLabel(fut: Future<unknown>, now: number): string {
  if (fut instanceof SleepFuture) return `sleep until ${fmtMs(fut._when)} ms (${fmtMs(Math.max(0, fut._when - now))} ms left)`;
  return safeLabel(fut);
}

/** The tasks `fut` (a task's wait) leads to, through composites. */
function awaitedTasks(fut: Future<unknown>, out: Set<Task<unknown>>, depth: number): void {
  if (fut instanceof Task) {
    out.add(fut);
    return;
  }
  if (depth > MAX_DEPTH) return;
  const parts = partsOf(fut);
  if (parts !== null) for (const p of parts) if (p._state === PENDING) awaitedTasks(p, out, depth + 1);
}

/**
 * A snapshot of the loop's tasks as a tree of who awaits whom. Works with or
 * without a tracer, from inside a task or from outside the loop.
 *
 * @example
 * ```ts
 * const tree = captureTaskTree();
 * for (const root of tree.roots) console.log(root.name, root.state);
 * ```
 * @throws RuntimeError outside a running loop when no `loop` is given
 */
export function captureTaskTree(options: TaskTreeOptions = {}): TaskTree {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`captureTaskTree(options): 'options' must be an object, got ${describe(options)}`);
  }
  const loop = options.loop ?? _getRunningLoop();
  if (loop === null) throw new RuntimeError("captureTaskTree(options): no running event loop; pass { loop }");
  checkLoop("captureTaskTree(options)", loop);
  const now = loop.time();
  const tasks = Array.from(loop._tasks);
  const current = loop._currentTask;
  if (current !== null && !tasks.includes(current)) tasks.push(current);
  tasks.sort((a, b) => a._id - b._id);

  const awaited = new Set<Task<unknown>>();
  for (const t of tasks) if (t._futWaiter !== null) awaitedTasks(t._futWaiter, awaited, 0);

  const shown = new Set<Task<unknown>>();
  const path = new Set<Task<unknown>>();

  const taskNode = (t: Task<unknown>, depth: number): TaskTreeTaskNode => {
    const state: TaskTreeState = t._state !== PENDING ? "done" : t === current ? "running" : t._futWaiter !== null ? "waiting" : "ready";
    const node: TaskTreeTaskNode = { kind: "task", task: t, name: t.getName(), state, cancelling: t.cancelling(), children: [] };
    if (path.has(t)) {
      node.cycle = true;
      return node;
    }
    if (shown.has(t)) {
      node.shownAbove = true;
      return node;
    }
    shown.add(t);
    const w = t._futWaiter;
    if (w !== null && t._state === PENDING && depth < MAX_DEPTH) {
      path.add(t);
      node.children.push(futureNode(w, depth + 1));
      path.delete(t);
    }
    return node;
  };

  const futureNode = (f: Future<unknown>, depth: number): TaskTreeNode => {
    if (f instanceof Task) return taskNode(f, depth);
    const parts = depth < MAX_DEPTH ? partsOf(f) : null;
    if (parts === null) return { kind: "future", future: f, label: leafLabel(f, now), children: [] };
    const pending = parts.filter((p) => p._state === PENDING);
    const node: TaskTreeFutureNode = {
      kind: "future",
      future: f,
      label: `${safeLabel(f)} (${pending.length} of ${parts.length} pending)`,
      children: [],
    };
    for (const p of pending) node.children.push(futureNode(p, depth + 1));
    return node;
  };

  const roots: TaskTreeTaskNode[] = [];
  for (const t of tasks) if (!awaited.has(t)) roots.push(taskNode(t, 0));
  // Tasks awaiting each other in a ring have no root: start from the oldest.
  for (const t of tasks) if (!shown.has(t)) roots.push(taskNode(t, 0));
  return { time: now, clock: loop.clock(), roots };
}

/**
 * The tree as text, one line per node, in the style of `python -m asyncio pstree`.
 *
 * @example
 * ```text
 * Task tree at 150 ms (virtual clock), 3 tasks:
 * └── (T) main  [waiting]
 *     └── gather (2 of 2 pending)
 *         ├── (T) worker-1  [waiting]
 *         │   └── sleep until 200 ms (50 ms left)
 *         └── (T) worker-2  [waiting]
 *             └── Lock.acquire
 * ```
 */
export function formatTaskTree(tree: TaskTree): string {
  if (typeof tree !== "object" || tree === null || !Array.isArray(tree.roots)) {
    throw new TypeError(`formatTaskTree(tree): 'tree' must be a TaskTree, got ${describe(tree)}`);
  }
  const seen = new Set<Task<unknown>>();
  const lines: string[] = [];
  const walk = (node: TaskTreeNode, prefix: string, last: boolean) => {
    const branch = last ? "└── " : "├── ";
    let text: string;
    if (node.kind === "task") {
      seen.add(node.task);
      const notes: string[] = [node.state];
      if (node.cancelling > 0) notes.push(`cancelling x${node.cancelling}`);
      text = `(T) ${node.name}  [${notes.join(", ")}]`;
      if (node.cycle) text += "  <- awaits itself: deadlock";
      else if (node.shownAbove) text += "  (shown above)";
    } else {
      text = node.label;
    }
    lines.push(prefix + branch + text);
    const next = prefix + (last ? "    " : "│   ");
    node.children.forEach((c, i) => walk(c, next, i === node.children.length - 1));
  };
  tree.roots.forEach((r, i) => walk(r, "", i === tree.roots.length - 1));
  const header = `Task tree at ${fmtMs(tree.time)} ms (${tree.clock} clock), ${seen.size} task${seen.size === 1 ? "" : "s"}:`;
  return tree.roots.length === 0 ? `${header}\n(no pending tasks)` : [header, ...lines].join("\n");
}

/**
 * Prints the live task tree (and returns the text). Call it from a task, from
 * a callback, or from outside with `{ loop }`.
 *
 * @example
 * ```ts
 * function* main(): Coroutine<void> {
 *   const workers = gather(worker(1), worker(2));
 *   yield* sleep(50);
 *   printTaskTree();
 *   yield* workers;
 * }
 * ```
 * @throws RuntimeError outside a running loop when no `loop` is given
 */
export function printTaskTree(options: PrintTaskTreeOptions = {}): string {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`printTaskTree(options): 'options' must be an object, got ${describe(options)}`);
  }
  const write = options.write ?? ((s: string) => console.log(s));
  if (typeof write !== "function") throw new TypeError(`printTaskTree(options): 'write' must be a function, got ${describe(write)}`);
  const text = formatTaskTree(captureTaskTree(options.loop !== undefined ? { loop: options.loop } : {}));
  write(text);
  return text;
}
