/**
 * The Redis names the executor uses beside BullMQ's own keys of the queue:
 * a pub/sub channel that tells every worker "abort job X", and one sorted set
 * per queue of the jobs cancelled recently (scored by when), from which a
 * worker catches up on the messages it could not have seen (it was starting,
 * or its subscription was down). A worker keeps the ids it heard of in
 * memory, so starting a job costs no Redis round trip for cancellation.
 *
 * @module
 */

/** How long a cancellation is remembered, in Redis and by the workers (ms). */
export const CANCEL_MARK_TTL = 3_600_000;

/**
 * How long BullMQ keeps a finished job the coordinator did not remove (s).
 * The coordinator removes each job once it read its outcome; this only
 * bounds what is left by a coordinator that went away, or by a cancelled
 * job that finished later.
 */
export const KEEP_FINISHED_S = 3600;

/** @internal */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:rx-asyncio:cancel`;
}

/** The sorted set of recently cancelled job ids, scored by the time of the cancellation (ms). @internal */
export function cancelledSetKey(prefix: string, queue: string): string {
  return `${prefix}:${queue}:rx-asyncio:cancelled`;
}

/**
 * The key a worker writes when its event loop was blocked long enough for
 * the lock of job `jobId` to expire (value: JSON `{ worker, blockedMs,
 * lockDuration }`), so the coordinator tells that from a crash.
 * @internal
 */
export function lockExpiredKey(prefix: string, queue: string, jobId: string): string {
  return `${prefix}:${queue}:rx-asyncio:lock-expired:${jobId}`;
}

/** The data of a job: its arguments, and the per-job timeout the worker enforces. @internal */
export interface JobData {
  args: unknown[];
  timeout: number | null;
}
