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

interface ExitingProcess {
  on(event: "beforeExit", fn: () => void): unknown;
  off(event: "beforeExit", fn: () => void): unknown;
  exitCode?: number | string | null | undefined;
}

/**
 * Builds the error, with its message and task tree: installed by the trace
 * layer (trace/deadlock-report.ts), which knows how to draw the tree. Node
 * loads it with the package; only a bundle that dropped it (and runs in Node,
 * since a page never exits) gets the short message below.
 */
let describeDeadlock: ((loop: EventLoop, target: Future<unknown>) => DeadlockError) | null = null;

/** @internal Installs how a deadlock is described. */
export function setDeadlockDescriber(fn: (loop: EventLoop, target: Future<unknown>) => DeadlockError): void {
  describeDeadlock = fn;
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
    const error =
      describeDeadlock !== null
        ? describeDeadlock(loop, target)
        : new DeadlockError("deadlock: runUntilComplete()'s future is pending and nothing can ever wake it: the process was about to exit");
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
