/**
 * The one fair wait queue behind every synchronization primitive (trio's
 * `ParkingLot`): a FIFO of waiter futures on the one intrusive list
 * (linked-list.ts), with O(1) append, pop and removal of a cancelled waiter.
 *
 * A waiter's future is only a wake-up token: the primitive keeps the item or
 * permit, and the woken task takes it when it runs. Cancelling a parked waiter
 * unlinks it at once, so the list holds only waiters that can still be woken.
 *
 * @module
 */
import type { EventLoop } from "../event-loop.js";
import { Future } from "../futures.js";
import { LinkedList } from "./linked-list.js";

/** Why a waiter was woken (the waiter future's result). @internal */
export const WAKE = 1;
/** Woken because the primitive shut down (queues) or must re-check its state. @internal */
export const WAKE_SHUTDOWN = 2;

/**
 * A parked task's wake-up token: a future linked into one `ParkingLot`.
 * Its `_state` is a future's (PENDING: parked; FINISHED: woken, its result
 * the reason; CANCELLED: gave up).
 * @internal
 */
export class Waiter extends Future<number> {
  // Fields are assigned in the constructor, not declared with initializers:
  // V8 allocates these hot, short-lived objects about twice as fast that way.
  /** @internal Links in its lot. */ declare _prevLink: Waiter | null;
  /** @internal */ declare _nextLink: Waiter | null;
  /** @internal The lot it was parked in (it stays there until woken or cancelled). */
  declare readonly _lot: ParkingLot;
  /** @internal Its place in line: the lot's arrival number of the wait it belongs to. */
  declare _arrival: number;

  constructor(loop: EventLoop, lot: ParkingLot, arrival: number) {
    super(loop);
    this._prevLink = null;
    this._nextLink = null;
    this._lot = lot;
    this._arrival = arrival;
  }

  /** @internal What it waits for, for traces and the task tree: its lot's label. */
  override _traceLabel(): string {
    return this._lot.label;
  }

  /** Cancelling a parked waiter also takes it out of its lot (O(1)). */
  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    // A waiter is linked while PENDING: a woken one cannot be cancelled.
    this._lot.delete(this);
    return true;
  }
}

/** A FIFO of waiters. @internal */
export class ParkingLot extends LinkedList<Waiter> {
  /** Arrival numbers, so a waiter that must wait again can take back its place. */
  private _arrivals = 0;

  /** @param label what its waiters wait for, as traces show it (`"Lock.acquire"`) */
  constructor(readonly label = "wait") {
    super();
  }

  /** Parks a new waiter at the back. */
  park(loop: EventLoop): Waiter {
    const w = new Waiter(loop, this, this._arrivals++);
    this.add(w);
    return w;
  }

  /**
   * Parks a woken task that found nothing and must wait again, back in its
   * place: ahead of everyone who arrived after it (`arrival` is its first
   * waiter's `_arrival`). Only waiters that waited again can be ahead of it,
   * so the walk from the head is short.
   */
  parkAgain(loop: EventLoop, arrival: number): Waiter {
    const w = new Waiter(loop, this, arrival);
    let n = this.first;
    while (n !== null && n._arrival < arrival) n = n._nextLink;
    this.insertBefore(w, n);
    return w;
  }

  /** Wakes the oldest waiter with `why`; false if none was parked. */
  wakeFirst(why: number): boolean {
    const w = this.shift();
    if (w === null) return false;
    w.setResult(why);
    return true;
  }

  /** Wakes every parked waiter, oldest first; returns how many. */
  wakeAll(why: number): number {
    let n = 0;
    for (let w = this.shift(); w !== null; w = this.shift()) {
      w.setResult(why);
      n++;
    }
    return n;
  }
}
