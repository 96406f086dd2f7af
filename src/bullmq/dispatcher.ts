/**
 * The coordinator's side of the BullMQ executor: adds jobs to a BullMQ
 * `Queue` in batches, learns their outcome, and settles their futures.
 * Everything that crosses machines is BullMQ's own: jobs, retries,
 * stalled-job recovery, the events stream. The additions are the
 * cancellation signal (see `keys.ts`) and reconciliation.
 *
 * Why reconciliation: the events stream is read as the fast path, but BullMQ
 * trims it (about 10 000 entries, several per job), so a burst of thousands
 * of jobs, or a coordinator whose event loop was busy, loses completions for
 * good. So finished jobs are kept (BullMQ's `removeOnComplete` /
 * `removeOnFail` by age only) until the coordinator has read their outcome,
 * then it removes them at once. Then BullMQ's finished sets hold, beside the
 * jobs of the last moments, exactly the jobs whose outcome was missed: a
 * ticker reads what finished in the last second but `GRACE_MS` (by
 * `finishedOn`, the sets' score) and settles the futures among them from the
 * stored state. On a reconnect it reads the state of every job out, and
 * every `SWEEP_MS` of those out that long in any case (a worker whose clock
 * is far behind, a job Redis lost).
 *
 * Longer than most modules: adding, settling, reconciling and closing all
 * read and write the same bookkeeping (the entries out, the orphans, the
 * chores), which a split would have to hand around.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { Job, Queue, QueueEvents, type BackoffOptions, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { EventLoop } from "../event-loop.js";
import { JobConnectionError, JobLostError, STALLED_REASON, reviveJobError, type LockExpiry } from "./errors.js";
import { CANCEL_MARK_TTL, KEEP_FINISHED_S, cancelChannel, cancelledSetKey, lockExpiredKey, type JobData } from "./keys.js";
import { ADDING, BullMQJobFuture, Entry, QUEUED, type CancelSink } from "./job-future.js";
import { finishedBetween, readOutcomes, type ReadClient } from "./reconcile.js";
import { REMOVE_CHUNK, removeFinished, type EvalClient } from "./remove-finished.js";
import { CallFailed, TIMED_OUT, finishReport, timed, type BullMQShutdownReport } from "./shutdown.js";

/** Per-job options, BullMQ's where BullMQ has them. @internal */
export interface JobSettings {
  attempts: number;
  backoff: number | BackoffOptions | undefined;
  timeout: number | null;
}

/** The commands used beyond BullMQ's client interface; BullMQ's default client (ioredis) has them. */
interface RawRedis extends ReadClient, EvalClient {
  status: string;
  publish(channel: string, message: string): Promise<number>;
  zadd(key: string, score: number, member: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  zremrangebyscore(key: string, min: string, max: number): Promise<unknown>;
  xrevrange(key: string, end: string, start: string, count: "COUNT", n: number): Promise<[string, string[]][]>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  duplicate(): RawRedis;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Jobs added in one `addBulk` at most. */
const BATCH = 500;
/**
 * `addBulk`s out at once. The others wait their turn, and their
 * `connectionTimeout` starts when they are sent: a burst of 50 000 jobs is
 * 100 batches, and Redis answering the last one late is not Redis away.
 */
const BATCHES_OUT = 4;
/** The reconciliation ticker's period (ms). */
const TICK_MS = 1000;
/** A job out this long has its stored state read in any case (ms). */
const SWEEP_MS = 30_000;
/** How long after a job finished the ticker looks for it, leaving the events stream time to deliver it (ms). */
const GRACE_MS = 2000;
/** Where the ticker starts, behind the coordinator's clock: a margin for the workers' clocks (`finishedOn`). */
const CLOCK_MARGIN_MS = 60_000;
/** Finished jobs read at once from a finished set. */
const SCAN_LIMIT = 5000;
/** Stored states read at once by one reconciliation step. */
const READ_CHUNK = 1000;
/**
 * How long a job that failed as stalled waits for its worker's word that its
 * lock expired (written once that worker's event loop runs again), before it
 * is reported as a crash (ms).
 */
const LOCK_WORD_WAIT_MS = 5000;

/** BullMQ keeps a finished job this long unless the coordinator removed it first (see `keys.ts`). */
const KEEP = { age: KEEP_FINISHED_S };

/** Jobs waiting for the next `addBulk`. */
interface Batch {
  entries: Entry[];
  jobs: { name: string; data: JobData; opts: JobsOptions }[];
}

/** @internal */
export interface DispatcherOptions {
  connection: ConnectionOptions;
  queue: string;
  prefix: string;
  connectionTimeout: number;
}

/** @internal Shared by an executor and its `withOptions` views. */
export class Dispatcher implements CancelSink {
  readonly pending = new Map<string, Entry>();
  closed = false;
  report: BullMQShutdownReport | null = null;
  private readonly _idBase = `rx-${randomUUID().slice(0, 8)}`;
  private _seq = 0;
  private _queue: Queue | null = null;
  private _events: QueueEvents | null = null;
  private _client: RawRedis | null = null;
  /** Reconciliation's own connection: its reads must not wait behind the queue's adds and removals. */
  private _reader: RawRedis | null = null;
  private _ready: Promise<void> | null = null;
  private _lastError: unknown = undefined;
  private _watchdog: ReturnType<typeof setTimeout> | null = null;
  private _batch: Batch | null = null;
  private readonly _toSend: Batch[] = [];
  private _sending = 0;
  /** Jobs whose futures gave up on them while Redis was away: removed or signalled when it is back. */
  private readonly _orphans = new Set<string>();
  /** Finished jobs whose outcome was read, to remove. */
  private _toRemove: string[] = [];
  private _removeScheduled = false;
  private readonly _chores = new Set<Promise<void>>();
  private _idleWaiters: (() => void)[] = [];
  /** Up to where (a `finishedOn`) the finished sets were read, for each. */
  private readonly _scanned = { completed: 0, failed: 0 };
  /** The stream may have skipped (a reconnect): the next tick reads every job out. */
  private _suspect = false;
  private _ticker: ReturnType<typeof setInterval> | null = null;
  private _tickedAt = 0;
  private _reconciling = false;
  private _cancelsSincePrune = 0;

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
    // Makes the queue now (`ex.queue`), connecting in the background.
    this._start().catch(() => undefined);
    let b = this._batch;
    if (b === null) {
      b = this._batch = { entries: [], jobs: [] };
      // Every job submitted in this turn of the event loop goes in one addBulk.
      setImmediate(() => this._flush(b!));
    }
    b.entries.push(entry);
    const opts: JobsOptions = { jobId: entry.id, attempts: s.attempts, removeOnComplete: KEEP, removeOnFail: KEEP };
    if (s.backoff !== undefined) opts.backoff = s.backoff;
    b.jobs.push({ name, data: { args, timeout: s.timeout }, opts });
    if (b.entries.length >= BATCH) this._flush(b);
    return fut;
  }

  private _flush(b: Batch): void {
    if (this._batch !== b) return;
    this._batch = null;
    this._toSend.push(b);
    this._pump();
  }

  private _pump(): void {
    while (this._sending < BATCHES_OUT && this._toSend.length > 0) {
      const b = this._toSend.shift()!;
      this._sending++;
      void this._addBatch(b).finally(() => {
        this._sending--;
        this._pump();
      });
    }
  }

  private _cantReach(ms: number): string {
    return `Redis did not answer within ${ms} ms${why(this._lastError)}`;
  }

  private async _addBatch(b: Batch): Promise<void> {
    const ms = this.opts.connectionTimeout;
    // Redis did not take this batch: the batches waiting behind it would fare no better.
    const giveUp = (message: (e: Entry) => string, cause: unknown) => {
      for (const batch of [b, ...this._toSend.splice(0)]) {
        for (const e of batch.entries) {
          if (e.phase !== ADDING) continue;
          e.abandoned = true;
          this._settle(e, false, new JobConnectionError(message(e), { cause }));
        }
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      giveUp((e) => `${e.label} could not be added to queue ${JSON.stringify(this.opts.queue)}: ${this._cantReach(ms)}`, this._lastError);
    }, ms);
    // Tried again until the deadline: a connection that closes under a MULTI (Redis restarting) aborts it
    // without saying whether it ran, and adding a job id that exists is a no-op, so a retry is safe.
    let sent = false;
    for (;;) {
      try {
        await this._start();
        sent = true;
        await this._queue!.addBulk(b.jobs);
        break;
      } catch (err) {
        this._lastError = err;
        if (!timedOut) {
          await new Promise((r) => setTimeout(r, 200));
          if (!timedOut) continue;
        }
        clearTimeout(timer);
        giveUp((e) => `${e.label} could not be added${why(err) || ` (${String(err)})`}`, err);
        for (const e of b.entries) e.phase = QUEUED;
        // A try that reached Redis may have added the jobs after all: taken off again, their futures are settled.
        if (sent) for (const e of b.entries) if (e.abandoned) this._chore(this._cancelRemote(e.id));
        return;
      }
    }
    clearTimeout(timer);
    const now = Date.now();
    const undo: string[] = [];
    for (const e of b.entries) {
      e.phase = QUEUED;
      e.checkedAt = now;
      if (e.abandoned) undo.push(e.id);
    }
    for (const id of undo) this._chore(this._cancelRemote(id));
    this._startTicker();
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
      const reader = client.duplicate();
      reader.on("error", (e) => (this._lastError = e));
      this._reader = reader;
    }
    if (this._events === null) {
      // Starting the reader at "$" could miss the events of a job finished before its first read.
      const last = await this._client.xrevrange(queue.keys.events!, "+", "-", "COUNT", 1);
      const lastEventId = last.length > 0 ? last[0]![0] : "0-0";
      const events = new QueueEvents(name, { connection, prefix, lastEventId, blockingTimeout: 5000 });
      this._events = events;
      events.on("error", (e: Error) => {
        this._suspect = true;
        this._onConnError(e);
      });
      events.on("completed", ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
        const e = this.pending.get(jobId);
        if (e !== undefined) this._finished(e, true, returnvalue ?? null);
      });
      events.on("failed", ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
        const e = this.pending.get(jobId);
        if (e !== undefined) this._chore(this._fail(e, failedReason));
      });
    }
    await this._events.waitUntilReady();
  }

  /** A job finished and its outcome was read: settle its future, and remove the job from Redis soon. */
  private _finished(e: Entry, ok: boolean, value: unknown): void {
    if (!this.pending.has(e.id)) return;
    this._settle(e, ok, value);
    this._remove(e.id);
  }

  private async _fail(e: Entry, failedReason: string): Promise<void> {
    const ms = this.opts.connectionTimeout;
    let stack: string | undefined;
    let stalledOn: LockExpiry | null = null;
    const job = await timed(Job.fromId(this._queue!, e.id), ms);
    // Without the stack the error is still reported, as a plain Error with the message.
    if (job !== TIMED_OUT && !(job instanceof CallFailed) && job !== undefined) {
      const traces = job.stacktrace;
      if (Array.isArray(traces) && traces.length > 0) stack = String(traces[traces.length - 1]);
      if (failedReason === STALLED_REASON) stalledOn = await this._lockExpiredOn(e.id);
    }
    this._finished(e, false, reviveJobError(failedReason ?? "", stack, e.label, stalledOn));
  }

  /**
   * The worker whose lock on job `id` expired because its event loop was
   * blocked, or `null` if none said so within `LOCK_WORD_WAIT_MS` (the worker
   * died: crashed, killed, or lost Redis). A blocked worker can only say so
   * once it runs again, which may be after another worker failed the job.
   */
  private async _lockExpiredOn(id: string): Promise<LockExpiry | null> {
    const key = lockExpiredKey(this.opts.prefix, this.opts.queue, id);
    const end = Date.now() + LOCK_WORD_WAIT_MS;
    for (;;) {
      const word = await timed(this._reader!.get(key), this.opts.connectionTimeout);
      if (typeof word === "string") return JSON.parse(word) as LockExpiry;
      if (word === TIMED_OUT || word instanceof CallFailed || Date.now() >= end) return null;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Settles once; ends the outside-work count. */
  _settle(e: Entry, ok: boolean, value: unknown): void {
    if (!this.pending.delete(e.id)) return;
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
    e.loop._endExternal();
    if (e.phase === ADDING) e.abandoned = true;
    else this._chore(this._cancelRemote(e.id));
    if (this.pending.size === 0) this._idle();
  }

  /**
   * Record first, then try to remove, then publish: a worker that starts the
   * job after the message went out finds it in the set it caught up from
   * (see `serve.ts`).
   */
  private async _cancelRemote(id: string): Promise<void> {
    const { prefix, queue: name } = this.opts;
    // Until it went out: a shutdown reports it if it never does.
    this._orphans.add(id);
    try {
      await this._start();
      const client = this._client!;
      const key = cancelledSetKey(prefix, name);
      const now = Date.now();
      await client.zadd(key, now, id);
      if (++this._cancelsSincePrune >= 1000) {
        this._cancelsSincePrune = 0;
        await client.zremrangebyscore(key, "-inf", now - CANCEL_MARK_TTL);
      }
      const removed = await this._queue!.remove(id);
      // A running job fails at once; it is kept (KEEP) for BullMQ's tools, as every job no future reads.
      if (removed !== 1) await client.publish(cancelChannel(prefix, name), id);
      this._orphans.delete(id);
    } catch (err) {
      this._lastError = err;
    }
  }

  /** Removes a finished job whose outcome was read, in batches. */
  private _remove(id: string): void {
    this._toRemove.push(id);
    if (this._removeScheduled) return;
    this._removeScheduled = true;
    setTimeout(() => {
      this._removeScheduled = false;
      const ids = this._toRemove;
      this._toRemove = [];
      this._chore(this._removeNow(ids));
    }, 20);
  }

  private async _removeNow(ids: string[]): Promise<void> {
    const queue = this._queue;
    const client = this._client;
    if (queue === null || client === null) return;
    for (let i = 0; i < ids.length; i += REMOVE_CHUNK) {
      // A job that cannot be removed now is removed by BullMQ's age limit (KEEP) instead.
      await removeFinished(client, queue.keys.completed!, queue.keys.failed!, queue.toKey(""), ids.slice(i, i + REMOVE_CHUNK)).catch(() => 0);
    }
  }

  private _chore(p: Promise<void>): void {
    this._chores.add(p);
    void p.finally(() => this._chores.delete(p));
  }

  private _startTicker(): void {
    if (this._ticker !== null || this.pending.size === 0) return;
    this._tickedAt = Date.now();
    const from = this._tickedAt - CLOCK_MARGIN_MS;
    this._scanned.completed = Math.max(this._scanned.completed, from);
    this._scanned.failed = Math.max(this._scanned.failed, from);
    this._ticker = setInterval(() => this._tick(), TICK_MS);
    this._ticker.unref?.();
  }

  private _tick(): void {
    if (this.pending.size === 0) {
      clearInterval(this._ticker!);
      this._ticker = null;
      return;
    }
    const now = Date.now();
    // A late tick: the event loop was busy, so the events reader was too.
    if (now - this._tickedAt > 2 * TICK_MS) this._suspect = true;
    this._tickedAt = now;
    if (this._reconciling) return;
    this._reconciling = true;
    void this._reconcile().finally(() => (this._reconciling = false));
  }

  /**
   * Settles the futures whose jobs finished without their event reaching
   * this coordinator; on `_suspect` reads the state of every job out, else of
   * those not read for `SWEEP_MS`. Also the liveness check: a Redis that does
   * not answer within `connectionTimeout` (down, or stopped) fails the jobs
   * out with `JobConnectionError`.
   */
  private async _reconcile(): Promise<void> {
    const client = this._reader;
    const queue = this._queue;
    if (client === null || queue === null) return;
    const ms = this.opts.connectionTimeout;
    const all = this._suspect;
    this._suspect = false;
    const now = Date.now();
    const due = new Set<Entry>();
    for (const set of ["completed", "failed"] as const) {
      for (;;) {
        const r = await timed(finishedBetween(client, queue.keys[set]!, this._scanned[set], now - GRACE_MS, SCAN_LIMIT), ms);
        if (r === TIMED_OUT) return this._redisAway(ms);
        if (r instanceof CallFailed) return void (this._lastError = r.error);
        for (const id of r.ids) {
          const e = this.pending.get(id);
          if (e !== undefined) due.add(e);
        }
        if (r.ids.length < SCAN_LIMIT) {
          this._scanned[set] = now - GRACE_MS;
          break;
        }
        this._scanned[set] = r.last;
      }
    }
    for (const e of this.pending.values()) if (e.phase === QUEUED && (all || now - e.checkedAt >= SWEEP_MS)) due.add(e);
    const list = [...due];
    for (let i = 0; i < list.length; i += READ_CHUNK) {
      const chunk = list.slice(i, i + READ_CHUNK);
      const read = await timed(readOutcomes(client, (id) => queue.toKey(id), chunk.map((e) => e.id)), ms);
      if (read === TIMED_OUT) return this._redisAway(ms);
      if (read instanceof CallFailed) return void (this._lastError = read.error);
      for (let j = 0; j < chunk.length; j++) {
        const e = chunk[j]!;
        const o = read[j]!;
        e.checkedAt = now;
        if (!this.pending.has(e.id)) continue;
        if (o.kind === "completed") this._finished(e, true, o.value);
        else if (o.kind === "failed") this._chore(this._fail(e, o.failedReason));
        else if (o.kind === "gone") this._settle(e, false, new JobLostError(`${e.label} is no longer in Redis (Redis restarted without its data, or the job was removed)`));
      }
    }
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

  /** Redis had an error `ms` ago: give up on the jobs if it is still away, else read their state. */
  private _check(ms: number): void {
    const client = this._client;
    if (client === null || client.status !== "ready") return this._redisAway(ms);
    this._suspect = true;
    this._tick();
  }

  /** Redis did not answer for `ms`: every job out fails with JobConnectionError, and is cancelled once Redis is back. */
  private _redisAway(ms: number): void {
    for (const e of [...this.pending.values()]) {
      if (e.phase !== QUEUED) continue;
      this._orphans.add(e.id);
      this._settle(e, false, new JobConnectionError(`${e.label}: Redis went away while the job was out and did not come back within ${ms} ms${why(this._lastError)}; the job may or may not have run`, { cause: this._lastError }));
    }
  }

  private _onReconnect(): void {
    if (this._orphans.size > 0) for (const id of [...this._orphans]) this._chore(this._cancelRemote(id));
    // Events may have been missed while the connection was down.
    this._suspect = true;
    if (this.pending.size > 0) this._tick();
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

  /** The futures of jobs that no worker has started yet (those whose state Redis tells within the deadline). */
  async notStarted(): Promise<Entry[]> {
    const out: Entry[] = [];
    const queue = this._queue;
    const entries = [...this.pending.values()];
    const states = queue === null ? [] : await timed(Promise.all(entries.map((e) => (e.phase === ADDING ? "adding" : queue.getJobState(e.id)))), this.opts.connectionTimeout);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.phase === ADDING) out.push(e);
      else if (Array.isArray(states)) {
        const s = states[i];
        if (s !== "active" && s !== "completed" && s !== "failed") out.push(e);
      }
    }
    return out;
  }

  /**
   * Closes: the cancellations and removals already asked for get
   * `connectionTimeout` to go out, the connections as long again to close;
   * past that they are dropped, and the report says what was left undone.
   */
  async close(): Promise<BullMQShutdownReport> {
    const started = Date.now();
    const ms = this.opts.connectionTimeout;
    const problems: string[] = [];
    if (this._ticker !== null) clearInterval(this._ticker);
    this._ticker = null;
    if (this._watchdog !== null) clearTimeout(this._watchdog);
    this._watchdog = null;
    if (this._toRemove.length > 0) {
      const ids = this._toRemove;
      this._toRemove = [];
      this._chore(this._removeNow(ids));
    }
    if ((await timed(Promise.allSettled([...this._chores]), ms)) === TIMED_OUT) {
      problems.push(`cancellations or removals of finished jobs did not reach Redis within ${ms} ms${why(this._lastError)}`);
    }
    const unreached = [...this._orphans];
    const reader = this._reader;
    const conns: [string, { close(): Promise<unknown>; disconnect(): unknown } | null][] = [
      ["the queue", this._queue],
      ["the events reader", this._events],
      ["the reconciliation reader", reader === null ? null : { close: () => reader.quit(), disconnect: () => reader.disconnect() }],
    ];
    await Promise.all(
      conns.map(async ([what, c]) => {
        if (c === null) return;
        const r = await timed(c.close(), ms);
        if (r === TIMED_OUT || r instanceof CallFailed) {
          problems.push(`${what}'s connection did not close within ${ms} ms${r === TIMED_OUT ? "" : why(r.error)}, so it was dropped`);
          // Dropped without waiting: a dropped connection has nothing left to say.
          Promise.resolve()
            .then(() => c.disconnect())
            .catch(() => undefined);
        }
      }),
    );
    return finishReport(this.opts.queue, started, problems, unreached);
  }
}

/** " (message)" of an error, realm-independent (Node's socket errors are not `instanceof` a Jest sandbox's Error). */
function why(e: unknown): string {
  const m = typeof e === "object" && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof m === "string" && m !== "" ? ` (${m})` : "";
}
