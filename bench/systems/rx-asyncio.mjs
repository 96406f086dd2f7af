// rx-asyncio: generator coroutines on the library's own loop, from the
// compiled build (or from src/ through tsx when RX_BENCH_LIB=src).
// Zero-delay sleep = sleep(0). W1-W3 gather an array with gatherAll (the
// form for an array, as Promise.all is; gather(...items) spreads the array
// into arguments, which V8 refuses at about a million).
import { TestScheduler } from "rxjs/testing";
import { check, checkSum, CriticalSection, lcgDelays, NotAvailable, now, sumOf, triangle } from "../lib/workloads.mjs";
import { loadRxAsyncio } from "../lib/load-rx-asyncio.mjs";
import { executorWorkload } from "../lib/executor-hook.mjs";
import { deepEqualOrThrow } from "../lib/marbles.mjs";

const lib = loadRxAsyncio();
const { run, sleep, createTask, getRunningLoop } = lib;

function need(...names) {
  for (const name of names) {
    if (typeof lib[name] !== "function") throw new NotAvailable(`n/a (not built): rx-asyncio has no ${name} yet`);
  }
}

/** Awaits every task and returns their results: gatherAll (or gather) when built, else a loop. */
function* collect(coros) {
  if (typeof lib.gatherAll === "function") return yield* lib.gatherAll(coros);
  if (typeof lib.gather === "function") return yield* lib.gather(...coros);
  const tasks = coros.map((c) => createTask(c));
  const out = new Array(tasks.length);
  for (let i = 0; i < tasks.length; i++) out[i] = yield* tasks[i];
  return out;
}

function* valueAfterTick(i) {
  yield* sleep(0);
  return i;
}

function* valueAfter(ms, i) {
  yield* sleep(ms);
  return i;
}

let parkedCount = 0;
function* parked(ms) {
  parkedCount++;
  yield* sleep(ms);
}

/** W2's body, shared by W9 (the same program on the virtual clock). */
function timersMain(delays) {
  return function* main() {
    const coros = new Array(delays.length);
    for (let i = 0; i < delays.length; i++) coros[i] = valueAfter(delays[i], i);
    const results = yield* collect(coros);
    return { sum: sumOf(results), loopTime: getRunningLoop().time() };
  };
}

/** Cancels every task and waits until all are done (asyncio.wait: no exception raised). */
function* cancelAll(tasks) {
  for (let i = 0; i < tasks.length; i++) tasks[i].cancel();
  if (typeof lib.wait === "function") {
    yield* lib.wait(tasks);
    return;
  }
  for (const t of tasks) {
    try {
      yield* t;
    } catch (e) {
      if (!(e instanceof lib.CancelledError)) throw e;
    }
  }
}

export const workloads = {
  async W1({ n }) {
    const t0 = now();
    const sum = await run(function* () {
      const coros = new Array(n);
      for (let i = 0; i < n; i++) coros[i] = valueAfterTick(i);
      return sumOf(yield* collect(coros));
    });
    const ms = now() - t0;
    checkSum(sum, n);
    return { value: ms, detail: { gather: typeof lib.gather === "function" } };
  },

  async W2({ n, maxDelay }) {
    const delays = lcgDelays(n, maxDelay);
    const longest = Math.max(...delays);
    const t0 = now();
    const { sum } = await run(timersMain(delays));
    const ms = now() - t0;
    checkSum(sum, n);
    check(ms >= longest - 2, `finished in ${ms} ms, before the longest sleep (${longest} ms)`);
    return { value: ms - longest, detail: { wallMs: ms, longest } };
  },

  async W3({ n, limit }) {
    need("Semaphore");
    const sem = new lib.Semaphore(limit);
    let running = 0;
    let peak = 0;
    function* job(i) {
      yield* sem.acquire();
      try {
        if (++running > peak) peak = running;
        yield* sleep(0);
        running--;
        return i;
      } finally {
        sem.release();
      }
    }
    const t0 = now();
    const sum = await run(function* () {
      const coros = new Array(n);
      for (let i = 0; i < n; i++) coros[i] = job(i);
      return sumOf(yield* collect(coros));
    });
    const ms = now() - t0;
    checkSum(sum, n);
    check(peak === limit, `peak concurrency ${peak} != ${limit}`);
    return { value: ms, detail: { peak } };
  },

  async W4({ n, maxsize }) {
    need("Queue");
    const t0 = now();
    const sum = await run(function* () {
      const q = new lib.Queue(maxsize);
      const producer = createTask(function* () {
        for (let i = 0; i < n; i++) yield* q.put(i);
      });
      const consumer = createTask(function* () {
        let s = 0;
        for (let i = 0; i < n; i++) s += yield* q.get();
        return s;
      });
      yield* producer;
      return yield* consumer;
    });
    const ms = now() - t0;
    checkSum(sum, n);
    return { value: ms };
  },

  async W5({ handoffs }) {
    need("Queue");
    const half = handoffs / 2;
    const t0 = now();
    const last = await run(function* () {
      const ab = new lib.Queue(1);
      const ba = new lib.Queue(1);
      const a = createTask(function* () {
        let token = 0;
        yield* ab.put(token);
        for (let i = 0; i < half; i++) {
          token = yield* ba.get();
          if (i < half - 1) yield* ab.put(token + 1);
        }
        return token;
      });
      const b = createTask(function* () {
        for (let i = 0; i < half; i++) {
          const token = yield* ab.get();
          yield* ba.put(token + 1);
        }
      });
      yield* b;
      return yield* a;
    });
    const ms = now() - t0;
    check(last === handoffs - 1, `last token ${last} != ${handoffs - 1}`);
    return { value: handoffs / (ms / 1000), detail: { wallMs: ms } };
  },

  async W6({ n, sleep: ms }) {
    const res = await run(function* () {
      const tasks = new Array(n);
      parkedCount = 0;
      for (let i = 0; i < n; i++) tasks[i] = createTask(parked(ms));
      yield* sleep(0); // every task has run its first step: all are asleep
      check(parkedCount === n, `${parkedCount} of ${n} tasks asleep before the cancel`);
      const t0 = now();
      yield* cancelAll(tasks);
      const elapsed = now() - t0;
      let cancelled = 0;
      for (const t of tasks) if (t.cancelled()) cancelled++;
      return { elapsed, cancelled };
    });
    check(res.cancelled === n, `${res.cancelled} of ${n} tasks cancelled`);
    return { value: res.elapsed };
  },

  async W7({ n, sleep: ms }, ctx) {
    const bytes = await run(function* () {
      const base = ctx.heap();
      const tasks = new Array(n);
      parkedCount = 0;
      for (let i = 0; i < n; i++) tasks[i] = createTask(parked(ms));
      yield* sleep(0);
      check(parkedCount === n, `${parkedCount} of ${n} tasks asleep`);
      const perTask = (ctx.heap() - base) / n;
      yield* cancelAll(tasks);
      return perTask;
    });
    return { value: bytes };
  },

  async W8({ tasks, rounds }) {
    need("Lock");
    const lock = new lib.Lock();
    const cs = new CriticalSection();
    function* worker() {
      for (let r = 0; r < rounds; r++) {
        yield* lock.acquire();
        try {
          const v = cs.enter();
          yield* sleep(0);
          cs.leave(v);
        } finally {
          lock.release();
        }
      }
    }
    const t0 = now();
    await run(function* () {
      const ts = new Array(tasks);
      for (let t = 0; t < tasks; t++) ts[t] = createTask(worker());
      for (const t of ts) yield* t;
    });
    const ms = now() - t0;
    cs.verify(tasks * rounds);
    return { value: ms };
  },

  async W9({ n, maxDelay }) {
    const delays = lcgDelays(n, maxDelay);
    const longest = Math.max(...delays);
    const t0 = now();
    const { sum, loopTime } = await run(timersMain(delays), { clock: "virtual" });
    const ms = now() - t0;
    checkSum(sum, n);
    check(loopTime >= longest, `virtual clock at ${loopTime}, before the longest sleep (${longest})`);
    return { value: ms, detail: { virtualMs: loopTime } };
  },

  async W10({ n, maxDelay }) {
    if (typeof lib.task !== "function") throw new NotAvailable("n/a (not built): rx-asyncio has no task()");
    const delays = lcgDelays(n, maxDelay);
    const longest = Math.max(...delays);
    const scheduler = new TestScheduler(deepEqualOrThrow);
    const t0 = now();
    scheduler.run(({ expectObservable }) => {
      const main = lib.task(function* () {
        const coros = new Array(n);
        for (let i = 0; i < n; i++) coros[i] = valueAfter(delays[i], i);
        return sumOf(yield* collect(coros));
      });
      expectObservable(main).toBe(`${longest}ms (a|)`, { a: triangle(n) });
    });
    const ms = now() - t0;
    return { value: ms };
  },

  // W12: async-function tasks (each runs inside AsyncLocalStorage so that its
  // continuations see their loop), against plain async functions and Promise.all.
  async W12({ n }) {
    const t0 = now();
    const sum = await run(function* () {
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) {
        tasks[i] = createTask(async () => {
          await Promise.resolve();
          return i;
        });
      }
      return sumOf(yield* collect(tasks));
    });
    const ms = now() - t0;
    checkSum(sum, n);
    return { value: ms };
  },

  // W11: bench/executor.ts (the executor issue's benchmark), run as it is.
  async W11(size) {
    return executorWorkload(size);
  },
};
