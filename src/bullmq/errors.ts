/**
 * Errors of the BullMQ executor, and how a job's error crosses the wire:
 * BullMQ keeps only a failed job's message (`failedReason`) and its stack
 * (`stacktrace`), so the worker writes the error's class name into the first
 * line of the stack, and the coordinator rebuilds an error of that name.
 *
 * @module
 */
import { BrokenWorkerError } from "../executor.js";
import {
  BrokenBarrierError,
  CancelledError,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
} from "../errors.js";

function setName(ctor: { prototype: Error }, name: string): void {
  Object.defineProperty(ctor.prototype, "name", { value: name, enumerable: false, configurable: true, writable: true });
}

/**
 * Redis could not be reached to dispatch a job, or went away while the job
 * was out and did not come back within the executor's `connectionTimeout`.
 * The job may or may not have run; see "Scaling out" in the README.
 */
export class JobConnectionError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    Object.setPrototypeOf(this, JobConnectionError.prototype);
    if (options?.cause !== undefined) {
      Object.defineProperty(this, "cause", { value: options.cause, enumerable: false, configurable: true, writable: true });
    }
  }
}
setName(JobConnectionError, "JobConnectionError");

/** The job was no longer in Redis while its future waited (Redis restarted empty, or someone removed it). */
export class JobLostError extends RuntimeError {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, JobLostError.prototype);
  }
}
setName(JobLostError, "JobLostError");

/**
 * The job's lock expired while its worker was still alive: the job kept the
 * worker's event loop busy (CPU-bound code with no await) for longer than
 * BullMQ's `lockDuration`, so the lock was not renewed, BullMQ took the job
 * for stalled and ran it again, more often than `maxStalledCount` allows.
 * Raise `lockDuration` (`serveJobs({ lockDuration })`, `worker-cli
 * --lock-duration`) or move the CPU work off the worker's event loop
 * (`toThread`, a thread-pool executor in the job).
 */
export class JobLockExpiredError extends RuntimeError {
  /** The BullMQ name of the worker that last ran the job, still connected when the job failed. */
  readonly worker: string;
  constructor(message: string, worker: string) {
    super(message);
    Object.setPrototypeOf(this, JobLockExpiredError.prototype);
    this.worker = worker;
  }
}
setName(JobLockExpiredError, "JobLockExpiredError");

/** What a worker whose event loop was blocked past a job's lock wrote about it. @internal */
export interface LockExpiry {
  worker: string;
  blockedMs: number;
  lockDuration: number;
}

/** The worker that took the job does not serve a job of that name. Never retried. */
export class UnknownJobError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, UnknownJobError.prototype);
  }
}
setName(UnknownJobError, "UnknownJobError");

/** What BullMQ writes when a job's worker stopped renewing its lock more than `maxStalledCount` times. */
export const STALLED_REASON = "job stalled more than allowable limit";

type ErrorCtor = new (message: string) => Error;

/** Rebuilt as these classes, so `instanceof` works for them on the coordinator. */
const KNOWN: Record<string, ErrorCtor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  CancelledError,
  TimeoutError,
  InvalidStateError,
  RuntimeError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  BrokenBarrierError,
  UnknownJobError,
};

/**
 * The worker side: the stack to record for `err`, its first line
 * `Name: message`, so the coordinator can tell the class name.
 * @internal
 */
export function stackWithName(name: string, message: string, stack: unknown): string {
  const header = message === "" ? name : `${name}: ${message}`;
  if (typeof stack !== "string") return header;
  const at = stack.search(/\n\s+at /);
  return at < 0 ? header : header + stack.slice(at);
}

/**
 * The coordinator side: an error of the recorded class name (the class
 * itself for built-in and rx-asyncio errors, else an `Error` whose `name` is
 * that name), with the message kept and the worker's stack as `remoteStack`.
 * `stalledOn`, for a stalled job: what the worker whose lock on it expired
 * said (its event loop was blocked), or `null` (no worker said so: it died).
 * @internal
 */
export function reviveJobError(failedReason: string, stack: string | undefined, label: string, stalledOn: LockExpiry | null = null): Error {
  if (failedReason === STALLED_REASON && stalledOn !== null) {
    const { worker, blockedMs, lockDuration } = stalledOn;
    return new JobLockExpiredError(
      `${label} failed: its lock expired: the job blocked the event loop of worker ${JSON.stringify(worker)} for ${blockedMs} ms, ` +
        `longer than lockDuration (${lockDuration} ms), so BullMQ took it for stalled and ran it again, more often than ` +
        `maxStalledCount allows (${STALLED_REASON}). Raise lockDuration (serveJobs({ lockDuration }), worker-cli --lock-duration) ` +
        "or move the CPU-bound work off the worker's event loop (toThread)",
      String(worker),
    );
  }
  if (failedReason === STALLED_REASON) {
    return new BrokenWorkerError(
      `${label} failed: the worker running it stopped (crashed, was killed or lost Redis) more often than ` +
        `BullMQ's maxStalledCount allows (${STALLED_REASON}); no worker reported its event loop blocked past the job's lock`,
    );
  }
  let name = "Error";
  if (stack !== undefined) {
    const header = failedReason === "" ? stack.split("\n", 1)[0]! : stack.split(`: ${failedReason}`, 1)[0]!;
    if (/^[A-Za-z_$][\w$]*$/.test(header)) name = header;
  }
  const ctor = Object.prototype.hasOwnProperty.call(KNOWN, name) ? KNOWN[name]! : undefined;
  const err = ctor !== undefined ? new ctor(failedReason) : new Error(failedReason);
  if (ctor === undefined && name === "UnrecoverableError") name = "Error";
  if (ctor === undefined) Object.defineProperty(err, "name", { value: name, enumerable: false, configurable: true, writable: true });
  if (stack !== undefined) Object.defineProperty(err, "remoteStack", { value: stack, enumerable: false, configurable: true, writable: true });
  return err;
}
