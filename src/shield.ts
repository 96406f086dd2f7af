/**
 * `shield`: protect an awaitable from the cancellation of whoever waits for it
 * (asyncio's `shield`).
 *
 * @module
 */
import type { FutureLike } from "./ensure-future.js";
import type { Future } from "./futures.js";
import { toFuture } from "./internal/awaitables.js";
import { awaitsItself } from "./errors.js";

/**
 * A Future that follows `aw`, except that cancelling it (for instance by
 * cancelling the task that waits on it) does not cancel `aw`: the caller gets
 * `CancelledError` while `aw` keeps running. If `aw` itself is cancelled, the
 * shield is cancelled too. An already finished future is returned as is.
 *
 * Keep a reference to the inner task if you need its result after the caller
 * was cancelled; an error it raises then is reported as never retrieved.
 *
 * @example
 * ```ts
 * const save = createTask(saveToDisk(data));
 * try {
 *   yield* shield(save);        // a cancel here does not stop the save
 * } catch (e) {
 *   if (e instanceof CancelledError) { yield* save; throw e; } // let it finish, then stop
 * }
 * ```
 * @throws TypeError at once if `aw` is not awaitable
 */
export function shield<T>(aw: FutureLike<T>): Future<T> {
  const inner = toFuture<T>(aw, null, "shield(aw)", "'aw'");
  if (inner.done()) return inner;
  // A task shielding itself can only be awaited by itself: it would never end.
  const me = inner._loop._currentTask;
  if (inner === me) throw awaitsItself("shield(aw)", me.getName(), "'aw'");
  const outer = inner._loop.createFuture<T>();
  const onInner = (f: Future<T>) => {
    if (outer.cancelled()) {
      // The waiter is gone; an error here is not lost but reported later.
      return;
    }
    if (f.cancelled()) outer.cancel();
    else {
      const exc = f.exception();
      if (exc !== null) outer.setException(exc);
      else outer.setResult(f.result());
    }
  };
  // bpo-35125: a cancelled shield leaves no callback behind on the inner future.
  const onOuter = () => {
    if (!inner.done()) inner.removeDoneCallback(onInner);
  };
  inner.addDoneCallback(onInner);
  outer.addDoneCallback(onOuter);
  return outer;
}
