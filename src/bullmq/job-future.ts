/**
 * A job the coordinator dispatched: its bookkeeping entry, and the future
 * the caller holds (`BullMQJobFuture`), whose `cancel()` tells the
 * dispatcher.
 *
 * @module
 */
import type { EventLoop } from "../event-loop.js";
import { Future } from "../futures.js";

/** Phases of an entry: its `addBulk` has not answered yet; its job is in Redis. @internal */
export const ADDING = 0;
/** @internal */
export const QUEUED = 1;

/** What a cancelled future tells. @internal */
export interface CancelSink {
  _onCancel(e: Entry): void;
}

/** @internal */
/** One dispatched job while its future waits. */
export class Entry {
  phase = ADDING;
  /** Cancelled, or failed on the coordinator's side, before `addBulk` answered: undo the add when it does. */
  abandoned = false;
  /** When its stored state was last read (or it was added), for the sweep. */
  checkedAt = 0;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly loop: EventLoop,
    readonly future: BullMQJobFuture<unknown>,
  ) {}
  get label(): string {
    return `job ${this.id} (${JSON.stringify(this.name)})`;
  }
}

/**
 * The future of a job on a BullMQ worker fleet. `jobId` is its BullMQ job id.
 * Cancelling it removes a waiting job from the queue, or signals the worker
 * running it (its job function's `signal` aborts).
 */
export class BullMQJobFuture<T> extends Future<T> {
  /** @internal */ _entry: Entry | null = null;
  /** @internal */ _dispatcher: CancelSink | null = null;

  /** The BullMQ job id (to look the job up with BullMQ's own tools). */
  get jobId(): string {
    return this._entry?.id ?? "";
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const d = this._dispatcher;
    const e = this._entry;
    if (d !== null && e !== null) d._onCancel(e);
    return true;
  }

  override _traceLabel(): string {
    return "bullmq job";
  }
}

