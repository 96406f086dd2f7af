/**
 * Callback handles (the handle half of asyncio's `events` module): what
 * `callSoon`/`callLater` return, and the `Runnable` the ready queue holds.
 *
 * @module
 */
import type { EventLoop } from "./event-loop.js";
import type { Future } from "./futures.js";
import { type TimerEntry } from "./internal/timer-heap.js";
import { contextState, inheritContext, type Context, type ContextOwner } from "./contextvars.js";

/**
 * Anything the loop can put on its ready queue. Tasks, handles and timer
 * futures implement it directly, so a task step allocates no wrapper.
 * (Library plumbing: user code schedules with `callSoon`.)
 */
export interface Runnable {
  _run(): void;
}

/** A function, its name for reports. */
function fnName(fn: Function | null): string {
  return fn ? fn.name || "<anonymous>" : "<cancelled>";
}

/**
 * A callback scheduled with `callSoon`; `cancel()` keeps it from running.
 *
 * @example
 * ```ts
 * const h = loop.callSoon(() => console.log("tick"));
 * h.cancel();
 * ```
 */
export class Handle implements Runnable, ContextOwner {
  /** @internal */ _fn: ((...args: never[]) => unknown) | null;
  /** @internal A copy of the context it was scheduled from (`null`: empty), as asyncio's Handle keeps. */
  _context: Context | null;
  /** @internal */ _args: unknown[] | null;
  /** @internal */ readonly _loop: EventLoop;
  /** @internal */ _cancelled = false;
  /** @internal */ _sourceTraceback: string | undefined;

  /** @internal */
  constructor(fn: (...args: never[]) => unknown, args: unknown[], loop: EventLoop) {
    this._fn = fn;
    this._args = args;
    this._loop = loop;
    this._context = inheritContext();
    this._sourceTraceback = loop._debug ? captureStack(2) : undefined;
  }

  /** Keeps the callback from running; does nothing if it already ran. */
  cancel(): void {
    if (!this._cancelled) {
      this._cancelled = true;
      this._fn = null;
      this._args = null;
    }
  }

  /** Whether `cancel()` was called. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** @internal */
  _run(): void {
    const fn = this._fn;
    if (fn === null) return;
    const prevOwner = contextState.owner;
    contextState.owner = this;
    try {
      (fn as (...a: unknown[]) => unknown).apply(undefined, this._args!);
    } catch (exception) {
      this._loop.callExceptionHandler({
        message: `Exception in callback ${fnName(fn)}`,
        exception,
        handle: this,
        sourceTraceback: this._sourceTraceback,
      });
    } finally {
      contextState.owner = prevOwner;
    }
  }

  /** @internal What it is, for debug-mode reports. */
  _traceLabel(): string {
    return `callback ${fnName(this._fn)}`;
  }

  toString(): string {
    return `<Handle ${fnName(this._fn)}${this._cancelled ? " cancelled" : ""}>`;
  }
}

/**
 * A callback scheduled with `callLater`/`callAt`. Cancelling it is O(1); the
 * loop drops it from its timer heap lazily.
 */
export class TimerHandle extends Handle implements TimerEntry {
  /** @internal */ _when: number;
  /** @internal */ _seq: number;
  /** @internal Timer state bits (internal/timer-heap.ts). */ _flags = 0;

  /** @internal */
  constructor(when: number, seq: number, fn: (...args: never[]) => unknown, args: unknown[], loop: EventLoop) {
    super(fn, args, loop);
    this._when = when;
    this._seq = seq;
  }

  /** The loop time at which the callback is due. */
  when(): number {
    return this._when;
  }

  override cancel(): void {
    if (!this._cancelled) {
      this._loop._timerCancelled(this);
      super.cancel();
    }
  }

  override toString(): string {
    return `<TimerHandle when=${this._when} ${fnName(this._fn)}${this._cancelled ? " cancelled" : ""}>`;
  }
}

/**
 * Runs a future's done callback; one small object instead of a closure and an
 * argument array.
 * @internal
 */
export class DoneCallbackHandle<F> implements Runnable, ContextOwner {
  /**
   * The callback runs in a context of its own: empty, or the copy
   * `Future.addDoneCallback` captured (its wrapper enters that one).
   */
  _context: Context | null = null;

  constructor(
    private readonly _fn: (fut: F) => void,
    private readonly _fut: F & { _loop: EventLoop; _sourceTraceback: string | undefined },
  ) {}

  _run(): void {
    const prevOwner = contextState.owner;
    contextState.owner = this;
    try {
      this._fn(this._fut);
    } catch (exception) {
      this._fut._loop.callExceptionHandler({
        message: `Exception in done callback ${fnName(this._fn)}`,
        exception,
        future: this._fut as unknown as Future<unknown>,
        sourceTraceback: this._fut._sourceTraceback,
      });
    } finally {
      contextState.owner = prevOwner;
    }
  }

  _traceLabel(): string {
    return `done callback ${fnName(this._fn)}`;
  }
}

/** The stack at the caller, minus `skip` frames of ours. @internal */
export function captureStack(skip: number): string {
  const stack = new Error().stack ?? "";
  const lines = stack.split("\n");
  return lines.slice(1 + skip).join("\n");
}
