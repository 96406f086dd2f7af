/** Shared test helpers: a host that counts its armed wake-ups, and a trace log. */
import { rxjsHost, type HostHandle, type LoopHost } from "../src/index.js";

/** Wraps a host and records how many wake-ups are armed at once. */
export function countingHost(inner: LoopHost = rxjsHost) {
  const stats = { armed: 0, maxArmed: 0, soon: 0, later: 0, laterDelays: [] as number[] };
  const wrap = (h: HostHandle, fired: { v: boolean }): HostHandle => ({
    unsubscribe() {
      if (!fired.v) {
        fired.v = true;
        stats.armed--;
      }
      h.unsubscribe();
    },
  });
  const arm = (make: (fn: () => void) => HostHandle, fn: () => void): HostHandle => {
    const fired = { v: false };
    stats.armed++;
    stats.maxArmed = Math.max(stats.maxArmed, stats.armed);
    return wrap(
      make(() => {
        if (!fired.v) {
          fired.v = true;
          stats.armed--;
        }
        fn();
      }),
      fired,
    );
  };
  const host: LoopHost = {
    now: () => inner.now(),
    soon: (fn) => {
      stats.soon++;
      return arm((f) => inner.soon(f), fn);
    },
    later: (fn, ms) => {
      stats.later++;
      stats.laterDelays.push(ms);
      return arm((f) => inner.later(f, ms), fn);
    },
    yieldToIO: (fn) => arm((f) => (inner.yieldToIO ? inner.yieldToIO(f) : inner.later(f, 0)), fn),
  };
  return { host, stats };
}

/** Busy-waits for `ms` of real time (for slow-callback detection only). */
export function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}
