/**
 * Context variables (Python's `contextvars`): values that follow the flow of
 * work instead of the call stack. Each task runs in a copy of the context that
 * was current when it was created, so a `set()` inside a task is invisible to
 * its parent and its siblings; a callback runs in a copy of the context it was
 * scheduled from.
 *
 * A `Context` is a mutable holder of an immutable mapping: copying one is O(1)
 * (the mapping is shared), and `set()` replaces the holder's mapping with a new
 * one. Python uses a HAMT; a copied `Map` does the same job for the handful of
 * variables programs have.
 *
 * Who is "current": the object `Context.run()` entered, or the callback being
 * run (both kept in one module variable, `contextState.owner`), else the task
 * whose step runs (the loop's current task: a step swaps nothing extra). An owner's `_context` is `null` until
 * something is set in it: a task in a program that never sets a variable
 * carries one `null` field and allocates nothing.
 *
 * @module
 */
import { describe } from "./coroutines.js";
import { RuntimeError } from "./errors.js";
import { _getRunningLoop, _isDraining } from "./running-loop.js";
import { asyncContextTask } from "./internal/async-context.js";

type VarMap = ReadonlyMap<ContextVar<unknown>, unknown>;

const EMPTY: VarMap = new Map();

/** Something that runs in a context: a task, a callback handle, an entered Context, the process. @internal */
export interface ContextOwner {
  /** `null`: the empty context, not materialized yet. */
  _context: Context | null;
}

/**
 * The owner of the current context when it is not a task: the loop sets it
 * around each callback, `Context.run()` around its function; an eager step
 * clears it (its task is found through the loop). @internal
 */
export const contextState: { owner: ContextOwner | null } = { owner: null };

/** The context of code that runs outside any task, callback or `Context.run()`. */
const processOwner: ContextOwner = { _context: null };

function currentOwner(): ContextOwner {
  const o = contextState.owner;
  if (o !== null) return o;
  if (_isDraining()) {
    // A task step: its task owns the context. Task steps do not swap
    // `contextState.owner` (it would cost every step of every task); the
    // loop's current task says which task runs, and callbacks, eager steps
    // and Context.run() set or clear the owner around themselves.
    const t = _getRunningLoop()!._currentTask;
    return t !== null ? (t as unknown as ContextOwner) : processOwner;
  }
  // An async-function task's continuation (a promise callback) runs in its task's context.
  const t = asyncContextTask();
  return t !== null && t !== undefined ? (t as unknown as ContextOwner) : processOwner;
}

/**
 * What a new task or callback inherits: a copy of the current context, or
 * `null` when that is empty (the common case, which allocates nothing). @internal
 */
export function inheritContext(): Context | null {
  const c = currentOwner()._context;
  return c === null || c._vars === EMPTY ? null : new Context(c._vars);
}

/** Calls `fn` with `owner` as the current context's owner. @internal */
export function runAsOwner<R>(owner: ContextOwner, fn: () => R): R {
  const prev = contextState.owner;
  contextState.owner = owner;
  try {
    return fn();
  } finally {
    contextState.owner = prev;
  }
}

/** A done callback that runs in `ctx`; `removeDoneCallback(fn)` finds it by `_fn`. @internal */
export interface ContextCallback<A> {
  (arg: A): void;
  readonly _fn: (arg: A) => void;
}

/**
 * `fn` bound to a copy of the current context, or `fn` itself when that is
 * empty (then it needs no wrapper: its DoneCallbackHandle is a fresh empty
 * context). @internal
 */
export function bindToContext<A>(fn: (arg: A) => void): ((arg: A) => void) | ContextCallback<A> {
  const ctx = inheritContext();
  if (ctx === null) return fn;
  const bound = ((arg: A) => runAsOwner(ctx, () => fn(arg))) as ContextCallback<A> & { _fn: (arg: A) => void };
  bound._fn = fn;
  return bound;
}

/** `ContextVar.get()` found no value and no default. */
export class LookupError extends Error {}
Object.defineProperty(LookupError.prototype, "name", { value: "LookupError", enumerable: false, configurable: true, writable: true });

const MISSING: unique symbol = Symbol("Token.MISSING");

/** Options of `new ContextVar()`. */
export interface ContextVarOptions<T> {
  /** What `get()` returns when the variable has no value in the current context. */
  default?: T;
}

/**
 * A context variable. Declare it once, at module level (as in Python: variables
 * are not collected while a context holds them).
 *
 * @example
 * ```ts
 * import { ContextVar, createTask, run, sleep, type Coroutine } from "rx-asyncio";
 *
 * const requestId = new ContextVar<string>("requestId", { default: "-" });
 *
 * function* log(msg: string): Coroutine<void> {
 *   yield* sleep(1);
 *   console.log(`[${requestId.get()}] ${msg}`);
 * }
 *
 * function* handle(id: string): Coroutine<void> {
 *   requestId.set(id); // visible in this task and the tasks it creates, not in its parent
 *   yield* createTask(log("handled"));
 * }
 *
 * await run(function* () {
 *   yield* createTask(handle("a1"));
 *   yield* log("main"); // [-] main
 * });
 * ```
 */
export class ContextVar<T> {
  /** The variable's name (for messages only: two variables may share one). */
  readonly name: string;
  private readonly _default: T | typeof MISSING;

  constructor(name: string, options: ContextVarOptions<T> = {}) {
    if (typeof name !== "string") throw new TypeError(`new ContextVar(name): 'name' must be a string, got ${describe(name)}`);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`new ContextVar(name, options): 'options' must be an object, got ${describe(options)}`);
    }
    this.name = name;
    this._default = "default" in options ? (options.default as T) : MISSING;
  }

  /**
   * The variable's value in the current context; else `defaultValue` when
   * given; else the variable's default.
   * @throws LookupError when there is none of these
   */
  get(): T;
  get<D>(defaultValue: D): T | D;
  get<D>(...args: [D?]): T | D {
    const c = currentOwner()._context;
    if (c !== null && c._vars.has(this as ContextVar<unknown>)) return c._vars.get(this as ContextVar<unknown>) as T;
    if (args.length > 0) return args[0] as D;
    if (this._default !== MISSING) return this._default;
    throw new LookupError(`<ContextVar name='${this.name}'> has no value in the current context and no default`);
  }

  /** Sets the value in the current context; the token undoes it with `reset()`. */
  set(value: T): Token<T> {
    const owner = currentOwner();
    let c = owner._context;
    if (c === null) c = owner._context = new Context(EMPTY);
    const vars = c._vars;
    const old = vars.has(this as ContextVar<unknown>) ? (vars.get(this as ContextVar<unknown>) as T) : MISSING;
    c._vars = new Map(vars).set(this as ContextVar<unknown>, value);
    return new Token(c, this, old);
  }

  /**
   * Puts the variable back to what it was before the `set()` that made `token`.
   * @throws RuntimeError if the token was used already
   * @throws RangeError if the token is another variable's, or was made in another context (Python's ValueError)
   */
  reset(token: Token<T>): void {
    if (!(token instanceof Token)) throw new TypeError(`ContextVar.reset(token): 'token' must be a Token, got ${describe(token)}`);
    if (token._used) throw new RuntimeError(`${token} has already been used once`);
    if (token.var !== this) throw new RangeError(`${token} was created by a different ContextVar`);
    const c = currentOwner()._context;
    if (token._context !== c) throw new RangeError(`${token} was created in a different Context`);
    token._used = true;
    const next = new Map(c._vars);
    if (token._old === MISSING) next.delete(this as ContextVar<unknown>);
    else next.set(this as ContextVar<unknown>, token._old);
    c._vars = next.size === 0 ? EMPTY : next;
  }

  toString(): string {
    return `<ContextVar name='${this.name}'${this._default === MISSING ? "" : " default"}>`;
  }
}

/** What `ContextVar.set()` returns: the way back to the value before it. */
export class Token<T> {
  /** `oldValue` of a token whose variable had no value before the `set()`. */
  static readonly MISSING: typeof MISSING = MISSING;
  /** @internal */ _used = false;

  /** @internal */ readonly _context: Context;
  /** The variable that was set. */
  readonly var: ContextVar<T>;
  /** @internal */ readonly _old: T | typeof MISSING;

  /** @internal */
  constructor(context: Context, v: ContextVar<T>, old: T | typeof MISSING) {
    this._context = context;
    this.var = v;
    this._old = old;
  }

  /** The value before the `set()`, or `Token.MISSING`. */
  get oldValue(): T | typeof MISSING {
    return this._old;
  }

  toString(): string {
    return `<Token${this._used ? " used" : ""} var=${this.var}>`;
  }
}

/**
 * A snapshot of context variables one can run code in (`ctx.run(fn)`): what
 * `fn` sets stays in `ctx`. Read it like a `ReadonlyMap`.
 *
 * @example
 * ```ts
 * import { ContextVar, copyContext } from "rx-asyncio";
 *
 * const user = new ContextVar<string>("user", { default: "anonymous" });
 * const ctx = copyContext();
 * ctx.run(() => user.set("ada"));
 * console.log(ctx.get(user), user.get()); // ada anonymous
 * ```
 */
export class Context implements ContextOwner {
  /** @internal */ _vars: VarMap;
  /** @internal */ _entered = false;
  /** @internal A Context owns itself when entered by `run()`. */
  readonly _context: Context = this;

  /** An empty context (see `copyContext()` for a copy of the current one). */
  constructor(vars?: VarMap) {
    this._vars = vars ?? EMPTY;
  }

  /**
   * Calls `fn(...args)` with this context current; what it sets stays here.
   * Synchronous: promise continuations started inside do not see it (run
   * them as tasks, which carry their context across awaits).
   * @throws RuntimeError if this context is already entered (here or up the stack)
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    if (typeof fn !== "function") throw new TypeError(`Context.run(fn): 'fn' must be a function, got ${describe(fn)}`);
    if (this._entered) throw new RuntimeError(`cannot enter context: ${this} is already entered`);
    this._entered = true;
    const prev = contextState.owner;
    contextState.owner = this;
    try {
      return fn(...args);
    } finally {
      contextState.owner = prev;
      this._entered = false;
    }
  }

  /** A shallow copy (O(1)). */
  copy(): Context {
    return new Context(this._vars);
  }

  /** The variable's value here, else `defaultValue` (`undefined` unless given). */
  get<T, D = undefined>(v: ContextVar<T>, defaultValue?: D): T | D {
    const vars = this._vars;
    return vars.has(v as ContextVar<unknown>) ? (vars.get(v as ContextVar<unknown>) as T) : (defaultValue as D);
  }

  /** Whether the variable has a value here. */
  has(v: ContextVar<unknown>): boolean {
    return this._vars.has(v);
  }

  /** How many variables have a value here. */
  get size(): number {
    return this._vars.size;
  }

  keys(): IterableIterator<ContextVar<unknown>> {
    return this._vars.keys();
  }

  values(): IterableIterator<unknown> {
    return this._vars.values();
  }

  entries(): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this._vars.entries();
  }

  [Symbol.iterator](): IterableIterator<ContextVar<unknown>> {
    return this._vars.keys();
  }

  toString(): string {
    return `<Context ${this._vars.size} var${this._vars.size === 1 ? "" : "s"}>`;
  }
}

/** A copy of the current context (Python's `contextvars.copy_context()`). */
export function copyContext(): Context {
  const c = currentOwner()._context;
  return new Context(c === null ? EMPTY : c._vars);
}
