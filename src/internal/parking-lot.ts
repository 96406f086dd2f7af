/**
 * The one fair wait queue behind every synchronization primitive (trio's
 * `ParkingLot`): a doubly linked list of waiter futures, FIFO, with O(1)
 * append, pop and removal of a cancelled waiter.
 *
 * A waiter's future is only a wake-up token: the primitive keeps the item or
 * permit, and the woken task takes it when it runs. Cancelling a parked waiter
 * unlinks it at once, so the list holds only waiters that can still be woken.
 *
 * @module
 */
import type { CoroutineLike, Suspend } from "../coroutines.js";
import { RuntimeError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import { getRunningLoop } from "../events.js";
import { F_BLOCKING, Future } from "../futures.js";

/** Why a waiter was woken (the waiter future's result). @internal */
export const WAKE = 1;
/** Woken because the primitive shut down (queues) or must re-check its state. @internal */
export const WAKE_SHUTDOWN = 2;

/**
 * A parked task's wake-up token: a future linked into one `ParkingLot`.
 * @internal
 */
export class Waiter extends Future<number> {
  // Fields are assigned in the constructor, not declared with initializers:
  // V8 allocates these hot, short-lived objects about twice as fast that way.
  /** @internal */ declare _prev: Waiter | null;
  /** @internal */ declare _next: Waiter | null;
  /** @internal The lot it is parked in; `null` once woken or removed. */
  declare _lot: ParkingLot | null;
  /** @internal Its place in line: the lot's arrival number of the wait it belongs to. */
  declare _arrival: number;

  /** @internal What it waits for, for traces and the task tree (its lot's label). */
  declare _what: string;

  constructor(loop: EventLoop, what = "wait") {
    super(loop);
    this._prev = null;
    this._next = null;
    this._lot = null;
    this._arrival = 0;
    this._what = what;
  }

  /** @internal */
  override _traceLabel(): string {
    return this._what;
  }

  /** Cancelling a parked waiter also takes it out of its lot (O(1)). */
  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const lot = this._lot;
    if (lot !== null) lot.remove(this);
    return true;
  }
}

/** A FIFO of waiters. @internal */
export class ParkingLot {
  private _head: Waiter | null = null;
  private _tail: Waiter | null = null;
  /** How many waiters are parked. */
  size = 0;
  /** Arrival numbers, so a waiter that must wait again can take back its place. */
  private _arrivals = 0;

  /** @param label what its waiters wait for, as traces show it (`"Lock.acquire"`) */
  constructor(readonly label = "wait") {}

  /** Parks a new waiter at the back. */
  park(loop: EventLoop): Waiter {
    const w = new Waiter(loop, this.label);
    w._arrival = this._arrivals++;
    this.push(w);
    return w;
  }

  /**
   * Parks a woken task that found nothing and must wait again, back in its
   * place: ahead of everyone who arrived after it (`arrival` is its first
   * waiter's `_arrival`). Only waiters that waited again can be ahead of it,
   * so the walk from the head is short.
   */
  parkAgain(loop: EventLoop, arrival: number): Waiter {
    const w = new Waiter(loop, this.label);
    w._arrival = arrival;
    w._lot = this;
    let n = this._head;
    while (n !== null && n._arrival < arrival) n = n._next;
    const p = n === null ? this._tail : n._prev;
    w._prev = p;
    w._next = n;
    if (p === null) this._head = w;
    else p._next = w;
    if (n === null) this._tail = w;
    else n._prev = w;
    this.size++;
    return w;
  }

  /** Appends `w`. */
  push(w: Waiter): void {
    w._lot = this;
    const t = this._tail;
    w._prev = t;
    if (t === null) this._head = w;
    else t._next = w;
    this._tail = w;
    this.size++;
  }

  /** Unlinks and returns the oldest waiter, or `null`. */
  shift(): Waiter | null {
    const w = this._head;
    if (w !== null) this.remove(w);
    return w;
  }

  /** Unlinks `w` (which must be parked here). */
  remove(w: Waiter): void {
    const p = w._prev;
    const n = w._next;
    if (p === null) this._head = n;
    else p._next = n;
    if (n === null) this._tail = p;
    else n._prev = p;
    w._prev = w._next = null;
    w._lot = null;
    this.size--;
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

/** The result of an operation that finished without waiting. @internal */
export const DONE_TRUE: IteratorResult<Suspend, true> = Object.freeze({ done: true, value: true });
/** @internal */
export const DONE_VOID: IteratorResult<Suspend, void> = Object.freeze({ done: true, value: undefined });

/** What `yield*` sees while an operation waits on `w`. @internal */
export function suspendOn(w: Waiter): IteratorResult<Suspend, never> {
  w._flags |= F_BLOCKING;
  return { done: false, value: w as Future<unknown> };
}

/** The loop a primitive is bound to (asyncio's `_LoopBoundMixin`). @internal */
export interface LoopBound {
  _loop: EventLoop | null;
}

/**
 * The running loop, binding `prim` to it on first use. Only waiting needs a
 * loop, so a primitive is bound by its first wait, as in asyncio.
 * @throws RuntimeError outside a running loop, or if bound to another loop
 * @internal
 */
export function boundLoop(prim: LoopBound): EventLoop {
  const loop = getRunningLoop();
  const mine = prim._loop;
  if (mine === null) prim._loop = loop;
  else if (mine !== loop) throw new RuntimeError(`${String(prim)} is bound to a different event loop`);
  return loop;
}

/** Shared `yield*`/`return`/`dispose` plumbing of the hand-written operations. @internal */
export const OP_PENDING = 0;
/** @internal */
export const OP_WAITING = 1;
/** @internal */
export const OP_DONE = 2;

/** @internal A waiter that is not woken when its task next runs was stepped by hand. */
export function notWoken(): RuntimeError {
  return new RuntimeError("yield* resumed before the waiter was woken (was the coroutine stepped by hand?)");
}

/**
 * Base of the hand-written operations (`acquire()`, `get()`, ...): a coroutine
 * object with no generator behind it. `next()` is the operation itself; a task
 * that gives up waiting (cancelled, or its generator closed) comes through
 * `throw()`/`return()`, which unpark the waiter or, if it was already woken,
 * pass the wake-up on through `_passOn`.
 * @internal
 */
export abstract class WaitOp<T> implements CoroutineLike<T> {
  /** @internal */ declare _state: number;
  /** @internal */ declare _waiter: Waiter | null;

  constructor() {
    this._state = OP_PENDING;
    this._waiter = null;
  }

  abstract next(): IteratorResult<Suspend, T>;

  /** Gives back what a woken waiter was handed (a permit, a slot, a turn). */
  protected abstract _passOn(why: number): void;

  throw(e: unknown): IteratorResult<Suspend, T> {
    this._abandon();
    throw e;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    this._abandon();
    return { done: true, value: value as T };
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** The waiter the task resumed from; throws if it was cancelled. */
  protected _resumed(): Waiter {
    const w = this._waiter!;
    if (w._state === 1) return w;
    this._waiter = null;
    this._state = OP_DONE;
    if (w._state === 2) throw w._makeCancelledError();
    w.cancel();
    throw notWoken();
  }

  private _abandon(): void {
    if (this._state === OP_WAITING) {
      const w = this._waiter!;
      this._waiter = null;
      if (w._state === 0) w.cancel();
      else if (w._state === 1) this._passOn(w._result!);
    }
    this._state = OP_DONE;
  }
}

/**
 * An operation that either completes at once or parks once and completes when
 * woken (`acquire()`, `wait()`, `join()`): subclasses say when no wait is
 * needed, where to park, and what completing does.
 * @internal
 */
export abstract class ParkOnceOp<T> extends WaitOp<T> {
  /** Can it complete now, without waiting? */
  protected abstract _ready(): boolean;
  /** Parks a waiter in the right lot (binding the primitive to the loop). */
  protected abstract _park(): Waiter;
  /** Completes the operation; `woken` is false when no wait was needed. */
  protected abstract _complete(woken: boolean): IteratorResult<Suspend, T>;
  /** Its name in the "cannot reuse" error (`"Lock.acquire()"`). */
  protected abstract _name(): string;

  next(): IteratorResult<Suspend, T> {
    if (this._state === OP_PENDING) {
      if (this._ready()) {
        this._state = OP_DONE;
        return this._complete(false);
      }
      const w = this._park();
      this._waiter = w;
      this._state = OP_WAITING;
      return suspendOn(w);
    }
    if (this._state === OP_WAITING) {
      this._resumed();
      this._waiter = null;
      this._state = OP_DONE;
      return this._complete(true);
    }
    throw reused(this._name());
  }
}

/** @internal */
export function reused(what: string): RuntimeError {
  return new RuntimeError(`cannot reuse an already awaited ${what}: call it again for a new operation`);
}
