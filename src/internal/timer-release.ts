/**
 * When a loop's timers fire on a host that orders same-time work by the order
 * it was armed (`LoopHost.perTimer`: inside `TestScheduler.run`).
 *
 * There a loop timer must run in its place among RxJS's own work of the same
 * frame, as an `asyncScheduler` action armed when the timer was made would:
 * `merge(timer(1, loop), timer(3, loop), cold("---c"))` gives t3 before c, as
 * with asyncScheduler (bug 5 of issue 14). Arming one host action per timer
 * does that, but a TestScheduler keeps its actions in one array that it
 * re-sorts on every schedule, so n pending timers cost O(n^2) (20,000 sleeps
 * in one `TestScheduler.run`, the W10 benchmark: 175 ms became 12-31 s;
 * issue 20).
 *
 * So on a host that can reserve a place in its order (`reserveOrder` /
 * `laterOrdered`, a TestScheduler) a timer takes its place when it is made
 * (the reserved place is its `_seq`) and only the earliest timer holds an
 * armed action, at that place: its sort key (frame, place) is the one a
 * per-timer action would have had, so RxJS's work interleaves exactly as
 * before, and the TestScheduler holds one loop action instead of n. When it
 * fires, it releases its timer and every earlier one, then arms the next
 * (the "chain"). A timer made already due (`callAt` a past time) keeps an
 * action of its own at its place: its place (now) sorts it apart from its
 * time (the past), so it cannot wait behind the chain. On a host without
 * places (a virtual-clock `run()`'s RxJS clock) every timer has its own
 * action, as before.
 *
 * Released timers leave the heap at once, into a queue a drain empties into
 * the ready queue: the chain's next timer is then simply the heap's top. When
 * the chain fires it also releases the following timers of its frame that
 * have no host work between them and it (`_releaseRun`): one drain for a run
 * of timers, not one per timer.
 *
 * @module
 */
import type { HostHandle, LoopHost } from "../host.js";
import { RingQueue } from "./ring-queue.js";
import { TIMER_ON, timerBefore, type TimerEntry, type TimerHeap } from "./timer-heap.js";

export class TimerRelease<T extends TimerEntry> {
  /** Timers whose turn has come, out of the heap, in order, until a drain makes them ready. */
  private readonly _queue = new RingQueue<T>(16);
  /** The host can reserve places (`reserveOrder` + `laterOrdered`): one armed action for all timers. */
  private readonly _ordered: boolean;
  /** The chain's armed action, and the timer it is armed for (or null). */
  private _armed: HostHandle | null = null;
  private _target: T | null = null;
  /** Scheduling order, where the host reserves none. */
  private _seq = 0;
  /** The chain's action: one function for the loop's life, not a closure per timer. */
  private readonly _fireChain = (): void => {
    const t = this._target!;
    this._armed = null;
    this._target = null;
    this._release(t);
    this._releaseRun(t);
    // Everything up to `t` is out of the heap, so its top is the earliest
    // timer left: a timer made already due sorts before `t` (its time is
    // before `t`'s frame, which is now) and has just been released.
    const next = this._timers.peek();
    if (next !== undefined) this._arm(next);
    if (this._queue.length > 0) this._onRelease();
  };

  constructor(
    private readonly _host: LoopHost,
    private readonly _timers: TimerHeap<T>,
    /** The loop's clock: the host's frame. */
    private readonly _clock: () => number,
    /** Timers were released: the loop drains if it can. */
    private readonly _onRelease: () => void,
  ) {
    this._ordered =
      typeof _host.reserveOrder === "function" && typeof _host.laterOrdered === "function" && typeof _host.firstOrderNow === "function";
  }

  /** The `_seq` of a new timer: its place in the host's order, where the host has places. */
  nextSeq(): number {
    return this._ordered ? this._host.reserveOrder!() : this._seq++;
  }

  /** `entry` (with its `_seq` from `nextSeq`) was pushed on the heap. */
  added(entry: T): void {
    const host = this._host;
    const delay = entry._when - this._clock();
    if (!this._ordered) {
      host.later(() => this._fire(entry), Math.max(0, delay));
    } else if (delay < 0) {
      host.laterOrdered!(() => this._fire(entry), 0, entry._seq);
    } else {
      // On the chain, heap order is firing order: time, then place.
      const t = this._target;
      if (t === null || timerBefore(entry, t)) this._arm(entry);
    }
  }

  /** Released timers wait for a drain. */
  get pending(): boolean {
    return this._queue.length > 0;
  }

  /** Moves the released timers to the back of `ready`, in order. */
  takeInto(ready: { push(item: T): void }): void {
    const q = this._queue;
    while (q.length > 0) ready.push(q.shift()!);
  }

  /** The loop is closing: disarms the chain and forgets released timers. */
  close(): void {
    if (this._armed !== null) this._armed.unsubscribe();
    this._armed = null;
    this._target = null;
    this._queue.clear();
  }

  /** Arms the chain for `entry`, replacing the action armed for a later timer. */
  private _arm(entry: T): void {
    if (this._armed !== null) this._armed.unsubscribe();
    this._target = entry;
    this._armed = this._host.laterOrdered!(this._fireChain, Math.max(0, entry._when - this._clock()), entry._seq);
  }

  /** The action of one timer (no chain, or a timer made due): releases up to it. */
  private _fire(entry: T): void {
    this._release(entry);
    if (this._queue.length > 0) this._onRelease();
  }

  /**
   * After the chain fired for `t`: also releases the timers of the same frame
   * that sort before the host's next work, so a run of timers with no host
   * work between them is one release and one drain, not one armed action and
   * one drain per timer (20,000 sleeps over 201 frames in one
   * `TestScheduler.run`: 201 firings instead of 20,000). RxJS's work keeps its
   * place: host work due now sorts after the last timer released, and work a
   * drain schedules now takes a new, later place. Within the run the timers'
   * callbacks run in heap order, then what they made ready: as on a real
   * clock, where timers due at the same time join the ready queue together
   * (asyncio's `_run_once`). Only at `t`'s own frame (time exactly `t`'s, and
   * the host's clock there): the host must not look as if it had moved on.
   */
  private _releaseRun(t: TimerEntry): void {
    const when = t._when;
    if (when !== this._clock()) return;
    const limit = this._host.firstOrderNow!();
    const timers = this._timers;
    const q = this._queue;
    for (let top = timers.peek(); top !== undefined && top._when === when && top._seq < limit; top = timers.peek()) {
      timers.pop();
      top._flags &= ~TIMER_ON;
      q.push(top);
    }
  }

  /**
   * Takes from the heap every live timer up to `upTo` in heap order, `upTo`
   * included if it is still live: its action fired, so its turn and theirs has
   * come. No clock test: the host fired it at its frame, and comparing that
   * frame with a deadline computed as `now + delay` could miss by a rounding.
   */
  private _release(upTo: TimerEntry): void {
    const timers = this._timers;
    const q = this._queue;
    for (let top = timers.peek(); top !== undefined && !timerBefore(upTo, top); top = timers.peek()) {
      timers.pop();
      top._flags &= ~TIMER_ON;
      q.push(top);
    }
  }
}
