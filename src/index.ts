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
  DeadlockError,
  ExceptionGroup,
  InvalidStateError,
  KeyboardInterrupt,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
} from "./errors.js";
export type { ClockKind, EventLoopOptions, ExceptionContext, ExceptionHandler, LoopLogger, LoopTracer } from "./event-loop.js";
export { EventLoop } from "./event-loop.js";
export { Handle, TimerHandle } from "./handles.js";
export { getRunningLoop } from "./running-loop.js";
export type { Runnable } from "./handles.js";
export type { DoneCallback, ResultOf } from "./futures.js";
export { Future, isFuture } from "./futures.js";
export type { FutureLike } from "./ensure-future.js";
export { ensureFuture } from "./ensure-future.js";
export type { HostHandle, LoopHost } from "./host.js";
export { globalThisHost, rxjsHost } from "./host.js";
export type { RunOptions } from "./runners.js";
export { newEventLoop, run } from "./runners.js";
export { getEventLoop, setEventLoop } from "./get-event-loop.js";
export type { SleepAwaitable } from "./sleep.js";
export { sleep } from "./sleep.js";
export type { TaskFactory, TaskInput, TaskOptions } from "./tasks.js";
export { Task, allTasks, createEagerTaskFactory, createTask, currentTask, eagerTaskFactory, isTask } from "./tasks.js";
export type { TaskObservableOptions } from "./rx/task-observable.js";
export { task } from "./rx/task-observable.js";
export { rxLoop } from "./rx/internals.js";
export type { AwaitedOf } from "./internal/awaitables.js";
export type { GatherOptions, GatherResults, GatherSettled } from "./gather.js";
export { gather, gatherAll } from "./gather.js";
export type { ReturnWhen, WaitOptions } from "./wait.js";
export { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait } from "./wait.js";
export { waitFor } from "./wait-for.js";
export type { TimeoutBody } from "./timeouts.js";
export { Timeout, timeout, timeoutAt } from "./timeouts.js";
export { shield } from "./shield.js";
export type { AsCompletedOptions } from "./as-completed.js";
export { AsCompleted, asCompleted } from "./as-completed.js";
export type { TaskGroupBody, TaskGroupTaskOptions } from "./taskgroups.js";
export { TaskGroup, taskGroup } from "./taskgroups.js";
export type { TaskProject } from "./rx/map-task.js";
export { mapTask } from "./rx/map-task.js";
export { concatMapTask, exhaustMapTask, switchMapTask } from "./rx/task-flattening.js";
export type { FirstCompletedOptions } from "./rx/first-completed.js";
export { firstCompleted, raceTasks } from "./rx/first-completed.js";
export { Held } from "./held.js";
export { Lock } from "./lock.js";
export { Event } from "./event.js";
export { Condition } from "./condition.js";
export { BoundedSemaphore, Semaphore } from "./semaphore.js";
export { Barrier } from "./barrier.js";
export { LifoQueue, Queue } from "./queues.js";
export type { PriorityQueueOptions } from "./priority-queue.js";
export { PriorityQueue, defaultCompare } from "./priority-queue.js";
export type { FromQueueOptions } from "./rx/from-queue.js";
export { fromQueue } from "./rx/from-queue.js";
export type { Executor, JobArgs, JobFunction, JobResult, ModuleFunction, ShutdownOptions, Transfer, TransferItem } from "./executor.js";
export { BrokenWorkerError, TRANSFER, isExecutor, isTransfer, moduleFunction, transfer } from "./executor.js";
export type { ThreadPoolExecutorOptions } from "./thread-pool-executor.js";
export { ThreadPoolExecutor } from "./thread-pool-executor.js";
export type { WebWorkerExecutorOptions } from "./web-worker-executor.js";
export { WebWorkerExecutor } from "./web-worker-executor.js";
export { toThread, withExecutor } from "./with-executor.js";
export * from "./trace/index.js";
export type { ContextVarOptions } from "./contextvars.js";
export { Context, ContextVar, LookupError, Token, copyContext } from "./contextvars.js";
