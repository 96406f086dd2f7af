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

/**
 * What the storage holds: the task, whose `_loop` is the loop, or the loop
 * itself when the function runs outside a task. Not a `{ loop, task }` pair:
 * that was one more object per async-function task (42 bytes each in a heap
 * snapshot of 20,000 pending ones, issue 20's W12).
 */
type Store = Task<unknown> | EventLoop;

interface Storage {
  run<R, A extends unknown[]>(store: Store, fn: (...args: A) => R, ...args: A): R;
  getStore(): Store | undefined;
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

/** Runs `fn(arg)` with `loop` and `task` visible to its continuations. @internal */
export function runWithTaskContext<R, A>(loop: EventLoop, task: Task<unknown> | null, fn: (arg: A) => R, arg: A): R {
  const s = getStorage();
  return s === null ? fn(arg) : s.run(task ?? loop, fn, arg);
}

/**
 * The task in the store now, whether or not its loop is closed: for a
 * promise reaction registered inside `runWithTaskContext` (native promises
 * carry the store to their reactions). @internal
 */
export function storedTask(): Task<unknown> | undefined {
  const store = currentStore();
  return store !== undefined && isTask(store) ? store : undefined;
}

function currentStore(): Store | undefined {
  return storage === undefined || storage === null ? undefined : storage.getStore();
}

function isTask(store: Store): store is Task<unknown> {
  return (store as Task<unknown>)._coro !== undefined;
}

/** The loop of the async-function task (or call) whose continuation runs now, unless it is closed. @internal */
export function asyncContextLoop(): EventLoop | undefined {
  const store = currentStore();
  if (store === undefined) return undefined;
  const loop = isTask(store) ? store._loop : store;
  return loop.isClosed() ? undefined : loop;
}

/** The async-function task whose continuation runs now (`null`: a call outside a task), unless its loop is closed. @internal */
export function asyncContextTask(): Task<unknown> | null | undefined {
  const store = currentStore();
  if (store === undefined) return undefined;
  if (!isTask(store)) return store.isClosed() ? undefined : null;
  return store._loop.isClosed() ? undefined : store;
}
