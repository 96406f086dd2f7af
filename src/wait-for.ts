/**
 * `waitFor`: wait for one awaitable with a timeout (asyncio's `wait_for`, built
 * on the timeout scope as in CPython 3.12).
 *
 * Being a timeout scope fixes the old `wait_for` bugs by construction: on
 * timeout the awaitable is cancelled and waited for until it has really
 * finished (bpo-32751); a cancel from outside is never swallowed, even when
 * the awaitable finishes at the same moment (gh-86296); and a result that
 * arrives together with the timeout is returned, not lost.
 *
 * @module
 */
import type { FutureLike } from "./ensure-future.js";
import type { Coroutine } from "./coroutines.js";
import { CancelledError } from "./errors.js";
import type { Future } from "./futures.js";
import {
  checkTimeout,
  isAwaitableLike,
  notAwaitable,
  timeoutErrorFrom,
  toAwaitable,
  toFuture,
} from "./internal/awaitables.js";
import { Timeout } from "./timeouts.js";

const WHERE = "waitFor(aw, timeout)";

/**
 * Waits for `aw` at most `timeout` ms (`null`: no limit) and evaluates to its
 * result. On timeout `aw` is cancelled, waited for until its cleanup has run,
 * then `TimeoutError` is thrown (its `cause` is the `CancelledError`). If `aw`
 * swallows the cancellation and returns a value, that value is returned.
 * Cancelling the caller cancels `aw` too. Wrap `aw` in `shield()` to keep it
 * running after a timeout.
 *
 * A coroutine runs inline in the caller's task (as `await coro` does in
 * asyncio); with `timeout` 0 it is wrapped in a task that is cancelled before
 * it starts, unless already done.
 *
 * @example
 * ```ts
 * try {
 *   const data = yield* waitFor(fetchData(), 1000);
 * } catch (e) {
 *   if (e instanceof TimeoutError) console.log("gave up after 1 s");
 * }
 * ```
 * @throws TypeError / RangeError at once for a non-awaitable `aw` or a bad `timeout`
 */
export function waitFor<T>(aw: FutureLike<T>, timeout: number | null): Coroutine<T> {
  const ms = checkTimeout(WHERE, "timeout", timeout, false);
  if (!isAwaitableLike(aw)) throw notAwaitable(WHERE, "'aw'", aw);
  return ms === 0 ? waitForNow(aw) : new Timeout(null, ms)._run(() => toAwaitable<T>(aw, WHERE, "'aw'"));
}

/** Timeout 0: no scope; cancel at once unless already done (asyncio's special case). */
function* waitForNow<T>(aw: FutureLike<T>): Coroutine<T> {
  const fut = toFuture<T>(aw, null, WHERE, "'aw'");
  if (fut.done()) return fut.result();
  yield* cancelAndWait(fut);
  try {
    return fut.result();
  } catch (e) {
    if (e instanceof CancelledError) throw timeoutErrorFrom(e);
    throw e;
  }
}

/**
 * Cancels `fut` and waits until it is done, through a separate waiter so that
 * this wait itself stays cancellable (asyncio's `_cancel_and_wait`).
 * @internal
 */
export function* cancelAndWait(fut: Future<unknown>): Coroutine<void> {
  const waiter = fut._loop.createFuture<void>();
  const release = () => {
    if (!waiter.done()) waiter.setResult(undefined);
  };
  fut.addDoneCallback(release);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(release);
  }
}
