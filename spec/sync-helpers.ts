/** Helpers for the synchronization-primitive specs (locks, queues, cancel-safety). */
import { CancelledError, createTask, run, sleep, type Coroutine, type CoroutineLike, type Task } from "../src/index.js";

/** Runs `main` on a virtual clock. */
export function runV<T>(main: () => Coroutine<T>): Promise<T> {
  return run(main, { clock: "virtual" });
}

/** Lets other ready tasks run `n` times (each `sleep(0)` is one trip round the ready queue). */
export function* ticks(n: number): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

/**
 * Lets everything run until nothing is ready: on a virtual clock a long sleep
 * only ends once every other task is blocked, so a deadlock shows up as an
 * assertion failure afterwards instead of a hanging test.
 */
export function* settle(): Coroutine<void> {
  yield* sleep(3_600_000);
}

/** Starts `co` as a task. */
export function spawn<T>(co: CoroutineLike<T> | (() => CoroutineLike<T>), name?: string): Task<T> {
  return createTask(co, name === undefined ? {} : { name });
}

/** Awaits a task and reports how it ended, without throwing. */
export function* outcome<T>(t: Task<T>): Coroutine<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: yield* t };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Cancels `t` after `n` loop iterations, from a helper task. */
export function cancelAfter(t: Task<unknown>, n: number, msg?: string): Task<void> {
  return createTask(function* () {
    yield* ticks(n);
    t.cancel(msg);
  });
}

/** Whether `e` is a CancelledError. */
export function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError;
}

/** Throws if `t` is not done (used after `settle()`). */
export function expectDone(t: Task<unknown>, what: string): void {
  if (!t.done()) throw new Error(`${what} (${t.getName()}) is still pending: a wake-up was lost`);
}
