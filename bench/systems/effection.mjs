// Effection 4: structured concurrency on generators. gather = all(), a task is
// spawn(), cancel = halt() (W6 halts the scope that owns the sleepers, the
// structured way to cancel a group). Zero-delay sleep = sleep(0) (a 0 ms
// setTimeout inside Effection). W5 uses createQueue (unbounded, but only one
// token is ever in flight, so it is a size-1 handoff).
import { all, createQueue, run, sleep, spawn, suspend } from "effection";
import { check, checkSum, lcgDelays, now, sumOf } from "../lib/workloads.mjs";

function* valueAfter(ms, i) {
  yield* sleep(ms);
  return i;
}

export const workloads = {
  async W1({ n }) {
    const t0 = now();
    const sum = await run(function* () {
      const ops = new Array(n);
      for (let i = 0; i < n; i++) ops[i] = valueAfter(0, i);
      return sumOf(yield* all(ops));
    });
    const ms = now() - t0;
    checkSum(sum, n);
    return { value: ms };
  },

  async W2({ n, maxDelay }) {
    const delays = lcgDelays(n, maxDelay);
    const longest = Math.max(...delays);
    const t0 = now();
    const sum = await run(function* () {
      const ops = new Array(n);
      for (let i = 0; i < n; i++) ops[i] = valueAfter(delays[i], i);
      return sumOf(yield* all(ops));
    });
    const ms = now() - t0;
    checkSum(sum, n);
    check(ms >= longest - 2, `finished in ${ms} ms, before the longest sleep (${longest} ms)`);
    return { value: ms - longest, detail: { wallMs: ms, longest } };
  },

  async W5({ handoffs }) {
    const half = handoffs / 2;
    const t0 = now();
    const last = await run(function* () {
      const ab = createQueue();
      const ba = createQueue();
      const b = yield* spawn(function* () {
        for (let i = 0; i < half; i++) {
          const { value } = yield* ab.next();
          ba.add(value + 1);
        }
      });
      let token = 0;
      ab.add(token);
      for (let i = 0; i < half; i++) {
        token = (yield* ba.next()).value;
        if (i < half - 1) ab.add(token + 1);
      }
      yield* b;
      return token;
    });
    const ms = now() - t0;
    check(last === handoffs - 1, `last token ${last} != ${handoffs - 1}`);
    return { value: handoffs / (ms / 1000), detail: { wallMs: ms } };
  },

  async W6({ n, sleep: ms }) {
    let finished = 0;
    let started = 0;
    function* sleeper() {
      started++;
      try {
        yield* sleep(ms);
      } finally {
        finished++;
      }
    }
    const elapsed = await run(function* () {
      const group = yield* spawn(function* () {
        for (let i = 0; i < n; i++) yield* spawn(sleeper);
        yield* suspend();
      });
      while (started < n) yield* sleep(1); // every sleeper is asleep
      const t0 = now();
      yield* group.halt();
      return now() - t0;
    });
    check(finished === n, `${finished} of ${n} tasks finished their cleanup`);
    return { value: elapsed };
  },

  async W7({ n, sleep: ms }, ctx) {
    let finished = 0;
    let started = 0;
    function* sleeper() {
      started++;
      try {
        yield* sleep(ms);
      } finally {
        finished++;
      }
    }
    const bytes = await run(function* () {
      const base = ctx.heap();
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) tasks[i] = yield* spawn(sleeper);
      while (started < n) yield* sleep(1); // every sleeper is asleep
      const perTask = (ctx.heap() - base) / n;
      for (const t of tasks) yield* t.halt();
      return perTask;
    });
    check(finished === n, `${finished} of ${n} tasks halted`);
    return { value: bytes };
  },
};
