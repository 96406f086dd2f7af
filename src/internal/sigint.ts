/**
 * Ctrl-C while `run()` is active, as asyncio.run does it (3.11+,
 * `Runner._on_sigint`): the first SIGINT cancels the main task, so its
 * `catch`/`finally` blocks run and may wait; `run()` then rejects with
 * `KeyboardInterrupt` and the process exits with 130 (128 + SIGINT), as a
 * shell expects of a program stopped by Ctrl-C. A second SIGINT, or one that
 * comes once the main task is done (run() is cleaning up), exits at once.
 *
 * Like asyncio, which installs its handler only while SIGINT still has
 * Python's default one, the handler is installed only when nobody else
 * listens for SIGINT: a program with its own handler keeps it. It is removed
 * when `run()` ends, so a finished run leaves Node's default behaviour.
 *
 * @module
 */
import { CancelledError, KeyboardInterrupt } from "../errors.js";
import type { Task } from "../tasks.js";

interface SignalProcess {
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  off(event: string, fn: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
  exit(code: number): never;
  exitCode?: number | string | null | undefined;
  stderr?: { write(s: string): unknown };
}

function nodeProcess(): SignalProcess | null {
  const p = (globalThis as { process?: Partial<SignalProcess> }).process;
  return p !== undefined && typeof p.on === "function" && typeof p.off === "function" && typeof p.listenerCount === "function"
    ? (p as SignalProcess)
    : null;
}

/** The exit code of a process stopped by SIGINT (128 + 2), as shells report it. */
const SIGINT_EXIT = 130;

/** What `run()` keeps of its SIGINT handler. @internal */
export interface SigintGuard {
  /** Whether a SIGINT cancelled the main task. */
  readonly interrupted: boolean;
  /** `run()` ended: remove the handler. */
  remove(): void;
}

/**
 * Installs the handler for `main`'s run, or returns `null` (no Node process,
 * or SIGINT already has a listener).
 * @internal
 */
export function guardSigint(main: Task<unknown>): SigintGuard | null {
  const p = nodeProcess();
  if (p === null || p.listenerCount("SIGINT") > 0) return null;
  let count = 0;
  const onSigint = () => {
    count++;
    if (count > 1 || main.done()) p.exit(SIGINT_EXIT);
    // From outside the loop: cancel() queues the wake-up, which re-arms the loop.
    main.cancel("SIGINT (Ctrl-C)");
  };
  p.on("SIGINT", onSigint);
  return {
    get interrupted() {
      return count > 0;
    },
    remove() {
      p.off("SIGINT", onSigint);
    },
  };
}

let monitorInstalled = false;

/**
 * The error `run()` rejects with after a SIGINT cancelled its main task (and
 * it ended cancelled, as asyncio requires: a main task that swallowed the
 * cancellation returns normally). Sets exit code 130; if nobody handles the
 * rejection, Node would exit with 1, so an `uncaughtExceptionMonitor` (which
 * changes nothing else about uncaught errors) prints it and exits with 130.
 * @internal
 */
export function keyboardInterrupt(cause: unknown): unknown {
  if (!(cause instanceof CancelledError)) return cause;
  const p = nodeProcess();
  const error = new KeyboardInterrupt("run() was interrupted by SIGINT (Ctrl-C): the main task was cancelled and its cleanup ran");
  if (p === null) return error;
  if (p.exitCode === undefined || p.exitCode === null || p.exitCode === 0) p.exitCode = SIGINT_EXIT;
  if (!monitorInstalled) {
    monitorInstalled = true;
    p.on("uncaughtExceptionMonitor", (err: unknown) => {
      if (!(err instanceof KeyboardInterrupt)) return;
      p.stderr?.write(`${err.stack ?? String(err)}\n`);
      p.exit(SIGINT_EXIT);
    });
  }
  return error;
}
