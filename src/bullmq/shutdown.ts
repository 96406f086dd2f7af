/**
 * Bounded shutdown of the BullMQ executor. Every Redis call of a shutdown has
 * a deadline: ioredis queues commands while it reconnects (BullMQ requires
 * `maxRetriesPerRequest: null`, so forever), and a Redis that is stopped
 * (SIGSTOP, a frozen VM) never answers nor closes the socket. Past the
 * deadline the connections are dropped without a goodbye, and what could not
 * be done is said: in the executor's `shutdownReport`, and as one
 * `BullMQExecutorWarning` on the process.
 *
 * @module
 */

/** What a `BullMQExecutor.shutdown()` did (its `shutdownReport`); `clean` unless something could not reach Redis in time. */
export interface BullMQShutdownReport {
  /** Everything was done: cancellations delivered, finished jobs removed, connections closed in time. */
  clean: boolean;
  /** How long the shutdown took, in ms. */
  elapsedMs: number;
  /** What could not be done, one sentence each (empty when clean). */
  problems: string[];
  /**
   * Jobs whose cancellation did not reach Redis: they may still run (their
   * results are dropped), and stay in Redis until BullMQ's age limit
   * removes them (an hour after they finish).
   */
  unreachedJobs: string[];
}

/**
 * The type of the warning a shutdown that could not clean up emits on the
 * process (`process.on("warning", (w) => w.name === BULLMQ_EXECUTOR_WARNING)`;
 * Node prints it as `BullMQExecutorWarning: ...`).
 */
export const BULLMQ_EXECUTOR_WARNING = "BullMQExecutorWarning";

/** Returned by {@link timed} when the deadline came first. @internal */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/** A call of {@link timed} that rejected. @internal */
export class CallFailed {
  constructor(readonly error: unknown) {}
}

/**
 * `p`'s value, `TIMED_OUT` after `ms`, or a `CallFailed` holding its
 * rejection: never rejects, never waits past `ms`.
 * @internal
 */
export function timed<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT | CallFailed> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<typeof TIMED_OUT>((r) => (t = setTimeout(() => r(TIMED_OUT), ms)));
  return Promise.race([p.then((v) => v, (e: unknown) => new CallFailed(e)), limit]).finally(() => clearTimeout(t));
}

/** Builds the report, and emits the warning when it is not clean. @internal */
export function finishReport(queue: string, started: number, problems: string[], unreachedJobs: string[]): BullMQShutdownReport {
  const report: BullMQShutdownReport = { clean: problems.length === 0 && unreachedJobs.length === 0, elapsedMs: Date.now() - started, problems, unreachedJobs };
  if (!report.clean) {
    const jobs = unreachedJobs.length === 0 ? "" : ` ${unreachedJobs.length} job(s) could not be cancelled and may still run or stay in Redis: ${unreachedJobs.slice(0, 5).join(", ")}${unreachedJobs.length > 5 ? ", ..." : ""}.`;
    // A message and a type, not an Error: an Error of another realm (a vm context, Jest's sandbox) is refused.
    process.emitWarning(`shutdown of the executor of queue ${JSON.stringify(queue)} could not clean up:${problems.length > 0 ? ` ${problems.join("; ")}.` : ""}${jobs}`, {
      type: BULLMQ_EXECUTOR_WARNING,
      code: "RX_ASYNCIO_BULLMQ_SHUTDOWN",
    });
  }
  return report;
}
