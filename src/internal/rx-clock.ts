/**
 * RxJS's clock, as its providers define it. RxJS 7 routes every timer of its
 * `asyncScheduler` (and `Date.now()` of its schedulers) through four small
 * provider objects; `TestScheduler.run` swaps their delegates for virtual ones
 * for the duration of the callback. So "the clock RxJS uses right now" is a
 * value: the delegates in effect. This module names that value (a clock
 * domain), builds a host pinned to one domain, and installs a virtual-clock
 * loop as a domain of its own.
 *
 * Why pin: a loop armed a wake-up in one domain must cancel it in the same one.
 * A wake-up armed on the real clock and cancelled while `TestScheduler.run`
 * had swapped the providers was cleared on the TestScheduler: the real
 * interval kept firing ("executing a cancelled action") and the loop then armed
 * a real-epoch wake-up on the TestScheduler. A loop keeps the clock it was
 * created under; `rxLoop()` keeps one loop per domain.
 *
 * @module
 */
import { dateTimestampProvider } from "rxjs/internal/scheduler/dateTimestampProvider";
import { immediateProvider } from "rxjs/internal/scheduler/immediateProvider";
import { intervalProvider } from "rxjs/internal/scheduler/intervalProvider";
import { timeoutProvider } from "rxjs/internal/scheduler/timeoutProvider";
import { VirtualAction, VirtualTimeScheduler } from "rxjs";
import type { HostHandle, LoopHost } from "../host.js";
import { RuntimeError } from "../errors.js";
import { hasMessageChannel, postMacrotask } from "./macrotask.js";
import { perfNow } from "./loop-checks.js";

type TimerFn = (handler: () => void, timeout?: number) => unknown;
type ClearFn = (handle: unknown) => void;

interface TimeoutDelegate {
  setTimeout: TimerFn;
  clearTimeout: ClearFn;
}
interface IntervalDelegate {
  setInterval: TimerFn;
  clearInterval: ClearFn;
}
interface ImmediateDelegate {
  setImmediate: (handler: () => void) => unknown;
  clearImmediate: ClearFn;
}

/** The delegates in effect: `undefined` everywhere is the real clock. */
interface Domain {
  date: { now(): number } | undefined;
  timeout: TimeoutDelegate | undefined;
  interval: IntervalDelegate | undefined;
  immediate: ImmediateDelegate | undefined;
}

/**
 * The clock RxJS uses right now, as an identity: `null` for the real clock,
 * else the object (a `TestScheduler.run`'s timeout delegate, or a virtual
 * loop's) that stands for it.
 */
export function rxClockDomain(): object | null {
  return (timeoutProvider.delegate as object | undefined) ?? null;
}

interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
  setImmediate?: (fn: () => void) => unknown;
  clearImmediate?: (h: unknown) => void;
}

const globals = globalThis as unknown as TimerGlobals;

/** Settles `fn` through a handle that can be cancelled before it runs. */
function microtask(fn: () => void): HostHandle {
  let live = true;
  void Promise.resolve().then(() => {
    if (live) fn();
  });
  return {
    unsubscribe() {
      live = false;
    },
  };
}

/**
 * A real-clock wake-up (a timer, `setImmediate`, a message) whose function
 * runs in a microtask queued from the macrotask, not in the macrotask itself.
 *
 * Why: V8 unwinds a throw about 1.6x slower in a macrotask callback than in a
 * microtask (Node 20: 100,000 `generator.throw()` into parked generators,
 * ~100 ms from `setImmediate`, ~60 ms from `queueMicrotask`, the same with
 * `--stack-trace-limit=0`), and a drain throws a `CancelledError` into every
 * cancelled task (issue 20's W6: 100,000 cancellations). The microtask runs
 * as soon as the macrotask returns, before any other macrotask, so nothing
 * else changes: I/O, timers and rendering still get their turn between two
 * drains, and promise continuations queued by a drain still run after it.
 */
class MicrotaskHop {
  private _live = true;
  constructor(private readonly _fn: () => void) {}

  readonly fire = (): void => {
    if (this._live) void Promise.resolve().then(this._run);
  };

  private readonly _run = (): void => {
    if (this._live) this._fn();
  };

  /** The handle: cancels the macrotask with `cancel`, and the hop if it is queued already. */
  cancelling(cancel: () => void): HostHandle {
    return {
      unsubscribe: () => {
        this._live = false;
        cancel();
      },
    };
  }
}

/**
 * A host pinned to the RxJS clock in effect now. On the real clock it uses
 * the global timers, looked up at each call (so Jest's fake timers drive it);
 * inside `TestScheduler.run` it uses that run's virtual delegates, which order
 * same-frame work by the order it was armed: the loop then gives each timer
 * its own place in that order (`perTimer`, and on a TestScheduler
 * `reserveOrder` / `laterOrdered`), so its timers keep their place among
 * RxJS's own.
 */
export function pinnedRxjsHost(): LoopHost {
  const d: Domain = {
    date: dateTimestampProvider.delegate,
    timeout: timeoutProvider.delegate as TimeoutDelegate | undefined,
    interval: intervalProvider.delegate as IntervalDelegate | undefined,
    immediate: immediateProvider.delegate as ImmediateDelegate | undefined,
  };
  const timeout = d.timeout;
  if (timeout === undefined) {
    return {
      now: () => Date.now(),
      // Loop time and timers: monotonic, immune to wall-clock steps.
      time: perfNow,
      soon: microtask,
      later(fn, ms) {
        const hop = new MicrotaskHop(fn);
        const h = globals.setTimeout(hop.fire, ms);
        return hop.cancelling(() => globals.clearTimeout(h));
      },
      yieldToIO(fn) {
        const hop = new MicrotaskHop(fn);
        if (typeof globals.setImmediate === "function" && typeof globals.clearImmediate === "function") {
          const h = globals.setImmediate(hop.fire);
          return hop.cancelling(() => globals.clearImmediate!(h));
        }
        // A browser: a MessageChannel task, which rendering and input run
        // between, without the 4 ms clamp of nested timers.
        if (hasMessageChannel()) {
          const h = postMacrotask(hop.fire);
          return hop.cancelling(() => h.unsubscribe());
        }
        const h = globals.setTimeout(hop.fire, 0);
        return hop.cancelling(() => globals.clearTimeout(h));
      },
    };
  }
  const date = d.date ?? { now: () => Date.now() };
  const later = (fn: () => void, ms: number): HostHandle => {
    const h = timeout.setTimeout(fn, ms);
    return { unsubscribe: () => timeout.clearTimeout(h) };
  };
  const immediate = d.immediate;
  return {
    now: () => date.now(),
    soon:
      immediate === undefined
        ? (fn) => later(fn, 0)
        : (fn) => {
            const h = immediate.setImmediate(fn);
            return { unsubscribe: () => immediate.clearImmediate(h) };
          },
    later,
    yieldToIO: (fn) => later(fn, 0),
    perTimer: true,
    ...orderedOn(d.date),
  };
}

/**
 * Inside `TestScheduler.run` RxJS's clock is the TestScheduler itself, which
 * sorts its actions by (frame, index) and hands out indexes in arming order:
 * a reserved index is a place, and an action made with it sorts there. The
 * virtual-clock loop's own clock (`installVirtualRxClock`) has no places.
 */
function orderedOn(date: unknown): Pick<LoopHost, "reserveOrder" | "laterOrdered" | "firstOrderNow"> {
  if (!(date instanceof VirtualTimeScheduler)) return {};
  const scheduler = date;
  // VirtualTimeScheduler's public `actions`, sorted by (delay, index): the
  // first is the next to run (a firing action is taken out before it runs).
  const actions = scheduler.actions as unknown as readonly { delay: number; index: number }[];
  return {
    firstOrderNow() {
      const first = actions[0];
      if (first === undefined) return Infinity;
      const frame = scheduler.frame;
      return first.delay > frame ? Infinity : first.delay === frame ? first.index : -Infinity;
    },
    reserveOrder: () => (scheduler.index += 1),
    laterOrdered(fn, ms, order) {
      // VirtualAction's constructor also sets the scheduler's counter to the
      // index it is given; put the counter back, or RxJS's next action would
      // take a place already handed out (and sort before timers made earlier).
      const index = scheduler.index;
      const action = new VirtualAction(scheduler, fn, order);
      scheduler.index = index;
      return action.schedule(undefined, ms);
    },
  };
}

/** The scheduling a virtual-clock loop offers RxJS's providers. */
export interface VirtualTimers {
  now(): number;
  /** Runs `fn` after `ms` of virtual time, again every `ms` if `repeat`; a handle to cancel. */
  arm(fn: () => void, ms: number, repeat: boolean): { cancel(): void };
}

let installed: VirtualTimers | null = null;

/**
 * Makes RxJS's default schedulers (`asyncScheduler`, hence `delay(100)`,
 * `interval(1000)`, `timer(5)` written without a scheduler) run on `clock`
 * until the returned function restores the providers. Refuses, with a
 * RuntimeError, while another virtual clock holds them (a `TestScheduler.run`
 * or another virtual-clock `run()`): two virtual clocks cannot both be
 * RxJS's clock, and silently picking one would run the other's timers at the
 * wrong times.
 */
export function installVirtualRxClock(clock: VirtualTimers, where: string): () => void {
  if (installed !== null || rxClockDomain() !== null || dateTimestampProvider.delegate !== undefined || intervalProvider.delegate !== undefined) {
    throw new RuntimeError(
      `${where}: RxJS's asyncScheduler is already virtual (inside TestScheduler.run or another virtual-clock run()); ` +
        "a virtual-clock run virtualizes it for its duration and cannot share it. Run them one after the other, or use the real clock",
    );
  }
  const handles = new Map<number, { cancel(): void }>();
  let next = 0;
  const arm = (repeat: boolean) => (handler: () => void, timeout = 0) => {
    const id = ++next;
    const ms = Number.isFinite(timeout) && timeout > 0 ? timeout : 0;
    handles.set(
      id,
      clock.arm(() => {
        if (!repeat) handles.delete(id);
        handler();
      }, ms, repeat),
    );
    return id;
  };
  const clear = (id: unknown) => {
    const h = handles.get(id as number);
    if (h !== undefined) {
      handles.delete(id as number);
      h.cancel();
    }
  };
  const date = { now: () => clock.now() };
  const timeout: TimeoutDelegate = { setTimeout: arm(false), clearTimeout: clear };
  const interval: IntervalDelegate = { setInterval: arm(true), clearInterval: clear };
  installed = clock;
  dateTimestampProvider.delegate = date;
  timeoutProvider.delegate = timeout as unknown as typeof timeoutProvider.delegate;
  intervalProvider.delegate = interval as unknown as typeof intervalProvider.delegate;
  return () => {
    if (installed !== clock) return;
    installed = null;
    for (const h of handles.values()) h.cancel();
    handles.clear();
    dateTimestampProvider.delegate = undefined;
    timeoutProvider.delegate = undefined;
    intervalProvider.delegate = undefined;
  };
}
