/**
 * The hand-written coroutine objects behind the primitives' waits
 * (`Lock.acquire()`, `Queue.get()`, `Event.wait()`, ...): a `next()` that is
 * the operation itself, with no generator behind it, so an operation that
 * need not wait allocates no future and does not suspend.
 *
 * An operation's progress is its `_opState` (OP_PENDING, OP_WAITING,
 * OP_DONE); the waiter it parked has a future's `_state` (future-state.ts). Two
 * fields with two names: one field never has two meanings.
 *
 * @module
 */
import type { CoroutineLike, Suspend } from "../coroutines.js";
import { RuntimeError } from "../errors.js";
import type { Future } from "../futures.js";
import { CANCELLED, F_BLOCKING, FINISHED, PENDING, STATE_BITS } from "./future-state.js";
import type { Waiter } from "./parking-lot.js";
import { markAwaited, trackUnawaited, unawaitedState } from "./loop-debug.js";
import { _getRunningLoop } from "../running-loop.js";
import { suspendWith } from "./suspend-result.js";

/** `_opState`: not started. @internal */
export const OP_PENDING = 0;
/** `_opState`: parked on `_waiter`, suspended. @internal */
export const OP_WAITING = 1;
/** `_opState`: finished (completed, failed or abandoned). @internal */
export const OP_DONE = 2;

/** The result of an operation that finished without waiting. @internal */
export const DONE_TRUE: IteratorResult<Suspend, true> = Object.freeze({ done: true, value: true });

/** What `yield*` sees while an operation waits on `w`. @internal */
export function suspendOn(w: Waiter): IteratorResult<Suspend, never> {
  w._flags |= F_BLOCKING;
  return suspendWith(w as Future<unknown>);
}

/** @internal A waiter that is not woken when its task next runs was stepped by hand. */
export function notWoken(): RuntimeError {
  return new RuntimeError("yield* resumed before the waiter was woken (was the coroutine stepped by hand?)");
}

/** @internal */
export function reused(what: string): RuntimeError {
  return new RuntimeError(`cannot reuse an already awaited ${what}: call it again for a new operation`);
}

/**
 * Base of the hand-written operations: a coroutine object with no generator
 * behind it. `next()` is the operation itself; a task that gives up waiting
 * (cancelled, or its generator closed) comes through `throw()`/`return()`,
 * which unpark the waiter or, if it was already woken, pass the wake-up on
 * through `_passOn`.
 * @internal
 */
export abstract class WaitOp<T> implements CoroutineLike<T> {
  /** @internal OP_PENDING, OP_WAITING or OP_DONE. */ declare _opState: number;
  /** @internal The waiter parked for this operation while OP_WAITING. */ declare _waiter: Waiter | null;

  constructor(what: string) {
    this._opState = OP_PENDING;
    this._waiter = null;
    // Debug mode: "coroutine Lock.acquire() was never awaited" if it is dropped unstepped.
    if (unawaitedState.debugSeen) {
      const loop = _getRunningLoop();
      if (loop !== null && loop._debug) trackUnawaited(loop, this, what, 3); // this, the subclass, the method
    }
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
    if ((w._flags & STATE_BITS) === FINISHED) return w;
    this._waiter = null;
    this._opState = OP_DONE;
    if ((w._flags & STATE_BITS) === CANCELLED) throw w._makeCancelledError();
    w.cancel();
    throw notWoken();
  }

  private _abandon(): void {
    if (unawaitedState.count !== 0) markAwaited(this);
    if (this._opState === OP_WAITING) {
      const w = this._waiter!;
      this._waiter = null;
      const st = w._flags & STATE_BITS;
      if (st === PENDING) w.cancel();
      else if (st === FINISHED) this._passOn(w._result!);
    }
    this._opState = OP_DONE;
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
    if (this._opState === OP_PENDING) {
      if (unawaitedState.count !== 0) markAwaited(this);
      if (this._ready()) {
        this._opState = OP_DONE;
        return this._complete(false);
      }
      const w = this._park();
      this._waiter = w;
      this._opState = OP_WAITING;
      return suspendOn(w);
    }
    if (this._opState === OP_WAITING) {
      this._resumed();
      this._waiter = null;
      this._opState = OP_DONE;
      return this._complete(true);
    }
    throw reused(this._name());
  }
}
