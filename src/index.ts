/**
 * rx-asyncio: Python asyncio's task model for TypeScript, built on RxJS.
 *
 * @packageDocumentation
 */
export type { Awaitable, AsyncTaskFunction, Coroutine, CoroutineFunction, CoroutineLike, Suspend } from "./coroutines.js";
export { isCoroutine, isCoroutineFunction } from "./coroutines.js";
export {
  BrokenBarrierError,
  CancelledError,
  ExceptionGroup,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
} from "./errors.js";
export type { ClockKind, EventLoopOptions, ExceptionContext, ExceptionHandler, LoopLogger, LoopTracer } from "./event-loop.js";
export { EventLoop } from "./event-loop.js";
export { Handle, TimerHandle, getRunningLoop } from "./events.js";
export type { Runnable } from "./events.js";
export type { DoneCallback, ResultOf } from "./futures.js";
export { Future, isFuture } from "./futures.js";
export type { FutureLike } from "./ensure-future.js";
export { ensureFuture } from "./ensure-future.js";
export type { HostHandle, LoopHost } from "./host.js";
export { globalThisHost, rxjsHost } from "./host.js";
export type { RunOptions } from "./runners.js";
export { newEventLoop, run } from "./runners.js";
export type { SleepAwaitable } from "./sleep.js";
export { sleep } from "./sleep.js";
export type { TaskInput, TaskOptions } from "./tasks.js";
export { Task, allTasks, createTask, currentTask, isTask } from "./tasks.js";
export type { TaskObservableOptions } from "./rx/task-observable.js";
export { rxLoop, task } from "./rx/task-observable.js";
