/**
 * The coordinator's side of the BullMQ executor: adds jobs to a BullMQ
 * `Queue`, learns their outcome from one `QueueEvents` stream reader for all
 * of them, and settles their futures. Everything that crosses machines is
 * BullMQ's own: jobs, retries, stalled-job recovery, the events stream. The
 * only addition is the cancellation signal (see `keys.ts`).
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { Job, Queue, QueueEvents, type BackoffOptions, type ConnectionOptions } from "bullmq";
import type { EventLoop } from "../event-loop.js";
import { Future } from "../futures.js";
import { JobConnectionError, JobLostError, reviveJobError } from "./errors.js";
import { CANCEL_MARK_TTL, cancelChannel, cancelMarkKey, type JobData } from "./keys.js";

/** Per-job options, BullMQ's where BullMQ has them. @internal */
export interface JobSettings {
  attempts: number;
  backoff: number | BackoffOptions | undefined;
  timeout: number | null;
}

/** The commands used beyond BullMQ's client interface; BullMQ's default client (ioredis) has them. */
interface RawRedis {
  status: string;
  publish(channel: string, message: string): Promise<number>;
  set(key: string, value: string, px: "PX", ms: number): Promise<unknown>;
  xrevrange(key: string, end: string, start: string, count: "COUNT", n: number): Promise<[string, string[]][]>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

const ADDING = 0;
const QUEUED = 1;

/** One dispatched job while its future waits. */
class Entry {
  phase = ADDING;
  /** Cancelled, or failed on the coordinator's side, before `queue.add` answered: undo the add when it does. */
  abandoned = false;
  timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly loop: EventLoop,
    readonly future: BullMQJobFuture<unknown>,
  ) {}
  get label(): string {
    return `job ${this.id} (${JSON.stringify(this.name)})`;
  }
}

/**
 * The future of a job on a BullMQ worker fleet. `jobId` is its BullMQ job id.
 * Cancelling it removes a waiting job from the queue, or signals the worker
 * running it (its job function's `signal` aborts).
 */
export class BullMQJobFuture<T> extends Future<T> {
  /** @internal */ _entry: Entry | null = null;
  /** @internal */ _dispatcher: Dispatcher | null = null;

  /** The BullMQ job id (to look the job up with BullMQ's own tools). */
  get jobId(): string {
    return this._entry?.id ?? "";
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const d = this._dispatcher;
    const e = this._entry;
    if (d !== null && e !== null) d._onCancel(e);
    return true;
  }

  override _traceLabel(): string {
    return "bullmq job";
  }
}

/** @internal */
export interface DispatcherOptions {
  connection: ConnectionOptions;
  queue: string;
  prefix: string;
  connectionTimeout: number;
}

/** @internal Shared by an executor and its `withOptions` views. */
export class Dispatcher {
  readonly pending = new Map<string, Entry>();
  closed = false;
  private readonly _idBase = `rx-${randomUUID().slice(0, 8)}`;
  private _seq = 0;
  private _queue: Queue | null = null;
  private _events: QueueEvents | null = null;
  private _client: RawRedis | null = null;
  private _ready: Promise<void> | null = null;
  private _lastError: unknown = undefined;
  private _watchdog: ReturnType<typeof setTimeout> | null = null;
  /** Jobs whose futures gave up on them while Redis was away: removed or signalled when it is back. */
  private readonly _orphans = new Set<string>();
  private readonly _chores = new Set<Promise<void>>();
  private _idleWaiters: (() => void)[] = [];

  constructor(readonly opts: DispatcherOptions) {}

  /** The BullMQ queue, once the first job made it. */
  get queue(): Queue | null {
    return this._queue;
  }

  submit<T>(loop: EventLoop, name: string, args: unknown[], s: JobSettings): BullMQJobFuture<T> {
    const fut = new BullMQJobFuture<T>(loop);
    const entry = new Entry(`${this._idBase}-${++this._seq}`, name, loop, fut as BullMQJobFuture<unknown>);
    fut._entry = entry;
    fut._dispatcher = this;
    this.pending.set(entry.id, entry);
    // While the job is out, a virtual clock must not jump past it.
    loop._beginExternal();
    const ms = this.opts.connectionTimeout;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.abandoned = true;
      this._settle(entry, false, new JobConnectionError(`${entry.label} could not be added to queue ${JSON.stringify(this.opts.queue)}: ${this._cantReach(ms)}`, { cause: this._lastError }));
    }, ms);
    void this._add(entry, { args, timeout: s.timeout }, s);
    return fut;
  }

  private _cantReach(ms: number): string {
    return `Redis did not answer within ${ms} ms${why(this._lastError)}`;
  }

  private async _add(entry: Entry, data: JobData, s: JobSettings): Promise<void> {
    try {
      await this._start();
      await this._queue!.add(entry.name, data, {
        jobId: entry.id,
        attempts: s.attempts,
        ...(s.backoff !== undefined ? { backoff: s.backoff } : {}),
        removeOnComplete: true,
        // Kept a while: the coordinator reads a failed job's stack to rebuild its error.
        removeOnFail: { count: 1000 },
      });
    } catch (e) {
      this._lastError = e;
      if (entry.timer !== null) clearTimeout(entry.timer);
      entry.timer = null;
      this._settle(entry, false, new JobConnectionError(`${entry.label} could not be added${why(e) || ` (${String(e)})`}`, { cause: e }));
      return;
    }
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.timer = null;
    entry.phase = QUEUED;
    if (entry.abandoned) this._chore(this._cancelRemote(entry.id));
  }

  /** Connects once: the queue, then an events reader that starts at the stream's current end. */
  private _start(): Promise<void> {
    if (this._ready === null) {
      this._ready = this._connect();
      this._ready.catch(() => {
        this._ready = null;
      });
    }
    return this._ready;
  }

  private async _connect(): Promise<void> {
    const { connection, queue: name, prefix } = this.opts;
    // A failed attempt is retried by the next job: each object and listener is made once.
    if (this._queue === null) {
      this._queue = new Queue(name, { connection, prefix });
      this._queue.on("error", (e: Error) => this._onConnError(e));
    }
    const queue = this._queue;
    if (this._client === null) {
      const client = (await queue.client) as unknown as RawRedis;
      client.on("ready", () => this._onReconnect());
      this._client = client;
    }
    if (this._events === null) {
      // Starting the reader at "$" could miss the events of a job finished before its first read.
      const last = await this._client.xrevrange(queue.keys.events!, "+", "-", "COUNT", 1);
      const lastEventId = last.length > 0 ? last[0]![0] : "0-0";
      const events = new QueueEvents(name, { connection, prefix, lastEventId, blockingTimeout: 5000 });
      this._events = events;
      events.on("error", (e: Error) => this._onConnError(e));
      events.on("completed", ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
        const e = this.pending.get(jobId);
        if (e !== undefined) this._settle(e, true, returnvalue ?? null);
      });
      events.on("failed", ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
        const e = this.pending.get(jobId);
        if (e !== undefined) this._chore(this._fail(e, failedReason));
      });
    }
    await this._events.waitUntilReady();
  }

  private async _fail(e: Entry, failedReason: string): Promise<void> {
    let stack: string | undefined;
    try {
      const job = await Job.fromId(this._queue!, e.id);
      const traces = job?.stacktrace;
      if (Array.isArray(traces) && traces.length > 0) stack = String(traces[traces.length - 1]);
    } catch {
      // Without the stack the error is still reported, as a plain Error with the message.
    }
    this._settle(e, false, reviveJobError(failedReason ?? "", stack, e.label));
  }

  /** Settles once; ends the outside-work count. */
  _settle(e: Entry, ok: boolean, value: unknown): void {
    if (!this.pending.delete(e.id)) return;
    if (e.timer !== null) clearTimeout(e.timer);
    e.timer = null;
    e.loop._endExternal();
    const f = e.future;
    if (!f.done() && !e.loop.isClosed()) {
      if (ok) f.setResult(value);
      else f.setException(value);
    }
    if (this.pending.size === 0) this._idle();
  }

  /** The future was cancelled: stop counting it; take the job off the queue, or signal its worker. */
  _onCancel(e: Entry): void {
    if (!this.pending.delete(e.id)) return;
    if (e.timer !== null) clearTimeout(e.timer);
    e.timer = null;
    e.loop._endExternal();
    if (e.phase === ADDING) e.abandoned = true;
    else this._chore(this._cancelRemote(e.id));
    if (this.pending.size === 0) this._idle();
  }

  /**
   * Mark first, then try to remove, then publish: a worker checks the mark
   * when it starts a job, so a job that becomes active between the failed
   * remove and the message is still aborted.
   */
  private async _cancelRemote(id: string): Promise<void> {
    const { prefix, queue: name } = this.opts;
    try {
      await this._start();
      const client = this._client!;
      await client.set(cancelMarkKey(prefix, name, id), "1", "PX", CANCEL_MARK_TTL);
      const removed = await this._queue!.remove(id);
      if (removed !== 1) await client.publish(cancelChannel(prefix, name), id);
      this._orphans.delete(id);
    } catch (err) {
      this._lastError = err;
      this._orphans.add(id);
    }
  }

  private _chore(p: Promise<void>): void {
    this._chores.add(p);
    void p.finally(() => this._chores.delete(p));
  }

  private _onConnError(err: unknown): void {
    this._lastError = err;
    if (this._watchdog !== null || this.pending.size === 0) return;
    const ms = this.opts.connectionTimeout;
    this._watchdog = setTimeout(() => {
      this._watchdog = null;
      this._check(ms);
    }, ms);
    this._watchdog.unref?.();
  }

  /** Redis had an error `ms` ago: give up on the jobs if it is still away, else look for jobs it lost. */
  private _check(ms: number): void {
    const client = this._client;
    if (client === null || client.status !== "ready") {
      for (const e of [...this.pending.values()]) {
        if (e.phase !== QUEUED) continue;
        this._orphans.add(e.id);
        this._settle(e, false, new JobConnectionError(`${e.label}: Redis went away while the job was out and did not come back within ${ms} ms${why(this._lastError)}; the job may or may not have run`, { cause: this._lastError }));
      }
      return;
    }
    this._chore(this._findLost());
  }

  private _onReconnect(): void {
    if (this._orphans.size > 0) for (const id of [...this._orphans]) this._chore(this._cancelRemote(id));
    if (this.pending.size > 0) this._chore(this._findLost());
  }

  /** After a reconnect: a job Redis no longer has (it restarted empty) would otherwise be awaited forever. */
  private async _findLost(): Promise<void> {
    const queue = this._queue;
    if (queue === null) return;
    for (const e of [...this.pending.values()]) {
      if (e.phase !== QUEUED) continue;
      try {
        if ((await queue.getJobState(e.id)) === "unknown" && this.pending.has(e.id)) {
          this._settle(e, false, new JobLostError(`${e.label} is no longer in Redis (Redis restarted without its data, or the job was removed)`));
        }
      } catch {
        return;
      }
    }
  }

  private _idle(): void {
    const w = this._idleWaiters;
    this._idleWaiters = [];
    for (const f of w) f();
  }

  /** Resolves when no future waits. */
  whenIdle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  /** The futures of jobs that no worker has started yet. */
  async notStarted(): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const e of [...this.pending.values()]) {
      if (e.phase === ADDING) out.push(e);
      else if (this._queue !== null) {
        const state = await this._queue.getJobState(e.id).catch(() => "unknown");
        if (state !== "active" && state !== "completed" && state !== "failed") out.push(e);
      }
    }
    return out;
  }

  /** Closes the connections once the cancellations already asked for went out. */
  async close(): Promise<void> {
    // A cancellation stuck behind a dead connection must not hold shutdown forever.
    let t: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((r) => (t = setTimeout(r, this.opts.connectionTimeout)));
    await Promise.race([Promise.allSettled([...this._chores]), limit]);
    clearTimeout(t);
    if (this._watchdog !== null) clearTimeout(this._watchdog);
    this._watchdog = null;
    await Promise.allSettled([this._events?.close(), this._queue?.close()]);
  }
}

/** " (message)" of an error, realm-independent (Node's socket errors are not `instanceof` a Jest sandbox's Error). */
function why(e: unknown): string {
  const m = typeof e === "object" && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof m === "string" && m !== "" ? ` (${m})` : "";
}
