/**
 * Executors: the contract between the event loop and whatever runs blocking or
 * CPU-bound work off the loop (asyncio's `loop.run_in_executor`), plus the
 * types of what a worker thread can run and how values are moved to it.
 *
 * The thread pool itself is in `thread-pool-executor.ts`.
 *
 * @module
 */
import type { TransferListItem } from "node:worker_threads";
import { describe } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import type { EventLoop } from "./event-loop.js";
import type { Future } from "./futures.js";

/** What can be moved to or from a worker without a copy (an `ArrayBuffer`, a `MessagePort`, ...). */
export type TransferItem = TransferListItem;

/**
 * The key that marks a {@link Transfer}: `Symbol.for("rx-asyncio.transfer")`,
 * so a self-contained worker function, which cannot import `transfer`, can
 * still return one by hand:
 * `return { [Symbol.for("rx-asyncio.transfer")]: true, value: buf, list: [buf] }`.
 */
export const TRANSFER: unique symbol = Symbol.for("rx-asyncio.transfer");

/** A value whose `list` of buffers or ports is moved to the other thread, not copied. */
export interface Transfer<T> {
  readonly [TRANSFER]: true;
  readonly value: T;
  readonly list: readonly TransferItem[];
}

/**
 * Marks an argument (or a worker function's result) to be moved to the other
 * thread instead of copied: the buffers in `list` are detached on this side at
 * once. `list` defaults to the value itself for an `ArrayBuffer` or a
 * `MessagePort`, and to its buffer for a typed array or `DataView` (the whole
 * buffer moves, even for a view of part of it).
 *
 * @example
 * ```ts
 * const data = new Float64Array(1_000_000);
 * const sum = yield* loop.runInExecutor(null, (a: Float64Array) => a.reduce((s, x) => s + x, 0), transfer(data));
 * data.length; // 0: the buffer went to the worker
 * ```
 * @throws TypeError when `list` is not an array, or cannot be inferred from `value`
 */
export function transfer<T>(value: T, list?: readonly TransferItem[]): Transfer<T> {
  let items: readonly TransferItem[];
  if (list !== undefined) {
    if (!Array.isArray(list)) throw new TypeError(`transfer(value, list): 'list' must be an array, got ${describe(list)}`);
    items = list;
  } else if (isArrayBuffer(value) || isMessagePort(value)) {
    items = [value as TransferItem];
  } else if (ArrayBuffer.isView(value) && isArrayBuffer(value.buffer)) {
    items = [value.buffer as ArrayBuffer];
  } else {
    throw new TypeError(
      `transfer(value, list): cannot tell what to move in ${describe(value)}; ` +
        "give 'list', the ArrayBuffers or MessagePorts inside 'value' to move",
    );
  }
  return { [TRANSFER]: true, value, list: items };
}

/** Realm-independent (Jest's sandbox has its own `ArrayBuffer`); a SharedArrayBuffer is shared, never moved. */
function isArrayBuffer(x: unknown): x is ArrayBuffer {
  return Object.prototype.toString.call(x) === "[object ArrayBuffer]";
}

function isMessagePort(x: unknown): boolean {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as { postMessage?: unknown }).postMessage === "function" &&
    typeof (x as { start?: unknown }).start === "function"
  );
}

/** Whether `x` is a {@link Transfer} marker. */
export function isTransfer(x: unknown): x is Transfer<unknown> {
  return typeof x === "object" && x !== null && (x as { [TRANSFER]?: unknown })[TRANSFER] === true;
}

/**
 * A function exported by a module, for real worker code: the worker imports
 * `module` (in Node an absolute path, a `file:` URL, or a `node:` built-in; in
 * a browser an `http(s):`, `blob:` or `data:` URL) and calls
 * its export `export` (default `"default"`). The module may be ESM or CommonJS;
 * under `tsx` it may be TypeScript, since workers inherit Node's loader flags.
 * The type parameters only type the call; give them with
 * {@link moduleFunction} or an annotation.
 *
 * @example
 * ```ts
 * const fib: ModuleFunction<[number], number> = { module: require.resolve("./work.js"), export: "fib" };
 * const r = yield* loop.runInExecutor(null, fib, 35);
 * ```
 */
export interface ModuleFunction<A extends unknown[] = unknown[], R = unknown> {
  /** Node: an absolute path, a `file:` URL (string or `URL`), or a `node:` built-in. Browser: an `http(s):`, `blob:` or `data:` URL. */
  readonly module: string | URL;
  /** The name of the exported function (default `"default"`). */
  readonly export?: string;
  /** Types only: the signature of the export. Never set. */
  readonly __signature?: (...args: A) => R;
}

/**
 * A typed {@link ModuleFunction}, checked at once.
 *
 * @example
 * ```ts
 * import type * as Work from "./work.js";
 * const fib = moduleFunction<typeof Work.fib>(require.resolve("./work.js"), "fib");
 * ```
 * @throws TypeError when `module` is not an absolute path, a file: URL or a node: built-in (in a browser: an http(s), blob: or data: URL)
 */
export function moduleFunction<F extends (...args: never[]) => unknown>(
  module: string | URL,
  exportName = "default",
): ModuleFunction<Parameters<F>, ReturnType<F>> {
  const spec = { module, export: exportName };
  checkModuleFunction(spec, "moduleFunction(module, exportName)", workerKindHere());
  return spec;
}

/**
 * What a worker can run: a self-contained function (it is sent as source text,
 * so it must not use any variable, import or helper from around it; its
 * arguments and result are structured-cloned), or a module's export.
 */
export type JobFunction<A extends unknown[], R> = ((...args: A) => R) | ModuleFunction<A, R>;

/** The arguments of a job: each may be wrapped in {@link transfer} to move it. */
export type JobArgs<A extends unknown[]> = { [K in keyof A]: A[K] | Transfer<A[K]> };

type Unwrap<T> = T extends Transfer<infer U> ? U : T;

/** What the future of a job gives: the function's result, awaited, unwrapped from a `Transfer`. */
export type JobResult<R> = Unwrap<Awaited<R>>;

/** Options of `Executor.shutdown()` (asyncio's `Executor.shutdown`). */
export interface ShutdownOptions {
  /**
   * Wait until every job already submitted is done and every worker has
   * exited (default `true`). With `false`, they finish in the background.
   */
  wait?: boolean;
  /** Cancel the futures of the jobs that have not started yet (default `false`). */
  cancelFutures?: boolean;
  /**
   * Also cancel the futures of running jobs, which stops their workers
   * (default `false`; Python cannot stop a thread, Node can stop a worker).
   */
  cancelRunning?: boolean;
}

/**
 * Runs jobs off the loop. `ThreadPoolExecutor` is the one this library ships;
 * implement this to give `loop.runInExecutor` another (for example one that
 * runs jobs in child processes).
 */
export interface Executor {
  /** Starts `fn(...args)` and returns a future on `loop` for its result; cancelling it cancels the job. */
  runOn<R>(loop: EventLoop, fn: JobFunction<unknown[], R>, args: readonly unknown[], where?: string): Future<JobResult<R>>;
  /** Stops taking jobs; see {@link ShutdownOptions}. Never rejects. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

// The kernel checks executors too (loop-executor.ts), and never imports this layer.
export { isExecutor } from "./loop-executor.js";

/**
 * A worker thread stopped while it ran a job: the job's code called
 * `process.exit()`, an error escaped it asynchronously (a timer callback, an
 * unhandled rejection), or it ran out of memory. The pool replaces the worker;
 * the error that brought it down, when known, is the `cause`.
 */
export class BrokenWorkerError extends RuntimeError {
  /** The worker's exit code, when it exited. */
  readonly exitCode: number | undefined;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message);
    Object.setPrototypeOf(this, BrokenWorkerError.prototype);
    Object.defineProperty(this, "name", { value: "BrokenWorkerError", enumerable: false, configurable: true, writable: true });
    if (options?.cause !== undefined) {
      Object.defineProperty(this, "cause", { value: options.cause, enumerable: false, configurable: true, writable: true });
    }
    this.exitCode = options?.exitCode;
  }
}

const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;
const WEB_URL = /^(https?|blob|data):/;

/** Where a module function is imported: a Node worker thread or a browser's Web Worker. @internal */
export type WorkerKind = "node" | "web";

/**
 * The kind of worker this environment runs jobs on: Node's worker threads
 * where there is Node, Web Workers elsewhere. @internal
 */
export function workerKindHere(): WorkerKind {
  const proc = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof proc?.versions?.node === "string" ? "node" : "web";
}

/**
 * Checks a `{ module, export }` spec; returns the specifier the worker imports.
 * A Node worker imports absolute paths, `file:` URLs and `node:` built-ins; a
 * Web Worker imports `http(s):`, `blob:` and `data:` URLs.
 * @internal
 */
export function checkModuleFunction(spec: ModuleFunction, where: string, kind: WorkerKind = "node"): { url: string; name: string } {
  const mod: unknown = spec.module;
  const name: unknown = spec.export ?? "default";
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`${where}: 'export' must be the name of an exported function, got ${describe(name)}`);
  }
  const href = typeof URL !== "undefined" && mod instanceof URL ? mod.href : mod;
  if (kind === "web") {
    if (typeof href === "string" && WEB_URL.test(href)) return { url: href, name };
    throw new TypeError(
      `${where}: 'module' must be an http(s):, blob: or data: URL, got ${describe(href)} ` +
        "(a Web Worker imports the module by its full URL: use new URL('./work.js', import.meta.url))",
    );
  }
  if (typeof URL !== "undefined" && mod instanceof URL) {
    if (mod.protocol !== "file:") throw new TypeError(`${where}: 'module' must be a file: URL, got ${describe(mod.href)}`);
    return { url: mod.href, name };
  }
  if (typeof mod === "string") {
    if (mod.startsWith("file:") || mod.startsWith("node:")) return { url: mod, name };
    if (ABSOLUTE_PATH.test(mod)) return { url: mod, name };
  }
  throw new TypeError(
    `${where}: 'module' must be an absolute path, a file: URL or a node: built-in, got ${describe(mod)} ` +
      "(the worker cannot tell what a relative path or a package name is relative to: " +
      "use require.resolve('./work.js') or new URL('./work.js', import.meta.url))",
  );
}
