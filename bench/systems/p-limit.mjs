// p-limit: the concurrency limit most Node code reaches for (W3), and
// pLimit(1) as a lock (W8). Zero-delay sleep: `await Promise.resolve()` in the
// strongest form, setImmediate in the "common" variant (as async/await).
import pLimit from "p-limit";
import { limitedFigure, lockedRounds, now } from "../lib/workloads.mjs";
import { immediateTick, microtaskTick } from "./support.mjs";

/** The workloads with `tick` as the zero-delay hop. */
function build(tick) {
  return {
    async W3({ n, limit }) {
      const gate = pLimit(limit);
      let running = 0;
      let peak = 0;
      const job = async (i) => {
        if (++running > peak) peak = running;
        await tick();
        running--;
        return i;
      };
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) jobs[i] = gate(job, i);
      return limitedFigure(t0, await Promise.all(jobs), n, peak, limit);
    },

    W8(size) {
      return lockedRounds(size, pLimit(1), tick);
    },
  };
}

export const workloads = build(microtaskTick);

export const variants = { common: build(immediateTick) };
