/**
 * Finds a stuck `runUntilComplete` (so a stuck `run()`): the process is about
 * to exit while a loop still runs with the future it was asked to complete
 * pending. Node emits `beforeExit` only once it has nothing left, no timer,
 * no socket, no worker, no pending I/O; a loop that could still make progress
 * holds a host wake-up (a timer or a microtask), so at that moment nothing can
 * ever wake the future. Without this, Node exits with code 0 and `run()`'s
 * promise never settles, which nobody can debug.
 *
 * Why `beforeExit` and not a check after each drain: the loop cannot see
 * everything that may still call into it (a socket's handler setting an
 * Event, a real `setTimeout` in user code), but Node can. And it costs
 * nothing while the program runs: one listener per process while some loop is
 * inside `runUntilComplete`, looked at only when the process is idle.
 *
 * The verdict is a `DeadlockError` that rejects `runUntilComplete` (run()
 * then cancels the tasks left, so their `finally` blocks run), the task tree
 * on stderr, and exit code 1.
 *
 * @module
 */
import { DeadlockError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import type { Future } from "../futures.js";
import type { Task } from "../tasks.js";

interface ExitingProcess {
  on(event: "beforeExit", fn: () => void): unknown;
  off(event: "beforeExit", fn: () => void): unknown;
  exitCode?: number | string | null | undefined;
}

/** The task tree as text: installed by the trace layer (trace/deadlock-report.ts). */
let treeWriter: ((loop: EventLoop) => string) | null = null;

/** @internal Installs how a deadlock report draws the task tree. */
export function setDeadlockTreeWriter(writer: (loop: EventLoop) => string): void {
  treeWriter = writer;
}

const watched = new Set<EventLoop>();

function nodeProcess(): ExitingProcess | null {
  const p = (globalThis as { process?: Partial<ExitingProcess> }).process;
  return p !== undefined && typeof p.on === "function" && typeof p.off === "function" ? (p as ExitingProcess) : null;
}

/** @internal `loop` entered `runUntilComplete`: watch it until it leaves. */
export function watchForDeadlock(loop: EventLoop): void {
  const p = nodeProcess();
  if (p === null) return; // a browser page never exits
  if (watched.size === 0) p.on("beforeExit", onBeforeExit);
  watched.add(loop);
}

/** @internal ...and left it. */
export function unwatchForDeadlock(loop: EventLoop): void {
  if (!watched.delete(loop) || watched.size > 0) return;
  nodeProcess()?.off("beforeExit", onBeforeExit);
}

function onBeforeExit(): void {
  for (const loop of Array.from(watched)) {
    const target = loop._until;
    if (target === null || target.done() || !loop._stuck()) continue;
    const error = deadlockError(loop, target);
    try {
      loop.logger.error(`rx-asyncio: ${error.message}\n${error.taskTree}`);
    } catch {
      /* a broken logger must not hide the error itself */
    }
    const p = nodeProcess();
    if (p !== null && (p.exitCode === undefined || p.exitCode === null || p.exitCode === 0)) p.exitCode = 1;
    loop._deadlocked(error);
  }
}

function nameOf(target: Future<unknown>): string {
  const t = target as Partial<Task<unknown>>;
  return typeof t.getName === "function" ? `task '${t.getName()}'` : "future";
}

function deadlockError(loop: EventLoop, target: Future<unknown>): DeadlockError {
  const tasks = Array.from(loop._tasks);
  const waits = (target as Partial<Task<unknown>>)._futWaiter;
  const on = waits !== null && waits !== undefined ? ` waits on ${safeLabel(waits)}` : " is pending";
  const nothing =
    loop.clock() === "virtual"
      ? "no callback is ready, no virtual timer is left to jump to, and nothing else is left in the process"
      : "no callback is ready, no timer is armed, and nothing else is left in the process";
  const message =
    `deadlock: the ${nameOf(target)} given to run()/runUntilComplete()${on} and nothing can ever wake it: ` +
    `${nothing} (no I/O, timer or worker) that could settle what it waits on; the process was about to exit. ` +
    `${tasks.length} pending task${tasks.length === 1 ? "" : "s"}; the task tree follows (error.taskTree)` +
    (loop.getDebug() ? "." : "; run with RX_ASYNCIO_DEBUG=1 to see where each task was created.");
  return new DeadlockError(message, taskTreeText(loop, tasks));
}

function safeLabel(fut: Future<unknown>): string {
  try {
    const t = fut as Partial<Task<unknown>>;
    return typeof t.getName === "function" ? `task '${t.getName()}'` : String(fut._traceLabel());
  } catch {
    return "a future";
  }
}

/** The tree (the trace layer's drawing if loaded, else one line per task), then creation sites in debug mode. */
function taskTreeText(loop: EventLoop, tasks: Task<unknown>[]): string {
  let text: string;
  try {
    text = treeWriter !== null ? treeWriter(loop) : "";
  } catch {
    text = "";
  }
  if (text === "") {
    text = tasks.map((t) => `- task '${t.getName()}' ${t._futWaiter !== null ? `waits on ${safeLabel(t._futWaiter)}` : "is ready"}`).join("\n");
  }
  if (!loop.getDebug()) return text;
  const sites: string[] = [];
  for (const t of tasks) {
    const src = t._sourceTraceback;
    if (src !== undefined) sites.push(`task '${t.getName()}' was created at:\n${src.replace(/^/gm, "    ")}`);
  }
  return sites.length === 0 ? text : `${text}\n${sites.join("\n")}`;
}
