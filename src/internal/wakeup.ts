/**
 * The loop's single host wake-up. At most one is armed at a time: "soon" (a
 * microtask-like turn), "yield" (after the host's I/O), or "at" a loop time. A
 * loop with nothing to do holds none, so an idle loop never keeps Node alive
 * and never leaks a timer across `TestScheduler.run` boundaries.
 */
import type { HostHandle, LoopHost } from "../host.js";

const NONE = 0;
const SOON = 1;
const AT = 2;
const YIELD = 3;

/** Host timers cannot wait longer than this; longer waits fire early and re-arm. */
const MAX_HOST_DELAY = 2 ** 31 - 1;

export class Wakeup {
  private _kind = NONE;
  private _when = Infinity;
  private _handle: HostHandle | null = null;
  private readonly _fire: () => void;

  constructor(
    private readonly _host: LoopHost,
    onWake: () => void,
    /** The loop's clock, in which `armAt` times are given. */
    private readonly _now: () => number,
  ) {
    this._fire = () => {
      this._handle = null;
      this._kind = NONE;
      this._when = Infinity;
      onWake();
    };
  }

  /** A "soon" or "yield" wake-up is armed: the loop will drain without more help. */
  get soonArmed(): boolean {
    return this._kind === SOON || this._kind === YIELD;
  }

  /** No wake-up is armed: the loop will not drain unless something calls into it. */
  get idle(): boolean {
    return this._kind === NONE;
  }

  /** The loop time an "at" wake-up is armed for (`Infinity` if none). */
  get laterWhen(): number {
    return this._kind === AT ? this._when : this._kind === NONE ? Infinity : -Infinity;
  }

  armSoon(): void {
    if (this._kind === SOON) return;
    this.disarm();
    this._kind = SOON;
    this._handle = this._host.soon(this._fire);
  }

  armYield(): void {
    if (this._kind === YIELD) return;
    this.disarm();
    this._kind = YIELD;
    const host = this._host;
    this._handle = host.yieldToIO ? host.yieldToIO(this._fire) : host.later(this._fire, 0);
  }

  armAt(when: number): void {
    if (this._kind === AT && this._when === when) return;
    this.disarm();
    this._kind = AT;
    this._when = when;
    this._handle = this._host.later(this._fire, Math.min(Math.max(0, when - this._now()), MAX_HOST_DELAY));
  }

  disarm(): void {
    if (this._handle !== null) {
      this._handle.unsubscribe();
      this._handle = null;
    }
    this._kind = NONE;
    this._when = Infinity;
  }
}
