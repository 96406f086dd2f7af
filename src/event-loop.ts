/**
 * `EventLoop`: asyncio's event loop as an RxJS scheduler.
 *
 * One FIFO ready queue, one timer heap, and exactly one wake-up armed on the
 * host at a time. A wake-up drains the loop: due timers move to the ready queue,
 * then a snapshot of the ready queue runs (asyncio's `_run_once`), repeatedly,
 * until nothing is ready, the loop is stopped, or the drain's time budget is
 * spent (then it continues on a macrotask so Node's I/O is not starved).
 *
 * @module
 */
import type { SchedulerAction, SchedulerLike, Subscription } from "rxjs";
import { describe } from "./coroutines.js";
import { type DeadlockError, RuntimeError } from "./errors.js";
import { Handle, TimerHandle, captureStack, type Runnable } from "./handles.js";
import { _swapRunningLoop } from "./running-loop.js";
import { Future, isFuture } from "./futures.js";
import { rxjsHost, type LoopHost } from "./host.js";
import { RingQueue } from "./internal/ring-queue.js";
import { LinkedList } from "./internal/linked-list.js";
import { setTimerState, TIMER_DEAD, TIMER_ON, TimerHeap, type TimerEntry } from "./internal/timer-heap.js";
import { TimerRelease } from "./internal/timer-release.js";
import type { ClockKind, EventLoopOptions, ExceptionContext, ExceptionHandler, LoopLogger, LoopTracer } from "./event-loop-types.js";
export type { ClockKind, EventLoopOptions, ExceptionContext, ExceptionHandler, LoopLogger, LoopTracer } from "./event-loop-types.js";
import { formatExceptionContext, reportUnretrieved, runDebug, unawaitedState } from "./internal/loop-debug.js";
import { checkCallback, checkDelay, checkOptionKeys, envFlag, perfNow } from "./internal/loop-checks.js";
import { Wakeup } from "./internal/wakeup.js";
import { LoopAction } from "./scheduler-action.js";
import { checkTaskOptions, Task, toCoroutine, type TaskFactory, type TaskInput, type TaskOptions } from "./tasks.js";
import { registerLoop } from "./internal/process-registry.js";
import { unwatchForDeadlock, watchForDeadlock } from "./internal/deadlock-watch.js";
import type { Executor, JobArgs, JobFunction, JobResult } from "./executor.js";
import { loopCloseDefaultExecutor, loopRunInExecutor, loopSetDefaultExecutor, loopShutdownDefaultExecutor } from "./loop-executor.js";

/** The keys of `EventLoopOptions` (and the internal `_autoRun`): any other is a typo. */
const EVENT_LOOP_OPTIONS = ["clock", "debug", "host", "_autoRun"] as const;

/** Longest stretch a drain runs before it lets the host do I/O (ms of real time). */
const DRAIN_BUDGET_MS = 20;
/**
 * How many callbacks run between two looks at the clock for DRAIN_BUDGET_MS:
 * reading `performance.now()` after every callback would cost more than a
 * task step, and 1024 steps take well under a millisecond.
 */
const BUDGET_CHECK_EVERY = 1024;

/**
 * An asyncio event loop that is also an RxJS `SchedulerLike`: pass it to any
 * operator (`delay(100, loop)`, `observeOn(loop)`).
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ clock: "virtual" });
 * const result = await loop.runUntilComplete(function* () {
 *   yield* sleep(3_600_000); // an hour, in virtual time
 *   return "done";
 * });
 * loop.close();
 * ```
 */
export class EventLoop implements SchedulerLike {
  /** Callbacks or task steps slower than this (ms) are reported in debug mode. */
  slowCallbackDuration = 100;
  /** Where warnings and default error reports go. */
  logger: LoopLogger = console;

  /** @internal */ readonly _host: LoopHost;
  /** @internal The real clock of `time()`: the host's monotonic `time()`, else its `now()`. */
  readonly _clock: () => number;
  /** @internal */ readonly _virtual: boolean;
  /**
   * @internal The host orders same-time work by arming order (a TestScheduler):
   * a timer runs when its turn on the host comes, not when the loop sees it
   * due (internal/timer-release.ts); `null` on other hosts.
   */
  readonly _release: TimerRelease<TimerEntry & Runnable> | null;
  /** @internal */ _debug: boolean;
  /** @internal Gives back a burst's slots as it drains (a 100k-task spawn: 1 MB). */ readonly _ready = new RingQueue<Runnable>(64, true);
  /** @internal */ readonly _timers = new TimerHeap<TimerEntry & Runnable>();
  /** @internal Pending tasks; the loop keeps them alive (gh-88831). */
  readonly _tasks = new LinkedList<Task<unknown>>();
  /** @internal Futures whose exception nobody has retrieved yet. */
  readonly _unretrieved = new Set<Future<unknown>>();
  /** @internal */ _currentTask: Task<unknown> | null = null;
  /** @internal Sees every task's creation and steps; `null` costs one field check per step. */
  _tracer: LoopTracer | null = null;
  /** @internal What `createTask` calls instead of `new Task` (`setTaskFactory`). */
  _taskFactory: TaskFactory | null = null;
  /**
   * @internal Promises, executor jobs and other work outside the loop. Changed
   * only through `_changeOutsideWork`.
   */
  _external = 0;
  /**
   * @internal Outside code waiting on this loop's work (see `_beginLoopWait`).
   * Outside work that is itself waiting on the loop must not stop a virtual
   * clock, so the clock compares the two counts. Changed
   * only through `_changeOutsideWork`.
   */
  _loopWaits = 0;
  /** @internal Loops that run whenever they have work (the implicit RxJS loop). */
  readonly _autoRun: boolean;
  /** @internal The executor for `runInExecutor(null, ...)`, made on first use. */
  _defaultExecutor: Executor | null = null;
  /** @internal `shutdownDefaultExecutor()` was called: no new default executor. */
  _executorShutdownCalled = false;
  /** @internal What `runUntilComplete` waits for (watched for a deadlock at process exit). */
  _until: Future<unknown> | null = null;
  /** @internal Why `runUntilComplete` was stopped with its future pending. */
  private _deadlock: DeadlockError | null = null;

  private _seq = 0;
  /** Creation stacks of futures made in debug mode. */
  private _sources: WeakMap<object, string> | null = null;
  private _vtime = 0;
  private _active = false;
  private _draining = false;
  private _stopping = false;
  /** @internal `close()` was called (read by futures: a closed loop's future cannot settle). */
  _closed = false;
  private _stopWaiters: (() => void)[] = [];
  private _exceptionHandler: ExceptionHandler | null = null;
  /** The single host wake-up; firing it drains the loop. */
  private readonly _wakeup: Wakeup;

  constructor(options: EventLoopOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`new EventLoop(options): 'options' must be an object, got ${describe(options)}`);
    }
    checkOptionKeys("new EventLoop(options)", options, EVENT_LOOP_OPTIONS);
    const clock = options.clock ?? (envFlag("RX_ASYNCIO_CLOCK") === "virtual" ? "virtual" : "real");
    if (clock !== "real" && clock !== "virtual") {
      throw new RangeError(`new EventLoop(options): 'clock' must be "real" or "virtual", got ${describe(clock)}`);
    }
    this._virtual = clock === "virtual";
    const host = options.host;
    if (
      host !== undefined &&
      (typeof host !== "object" || host === null || typeof host.now !== "function" || typeof host.soon !== "function" || typeof host.later !== "function")
    ) {
      throw new TypeError(`new EventLoop(options): 'host' must be a LoopHost ({ now, soon, later }), got ${describe(host)}`);
    }
    if (options.debug !== undefined && typeof options.debug !== "boolean") {
      throw new TypeError(`new EventLoop(options): 'debug' must be a boolean, got ${describe(options.debug)}`);
    }
    const given = host ?? rxjsHost;
    this._host = typeof given.pin === "function" ? given.pin() : given;
    const h = this._host;
    this._clock = typeof h.time === "function" ? h.time.bind(h) : h.now.bind(h);
    this._release =
      h.perTimer === true && !this._virtual
        ? new TimerRelease(h, this._timers, this._clock, () => {
            if (!this._draining && this._active) this._drain();
          })
        : null;
    this._wakeup = new Wakeup(h, () => this._drain(), this._clock);
    this._debug = options.debug ?? envFlag("RX_ASYNCIO_DEBUG") === "1";
    if (this._debug) unawaitedState.debugSeen = true;
    this._autoRun = (options as { _autoRun?: boolean })._autoRun === true;
    this._active = this._autoRun;
    // So that `rx-asyncio ps <pid>` can find it (weakly held).
    registerLoop(this);
  }

  // ---- time -------------------------------------------------------------------

  /**
   * The loop's clock in ms, which its timers and `callAt` use: on the real
   * clock a monotonic one (`performance.now()`: ms since the process
   * started, never stepped by the wall clock), as asyncio's `loop.time()`;
   * on the virtual clock virtual time, starting at 0.
   */
  time(): number {
    return this._virtual ? this._vtime : this._clock();
  }

  /**
   * `SchedulerLike.now()`, for RxJS: what RxJS's own `asyncScheduler.now()`
   * gives (`Date.now()`, so `timestamp(loop)` and `timer(date, loop)` work on
   * wall-clock dates), or virtual time on the virtual clock. Operators only
   * subtract two readings or a date from it, so it need not equal `time()`.
   */
  now(): number {
    return this._virtual ? this._vtime : this._host.now();
  }

  /** Which clock this loop keeps. */
  clock(): ClockKind {
    return this._virtual ? "virtual" : "real";
  }

  // ---- scheduling callbacks ---------------------------------------------------

  /** Runs `fn(...args)` on the next iteration; callbacks run in the order they were scheduled. */
  callSoon<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Handle {
    checkCallback("fn", fn);
    this._checkClosed();
    const h = new Handle(fn as (...a: never[]) => unknown, args, this);
    this._pushReady(h);
    return h;
  }

  /** Runs `fn(...args)` after `delay` ms; same-time callbacks run in scheduling order. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): TimerHandle {
    checkDelay("delay", delay);
    checkCallback("fn", fn);
    return this._callAt(this.time() + delay, fn as (...a: never[]) => unknown, args, delay);
  }

  /** Runs `fn(...args)` at loop time `when` (at once if it is in the past). */
  callAt<A extends unknown[]>(when: number, fn: (...args: A) => unknown, ...args: A): TimerHandle {
    if (typeof when !== "number") throw new TypeError(`'when' must be a loop time in ms, got ${describe(when)}`);
    if (!Number.isFinite(when)) throw new RangeError(`'when' must be a finite loop time in ms, got ${describe(when)}`);
    checkCallback("fn", fn);
    return this._callAt(when, fn as (...a: never[]) => unknown, args);
  }

  private _callAt(when: number, fn: (...a: never[]) => unknown, args: unknown[], delay?: number): TimerHandle {
    this._checkClosed();
    const h = new TimerHandle(when, 0, fn, args, this);
    this._addTimer(h, delay);
    return h;
  }

  /**
   * `SchedulerLike.schedule`: RxJS operators given this loop run their work on
   * it. The returned action also cancels its own later reschedules.
   */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    checkCallback("work", work);
    // Negative delays (a past Date) and NaN are "now" for RxJS; only a non-number is a mistake.
    if (typeof delay !== "number") throw new TypeError(`schedule(work, delay): 'delay' must be a number of ms, got ${describe(delay)}`);
    // Infinity would be a timer that never fires (RxJS's own asyncScheduler
    // fires it after 1 ms, as setTimeout clamps it): refused, as callLater does.
    if (delay === Infinity) {
      throw new RangeError("schedule(work, delay): 'delay' must be a finite number of ms (to never run work, do not schedule it), got Infinity");
    }
    this._checkClosed();
    return new LoopAction<T>(this, work).schedule(state, delay);
  }

  // ---- tasks and futures ------------------------------------------------------

  /** A new pending future on this loop. */
  createFuture<T = unknown>(): Future<T> {
    this._checkClosed();
    return new Future<T>(this);
  }

  /**
   * Wraps a coroutine (or a coroutine function, or `async (signal) => T`) in a
   * task; its first step runs on the next iteration (now with `{ eager: true }`
   * or an eager task factory). With a task factory set, the factory makes it.
   */
  createTask<T>(coro: TaskInput<T>, options: TaskOptions = {}): Task<T> {
    checkTaskOptions("createTask(coro, options)", options);
    this._checkClosed();
    const c = toCoroutine(coro, "createTask(coro)");
    const factory = this._taskFactory;
    if (factory === null) return new Task<T>(c, { ...options, loop: this });
    const t = factory(this, c, { ...options, loop: this });
    if (!(t instanceof Future)) throw new TypeError(`createTask(coro): the task factory returned ${describe(t)}, not a Task`);
    return t;
  }

  /**
   * Sets what `createTask` (and so `gather`, `TaskGroup.createTask`,
   * `ensureFuture`) calls to make a task: `eagerTaskFactory` makes every task
   * eager (asyncio 3.12's `loop.set_task_factory(asyncio.eager_task_factory)`);
   * `null` restores the default.
   * @throws TypeError if `factory` is neither a function nor null
   */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError(`setTaskFactory(factory): 'factory' must be a function or null, got ${describe(factory)}`);
    }
    this._taskFactory = factory;
  }

  /** The task factory set with `setTaskFactory`, or `null`. */
  getTaskFactory(): TaskFactory | null {
    return this._taskFactory;
  }

  // ---- running ----------------------------------------------------------------

  /** Whether the loop is running (inside `runForever` / `runUntilComplete`). */
  isRunning(): boolean {
    return this._active;
  }

  /** Whether `close()` was called. */
  isClosed(): boolean {
    return this._closed;
  }

  /**
   * Runs until `aw` is done; resolves with its result or rejects with its
   * exception. Takes a coroutine, a coroutine function or a future.
   */
  runUntilComplete<T>(aw: TaskInput<T> | Future<T>): Promise<T> {
    this._checkClosed();
    this._checkNotRunning();
    const fut = isFuture(aw) ? (aw as Future<T>) : new Task<T>(toCoroutine(aw, "runUntilComplete(aw)"), { loop: this });
    if (fut._loop !== this) {
      throw new RuntimeError("runUntilComplete(aw): 'aw' is a future of another loop");
    }
    const stopWhenDone = () => this.stop();
    fut._addCallback(stopWhenDone as never);
    this._until = fut as Future<unknown>;
    watchForDeadlock(this);
    return this.runForever().then(() => {
      unwatchForDeadlock(this);
      this._until = null;
      const deadlock = this._deadlock;
      this._deadlock = null;
      fut.removeDoneCallback(stopWhenDone);
      if (!fut.done()) throw deadlock ?? new RuntimeError("Event loop stopped before Future completed.");
      const result = fut.result();
      // asyncio hands back a returned Task as it is; a promise would adopt it
      // instead and wait on it with the loop stopped, forever. Say so now.
      if (isFuture(result)) {
        const kind = result instanceof Task ? "Task" : "Future";
        throw new TypeError(
          `runUntilComplete(aw): the coroutine returned a ${kind}; a promise cannot resolve to a thenable, ` +
            `so it would wait on it after the loop stopped. Return its result instead: \`return yield* ${kind.toLowerCase()}\``,
        );
      }
      return result;
    });
  }

  /** Runs until `stop()` is called; the promise resolves then. */
  runForever(): Promise<void> {
    this._checkClosed();
    this._checkNotRunning();
    return new Promise<void>((resolve) => {
      this._stopWaiters.push(resolve);
      this._active = true;
      this._rearm(false);
    });
  }

  /** Stops the loop after the current iteration. */
  stop(): void {
    if (this._autoRun) return;
    this._stopping = true;
    if (!this._draining) this._rearm(false);
  }

  /**
   * Closes the loop: pending callbacks are dropped and it can no longer be used.
   * Refuses while the loop runs. Idempotent.
   */
  close(): void {
    if (this._active && !this._autoRun) throw new RuntimeError("Cannot close a running event loop");
    if (this._closed) return;
    this._reportUnretrieved();
    this._closed = true;
    this._active = false;
    this._disarm();
    this._ready.clear();
    this._timers.clear();
    this._release?.close();
    loopCloseDefaultExecutor(this);
  }

  // ---- executors (the work is in loop-executor.ts) -------------------------------

  /**
   * Runs `fn(...args)` on a worker thread of `executor` (the loop's default
   * `ThreadPoolExecutor` when `null`, made on first use); a Future of its
   * result, so the loop keeps running meanwhile. `fn` is a self-contained
   * function (sent as source text: no variables from around it) or a module's
   * export `{ module, export }`; arguments and results are structured-cloned,
   * `transfer(x)` moves buffers. Cancelling the future drops a queued job or
   * stops the worker of a running one.
   *
   * @example
   * ```ts
   * const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
   * const r = yield* loop.runInExecutor(null, fib, 35);
   * ```
   * @throws TypeError for a function or argument that cannot be sent; RuntimeError after shutdown
   */
  runInExecutor<A extends unknown[], R>(executor: Executor | null, fn: JobFunction<A, R>, ...args: JobArgs<A>): Future<JobResult<R>>;
  /** A job by name, for an executor that runs named jobs elsewhere (`BullMQExecutor` from `rx-asyncio/bullmq`). */
  runInExecutor<R = unknown>(executor: Executor, jobName: string, ...args: unknown[]): Future<R>;
  runInExecutor<R>(executor: Executor | null, fn: JobFunction<unknown[], R> | string, ...args: unknown[]): Future<JobResult<R>> {
    // A name reaches the executor as it is; a ThreadPoolExecutor rejects it with a TypeError.
    return loopRunInExecutor(this, executor, fn as JobFunction<unknown[], R>, args);
  }

  /** Sets the executor `runInExecutor(null, ...)` uses (the old one is not shut down). */
  setDefaultExecutor(executor: Executor): void {
    loopSetDefaultExecutor(this, executor);
  }

  /**
   * Shuts the default executor down and waits for its jobs; after `timeout` ms
   * (real time; `null`: no limit) the jobs still running are cancelled, which
   * stops their workers. Afterwards `runInExecutor(null, ...)` throws.
   */
  shutdownDefaultExecutor(timeout: number | null = null): Future<void> {
    return loopShutdownDefaultExecutor(this, timeout);
  }

  // ---- errors and debug -------------------------------------------------------

  /** Sets the handler for errors nobody else can receive (`null`: the default one). */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`setExceptionHandler(handler): 'handler' must be a function or null, got ${describe(handler)}`);
    }
    this._exceptionHandler = handler;
  }

  /** The custom exception handler, or `null`. */
  getExceptionHandler(): ExceptionHandler | null {
    return this._exceptionHandler;
  }

  /**
   * Reports an error through the exception handler; a handler that throws is
   * itself reported by the default handler, so this never throws.
   * @throws TypeError (at once) if `context` is not an object
   */
  callExceptionHandler(context: ExceptionContext): void {
    if (typeof context !== "object" || context === null) {
      throw new TypeError(`callExceptionHandler(context): 'context' must be an object with a 'message', got ${describe(context)}`);
    }
    const handler = this._exceptionHandler;
    if (handler === null) {
      this._safeDefault(context);
      return;
    }
    try {
      handler(this, context);
    } catch (exc) {
      this._safeDefault({ message: "Unhandled error in exception handler", exception: exc, context });
    }
  }

  /** The default report: the message, the exception's stack, and where the task was created. */
  defaultExceptionHandler(context: ExceptionContext): void {
    this.logger.error(formatExceptionContext(context));
  }

  private _safeDefault(context: ExceptionContext): void {
    try {
      this.defaultExceptionHandler(context);
    } catch {
      /* a broken logger must not break the loop */
    }
  }

  /** Turns debug mode on or off. */
  setDebug(enabled: boolean): void {
    this._debug = Boolean(enabled);
    if (this._debug) unawaitedState.debugSeen = true;
  }

  /** Whether debug mode is on. */
  getDebug(): boolean {
    return this._debug;
  }

  /**
   * Turns tracing on with `tracer` (e.g. a `TraceRecorder`), or off with `null`.
   * Off, a task step costs one field check.
   *
   * @example
   * ```ts
   * const rec = new TraceRecorder();
   * loop.setTrace(rec);
   * ```
   * @throws TypeError if `tracer` is not a tracer or null
   */
  setTrace(tracer: LoopTracer | null): void {
    if (
      tracer !== null &&
      (typeof tracer !== "object" ||
        typeof tracer.taskCreated !== "function" ||
        typeof tracer.stepStarted !== "function" ||
        typeof tracer.stepEnded !== "function")
    ) {
      throw new TypeError(`setTrace(tracer): 'tracer' must be a LoopTracer (e.g. a TraceRecorder) or null, got ${describe(tracer)}`);
    }
    const prev = this._tracer;
    if (prev === tracer) return;
    if (tracer !== null) {
      this._checkClosed();
      tracer.attached?.(this);
    }
    this._tracer = tracer;
    if (prev !== null) prev.detached?.(this);
  }

  /** The tracer set with `setTrace`, or `null`. */
  getTrace(): LoopTracer | null {
    return this._tracer;
  }

  // ---- internals used by futures, tasks and primitives --------------------------

  /** @internal Queues a runnable; arms a wake-up if this is the first. */
  _pushReady(r: Runnable): void {
    this._ready.push(r);
    if (!this._wakeup.soonArmed && !this._draining && this._active) this._rearm(false);
  }

  /**
   * @internal Puts a timer entry on the heap; `delay` (what it was scheduled
   * with) lets it join the list of timers of that delay.
   */
  _addTimer(entry: TimerEntry & Runnable, delay?: number): void {
    this._checkClosed();
    const release = this._release;
    entry._seq = release === null ? this._seq++ : release.nextSeq();
    setTimerState(entry, TIMER_ON);
    this._timers.push(entry, delay);
    if (release !== null) {
      release.added(entry);
      return;
    }
    if (!this._draining && this._active && !this._wakeup.soonArmed && entry._when < this._wakeup.laterWhen) {
      this._rearm(false);
    }
  }

  /** @internal A timer in the heap was cancelled: drop it lazily. */
  _timerCancelled(entry: TimerEntry): void {
    if ((entry._flags & TIMER_ON) === 0) return;
    entry._flags ^= TIMER_ON | TIMER_DEAD;
    this._timers.deadCount++;
  }

  /** @internal Something outside the loop (a promise, a job) started. */
  _beginExternal(): void {
    this._changeOutsideWork(1, 0);
  }

  /** @internal ...and ended: a virtual clock may move on again. */
  _endExternal(): void {
    this._changeOutsideWork(-1, 0);
  }

  /**
   * @internal Outside code started waiting on loop work: a promise on one of
   * this loop's futures, a task observable's subscriber, RxJS work armed on the
   * loop (`LoopAction`), a virtual run's `asyncScheduler` timer.
   */
  _beginLoopWait(): void {
    this._changeOutsideWork(0, 1);
  }

  /** @internal ...and that wait is over. */
  _endLoopWait(): void {
    this._changeOutsideWork(0, -1);
  }

  /**
   * The one way the outside-work counts change. Only a virtual clock reads
   * them (`_clockMayJump`), so only a virtual loop re-arms; inside a drain the
   * drain re-arms when it ends.
   */
  private _changeOutsideWork(external: number, loopWaits: number): void {
    this._external += external;
    this._loopWaits += loopWaits;
    if (this._virtual && !this._draining && this._active) this._rearm(false);
  }

  /**
   * The virtual-clock rule, in one place: a virtual clock may jump to the
   * next timer only when no outside work is pending that could still add
   * work before it (outside work that itself waits on the loop does not
   * count). The drain also needs an empty ready queue to jump.
   */
  private _clockMayJump(): boolean {
    return this._virtual && this._external <= this._loopWaits;
  }

  /** @internal */
  _checkClosed(): void {
    if (this._closed) throw new RuntimeError("Event loop is closed");
  }

  /**
   * @internal Records where `fut` is being created (debug mode), in a side
   * table rather than a field every future would carry.
   */
  _recordSource(fut: object): void {
    (this._sources ??= new WeakMap()).set(fut, captureStack(3));
  }

  /** @internal Where `fut` was created, if it was recorded. */
  _sourceOf(fut: object): string | undefined {
    return this._sources === null ? undefined : this._sources.get(fut);
  }

  /** @internal Reports every exception that nobody retrieved. */
  _reportUnretrieved(): void {
    if (this._unretrieved.size > 0) reportUnretrieved(this, this._unretrieved);
  }

  /**
   * @internal The loop runs, yet holds no wake-up and has nothing ready: only
   * something outside it can move it on (see internal/deadlock-watch.ts).
   */
  _stuck(): boolean {
    return this._active && !this._autoRun && !this._closed && !this._stopping && this._ready.length === 0 && this._wakeup.idle;
  }

  /** @internal A deadlock was found: `runUntilComplete` rejects with `error`. */
  _deadlocked(error: DeadlockError): void {
    this._deadlock = error;
    this.stop();
  }

  private _checkNotRunning(): void {
    if (this._active) throw new RuntimeError("This event loop is already running");
  }

  // ---- the drain ----------------------------------------------------------------

  /**
   * A wake-up: runs the loop until nothing is ready, it is stopped, or the
   * time budget is spent, then settles what a drain's end must (stop
   * waiters, the auto-run loop's report) and re-arms.
   */
  private _drain(): void {
    if (this._closed || !this._active) return;
    const prev = _swapRunningLoop(this);
    this._draining = true;
    let exhausted = false;
    try {
      exhausted = this._runUntilIdle();
    } finally {
      this._draining = false;
      _swapRunningLoop(prev);
    }
    this._afterDrain();
    this._rearm(exhausted);
  }

  /**
   * The iterations of one drain (asyncio's `_run_once`, repeated): due timers
   * join the ready queue, then a snapshot of the ready queue runs. Returns
   * true if it stopped because DRAIN_BUDGET_MS was spent.
   */
  private _runUntilIdle(): boolean {
    const deadline = perfNow() + DRAIN_BUDGET_MS;
    let sinceCheck = 0;
    while (!this._stopping) {
      this._moveDueTimers();
      let n = this._ready.length;
      if (n === 0) return false;
      // Callbacks queued while these run wait for the next iteration.
      while (n-- > 0) {
        this._runOne(this._ready.shift()!);
        if (++sinceCheck >= BUDGET_CHECK_EVERY) {
          sinceCheck = 0;
          if (perfNow() > deadline) return true;
        }
      }
    }
    return false;
  }

  /**
   * Moves due timers to the back of the ready queue (after what is already
   * there); a virtual clock with nothing else to do first jumps to the next
   * timer. Cancelled entries are compacted away first when they pile up.
   */
  private _moveDueTimers(): void {
    const timers = this._timers;
    timers.maybeCompact();
    if (this._release !== null) {
      // Timers whose turn on the host has come, in order.
      this._release.takeInto(this._ready);
      return;
    }
    const top = timers.peek();
    if (top === undefined) return;
    let t = this.time();
    if (top._when > t && this._ready.length === 0 && this._clockMayJump()) this._vtime = t = top._when;
    if (top._when <= t) timers.takeDue(t, this._ready);
  }

  /** Runs one callback or task step; what escapes it is reported, never thrown. */
  private _runOne(r: Runnable): void {
    if (this._debug) {
      runDebug(r, this);
      return;
    }
    try {
      r._run();
    } catch (exception) {
      this.callExceptionHandler({ message: "Unexpected error in the event loop", exception });
    }
  }

  /**
   * The end of a drain: a stopped loop resolves its `runForever()` promises;
   * the auto-run loop, once idle, reports the exceptions nobody retrieved (it
   * is never closed, so this is its only chance).
   */
  private _afterDrain(): void {
    if (this._stopping) {
      this._stopping = false;
      this._active = false;
      const waiters = this._stopWaiters;
      this._stopWaiters = [];
      for (const w of waiters) w();
    } else if (this._autoRun && this._ready.length === 0 && this._tasks.size === 0 && this._timers.liveCount === 0) {
      this._reportUnretrieved();
    }
  }

  /** Arms the single host wake-up the loop's state calls for. */
  private _rearm(yieldFirst: boolean): void {
    const w = this._wakeup;
    if (this._closed || !this._active) w.disarm();
    else if (yieldFirst) w.armYield();
    else if (this._stopping || this._ready.length > 0) w.armSoon();
    else if (this._release !== null) {
      // The host fires the timers (timer-release.ts); released ones not yet taken need a drain.
      if (this._release.pending) w.armSoon();
      else w.disarm();
    } else {
      const top = this._timers.peek();
      if (top === undefined) w.disarm();
      else if (!this._virtual) w.armAt(top._when);
      // A virtual clock jumps inside the drain: it only needs the drain to run,
      // and only when it may jump; else outside work will re-arm it.
      else if (this._clockMayJump()) w.armSoon();
      else w.disarm();
    }
  }

  private _disarm(): void {
    this._wakeup.disarm();
  }
}
