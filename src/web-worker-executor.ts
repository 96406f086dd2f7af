/**
 * `WebWorkerExecutor`: jobs on a pool of Web Workers, for `loop.runInExecutor`
 * and `toThread` in a browser (the loop's default executor there). The same
 * `Executor` contract as the Node `ThreadPoolExecutor`, the same job messages
 * and error envelopes, the same rules: a queued job's cancelled future just
 * drops it, a running job's cancelled future terminates its worker (a new one
 * is started for the next job), and a worker that crashes fails its job with a
 * `BrokenWorkerError` and is replaced.
 *
 * Workers start from a `blob:` URL (see `internal/web-worker-main.ts`), so the
 * library ships no worker file. A module function's `module` is a full URL,
 * e.g. `new URL("./work.js", import.meta.url)`.
 *
 * @module
 */
import { describe } from "./coroutines.js";
import { nullishFailure, RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import { getRunningLoop } from "./running-loop.js";
import { BrokenWorkerError, type Executor, type JobArgs, type JobFunction, type JobResult, type ShutdownOptions } from "./executor.js";
import { Future } from "./futures.js";
import { decodeFailure, encodeJob, type EncodedJob } from "./internal/job-codec.js";
import { webWorkerSource } from "./internal/web-worker-main.js";

/** Options of `new WebWorkerExecutor()`. */
export interface WebWorkerExecutorOptions {
  /** Most jobs running at once, one Web Worker each (default: `navigator.hardwareConcurrency`, else 4). */
  maxWorkers?: number;
  /** How long an idle worker is kept for the next job before it is terminated, in ms (default 10 000). */
  idleTimeout?: number;
}

interface WorkerLike {
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
  onmessageerror: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown, transfer: Transferable[]): void;
  terminate(): void;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

class WebJob {
  state = QUEUED;
  slot: Slot | null = null;
  counted = true;
  constructor(
    readonly id: number,
    readonly loop: EventLoop,
    readonly future: WebJobFuture<unknown>,
    public encoded: EncodedJob | null,
    readonly where: string,
  ) {}
}

/** A worker of the pool and the job it runs. */
interface Slot {
  readonly worker: WorkerLike;
  job: WebJob | null;
  idleTimer: ReturnType<typeof setTimeout> | null;
}

/** The future of a job: cancelling it cancels the job. */
class WebJobFuture<T> extends Future<T> {
  /** @internal */ _job: WebJob | null = null;
  /** @internal */ _executor: WebWorkerExecutor | null = null;
  /** @internal */ _label = "";

  /** @internal What a task waiting on it waits on, in traces and the task tree. */
  override _traceLabel(): string {
    return this._label === "" ? "executor job" : `executor job (${this._label})`;
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const job = this._job;
    this._job = null;
    if (job !== null) this._executor!._cancelJob(job);
    return true;
  }
}

function checkCount(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number") throw new TypeError(`${where}: '${name}' must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${where}: '${name}' must be an integer >= ${min}, got ${describe(value)}`);
  return value;
}

/**
 * A pool of Web Workers that runs jobs off the page's main thread: a
 * self-contained function (sent as source text) or a module's export
 * `{ module: url, export }`. Arguments and results are structured-cloned;
 * `transfer()` moves buffers instead. The page keeps rendering and serving
 * input while jobs run.
 *
 * @example
 * ```ts
 * const ex = new WebWorkerExecutor({ maxWorkers: 2 });
 * const n = await run(function* () {
 *   return yield* getRunningLoop().runInExecutor(ex, (k: number) => { let s = 0; for (let i = 0; i < k; i++) s += i; return s; }, 1e8);
 * });
 * await ex.shutdown();
 * ```
 */
export class WebWorkerExecutor implements Executor {
  /** Most jobs running at once. */
  readonly maxWorkers: number;
  /** How long an idle worker is kept, in ms. */
  readonly idleTimeout: number;

  private readonly _queue: WebJob[] = [];
  private readonly _slots = new Set<Slot>();
  private readonly _idle: Slot[] = [];
  private _running = 0;
  private _nextId = 1;
  private _url: string | null = null;
  private _shutdown = false;
  private _closing: Promise<void> | null = null;
  private _idleWaiters: (() => void)[] = [];

  constructor(options: WebWorkerExecutorOptions = {}) {
    const where = "new WebWorkerExecutor(options)";
    if (typeof options !== "object" || options === null) throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    this.maxWorkers = options.maxWorkers === undefined ? Math.max(1, cores ?? 4) : checkCount(where, "maxWorkers", options.maxWorkers, 1);
    this.idleTimeout = options.idleTimeout === undefined ? 10_000 : checkCount(where, "idleTimeout", options.idleTimeout, 0);
    if (typeof (globalThis as { Worker?: unknown }).Worker !== "function") {
      throw new RuntimeError(`${where}: this environment has no Web Workers (in Node.js, use ThreadPoolExecutor)`);
    }
  }

  /** Runs `fn(...args)` on a worker; a future on the running loop for its result. */
  submit<A extends unknown[], R>(fn: JobFunction<A, R>, ...args: JobArgs<A>): Future<JobResult<R>> {
    return this.runOn(getRunningLoop(), fn as JobFunction<unknown[], R>, args, "submit(fn, ...args)");
  }

  /** `Executor.runOn`: what `loop.runInExecutor(this, fn, ...args)` calls. */
  runOn<R>(loop: EventLoop, fn: JobFunction<unknown[], R>, args: readonly unknown[], where = "runInExecutor(executor, fn, ...args)"): Future<JobResult<R>> {
    if (this._shutdown) throw new RuntimeError("cannot schedule new futures after shutdown");
    if (typeof loop !== "object" || loop === null || typeof loop._checkClosed !== "function") {
      throw new TypeError(`${where}: 'loop' must be an EventLoop, got ${describe(loop)}`);
    }
    loop._checkClosed();
    const encoded = encodeJob(fn, args, where, "web");
    const fut = new WebJobFuture<JobResult<R>>(loop);
    const job = new WebJob(this._nextId++, loop, fut as WebJobFuture<unknown>, encoded, where);
    fut._job = job;
    fut._executor = this;
    fut._label = encoded.label;
    loop._beginExternal();
    this._queue.push(job);
    this._pump();
    return fut;
  }

  /**
   * Stops taking jobs. With `wait` (default) resolves once every submitted job
   * is done and every worker is terminated; `cancelFutures` cancels the jobs
   * not started yet, `cancelRunning` also the running ones. Never rejects.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const where = "shutdown(options)";
    if (typeof options !== "object" || options === null) throw new TypeError(`${where}: 'options' must be an object, got ${describe(options)}`);
    for (const k of ["wait", "cancelFutures", "cancelRunning"] as const) {
      if (options[k] !== undefined && typeof options[k] !== "boolean") throw new TypeError(`${where}: '${k}' must be a boolean, got ${describe(options[k])}`);
    }
    this._shutdown = true;
    if (options.cancelFutures === true || options.cancelRunning === true) for (const job of this._queue.slice()) job.future.cancel();
    if (options.cancelRunning === true) for (const s of Array.from(this._slots)) s.job?.future.cancel();
    this._closing ??= this._close();
    return options.wait === false ? Promise.resolve() : this._closing;
  }

  /** Whether `shutdown()` was called. */
  isShutdown(): boolean {
    return this._shutdown;
  }

  /** `await using ex = new WebWorkerExecutor()`: `shutdown({ wait: true })` at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  toString(): string {
    return `<WebWorkerExecutor maxWorkers=${this.maxWorkers} queued=${this._queue.length} running=${this._running}${this._shutdown ? " shutdown" : ""}>`;
  }

  /** @internal Counts for specs: jobs queued and running, workers alive. */
  _stats(): { queued: number; running: number; workers: number } {
    return { queued: this._queue.length, running: this._running, workers: this._slots.size };
  }

  /** @internal A job's future was cancelled. */
  _cancelJob(job: WebJob): void {
    if (job.state === QUEUED) {
      this._queue.splice(this._queue.indexOf(job), 1);
      this._finish(job);
    } else if (job.state === RUNNING) {
      // A running job cannot be interrupted inside its worker: the worker goes.
      this._discard(job.slot!);
      this._finish(job);
    }
  }

  private _finish(job: WebJob): void {
    if (job.state === RUNNING) this._running--;
    job.state = DONE;
    job.encoded = null;
    job.slot = null;
    job.future._job = null;
    if (job.counted) {
      job.counted = false;
      job.loop._endExternal();
    }
    this._pump();
  }

  private _pump(): void {
    while (this._queue.length > 0 && this._running < this.maxWorkers) this._start(this._queue.shift()!);
    if (this._queue.length === 0 && this._running === 0 && this._idleWaiters.length > 0) {
      const waiters = this._idleWaiters;
      this._idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private _start(job: WebJob): void {
    job.state = RUNNING;
    this._running++;
    let slot: Slot;
    try {
      slot = this._idle.pop() ?? this._spawn();
    } catch (e) {
      this._settle(job, false, e);
      return;
    }
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.job = job;
    job.slot = slot;
    const { msg, transferList } = job.encoded!;
    job.encoded = null;
    try {
      slot.worker.postMessage({ ...msg, id: job.id }, transferList as Transferable[]);
    } catch (e) {
      slot.job = null;
      this._release(slot);
      this._settle(job, false, decodeFailure(e, job.future._label, job.where));
    }
  }

  private _spawn(): Slot {
    if (this._url === null) this._url = URL.createObjectURL(new Blob([webWorkerSource()], { type: "text/javascript" }));
    const WorkerCtor = (globalThis as unknown as { Worker: new (url: string, opts: { name: string }) => WorkerLike }).Worker;
    const slot: Slot = { worker: new WorkerCtor(this._url, { name: "rx-asyncio executor" }), job: null, idleTimer: null };
    this._slots.add(slot);
    slot.worker.onmessage = (ev) => this._onMessage(slot, ev.data as { id?: number; ok?: boolean; v?: unknown; e?: unknown; crash?: unknown });
    slot.worker.onerror = (ev) => {
      ev.preventDefault();
      // The script failed to load, or an error the worker could not report itself.
      this._onCrash(slot, new BrokenWorkerError(`the Web Worker failed: ${ev.message || "unknown error"}`));
    };
    // A reply that arrived but cannot be deserialized here: its job would otherwise never settle.
    slot.worker.onmessageerror = () => {
      const job = slot.job;
      this._onCrash(slot, job === null ? null : new BrokenWorkerError(`${job.where}: the reply of ${job.future._label} from its Web Worker could not be deserialized`));
    };
    return slot;
  }

  private _onMessage(slot: Slot, data: { id?: number; ok?: boolean; v?: unknown; e?: unknown; crash?: unknown }): void {
    const job = slot.job;
    if (data.crash !== undefined) {
      this._onCrash(slot, job === null ? null : decodeFailure(data.crash, job.future._label, job.where));
      return;
    }
    if (job === null || data.id !== job.id) return;
    slot.job = null;
    this._release(slot);
    this._settle(job, data.ok === true, data.ok === true ? data.v : decodeFailure(data.e, job.future._label, job.where));
  }

  /** The worker can no longer be trusted: its job fails with `error`, the worker goes. */
  private _onCrash(slot: Slot, error: unknown): void {
    const job = slot.job;
    this._discard(slot);
    if (job !== null) {
      const err = error ?? new BrokenWorkerError(`${job.where}: the Web Worker running ${job.future._label} crashed`);
      this._settle(job, false, err);
    }
  }

  private _settle(job: WebJob, ok: boolean, value: unknown): void {
    if (job.state !== RUNNING) return;
    const fut = job.future;
    if (!fut.done() && !job.loop.isClosed()) {
      if (ok) fut.setResult(value);
      else fut.setException(nullishFailure(value, `${job.where}: ${job.future._label} threw`));
    }
    this._finish(job);
  }

  /** A worker that finished its job waits for the next one, for at most `idleTimeout` ms. */
  private _release(slot: Slot): void {
    if (this._shutdown && this._queue.length === 0) {
      this._discard(slot);
      return;
    }
    this._idle.push(slot);
    slot.idleTimer = setTimeout(() => this._discard(slot), this.idleTimeout);
  }

  private _discard(slot: Slot): void {
    if (!this._slots.delete(slot)) return;
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    const i = this._idle.indexOf(slot);
    if (i >= 0) this._idle.splice(i, 1);
    slot.job = null;
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.onmessageerror = null;
    slot.worker.terminate();
  }

  private async _close(): Promise<void> {
    if (this._queue.length > 0 || this._running > 0) await new Promise<void>((resolve) => this._idleWaiters.push(resolve));
    for (const slot of Array.from(this._slots)) this._discard(slot);
    if (this._url !== null) URL.revokeObjectURL(this._url);
    this._url = null;
  }
}
