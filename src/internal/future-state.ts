/**
 * What a future's packed fields mean: its states, every `_flags` bit, and the
 * slots that hold more than one thing. This is the one table; every file that
 * reads or writes these fields (futures, tasks, sleep, the parking lot, the
 * primitives, the trace) imports its names from here.
 *
 * Why packed: every task is a Future, and a program with 100k pending tasks or
 * sleeps pays for each field 100k times, in memory and in young-generation GC
 * (the W2 and W7 benchmarks). So a few fields carry several meanings, each
 * meaning tied to a state in which the field has no other use.
 *
 * `_state` (every Future) -- asyncio's `_state`:
 *
 * | value       | meaning                                             |
 * | ----------- | --------------------------------------------------- |
 * | `PENDING`   | not done                                            |
 * | `FINISHED`  | done with a result, or with an exception            |
 * | `CANCELLED` | done by `cancel()` (or a task's `CancelledError`)   |
 *
 * `_flags` bits:
 *
 * | bit                      | on                | meaning                                                         |
 * | ------------------------ | ----------------- | --------------------------------------------------------------- |
 * | `F_BLOCKING` (1)         | any future        | its `yield*` is handing it to the task right now (asyncio's `_asyncio_future_blocking`); a bare `yield fut` lacks it and is caught |
 * | `F_LOG_TRACEBACK` (2)    | any future        | an exception is set and nobody has looked at it yet (it is in the loop's `_unretrieved` set) |
 * | `F_MUST_CANCEL` (4)      | Task              | a cancel to deliver at the next step (asyncio's `_must_cancel`)  |
 * | `F_SLEEP_DONE` (8)       | SleepFuture       | its `yield*` has finished (or was abandoned): a second `next()` is a reuse, a `RuntimeError` |
 * | `F_EXCEPTION` (16)       | any future        | FINISHED with an exception (in `_exception`): "has an exception" is this bit, never `_exception !== undefined`, so no thrown value can pass for a result |
 * | `F_CANCEL_WALK` (32)     | Task              | its `cancel()` is passing the cancel down the chain of what it awaits right now: a task met again on the way closes a cycle (tasks awaiting each other), and the cancel lands there instead of going round forever |
 * | `F_YIELDED` (64)         | Task              | it is suspended in the shared `sleep(0)` operation (sleep.ts): that operation's next `next()` in this task finishes it |
 * | bits 7 and up            | Task              | `cancelling()`: the count of pending cancel requests, in units of `CANCEL_COUNT_UNIT` |
 * | `TIMER_ON` (128), `TIMER_DEAD` (256) | SleepFuture (and TimerHandle, not a Future) | its timer state (internal/timer-heap.ts): in the loop's heap, or in it but cancelled (lazy removal); neither bit: not in a heap. Independent of `_state`: a cancelled sleep is CANCELLED and TIMER_DEAD until the heap drops it. The same bits as a Task's cancel count: a task is never a timer entry |
 *
 * Double-duty slots:
 *
 * | slot          | state / kind                          | holds                                                     |
 * | ------------- | ------------------------------------- | --------------------------------------------------------- |
 * | `_result`     | FINISHED                              | the result                                                |
 * |               | CANCELLED                             | the cancel message (`_cancelMessage`)                     |
 * |               | PENDING Task with `F_MUST_CANCEL`     | the cancel message to deliver                             |
 * |               | PENDING SleepFuture                   | the value to finish with (never read `_cancelMessage` on one) |
 * | `_exception`  | FINISHED with `F_EXCEPTION`           | the exception (never null or undefined: those are wrapped where they enter, see `nullishFailure` in errors.ts) |
 * |               | FINISHED without `F_EXCEPTION`        | unused (`undefined`; a sleep's delay)                     |
 * |               | CANCELLED                             | the `CancelledError`, made on first use (not a sleep's)   |
 * |               | PENDING Task                          | an exception to throw in at its next step                 |
 * |               | SleepFuture not failed                | the delay it was made with (ms): what arms it, and what traces call it (`_delay`), also once cancelled (its CancelledError is made anew on each use, as CPython's `_make_cancelled_error` does) |
 * | `_seq`        | TimerHandle, SleepFuture              | its place among same-time timers (scheduling order). Inside `TestScheduler.run` it is the TestScheduler action index reserved for it when it was made (`LoopHost.reserveOrder`), still in scheduling order: the one action the loop keeps armed takes that index, so the timer sorts among RxJS's work where its own action would have (internal/timer-release.ts). No extra field per sleep |
 *
 * A parked waiter (internal/parking-lot.ts) is a Future: its `_state` is one
 * of the three above, and its result the reason it was woken (`WAKE`,
 * `WAKE_SHUTDOWN`). The operation that parked it keeps its own progress in a
 * field of another name, `_opState` (internal/wait-op.ts).
 *
 * @module
 */

/** `_state`: not done. */
export const PENDING = 0;
/** `_state`: done with a result or an exception. */
export const FINISHED = 1;
/** `_state`: cancelled. */
export const CANCELLED = 2;
/** The low bits of `_flags` that hold `_state`. */
export const STATE_BITS = 3;

/** `_flags`: set while a coroutine's `yield*` hands this future to its task. */
export const F_BLOCKING = 1 << 2;
/** `_flags`: an exception is set and nobody has looked at it yet. */
export const F_LOG_TRACEBACK = 1 << 3;
/** `_flags` of a Task: a cancel to deliver at the next step. */
export const F_MUST_CANCEL = 1 << 4;
/** `_flags` of a SleepFuture: its `yield*` has finished. */
export const F_SLEEP_DONE = 1 << 5;
/** `_flags`: FINISHED with an exception (the one test of "failed"; see the table). */
export const F_EXCEPTION = 1 << 6;
/** `_flags` of a Task: its `cancel()` is walking down what it awaits (cycle detection). */
export const F_CANCEL_WALK = 1 << 7;

/** `_flags` of a Task: suspended in the shared `sleep(0)` operation. */
export const F_YIELDED = 1 << 8;

/** `_flags` of a Task: `cancelling()` is kept above the F_* bits, from this bit up. */
export const CANCEL_COUNT_SHIFT = 9;
/** One cancel request, in `_flags`. */
export const CANCEL_COUNT_UNIT = 1 << CANCEL_COUNT_SHIFT;
