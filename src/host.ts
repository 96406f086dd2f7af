/**
 * The loop's link to the outside world. The core never touches a global timer:
 * it asks its host for the time and for a single wake-up, so the same loop runs
 * on RxJS 7's schedulers (and inside `TestScheduler.run` with no setup), on
 * late-bound `globalThis` timers (Jest fake timers, RxJS 9), or on anything else.
 *
 * @module
 */
import { asapScheduler, asyncScheduler } from "rxjs";
import { hasMessageChannel, postMacrotask } from "./internal/macrotask.js";
import { pinnedRxjsHost } from "./internal/rx-clock.js";
import { perfNow } from "./internal/loop-checks.js";

/** A wake-up armed on a host; `unsubscribe()` disarms it. */
export interface HostHandle {
  unsubscribe(): void;
}

/** What an event loop needs from its environment. */
export interface LoopHost {
  /**
   * Current time in milliseconds, as RxJS's `scheduler.now()` gives it (the
   * wall clock on a real host): what the loop's `now()` returns.
   */
  now(): number;
  /**
   * A monotonic clock in milliseconds for the loop's `time()` and its timers,
   * where it differs from `now()`: a real host gives `performance.now()`, so
   * loop time never jumps with the wall clock and reads as "ms since start"
   * in traces (asyncio's `loop.time()` is `time.monotonic()`). Without it the
   * loop keeps time with `now()` (a virtual host's frames, a custom clock).
   */
  time?(): number;
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
  /**
   * The host as bound to the clock in effect now. A loop calls it once, when
   * it is created, and keeps the result: a host whose clock can change under
   * it (RxJS's, swapped by `TestScheduler.run`) pins itself here, so a
   * wake-up is always cancelled on the clock it was armed on.
   */
  pin?(): LoopHost;
  /**
   * The host's clock is virtual and orders same-time wake-ups by the order
   * they were armed (a TestScheduler): each loop timer fires at a place of
   * its own in that order (a wake-up of its own, or with `reserveOrder` a
   * reserved place), so its timers keep their place among the host's other
   * work of that frame.
   */
  perTimer?: boolean;
  /**
   * With `perTimer`: takes the host's next place in its arming order, without
   * arming anything yet (a TestScheduler's action index). Why: a host that
   * keeps its pending work sorted in one array (a TestScheduler re-sorts it on
   * every schedule) makes one wake-up per timer cost O(n^2) for n timers. With
   * places, a loop reserves one per timer when the timer is made and keeps a
   * single wake-up armed, for its earliest timer, at that timer's place
   * (`laterOrdered`): the same interleaving with the host's other work, one
   * pending host action instead of n (internal/timer-release.ts).
   */
  reserveOrder?(): number;
  /**
   * With `reserveOrder`: runs `fn` after `ms` milliseconds, at the place
   * `order` reserved, so among the host's work due at the same time it runs
   * where work armed when `order` was reserved would have run.
   */
  laterOrdered?(fn: () => void, ms: number, order: number): HostHandle;
  /**
   * With `reserveOrder`: the place of the host's first pending work if it is
   * due now (`Infinity` when nothing is due now, `-Infinity` when work of an
   * earlier time is still pending). A loop timer of this frame whose place is
   * before it has no host work between it and the timer that just fired, so
   * both are released together, into one drain (internal/timer-release.ts).
   */
  firstOrderNow?(): number;
}

/** Node's `setImmediate` (after I/O); browsers have none. */
function hasSetImmediate(): boolean {
  return typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function";
}

/**
 * `TestScheduler.run` swaps RxJS's clock and its timers together, so a clock
 * that is not the wall clock means the timers are virtual too (frames count
 * from 0; the wall clock is near 1.7e12 ms).
 */
function rxjsTimersAreReal(): boolean {
  return Math.abs(asyncScheduler.now() - Date.now()) < 60_000;
}

/**
 * The default host on RxJS 7: RxJS's clock. A loop pins it when created
 * (`pin()`): created inside `TestScheduler.run` (or inside a virtual-clock
 * `run()`), the loop runs in that run's virtual frames with no setup; created
 * outside, in real time, even while a TestScheduler later virtualizes RxJS.
 * Used unpinned (by hand), it follows whatever clock RxJS has at each call.
 *
 * Its yield (a drain past its budget) is an `asyncScheduler` timer in Node,
 * where the timers phase comes after I/O. In a browser it is a `MessageChannel`
 * task, which the page's rendering and input run between without the 4 ms clamp
 * of nested timers, except inside `TestScheduler.run`, whose virtual timers it
 * must stay on.
 */
export const rxjsHost: LoopHost = {
  now: () => asyncScheduler.now(),
  soon: (fn) => asapScheduler.schedule(fn),
  later: (fn, ms) => asyncScheduler.schedule(fn, ms),
  yieldToIO: (fn) =>
    !hasSetImmediate() && hasMessageChannel() && rxjsTimersAreReal() ? postMacrotask(fn) : asyncScheduler.schedule(fn, 0),
  pin: pinnedRxjsHost,
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
 * Its clock is `Date.now()`, its monotonic clock `performance.now()`, both of
 * which fake timers also control.
 */
export const globalThisHost: LoopHost = {
  now: () => Date.now(),
  time: perfNow,
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
    if (hasMessageChannel()) return postMacrotask(fn);
    const h = g.setTimeout(fn, 0);
    return { unsubscribe: () => g.clearTimeout(h) };
  },
};
