/**
 * `BullMQExecutor`: `loop.runInExecutor(executor, "jobName", ...args)` runs a
 * named job on a fleet of BullMQ workers (see `serveJobs`), on any number of
 * processes and machines, and gives a Future of its result.
 *
 * @module
 */
import type { BackoffOptions, ConnectionOptions, Queue } from "bullmq";
import { describe } from "../coroutines.js";
import { RuntimeError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import type { Executor, JobFunction, JobResult, ShutdownOptions } from "../executor.js";
import { Dispatcher, type JobSettings } from "./dispatcher.js";
import type { BullMQJobFuture } from "./job-future.js";
import { checkJsonArgs } from "./json-args.js";
import { checkJobOptionKeys } from "./options.js";
import { finishReport, type BullMQShutdownReport } from "./shutdown.js";

/** Per-job options: BullMQ's own retry options, and a timeout the worker enforces. */
export interface BullMQJobOptions {
  /** How many times a job is tried in all (BullMQ `attempts`; default 1: no retry). */
  attempts?: number;
  /** The wait between tries (BullMQ `backoff`: ms, or `{ type: "fixed" | "exponential", delay }`). */
  backoff?: number | BackoffOptions;
  /**
   * The longest one try may take, in ms (default `null`: no limit). BullMQ has
   * no job timeout of its own: the worker aborts the job's `signal` with a
   * `TimeoutError` and fails the try at once, which counts as a failed
   * attempt (it is retried if attempts remain).
   */
  timeout?: number | null;
}

/** Options of a {@link BullMQExecutor}. */
export interface BullMQExecutorOptions extends BullMQJobOptions {
  /** BullMQ's `connection`: ioredis options (`{ host, port }`) or an ioredis instance. */
  connection: ConnectionOptions;
  /** The BullMQ queue the workers serve. */
  queue: string;
  /** BullMQ's key prefix (default `"bull"`); workers must use the same. */
  prefix?: string;
  /** The job names the workers serve: when given, another name throws a TypeError at once. */
  jobNames?: readonly string[];
  /**
   * How long Redis may be unreachable before the futures waiting on it fail
   * with `JobConnectionError`, in ms (default 10 000): when adding a job, and
   * while a job is out.
   */
  connectionTimeout?: number;
}

const WHERE = "new BullMQExecutor(options)";

/**
 * Runs named jobs on BullMQ workers: the same `runInExecutor` / Future /
 * cancellation model as a thread pool, across machines. Arguments and results
 * travel as JSON; a job's error comes back with its class name and message.
 *
 * @example
 * ```ts
 * import { BullMQExecutor } from "rx-asyncio/bullmq";
 * const ex = new BullMQExecutor({ connection: { host: "127.0.0.1", port: 6379 }, queue: "work", attempts: 3 });
 * function* main(): Coroutine<number> {
 *   const loop = getRunningLoop();
 *   try {
 *     return (yield* loop.runInExecutor(ex, "add", 1, 2)) as number;
 *   } finally {
 *     yield* ensureFuture(ex.shutdown());
 *   }
 * }
 * ```
 * @throws TypeError / RangeError for bad options
 */
export class BullMQExecutor implements Executor {
  /** @internal */ readonly _d: Dispatcher;
  /** @internal */ readonly _settings: JobSettings;
  /** @internal */ readonly _names: ReadonlySet<string> | null;

  constructor(options: BullMQExecutorOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError(`${WHERE}: 'options' must be an object, got ${describe(options)}`);
    checkJobOptionKeys(WHERE, options, true);
    const { connection, queue, prefix = "bull", jobNames, connectionTimeout = 10_000 } = options;
    if (typeof connection !== "object" || connection === null) {
      throw new TypeError(`${WHERE}: 'connection' must be ioredis options ({ host, port }) or an ioredis instance, got ${describe(connection)}`);
    }
    checkName("queue", queue);
    if (typeof prefix !== "string" || prefix === "") throw new TypeError(`${WHERE}: 'prefix' must be a non-empty string, got ${describe(prefix)}`);
    checkMs(WHERE, "connectionTimeout", connectionTimeout, false);
    let names: ReadonlySet<string> | null = null;
    if (jobNames !== undefined) {
      if (!Array.isArray(jobNames) || !jobNames.every((n) => typeof n === "string" && n !== "")) {
        throw new TypeError(`${WHERE}: 'jobNames' must be an array of non-empty strings, got ${describe(jobNames)}`);
      }
      names = new Set(jobNames);
    }
    this._names = names;
    this._settings = settings(WHERE, { attempts: 1, backoff: undefined, timeout: null }, options);
    this._d = new Dispatcher({ connection, queue, prefix, connectionTimeout });
  }

  /**
   * The same executor (same connection, same jobs in flight) with other job
   * options for the jobs run through it.
   *
   * @example
   * ```ts
   * const r = yield* loop.runInExecutor(ex.withOptions({ timeout: 5_000, attempts: 3 }), "render", page);
   * ```
   */
  withOptions(options: BullMQJobOptions): BullMQExecutor {
    const where = "withOptions(options)";
    if (typeof options !== "object" || options === null) throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
    checkJobOptionKeys(where, options);
    const view = Object.create(BullMQExecutor.prototype) as BullMQExecutor;
    return Object.assign(view, { _d: this._d, _names: this._names, _settings: settings(where, this._settings, options) });
  }

  /** The BullMQ `Queue` jobs are added to (`null` before the first job), for BullMQ's own tools. */
  get queue(): Queue | null {
    return this._d.queue;
  }

  /** What the last `shutdown()` could not clean up, once it ended (`null` before). */
  get shutdownReport(): BullMQShutdownReport | null {
    return this._d.report;
  }

  /** How many futures wait on jobs of this executor. */
  get pendingCount(): number {
    return this._d.pending.size;
  }

  /** `Executor.runOn`: what `loop.runInExecutor(this, jobName, ...args)` calls. */
  runOn<R>(loop: EventLoop, fn: JobFunction<unknown[], R> | string, args: readonly unknown[], where = "runInExecutor(executor, jobName, ...args)"): BullMQJobFuture<JobResult<R>> {
    if (typeof fn !== "string" || fn === "") {
      throw new TypeError(
        `${where}: a BullMQExecutor runs jobs by name: 'jobName' must be the non-empty name of a job the workers serve ` +
          `(serveJobs({ jobs: { name: fn } })), got ${describe(fn)}`,
      );
    }
    if (this._names !== null && !this._names.has(fn)) {
      throw new TypeError(`${where}: unknown job name ${JSON.stringify(fn)}; the workers serve: ${[...this._names].join(", ")}`);
    }
    if (this._d.closed) throw new RuntimeError(`${where}: cannot run job ${JSON.stringify(fn)}: the executor was shut down`);
    loop._checkClosed();
    checkJsonArgs(args, where);
    return this._d.submit<JobResult<R>>(loop, fn, args.slice(), this._settings);
  }

  /**
   * Stops taking jobs, then (with `wait`, the default) waits for the jobs in
   * flight and closes the connections. `cancelFutures` cancels the jobs no
   * worker has started (they are removed from the queue); `cancelRunning` also
   * the running ones (their workers' signals abort). Never rejects, and
   * never hangs on Redis: every Redis call of it has `connectionTimeout`
   * (the jobs out fail with `JobConnectionError` when Redis does not answer
   * that long), past which the connections are dropped. What could not be
   * cleaned up is in `shutdownReport` once it ended, and emitted as a
   * `BullMQExecutorWarning` on the process.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const where = "shutdown(options)";
    if (typeof options !== "object" || options === null) throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
    const d = this._d;
    d.closed = true;
    // A future whose loop was closed can no longer be awaited: its job is cancelled, not waited for.
    for (const e of [...d.pending.values()]) if (e.loop.isClosed()) d._onCancel(e);
    const started = Date.now();
    const work = (async () => {
      if (options.cancelRunning === true) for (const e of [...d.pending.values()]) e.future.cancel();
      else if (options.cancelFutures === true) for (const e of await d.notStarted()) e.future.cancel();
      await d.whenIdle();
      return await d.close();
    })()
      .catch((e: unknown) => finishReport(d.opts.queue, started, [`shutdown failed: ${String(e)}`], []))
      .then((report) => {
        d.report = report;
      });
    return options.wait === false ? Promise.resolve() : work;
  }
}

function checkName(what: string, v: unknown): void {
  if (typeof v !== "string" || v === "" || v.includes(":")) {
    throw new TypeError(`${WHERE}: '${what}' must be a non-empty string without ':', got ${describe(v)}`);
  }
}

function checkMs(where: string, what: string, v: unknown, nullable: boolean): void {
  if (nullable && v === null) return;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`${where}: '${what}' must be a finite number of ms > 0${nullable ? " or null" : ""}, got ${describe(v)}`);
  }
}

function settings(where: string, base: JobSettings, o: BullMQJobOptions): JobSettings {
  const out: JobSettings = { ...base };
  if (o.attempts !== undefined) {
    if (!Number.isInteger(o.attempts) || o.attempts < 1) throw new RangeError(`${where}: 'attempts' must be an integer >= 1, got ${describe(o.attempts)}`);
    out.attempts = o.attempts;
  }
  if (o.backoff !== undefined) {
    const b = o.backoff;
    if (typeof b === "number") checkMs(where, "backoff", b, false);
    else if (typeof b !== "object" || b === null || typeof b.type !== "string") {
      throw new TypeError(`${where}: 'backoff' must be ms or { type: "fixed" | "exponential", delay }, got ${describe(b)}`);
    } else if (b.delay !== undefined) checkMs(where, "backoff.delay", b.delay, false);
    out.backoff = b;
  }
  if (o.timeout !== undefined) {
    checkMs(where, "timeout", o.timeout, true);
    out.timeout = o.timeout;
  }
  return out;
}
