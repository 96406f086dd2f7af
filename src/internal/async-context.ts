/**
 * Keeps the loop and task of an `async (signal) => T` task visible across its
 * awaits. Its code after the first `await` runs as a promise continuation,
 * outside the loop's drain, where `getRunningLoop()` would otherwise fail
 * (asyncio users expect it to work there). Node's `AsyncLocalStorage` carries
 * the context; it is created on the first async-function task only, so programs
 * made of coroutines pay nothing. Without it (not Node), nothing changes.
 */
import type { EventLoop } from "../event-loop.js";
import type { Task } from "../tasks.js";

interface TaskContext {
  readonly loop: EventLoop;
  readonly task: Task<unknown> | null;
}

interface Storage {
  run<R>(store: TaskContext, fn: () => R): R;
  getStore(): TaskContext | undefined;
}

let storage: Storage | null | undefined;

function getStorage(): Storage | null {
  if (storage !== undefined) return storage;
  storage = null;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const hooks = proc?.getBuiltinModule?.("node:async_hooks") as
    | { AsyncLocalStorage?: new () => Storage }
    | undefined;
  if (hooks?.AsyncLocalStorage) storage = new hooks.AsyncLocalStorage();
  return storage;
}

/** Calls `fn` so that promise continuations it starts see `loop` and `task`. */
export function runWithTaskContext<R>(loop: EventLoop, task: Task<unknown> | null, fn: () => R): R {
  const s = getStorage();
  return s === null ? fn() : s.run({ loop, task }, fn);
}

/** The context of the async-function task whose continuation is running, if any. */
export function asyncTaskContext(): TaskContext | undefined {
  if (storage === undefined || storage === null) return undefined;
  const ctx = storage.getStore();
  return ctx !== undefined && !ctx.loop.isClosed() ? ctx : undefined;
}
