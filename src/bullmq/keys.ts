/**
 * The two Redis names the cancellation signal uses, beside BullMQ's own keys
 * of the queue: a pub/sub channel that tells every worker "abort job X", and
 * a short-lived key per cancelled job that a worker checks when it starts a
 * job, for the messages it could not have seen (it started later, or the job
 * is a retry).
 *
 * @module
 */

/** How long a cancellation mark lives in Redis (ms). */
export const CANCEL_MARK_TTL = 3_600_000;

/** @internal */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:rx-asyncio:cancel`;
}

/** @internal */
export function cancelMarkKey(prefix: string, queue: string, jobId: string): string {
  return `${prefix}:${queue}:rx-asyncio:cancelled:${jobId}`;
}

/** The data of a job: its arguments, and the per-job timeout the worker enforces. @internal */
export interface JobData {
  args: unknown[];
  timeout: number | null;
}
