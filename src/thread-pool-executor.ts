/**
 * `ThreadPoolExecutor`: jobs on a pool of Node worker threads, for
 * `loop.runInExecutor` and `toThread` (asyncio's `concurrent.futures`
 * executor, with a Node twist: a running job can be stopped).
 *
 * The threads, their start-up, replacement and messaging are Piscina's. This
 * class keeps the jobs that have not started in its own FIFO and hands Piscina
 * at most `maxWorkers` at a time, so it always knows which jobs are queued and
 * which run: `cancel()` on a queued job's future just drops it, while on a
 * running job's future it stops that job's worker (Piscina replaces it), and
 * `shutdown({ cancelFutures })` can cancel exactly the jobs not yet started.
 *
 * @module
 */
import type { ResourceLimits, Worker } from "node:worker_threads";
import type { Piscina } from "piscina";
import { describe } from "./coroutines.js";
import { nullishFailure, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop } from "./running-loop.js";
import type { Executor, JobArgs, JobFunction, JobResult, ShutdownOptions } from "./executor.js";
import { Future } from "./futures.js";
import { crashBetweenJobs, decodeFailure, encodeJob, type EncodedJob } from "./internal/job-codec.js";
import { checkLoop } from "./internal/loop-checks.js";
import { nodeRequire, workerEntryPath } from "./internal/node-env.js";

/** Options of `new ThreadPoolExecutor()`. */
export interface ThreadPoolExecutorOptions {
  /** Most jobs running at once, one worker thread each (default: `os.availableParallelism()`). */
  maxWorkers?: number;
  /** How long an idle worker is kept for the next job before it exits, in ms (default 10 000). */
  idleTimeout?: number;
  /** V8 heap limits of each worker (Node's `Worker` `resourceLimits`); a job past them crashes its worker. */
  resourceLimits?: ResourceLimits;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

/** One job: a node of the executor's queue while it waits. */
class Job {
  prev: Job | null = null;
  next: Job | null = null;
  state = QUEUED;
  abort: AbortController | null = null;
  /** Counted as work outside `loop`, so a virtual clock waits for it. */
  counted = true;
  encoded: EncodedJob | null;
  readonly label: string;

  constructor(
    readonly executor: ThreadPoolExecutor,
    readonly loop: EventLoop,
    readonly future: JobFuture<unknown>,
    encoded: EncodedJob,
    readonly where: string,
  ) {
    this.encoded = encoded;
    this.label = encoded.label;
  }
}

/** The future of a job: cancelling it cancels the job (see `ThreadPoolExecutor`). */
class JobFuture<T> extends Future<T> {
  /** @internal */ _job: Job | null = null;

  /** @internal The job's name, kept for traces (read after the job is gone). */
  _jobLabel = "";

  /** @internal What a task waiting on it waits on, in traces and the task tree. */
  override _traceLabel(): string {
    return this._jobLabel === "" ? "executor job" : `executor job (${this._jobLabel})`;
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const job = this._job;
    if (job !== null) {
      this._job = null;
      job.executor._cancelJob(job);
    }
    return true;
  }
}

function checkCount(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number") throw new TypeError(`${where}: '${name}' must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${where}: '${name}' must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

function checkFlag(where: string, name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${where}: '${name}' must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/**
 * A pool of worker threads that runs jobs off the event loop; what
 * `loop.runInExecutor(executor, fn, ...args)` and `toThread` use (the loop's
 * default one when `executor` is `null`).
 *
 * A job is a self-contained function (sent as source text: it must not use any
 * variable, import or helper from around it) or a module's export
 * `{ module, export }`. Arguments and results are structured-cloned; wrap one
 * in `transfer()` to move its buffers instead. A job's exception reaches the
 * awaiting task with its class name, message, fields and the worker's stack.
 * Cancelling a job's future drops the job if it has not started, or stops its
 * worker if it runs (the pool starts another for the next job).
 *
 * @example
 * ```ts
 * const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 }); // in a coroutine: yield* withExecutor(...)
 * const r = await run(function* () {
 *   return yield* getRunningLoop().runInExecutor(ex, fib, 35); // the loop keeps running meanwhile
 * });
 * ```
 */
export class ThreadPoolExecutor implements Executor {
  /** Most jobs running at once. */
  readonly maxWorkers: number;
  /** How long an idle worker is kept, in ms. */
  readonly idleTimeout: number;

  private readonly _resourceLimits: ResourceLimits | undefined;
  private _pool: Piscina | null = null;
  private _head: Job | null = null;
  private _tail: Job | null = null;
  private _queued = 0;
  private readonly _running = new Set<Job>();
  private _shutdown = false;
  private _closing: Promise<void> | null = null;
  private readonly _workers = new Set<Worker>();
  private readonly _seen = new WeakSet<Worker>();
  private _idleWaiters: (() => void)[] = [];
  private _exitWaiters: (() => void)[] = [];
  /** The loop of the latest job: where a crash between jobs is reported. */
  private _lastLoop: EventLoop | null = null;

  constructor(options: ThreadPoolExecutorOptions = {}) {
    const where = "new ThreadPoolExecutor(options)";
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
    }
    this.maxWorkers =
      options.maxWorkers === undefined
        ? Math.max(1, nodeRequire<typeof import("node:os")>("node:os").availableParallelism())
        : checkCount(where, "maxWorkers", options.maxWorkers, 1);
    this.idleTimeout = options.idleTimeout === undefined ? 10_000 : checkCount(where, "idleTimeout", options.idleTimeout, 0);
    if (options.resourceLimits !== undefined && (typeof options.resourceLimits !== "object" || options.resourceLimits === null)) {
      throw new TypeError(`${where}: 'resourceLimits' must be an object, got ${describe(options.resourceLimits)}`);
    }
    this._resourceLimits = options.resourceLimits;
  }

  /**
   * Runs `fn(...args)` on a worker; a future on the running loop for its result.
   *
   * @throws RuntimeError after `shutdown()` or outside a running loop
   * @throws TypeError for a function that cannot be sent (see the class notes)
   */
  submit<A extends unknown[], R>(fn: JobFunction<A, R>, ...args: JobArgs<A>): Future<JobResult<R>> {
    return this._submit(getRunningLoop(), fn as JobFunction<unknown[], R>, args, "submit(fn, ...args)");
  }

  /** `Executor.runOn`: what `loop.runInExecutor(this, fn, ...args)` calls. (`where` names the caller in errors.) */
  runOn<R>(
    loop: EventLoop,
    fn: JobFunction<unknown[], R>,
    args: readonly unknown[],
    where = "runInExecutor(executor, fn, ...args)",
  ): Future<JobResult<R>> {
    return this._submit(loop, fn, args, where);
  }

  /**
   * Stops taking jobs (then `submit` throws `RuntimeError`). With `wait`
   * (default), resolves once every submitted job is done and every worker has
   * exited; `cancelFutures` cancels the jobs not yet started, `cancelRunning`
   * also the running ones (stopping their workers). Safe to call again.
   * Never rejects.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const where = "shutdown(options)";
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
    }
    const wait = checkFlag(where, "wait", options.wait) ?? true;
    const cancelFutures = checkFlag(where, "cancelFutures", options.cancelFutures) ?? false;
    const cancelRunning = checkFlag(where, "cancelRunning", options.cancelRunning) ?? false;
    this._shutdown = true;
    if (cancelFutures || cancelRunning) {
      for (let job = this._head; job !== null; ) {
        const next = job.next;
        job.future.cancel();
        job = next;
      }
    }
    if (cancelRunning) for (const job of Array.from(this._running)) job.future.cancel();
    this._closing ??= this._close();
    return wait ? this._closing : Promise.resolve();
  }

  /** Whether `shutdown()` was called. */
  isShutdown(): boolean {
    return this._shutdown;
  }

  /** `await using ex = new ThreadPoolExecutor()`: `shutdown({ wait: true })` at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  /** `using ex = ...` (a generator cannot `await using`): `shutdown({ wait: false })`. */
  [Symbol.dispose](): void {
    void this.shutdown({ wait: false });
  }

  toString(): string {
    return `<ThreadPoolExecutor maxWorkers=${this.maxWorkers} queued=${this._queued} running=${this._running.size}${this._shutdown ? " shutdown" : ""}>`;
  }

  /** @internal Counts for specs: jobs queued and running, worker threads alive. */
  _stats(): { queued: number; running: number; workers: number } {
    return { queued: this._queued, running: this._running.size, workers: this._workers.size };
  }

  /** @internal A job's future was cancelled. */
  _cancelJob(job: Job): void {
    if (job.state === QUEUED) {
      this._unlink(job);
      job.state = DONE;
      job.encoded = null;
      this._uncount(job);
      this._pump();
    } else if (job.state === RUNNING) {
      const ac = job.abort;
      job.abort = null;
      this._uncount(job);
      // Piscina stops the worker running it and rejects the run (handled in _settle).
      ac?.abort();
    }
  }

  private _submit<R>(loop: EventLoop, fn: JobFunction<unknown[], R>, args: readonly unknown[], where: string): Future<JobResult<R>> {
    if (this._shutdown) throw new RuntimeError("cannot schedule new futures after shutdown");
    checkLoop(where, loop)._checkClosed();
    const encoded = encodeJob(fn, args, where);
    const fut = new JobFuture<JobResult<R>>(loop);
    const job = new Job(this, loop, fut as JobFuture<unknown>, encoded, where);
    this._lastLoop = loop;
    fut._job = job;
    fut._jobLabel = job.label;
    loop._beginExternal();
    if (this._tail === null) this._head = this._tail = job;
    else {
      job.prev = this._tail;
      this._tail.next = job;
      this._tail = job;
    }
    this._queued++;
    this._pump();
    return fut;
  }

  private _unlink(job: Job): void {
    if (job.prev !== null) job.prev.next = job.next;
    else this._head = job.next;
    if (job.next !== null) job.next.prev = job.prev;
    else this._tail = job.prev;
    job.prev = job.next = null;
    this._queued--;
  }

  private _uncount(job: Job): void {
    if (job.counted) {
      job.counted = false;
      job.loop._endExternal();
    }
  }

  /** Starts queued jobs while a worker is free; wakes `shutdown` once nothing is left. */
  private _pump(): void {
    while (this._head !== null && this._running.size < this.maxWorkers) {
      const job = this._head;
      this._unlink(job);
      this._start(job);
    }
    if (this._head === null && this._running.size === 0 && this._idleWaiters.length > 0) {
      const waiters = this._idleWaiters;
      this._idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private _start(job: Job): void {
    job.state = RUNNING;
    this._running.add(job);
    const encoded = job.encoded!;
    job.encoded = null;
    let pool: Piscina;
    try {
      pool = this._getPool();
    } catch (e) {
      this._settle(job, false, e, true);
      return;
    }
    const ac = new AbortController();
    job.abort = ac;
    let done: Promise<unknown>;
    try {
      done = pool.run(encoded.msg, { signal: ac.signal, transferList: encoded.transferList as never });
    } catch (e) {
      this._settle(job, false, e, false);
      return;
    }
    done.then(
      (value: unknown) => this._settle(job, true, value, false),
      (reason: unknown) => this._settle(job, false, reason, false),
    );
    this._track(pool);
  }

  private _settle(job: Job, ok: boolean, value: unknown, raw: boolean): void {
    if (job.state !== RUNNING) return;
    job.state = DONE;
    job.abort = null;
    this._running.delete(job);
    const fut = job.future;
    fut._job = null;
    if (!fut.done() && !job.loop.isClosed()) {
      if (ok) fut.setResult(value);
      else fut.setException(raw ? nullishFailure(value, `${job.where}: ${job.label} threw`) : decodeFailure(value, job.label, job.where));
    }
    this._uncount(job);
    this._pump();
  }

  private _getPool(): Piscina {
    if (this._pool !== null) return this._pool;
    const { Piscina } = nodeRequire<typeof import("piscina")>("piscina");
    const pool = new Piscina({
      filename: workerEntryPath(),
      minThreads: 0,
      maxThreads: this.maxWorkers,
      idleTimeout: this.idleTimeout,
      // Message passing only: an idle worker's own event loop keeps running.
      atomics: "disabled",
      recordTiming: false,
      ...(this._resourceLimits !== undefined ? { resourceLimits: this._resourceLimits } : {}),
    });
    pool.on("workerCreate", () => this._track(pool));
    // A worker that fails with no job on it (a timer a finished job left behind
    // threw): no future to fail, so the loop's exception handler hears of it,
    // naming the worker and the job that left the cause. The next job gets a new worker.
    pool.on("error", (reason: unknown) => this._crashedBetweenJobs(reason));
    return (this._pool = pool);
  }

  private _crashedBetweenJobs(reason: unknown): void {
    const { message, exception } = crashBetweenJobs(reason, "ThreadPoolExecutor");
    const loop = this._lastLoop;
    if (loop !== null) loop.callExceptionHandler({ message, exception });
    else console.error(message);
  }

  /** Notes every worker thread of the pool, so `shutdown` can wait until each has exited. */
  private _track(pool: Piscina): void {
    for (const w of pool.threads) {
      if (this._seen.has(w)) continue;
      this._seen.add(w);
      this._workers.add(w);
      w.once("exit", () => {
        this._workers.delete(w);
        if (this._workers.size === 0 && this._exitWaiters.length > 0) {
          const waiters = this._exitWaiters;
          this._exitWaiters = [];
          for (const f of waiters) f();
        }
      });
    }
  }

  private async _close(): Promise<void> {
    if (this._head !== null || this._running.size > 0) {
      await new Promise<void>((resolve) => this._idleWaiters.push(resolve));
    }
    const pool = this._pool;
    this._pool = null;
    if (pool !== null) {
      try {
        await pool.destroy();
      } catch {
        /* the workers are going anyway */
      }
    }
    if (this._workers.size > 0) await new Promise<void>((resolve) => this._exitWaiters.push(resolve));
  }
}
