/**
 * The loop's link to the outside world. The core never touches a global timer:
 * it asks its host for the time and for a single wake-up, so the same loop runs
 * on RxJS 7's schedulers (and inside `TestScheduler.run` with no setup), on
 * late-bound `globalThis` timers (Jest fake timers, RxJS 9), or on anything else.
 *
 * @module
 */
import { asapScheduler, asyncScheduler } from "rxjs";

/** A wake-up armed on a host; `unsubscribe()` disarms it. */
export interface HostHandle {
  unsubscribe(): void;
}

/** What an event loop needs from its environment. */
export interface LoopHost {
  /** Current time in milliseconds. */
  now(): number;
  /** Run `fn` as soon as possible, after the current job (a microtask is fine). */
  soon(fn: () => void): HostHandle;
  /** Run `fn` after `ms` milliseconds (`ms` is at most 2^31-1). */
  later(fn: () => void, ms: number): HostHandle;
  /**
   * Run `fn` after the host has had a chance to do I/O (a macrotask). A drain
   * that ran past its budget continues through this, so a busy loop cannot
   * starve Node's I/O. Defaults to `later(fn, 0)`.
   */
  yieldToIO?(fn: () => void): HostHandle;
}

/**
 * The default host on RxJS 7: its clock is `asyncScheduler.now()` and its wake-ups
 * go through `asapScheduler` and `asyncScheduler`. `TestScheduler.run` replaces
 * exactly those providers, so a loop on this host runs in virtual frames there.
 */
export const rxjsHost: LoopHost = {
  now: () => asyncScheduler.now(),
  soon: (fn) => asapScheduler.schedule(fn),
  later: (fn, ms) => asyncScheduler.schedule(fn, ms),
  yieldToIO: (fn) => asyncScheduler.schedule(fn, 0),
};

interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
  setImmediate?: (fn: () => void) => unknown;
  clearImmediate?: (h: unknown) => void;
  queueMicrotask?: (fn: () => void) => void;
}

/**
 * A host on `globalThis` timers, looked up at each call (late-bound), so Jest's
 * fake timers drive it, and it keeps working where RxJS has no schedulers (9.x).
 * Its clock is `Date.now()`, which fake timers also control.
 */
export const globalThisHost: LoopHost = {
  now: () => Date.now(),
  soon(fn) {
    const g = globalThis as unknown as TimerGlobals;
    let live = true;
    const run = () => {
      if (live) fn();
    };
    if (typeof g.queueMicrotask === "function") g.queueMicrotask(run);
    else void Promise.resolve().then(run);
    return {
      unsubscribe() {
        live = false;
      },
    };
  },
  later(fn, ms) {
    const g = globalThis as unknown as TimerGlobals;
    const h = g.setTimeout(fn, ms);
    return { unsubscribe: () => g.clearTimeout(h) };
  },
  yieldToIO(fn) {
    const g = globalThis as unknown as TimerGlobals;
    if (typeof g.setImmediate === "function" && typeof g.clearImmediate === "function") {
      const h = g.setImmediate(fn);
      return { unsubscribe: () => g.clearImmediate!(h) };
    }
    const h = g.setTimeout(fn, 0);
    return { unsubscribe: () => g.clearTimeout(h) };
  },
};
