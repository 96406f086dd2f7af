/**
 * The one iterator result every suspension hands to `yield*`.
 *
 * A generator suspended in `yield* op` keeps the last result `op.next()` gave
 * it in its register file until it resumes: V8 passes the inner result object
 * through `yield*` untouched (as the spec says for sync generators). A fresh
 * `{ done: false, value: fut }` per suspension therefore stayed alive as long
 * as the task slept: 40 bytes per parked task, and one more object for every
 * young-generation collection to copy (issue 20's W7 and W2).
 *
 * So every suspension returns this one object with `value` set to the future
 * to wait on. That is safe because only the task's step reads it, at once:
 * `next()` on the task's coroutine returns it and the step takes `value`
 * before anything else can run, then clears it so that it keeps no future
 * alive. A coroutine stepped by hand that holds on to the result sees it
 * change; stepping by hand is outside the contract (see `notWoken`).
 *
 * @module
 */
import type { Suspend } from "../coroutines.js";

/** @internal The shared suspension result. Read `value` at once; never keep it. */
export const SUSPENDED: { readonly done: false; value: Suspend } = { done: false, value: undefined };

/** @internal The result of an operation that finished with nothing to give (shared, frozen). */
export const DONE_VOID: IteratorResult<Suspend, void> = Object.freeze({ done: true, value: undefined });

/** @internal What `yield*` sees while waiting on `fut` (or on nothing: `undefined` requeues the task). */
export function suspendWith(fut: Suspend): IteratorYieldResult<Suspend> {
  SUSPENDED.value = fut;
  return SUSPENDED;
}
