/**
 * The main thread's side of a worker job: a function or module export turned
 * into a message, arguments with their transfer list, and a failure that came
 * back turned into an error for the awaiting task.
 *
 * @module
 * @internal
 */
import { describe } from "../coroutines.js";
import { RuntimeError } from "../errors.js";
import { BrokenWorkerError, checkModuleFunction, isTransfer, type ModuleFunction, type TransferItem, type WorkerKind } from "../executor.js";

/** The message the worker entry receives (see `worker-entry.cjs`). */
export type JobMessage =
  | { k: 0; s: string; a: unknown[]; l?: string }
  | { k: 1; m: string; e: string; a: unknown[]; l?: string };

/** A job ready to post. */
export interface EncodedJob {
  msg: JobMessage;
  transferList: TransferItem[];
  /** Names the job in error messages. */
  label: string;
}

const ENVELOPE = "rx-asyncio.error";

const GeneratorFunction = function* () {}.constructor;
const AsyncGeneratorFunction = async function* () {}.constructor;

/** Source text ready to compile, per function object (a function is checked once). */
const sources = new WeakMap<Function, string>();

function compiles(expr: string): boolean {
  try {
    // Parses without running: the worker compiles the same text the same way.
    new Function("__name", `"use strict";\nreturn ${expr};`);
    return true;
  } catch {
    return false;
  }
}

/** A function's source as an expression the worker can compile, or a TypeError. */
function functionSource(fn: Function, where: string): string {
  const cached = sources.get(fn);
  if (cached !== undefined) return cached;
  const what = describe(fn);
  if (fn instanceof GeneratorFunction || fn instanceof AsyncGeneratorFunction) {
    throw new TypeError(
      `${where}: 'fn' must be a plain or async function, got a generator function (${what}) ` +
        "(a coroutine runs on the event loop, not in a worker)",
    );
  }
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
    throw new TypeError(
      `${where}: 'fn' (${what}) is a native or bound function: its source cannot be sent to a worker thread. ` +
        "Send a self-contained function, or a module's export as { module, export }",
    );
  }
  if (/^class\b/.test(src)) {
    throw new TypeError(`${where}: 'fn' must be a function, got a class (${fn.name || "anonymous"})`);
  }
  let expr = `(${src})`;
  if (!compiles(expr)) {
    // A method written in shorthand (`name(x) { ... }`) is not an expression on its own.
    const method = `Object.values({ ${src} })[0]`;
    if (/^(get|set)\s/.test(src) || !compiles(method)) {
      throw new TypeError(`${where}: the source of 'fn' (${what}) cannot be compiled on its own, so it cannot be sent to a worker thread`);
    }
    expr = method;
  }
  sources.set(fn, expr);
  return expr;
}

/** A short name of the job for error messages. */
function labelOf(fn: unknown, spec: { url: string; name: string } | null): string {
  if (spec !== null) return `${spec.name} from ${spec.url}`;
  return describe(fn);
}

/**
 * Turns `fn` and `args` into a job message. Arguments wrapped in `transfer()`
 * are unwrapped and moved at once (their buffers detach here, now), so the
 * caller cannot touch them while the job waits in the queue.
 * @throws TypeError for anything that cannot be sent
 */
export function encodeJob(fn: unknown, args: readonly unknown[], where: string, kind: WorkerKind = "node"): EncodedJob {
  // Check the function first: a refused job must leave the caller's buffers attached.
  let source: string | null = null;
  let spec: { url: string; name: string } | null = null;
  if (typeof fn === "function") source = functionSource(fn, where);
  else if (typeof fn === "object" && fn !== null && "module" in fn) spec = checkModuleFunction(fn as ModuleFunction, where, kind);
  else {
    throw new TypeError(
      `${where}: 'fn' must be a self-contained function or a module export { module, export }, got ${describe(fn)}`,
    );
  }
  const a = Array.from(args);
  const at: number[] = [];
  const values: unknown[] = [];
  let list: TransferItem[] = [];
  for (let i = 0; i < a.length; i++) {
    const arg = a[i];
    if (!isTransfer(arg)) continue;
    if (!Array.isArray(arg.list)) {
      throw new TypeError(`${where}: argument ${i} is a transfer() whose 'list' is not an array, got ${describe(arg.list)}`);
    }
    at.push(i);
    values.push(arg.value);
    list = list.concat(arg.list);
  }
  let transferList: TransferItem[] = [];
  if (at.length > 0) {
    // One clone for all of them: either every buffer moves now, or none does.
    let moved: { v: unknown[]; l: TransferItem[] };
    try {
      moved = structuredClone({ v: values, l: list }, { transfer: list as Transferable[] }) as typeof moved;
    } catch (e) {
      throw new TypeError(`${where}: the transfer() arguments cannot be moved to a worker thread: ${errorText(e)}`);
    }
    for (let k = 0; k < at.length; k++) a[at[k]!] = moved.v[k];
    transferList = moved.l;
  }
  const label = labelOf(fn, spec);
  // The label goes along, so a worker that crashes later can say which job left the cause behind.
  const msg: JobMessage = source !== null ? { k: 0, s: source, a, l: label } : { k: 1, m: spec!.url, e: spec!.name, a, l: label };
  return { msg, transferList, label };
}

function errorName(e: unknown): string {
  const name = typeof e === "object" && e !== null ? (e as { name?: unknown }).name : undefined;
  return typeof name === "string" && name !== "" ? `${name}: ` : "";
}

function errorText(e: unknown): string {
  return e instanceof Error || (typeof e === "object" && e !== null && "message" in e)
    ? String((e as { message: unknown }).message)
    : describe(e);
}

interface Envelope {
  [ENVELOPE]: 1;
  thrown?: unknown;
  className?: string;
  name?: string;
  message?: string;
  stack?: string;
  props?: Record<string, unknown>;
  cause?: Envelope;
  errors?: Envelope[];
  closure?: string;
  crash?: boolean;
  resultClone?: boolean;
  /** A crash: the worker's thread id, and the jobs of that worker (see worker-entry.cjs). */
  thread?: number;
  /** The job whose code (or a timer or callback it left) threw. */
  origin?: JobRef;
  /** The job running when it crashed. */
  running?: JobRef;
  /** The job that finished last before the crash. */
  after?: JobRef;
}

/** A job of one worker: its label and its number on that worker (1 for its first). */
interface JobRef {
  label: string;
  n: number;
}

function jobRef(j: JobRef): string {
  return `${j.label} (job ${j.n} on that worker)`;
}

function threadName(env: Envelope): string {
  return typeof env.thread === "number" ? `worker thread ${env.thread}` : "a worker thread";
}

/**
 * A crash during a job that its own code did not cause: a timer or callback an
 * earlier job left behind threw while this one ran. Says whose it was.
 */
function crashDuringJob(env: Envelope, err: unknown, label: string, where: string): string {
  const what = `${errorName(err)}${errorText(err)}`;
  const { origin, running, after } = env;
  if (origin !== undefined && running !== undefined && origin.n !== running.n) {
    return (
      `${where}: ${threadName(env)} crashed while running ${label}, but not because of it: the error came from ` +
      `${jobRef(origin)}, which had finished and left a timer or callback behind: ${what}`
    );
  }
  if (origin === undefined && running !== undefined && after !== undefined) {
    return (
      `${where}: ${threadName(env)} crashed while running ${label}: ${what} (thrown outside any job's code; ` +
      `a callback left behind by an earlier job, such as ${jobRef(after)}, may be the cause)`
    );
  }
  return `${where}: the worker thread running ${label} crashed: ${what}`;
}

/**
 * What to report when a worker crashed with no job running (a timer or
 * callback left by a finished job threw): nobody awaits anything on it, so the
 * executor reports it through the loop's exception handler.
 */
export function crashBetweenJobs(reason: unknown, executor: string): { message: string; exception: unknown } {
  if (!isEnvelope(reason) || reason.crash !== true) {
    return { message: `${executor}: a worker thread failed between jobs: ${errorName(reason)}${errorText(reason)}`, exception: reason };
  }
  const err = rebuild(reason);
  const { origin, after } = reason;
  let whose = "";
  if (origin !== undefined) whose = `; the error came from a timer or callback left behind by ${jobRef(origin)}`;
  const message =
    `${executor}: ${threadName(reason)} crashed between jobs` +
    (after !== undefined ? `, after ${jobRef(after)} had finished` : ", before its first job") +
    `${whose}: ${errorName(err)}${errorText(err)}. No job was running on it; the pool starts a new worker for the next one`;
  return { message, exception: err };
}

function isEnvelope(x: unknown): x is Envelope {
  return typeof x === "object" && x !== null && (x as Envelope)[ENVELOPE] === 1;
}

const BUILTIN_ERRORS: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/** Rebuilds an error from the worker: its class (when built in) or name, message, worker stack, fields. */
function rebuild(env: Envelope): unknown {
  if (!("className" in env)) return env.thrown;
  const className = env.className ?? "Error";
  const message = env.message ?? "";
  let err: Error;
  if (className === "AggregateError") err = new AggregateError((env.errors ?? []).map(rebuild), message);
  else err = new (BUILTIN_ERRORS[className] ?? Error)(message);
  // A subclass that did not set `name` still says which class it was.
  const name = env.name !== undefined && env.name !== "Error" ? env.name : className;
  if (err.name !== name) {
    Object.defineProperty(err, "name", { value: name, enumerable: false, configurable: true, writable: true });
  }
  if (env.stack !== undefined) {
    // The worker's stack; its first line names the class as the worker saw it, so say the same name here.
    const head = `${env.name ?? className}: `;
    const stack = name !== env.name && env.stack.startsWith(head) ? `${name}: ${env.stack.slice(head.length)}` : env.stack;
    Object.defineProperty(err, "stack", { value: stack, enumerable: false, configurable: true, writable: true });
  }
  if (env.props !== undefined) Object.assign(err, env.props);
  if (env.cause !== undefined) {
    Object.defineProperty(err, "cause", { value: rebuild(env.cause), enumerable: false, configurable: true, writable: true });
  }
  if (env.errors !== undefined && className !== "AggregateError") {
    Object.defineProperty(err, "errors", { value: env.errors.map(rebuild), enumerable: false, configurable: true, writable: true });
  }
  return err;
}

/**
 * The error for the awaiting task, from whatever the pool rejected a job with:
 * the job's own exception, a closure the worker could not resolve, a worker
 * that crashed or exited, or arguments that could not be cloned.
 */
export function decodeFailure(reason: unknown, label: string, where: string): unknown {
  if (isEnvelope(reason)) {
    if (reason.closure !== undefined) {
      const err = new ReferenceError(
        `${where}: ${label} uses '${reason.closure}', which does not exist in the worker thread. ` +
          "A function sent to a worker must be self-contained: it cannot use variables, imports or helpers " +
          "from the code around it. Pass values as arguments, or run a module's export: " +
          "moduleFunction(absolutePath, exportName) (a function that calls itself by name: declare it with `function name(...)`)",
      );
      if (reason.stack !== undefined) {
        Object.defineProperty(err, "stack", { value: `${err.name}: ${err.message}\n${stackFrames(reason.stack)}`, configurable: true, writable: true });
      }
      return err;
    }
    const err = rebuild(reason);
    // A future cannot hold `undefined` or `null` as its exception (see nullishFailure).
    if (err === undefined || err === null) return new RuntimeError(`${where}: ${label} threw ${String(err)}`);
    if (reason.resultClone === true) {
      return new TypeError(
        `${where}: the result of ${label} cannot be sent back from the worker thread ` +
          `(results must be structured-cloneable: no functions, symbols or promises): ${errorText(err)}`,
      );
    }
    if (reason.crash === true) return new BrokenWorkerError(crashDuringJob(reason, err, label, where), { cause: err });
    return err;
  }
  const name = typeof reason === "object" && reason !== null ? (reason as { name?: unknown }).name : undefined;
  if (name === "DataCloneError") {
    return new TypeError(
      `${where}: the arguments of ${label} cannot be sent to a worker thread ` +
        `(they must be structured-cloneable: no functions, symbols or promises): ${errorText(reason)}`,
    );
  }
  const text = errorText(reason);
  const exit = /exited with code:? (-?\d+)/.exec(text);
  if (exit !== null) {
    const exitCode = Number(exit[1]);
    return new BrokenWorkerError(`${where}: the worker thread running ${label} exited with code ${exitCode} before the job finished`, {
      cause: reason,
      exitCode,
    });
  }
  return new BrokenWorkerError(`${where}: the worker thread running ${label} stopped: ${text}`, { cause: reason });
}

/** The `at ...` lines of a stack. */
function stackFrames(stack: string): string {
  const i = stack.indexOf("\n    at ");
  return i < 0 ? "" : stack.slice(i + 1);
}
