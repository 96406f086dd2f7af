// p-queue: a promise queue with a concurrency limit (W3), back-pressure through
// onSizeLessThan (W4: the producer waits while 100 items are queued; the one
// consumer is the concurrency-1 worker), and concurrency 1 as a lock (W8).
// Zero-delay sleep: `await Promise.resolve()` in the strongest form,
// setImmediate in the "common" variant (as async/await).
import PQueue from "p-queue";
import { check, checkSum, CriticalSection, now, sumOf } from "../lib/workloads.mjs";
import { immediateTick, microtaskTick } from "./support.mjs";

/** The workloads with `tick` as the zero-delay hop. */
function build(tick) {
  return {
    async W3({ n, limit }) {
      const queue = new PQueue({ concurrency: limit });
      let running = 0;
      let peak = 0;
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) {
        jobs[i] = queue.add(async () => {
          if (++running > peak) peak = running;
          await tick();
          running--;
          return i;
        });
      }
      const results = await Promise.all(jobs);
      const ms = now() - t0;
      const sum = sumOf(results);
      checkSum(sum, n);
      check(peak === limit, `peak concurrency ${peak} != ${limit}`);
      return { value: ms, detail: { peak } };
    },

    async W4({ n, maxsize }) {
      const queue = new PQueue({ concurrency: 1 });
      let sum = 0;
      let count = 0;
      let maxQueued = 0;
      const t0 = now();
      for (let i = 0; i < n; i++) {
        if (queue.size >= maxsize) await queue.onSizeLessThan(maxsize);
        queue.add(() => { sum += i; count++; });
        if (queue.size > maxQueued) maxQueued = queue.size;
      }
      await queue.onIdle();
      const ms = now() - t0;
      check(count === n, `${count} of ${n} items consumed`);
      checkSum(sum, n);
      check(maxQueued <= maxsize, `queue grew to ${maxQueued} > ${maxsize}`);
      return { value: ms };
    },

    async W8({ tasks, rounds }) {
      const lock = new PQueue({ concurrency: 1 });
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
          for (let r = 0; r < rounds; r++) await lock.add(critical);
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
