/**
 * The worker's side: `serveJobs` runs named job functions for a
 * `BullMQExecutor`, as a BullMQ `Worker`, in as many processes and on as many
 * machines as wanted.
 *
 * @module
 */
import { hostname } from "node:os";
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import { describe } from "../coroutines.js";
import { CancelledError, TimeoutError } from "../errors.js";
import { UnknownJobError, stackWithName } from "./errors.js";
import { jsonProblem } from "./json-args.js";
import { CANCEL_MARK_TTL, cancelChannel, cancelledSetKey, lockExpiredKey, type JobData } from "./keys.js";
import { checkServeOptions } from "./options.js";

/** What a job function gets besides its arguments. */
export interface JobContext {
  /** Aborts when the job's future is cancelled (reason: `CancelledError`) or the job times out (`TimeoutError`). */
  readonly signal: AbortSignal;
  /** The BullMQ job id. */
  readonly jobId: string;
  /** The job's name. */
  readonly name: string;
  /** Which try this is: 1 for the first (BullMQ `attemptsStarted`). */
  readonly attempt: number;
  /** The name of the worker running it (`serveJobs`' `name`). */
  readonly worker: string;
  /** The BullMQ job, for BullMQ's own features (`log`, `updateProgress`, ...). */
  readonly job: Job;
}

/**
 * A job function: the context first, then the arguments given to
 * `runInExecutor`. Its result (or the value its promise resolves to) must be
 * JSON data; `undefined` arrives as `null`.
 */
export type JobHandler = (ctx: JobContext, ...args: never) => unknown;

/** Options of {@link serveJobs}. */
export interface ServeJobsOptions {
  /** BullMQ's `connection` (ioredis options or instance). */
  connection: ConnectionOptions;
  /** The queue name the executor adds jobs to. */
  queue: string;
  /** The job functions, by name. */
  jobs: Readonly<Record<string, JobHandler>>;
  /** BullMQ's key prefix (default `"bull"`). */
  prefix?: string;
  /** How many jobs this process runs at once (default 1). */
  concurrency?: number;
  /** This worker's name, given to jobs as `ctx.worker` (default `host:pid`). */
  name?: string;
  /** BullMQ: how long a job's lock lasts without renewal (default 30 000 ms). */
  lockDuration?: number;
  /** BullMQ: how often to look for jobs whose worker died (default 30 000 ms). */
  stalledInterval?: number;
  /** BullMQ: how often a job may be recovered from a dead worker before it fails (default 1). */
  maxStalledCount?: number;
  /** Where connection errors go (default: `console.error`, at most once per 5 s). */
  onError?: (error: Error) => void;
}

/** A running job server. */
export interface JobServer {
  /** This worker's name. */
  readonly name: string;
  /** The BullMQ worker. */
  readonly worker: Worker;
  /** Resolves once it is connected and takes jobs. */
  readonly ready: Promise<void>;
  /** Stops taking jobs; waits for the running ones unless `force`. */
  close(force?: boolean): Promise<void>;
}

interface RawRedis {
  status: string;
  zscore(key: string, member: string): Promise<string | null>;
  set(key: string, value: string, px: "PX", ms: number): Promise<unknown>;
  zrangebyscore(key: string, min: number, max: string): Promise<string[]>;
  subscribe(channel: string): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  duplicate(): RawRedis;
  disconnect(): void;
}

const WHERE = "serveJobs(options)";

/**
 * Serves `jobs` to `BullMQExecutor`s on queue `queue`. Run it in any number of
 * processes; `close()` it to stop (or use the `worker-cli` script).
 *
 * @example
 * ```ts
 * const server = serveJobs({
 *   connection: { host: "127.0.0.1", port: 6379 },
 *   queue: "work",
 *   jobs: { add: (_ctx, a: number, b: number) => a + b },
 * });
 * await server.ready;
 * ```
 */
export function serveJobs(options: ServeJobsOptions): JobServer {
  if (typeof options !== "object" || options === null) throw new TypeError(`${WHERE}: 'options' must be an object, got ${describe(options)}`);
  checkServeOptions(WHERE, options);
  const { connection, queue, jobs, prefix = "bull", concurrency = 1 } = options;
  if (typeof connection !== "object" || connection === null) throw new TypeError(`${WHERE}: 'connection' must be ioredis options or an ioredis instance, got ${describe(connection)}`);
  if (typeof queue !== "string" || queue === "" || queue.includes(":")) throw new TypeError(`${WHERE}: 'queue' must be a non-empty string without ':', got ${describe(queue)}`);
  if (typeof prefix !== "string" || prefix === "") throw new TypeError(`${WHERE}: 'prefix' must be a non-empty string, got ${describe(prefix)}`);
  if (typeof jobs !== "object" || jobs === null) throw new TypeError(`${WHERE}: 'jobs' must be an object of job functions by name, got ${describe(jobs)}`);
  for (const [k, fn] of Object.entries(jobs)) {
    if (typeof fn !== "function") throw new TypeError(`${WHERE}: 'jobs.${k}' must be a function, got ${describe(fn)}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`${WHERE}: 'concurrency' must be an integer >= 1, got ${describe(concurrency)}`);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const served = Object.keys(jobs);
  let lastLog = 0;
  const onError =
    options.onError ??
    ((e: Error) => {
      const now = Date.now();
      if (now - lastLog < 5000) return;
      lastLog = now;
      console.error(`[rx-asyncio/bullmq worker ${name}] ${e.message}`);
    });

  /** Running jobs by id: a cancel message aborts one. */
  const running = new Map<string, RunningJob>();
  const cancels = new CancelLog(prefix, queue);

  // Two parameters: BullMQ makes an AbortController per job for a processor that takes its third (a signal), and
  // the executor's cancellations and timeouts do not go through BullMQ; `RunningJob` makes one only when read.
  const processor = async (job: Job): Promise<unknown> => {
    const id = job.id ?? "";
    const fn = Object.prototype.hasOwnProperty.call(jobs, job.name) ? jobs[job.name] : undefined;
    if (fn === undefined) {
      throw carrier(new UnknownJobError(`unknown job name ${JSON.stringify(job.name)}; worker ${name} serves: ${served.join(", ") || "(nothing)"}`), true);
    }
    const run = new RunningJob(job, id, name);
    running.set(id, run);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // Registered before this check, so a cancel message heard after it still reaches `run`.
      if (cancels.heard(id) ?? (await cancels.ask(id))) run.abort(new CancelledError(`${labelOf(job)} was cancelled`));
      const data = job.data as JobData;
      if (typeof data.timeout === "number") {
        const ms = data.timeout;
        timer = setTimeout(() => run.abort(new TimeoutError(`${labelOf(job)} timed out after ${ms} ms`)), ms);
      }
      let result = run.start(fn as (ctx: JobContext, ...args: unknown[]) => unknown, data.args);
      if (isThenable(result)) result = await run.race(result);
      if (result === undefined) return null;
      const problem = jsonProblem(result, "its result");
      if (problem !== null) throw carrier(new TypeError(`${labelOf(job)} returned a value JSON cannot carry: ${problem}`), true);
      return result;
    } catch (e) {
      if (e instanceof UnrecoverableError) throw e;
      // Cancelled: never retried. Timed out or failed: retried if attempts remain.
      throw carrier(e, run.reason instanceof CancelledError);
    } finally {
      // A job that blocked the loop to its end is gone from `running` before the late timer runs: said here.
      if (Date.now() - lastBeat > lockDuration / 2) noteIfBlocked([id]);
      if (timer !== undefined) clearTimeout(timer);
      running.delete(id);
    }
  };

  const worker = new Worker(queue, processor, {
    connection,
    // Started once the cancellation log listens: a job must not start before its cancellation can be heard.
    autorun: false,
    prefix,
    concurrency,
    name,
    ...(options.lockDuration !== undefined ? { lockDuration: options.lockDuration } : {}),
    ...(options.stalledInterval !== undefined ? { stalledInterval: options.stalledInterval } : {}),
    ...(options.maxStalledCount !== undefined ? { maxStalledCount: options.maxStalledCount } : {}),
  });
  worker.on("error", onError);

  /**
   * A job that keeps this event loop busy (CPU-bound code with no await)
   * stops the lock renewals; past `lockDuration` BullMQ takes the job for
   * stalled. A timer that comes late by more than half of it (renewals are
   * every half) says so for the jobs that were running, once the loop runs
   * again: the coordinator then reports `JobLockExpiredError`, not a crash.
   */
  const lockDuration = options.lockDuration ?? 30_000;
  let lagClient: RawRedis | null = null;
  let lastBeat = Date.now();
  /** Writes the word for `ids` when the loop has not run the timer for over half a lock. */
  const noteIfBlocked = (ids: Iterable<string>): void => {
    const blockedMs = Date.now() - lastBeat;
    if (blockedMs <= lockDuration / 2 || lagClient === null) return;
    const note = JSON.stringify({ worker: name, blockedMs, lockDuration });
    for (const id of ids) lagClient.set(lockExpiredKey(prefix, queue, id), note, "PX", CANCEL_MARK_TTL).catch(onError);
  };
  const lagTimer = setInterval(() => {
    noteIfBlocked(running.keys());
    lastBeat = Date.now();
  }, Math.min(250, lockDuration / 4));
  lagTimer.unref?.();

  const ready = (async () => {
    await worker.waitUntilReady();
    lagClient = (await worker.client) as unknown as RawRedis;
    await cancels.listen(lagClient, onError, (jobId) => {
      running.get(jobId)?.abort(new CancelledError(`job ${jobId} was cancelled`));
    });
    void worker.run().catch(onError);
  })();
  ready.catch(onError);

  return {
    name,
    worker,
    ready,
    async close(force = false) {
      clearInterval(lagTimer);
      await worker.close(force);
      cancels.close();
    },
  };
}

/**
 * The jobs cancelled lately, as this worker heard of them: the cancel
 * messages, plus a catch-up from the queue's set of cancellations (see
 * `keys.ts`) whenever the subscription (re)starts. While it is not caught
 * up, a starting job asks Redis; otherwise starting a job costs no round
 * trip for cancellation.
 */
class CancelLog {
  /** Job id -> when heard (ms), oldest first. */
  private readonly byId = new Map<string, number>();
  private client: RawRedis | null = null;
  private sub: RawRedis | null = null;
  private caughtUp = false;
  private lostAt = 0;
  constructor(
    private readonly prefix: string,
    private readonly queue: string,
  ) {}

  async listen(client: RawRedis, onError: (e: Error) => void, onCancel: (jobId: string) => void): Promise<void> {
    this.client = client;
    const sub = (this.sub = client.duplicate());
    sub.on("error", onError);
    sub.on("message", (_ch: string, jobId: string) => {
      this.add(jobId, Date.now());
      onCancel(jobId);
    });
    sub.on("close", () => {
      if (this.caughtUp) this.lostAt = Date.now();
      this.caughtUp = false;
    });
    // ioredis subscribes again on reconnect; catch up on what was published while away.
    sub.on("ready", () => void this.catchUp().catch(onError));
    await sub.subscribe(cancelChannel(this.prefix, this.queue));
    await this.catchUp();
  }

  private async catchUp(): Promise<void> {
    if (this.client === null) return;
    // A margin for clocks: the scores are the coordinators' times.
    const since = this.lostAt === 0 ? Date.now() - CANCEL_MARK_TTL : this.lostAt - 60_000;
    const ids = await this.client.zrangebyscore(cancelledSetKey(this.prefix, this.queue), since, "+inf");
    const now = Date.now();
    for (const id of ids) this.add(id, now);
    if (this.sub?.status === "ready") this.caughtUp = true;
  }

  private add(id: string, at: number): void {
    this.byId.delete(id);
    this.byId.set(id, at);
    for (const [old, t] of this.byId) {
      if (t > at - CANCEL_MARK_TTL) break;
      this.byId.delete(old);
    }
  }

  /** Whether job `id` was cancelled, from memory; `null` when memory may have missed it (not caught up): then {@link ask}. */
  heard(id: string): boolean | null {
    if (this.byId.has(id)) return true;
    return this.caughtUp || this.client === null ? false : null;
  }

  /** Whether job `id` was cancelled, from Redis. */
  async ask(id: string): Promise<boolean> {
    if (this.client === null) return false;
    return (await this.client.zscore(cancelledSetKey(this.prefix, this.queue), id)) !== null;
  }

  close(): void {
    this.sub?.disconnect();
  }
}

/**
 * One try of a job on this worker, and its `JobContext`. Its `signal` is made
 * when the job function first reads it: an AbortController is the largest
 * allocation of a small job, and most never read it. A cancellation or a
 * timeout sets `reason` (and aborts the signal, if made); the job's result
 * then no longer counts: `race` rejects with the reason at once, whether or
 * not the job function heeds its signal.
 */
class RunningJob implements JobContext {
  /** Why the try was ended early (a `CancelledError` or a `TimeoutError`), or `undefined`. */
  reason: Error | undefined = undefined;
  private _ac: AbortController | null = null;
  private _reject: ((reason: Error) => void) | null = null;
  readonly name: string;
  readonly attempt: number;

  constructor(
    readonly job: Job,
    readonly jobId: string,
    readonly worker: string,
  ) {
    this.name = job.name;
    this.attempt = job.attemptsStarted || job.attemptsMade + 1;
  }

  get signal(): AbortSignal {
    if (this._ac === null) {
      this._ac = new AbortController();
      if (this.reason !== undefined) this._ac.abort(this.reason);
    }
    return this._ac.signal;
  }

  abort(reason: Error): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this._ac?.abort(reason);
    this._reject?.(reason);
  }

  /** Calls the job function, unless the try was ended before it started. */
  start(fn: (ctx: JobContext, ...args: unknown[]) => unknown, args: unknown[]): unknown {
    if (this.reason !== undefined) throw this.reason;
    return fn(this, ...args);
  }

  /** The job function's promise, or the reason as soon as the try is ended early. */
  race(p: PromiseLike<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.reason !== undefined) return reject(this.reason);
      this._reject = reject;
      p.then(resolve, reject);
    });
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function labelOf(job: Job): string {
  return `job ${job.id ?? ""} (${JSON.stringify(job.name)})`;
}

/** The error BullMQ records: the message kept, the class name first in the stack. */
function carrier(e: unknown, unrecoverable: boolean): Error {
  const isErr = e instanceof Error || (typeof e === "object" && e !== null && "message" in e);
  const message = isErr ? String((e as Error).message) : `job threw a non-Error value: ${describe(e)}`;
  const errName = isErr ? String((e as Error).name || "Error") : "Error";
  const c = unrecoverable ? new UnrecoverableError(message) : new Error(message);
  c.stack = stackWithName(errName, message, isErr ? (e as Error).stack : undefined);
  return c;
}
