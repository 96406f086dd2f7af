/**
 * One future's await graph (Python 3.14's `asyncio.capture_call_graph` /
 * `print_call_graph`): what it is waiting on now, and who awaits it, up to
 * the tasks nobody awaits.
 *
 * Python's graph also lists each coroutine's frames (`call_stack`). A
 * suspended generator's position is invisible to JavaScript in-process, so
 * here each node says what it is waiting on instead; `rx-asyncio ps <pid>`
 * reads the positions from outside, through the inspector.
 *
 * @module
 */
import { describe } from "../coroutines.js";
import { Future } from "../futures.js";
import { PENDING } from "../internal/future-state.js";
import { _getRunningLoop } from "../running-loop.js";
import { Task, currentTask } from "../tasks.js";
import { leafLabel, partsOf } from "./task-tree.js";

/** A node of the graph. */
export interface FutureCallGraph {
  future: Future<unknown>;
  /** What the future is waiting on now (a task's awaited future, a composite's pending parts), or `null`. */
  awaiting: string | null;
  /** The tasks and composites (gather, TaskGroup) that await this future. */
  awaitedBy: FutureCallGraph[];
}

function nodeName(f: Future<unknown>): string {
  if (f instanceof Task) return `Task(name='${f.getName()}', id=${f._id})`;
  try {
    return String(f._traceLabel());
  } catch {
    return "future";
  }
}

function awaitingOf(f: Future<unknown>, now: number): string | null {
  if (f._state !== PENDING) return null;
  if (f instanceof Task) return f._futWaiter === null ? null : f._futWaiter instanceof Task ? nodeName(f._futWaiter) : leafLabel(f._futWaiter, now);
  const parts = partsOf(f);
  if (parts === null) return null;
  const pending = parts.filter((p) => p._state === PENDING);
  return pending.length === 0 ? null : pending.map((p) => (p instanceof Task ? nodeName(p) : leafLabel(p, now))).join(", ");
}

/**
 * The await graph of `future` (default: the current task), or `null` when
 * there is no current task.
 *
 * @example
 * ```ts
 * import { captureCallGraph, createTask, gather, run, sleep, type Coroutine } from "rx-asyncio";
 *
 * function* leaf(): Coroutine<void> {
 *   const g = captureCallGraph()!;
 *   console.log(g.awaitedBy.map((n) => n.awaitedBy.length)); // [1]: a gather, awaited by main
 *   yield* sleep(1);
 * }
 * await run(function* () {
 *   yield* gather(createTask(leaf()), sleep(5));
 * });
 * ```
 * @throws TypeError if `future` is given and is not a Future
 */
export function captureCallGraph(future?: Future<unknown>): FutureCallGraph | null {
  let f: Future<unknown> | null;
  if (future === undefined) f = _getRunningLoop() === null ? null : currentTask();
  else if (!(future instanceof Future)) throw new TypeError(`captureCallGraph(future): 'future' must be a Future or Task, got ${describe(future)}`);
  else f = future;
  if (f === null) return null;
  const loop = f._loop;
  const now = loop.time();
  // Who awaits whom: each pending task's wait, and each composite's parts.
  const awaiters = new Map<Future<unknown>, Future<unknown>[]>();
  const link = (awaited: Future<unknown>, by: Future<unknown>) => {
    const list = awaiters.get(awaited);
    if (list === undefined) awaiters.set(awaited, [by]);
    else if (!list.includes(by)) list.push(by);
  };
  const seenComposites = new Set<Future<unknown>>();
  const walkComposite = (c: Future<unknown>): void => {
    if (seenComposites.has(c)) return;
    seenComposites.add(c);
    const parts = partsOf(c);
    if (parts === null) return;
    for (const p of parts) {
      link(p, c);
      if (!(p instanceof Task)) walkComposite(p);
    }
  };
  const tasks = Array.from(loop._tasks);
  if (loop._currentTask !== null && !tasks.includes(loop._currentTask)) tasks.push(loop._currentTask);
  for (const t of tasks) {
    const w = t._futWaiter;
    if (w === null) continue;
    link(w, t);
    if (!(w instanceof Task)) walkComposite(w);
  }
  const path = new Set<Future<unknown>>();
  const build = (x: Future<unknown>): FutureCallGraph => {
    const node: FutureCallGraph = { future: x, awaiting: awaitingOf(x, now), awaitedBy: [] };
    if (path.has(x)) return node; // a cycle: a deadlock, shown once
    path.add(x);
    for (const by of awaiters.get(x) ?? []) node.awaitedBy.push(build(by));
    path.delete(x);
    return node;
  };
  return build(f);
}

/** The graph as text, in the shape of Python 3.14's `format_call_graph`. */
export function formatCallGraph(graph: FutureCallGraph): string {
  if (typeof graph !== "object" || graph === null || !(graph.future instanceof Future)) {
    throw new TypeError(`formatCallGraph(graph): 'graph' must be a FutureCallGraph, got ${describe(graph)}`);
  }
  const lines: string[] = [];
  const walk = (g: FutureCallGraph, indent: string): void => {
    lines.push(`${indent}* ${nodeName(g.future)}`);
    if (g.awaiting !== null) lines.push(`${indent}  + awaiting: ${g.awaiting}`);
    if (g.awaitedBy.length > 0) {
      lines.push(`${indent}  + awaited by:`);
      for (const a of g.awaitedBy) walk(a, indent + "     ");
    }
  };
  walk(graph, "");
  return lines.join("\n");
}

/**
 * Prints the await graph of `future` (default: the current task) and returns
 * the text; prints nothing and returns `null` without a current task.
 */
export function printCallGraph(future?: Future<unknown>, options: { write?: (text: string) => void } = {}): string | null {
  const write = options.write ?? ((s: string) => console.log(s));
  if (typeof write !== "function") throw new TypeError(`printCallGraph(future, options): 'write' must be a function, got ${describe(write)}`);
  const g = captureCallGraph(future);
  if (g === null) return null;
  const text = formatCallGraph(g);
  write(text);
  return text;
}
