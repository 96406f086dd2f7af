/**
 * Scoped forms of `Lock`, `Semaphore` and `Condition`: a `Held` handle for
 * `using`, and the `withLock`/`withPermit` callback form.
 *
 * @module
 */
import type { Coroutine, CoroutineLike } from "./coroutines.js";
import { describe } from "./coroutines.js";

/** What a scoped form needs from a primitive. @internal */
export interface Acquirable {
  acquire(): CoroutineLike<true>;
  release(): void;
}

/**
 * A held lock, permit or condition lock. `release()` gives it back once (later
 * calls do nothing); `using` calls it at the end of the block, on return,
 * exception and cancellation alike.
 *
 * @example
 * ```ts
 * function* worker(lock: Lock): Coroutine<void> {
 *   using _held = yield* lock.hold();
 *   yield* sleep(10); // the lock is released when the block exits, however it exits
 * }
 * ```
 */
export class Held {
  private declare _owner: Acquirable | null;

  /** @internal Made by `hold()`, already acquired. */
  constructor(owner: Acquirable) {
    this._owner = owner;
  }

  /** Whether it was released already. */
  get released(): boolean {
    return this._owner === null;
  }

  /** Releases the lock or permit; does nothing the second time. */
  release(): void {
    const owner = this._owner;
    if (owner === null) return;
    this._owner = null;
    owner.release();
  }

  /** `using` support: the same as `release()`. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * Acquires, then makes the handle in the same step: no cancellation point lies
 * between taking the permit and handing back what releases it.
 * @internal
 */
export function* holdOf(prim: Acquirable): Coroutine<Held> {
  yield* prim.acquire();
  return new Held(prim);
}

/** @internal Checks a scoped body at once, so a mistake is not reported a step later. */
export function checkBody(where: string, body: unknown): void {
  if (typeof body !== "function") {
    throw new TypeError(
      `${where}: 'body' must be a generator function (function* () { ... }), got ${describe(body)}`,
    );
  }
}

/**
 * Runs `body` holding `prim`; releases on return, exception and cancellation.
 * `try` starts in the very step that acquired, so nothing can slip in between.
 * @internal
 */
export function* runHeld<R>(prim: Acquirable, body: () => CoroutineLike<R>): Coroutine<R> {
  yield* prim.acquire();
  try {
    const co = body();
    if (co === null || typeof co !== "object" || typeof co[Symbol.iterator] !== "function") {
      throw new TypeError(`the scoped body must return a coroutine (use function*), got ${describe(co)}`);
    }
    return yield* co;
  } finally {
    prim.release();
  }
}
