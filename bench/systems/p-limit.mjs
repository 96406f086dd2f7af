// p-limit: the concurrency limit most Node code reaches for (W3), and
// pLimit(1) as a lock (W8). Zero-delay sleep: `await Promise.resolve()` in the
// strongest form, setImmediate in the "common" variant (as async/await).
import pLimit from "p-limit";
import { check, checkSum, CriticalSection, now, sumOf } from "../lib/workloads.mjs";
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
      const results = await Promise.all(jobs);
      const ms = now() - t0;
      const sum = sumOf(results);
      checkSum(sum, n);
      check(peak === limit, `peak concurrency ${peak} != ${limit}`);
      return { value: ms, detail: { peak } };
    },

    async W8({ tasks, rounds }) {
      const lock = pLimit(1);
      const cs = new CriticalSection();
      const critical = async () => {
        const v = cs.enter();
        await tick();
        cs.leave(v);
      };
      const t0 = now();
      const jobs = new Array(tasks);
      for (let t = 0; t < tasks; t++) {
        jobs[t] = (async () => {
          for (let r = 0; r < rounds; r++) await lock(critical);
        })();
      }
      await Promise.all(jobs);
      const ms = now() - t0;
      cs.verify(tasks * rounds);
      return { value: ms };
    },
  };
}

export const workloads = build(microtaskTick);

export const variants = { common: build(immediateTick) };
