// Plain Node async/await: the baseline every ratio is taken against. The
// semaphore, queue and lock are the small promise-based ones a JavaScript
// developer writes by hand.
//
// Two forms (bench/lib/workloads.mjs, SYSTEMS): the strongest, whose ratios
// decide the targets, hops with `await Promise.resolve()` (a microtask: never
// yields to I/O or timers, so it is cheaper than any real yield) and cancels
// with one shared abort reason; the "common" variant hops with setImmediate (a
// full turn of Node's event loop) and calls abort() with no reason, which
// builds a DOMException with a stack per task.
import { AsyncLocalStorage } from "node:async_hooks";
import { check, checkSum, CriticalSection, lcgDelays, now, sumOf } from "../lib/workloads.mjs";
import { immediateTick, microtaskTick } from "./support.mjs";

/**
 * A cancellable sleep as MDN shows it (AbortSignal + clearTimeout). Node's own
 * `timers/promises` version is about 3x slower to cancel (it builds an
 * AbortError with a stack per sleep), which would flatter every other column.
 */
function sleepFor(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); }, { once: true });
  });
}

/** A FIFO of resolvers with an index head, so taking the first is O(1). */
class Waiters {
  constructor() {
    this.items = [];
    this.head = 0;
  }
  get size() {
    return this.items.length - this.head;
  }
  push(x) {
    this.items.push(x);
  }
  shift() {
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

class Semaphore {
  constructor(permits) {
    this.permits = permits;
    this.waiters = new Waiters();
  }
  acquire() {
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    // Hand the permit straight to the first waiter.
    if (this.waiters.size > 0) this.waiters.shift()();
    else this.permits++;
  }
}

class BoundedQueue {
  constructor(maxsize) {
    this.maxsize = maxsize;
    this.items = new Waiters();
    this.getters = new Waiters();
    this.putters = new Waiters();
  }
  async put(x) {
    while (this.items.size >= this.maxsize) await new Promise((resolve) => this.putters.push(resolve));
    this.items.push(x);
    if (this.getters.size > 0) this.getters.shift()();
  }
  async get() {
    while (this.items.size === 0) await new Promise((resolve) => this.getters.push(resolve));
    const x = this.items.shift();
    if (this.putters.size > 0) this.putters.shift()();
    return x;
  }
}

/** The workloads with `tick` as the zero-delay hop and `abort(ac)` as the cancel. */
function build({ tick, abort, isAbort }) {
  return {
    async W1({ n }) {
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) jobs[i] = (async () => { await tick(); return i; })();
      const results = await Promise.all(jobs);
      const sum = sumOf(results);
      const ms = now() - t0;
      checkSum(sum, n);
      return { value: ms };
    },

    async W2({ n, maxDelay }) {
      const delays = lcgDelays(n, maxDelay);
      const longest = Math.max(...delays);
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) jobs[i] = (async () => { await sleepFor(delays[i]); return i; })();
      const results = await Promise.all(jobs);
      const ms = now() - t0;
      const sum = sumOf(results);
      checkSum(sum, n);
      check(ms >= longest - 2, `finished in ${ms} ms, before the longest sleep (${longest} ms)`);
      return { value: ms - longest, detail: { wallMs: ms, longest } };
    },

    async W3({ n, limit }) {
      const sem = new Semaphore(limit);
      let running = 0;
      let peak = 0;
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) {
        jobs[i] = (async () => {
          await sem.acquire();
          try {
            if (++running > peak) peak = running;
            await tick();
            running--;
            return i;
          } finally {
            sem.release();
          }
        })();
      }
      const results = await Promise.all(jobs);
      const ms = now() - t0;
      const sum = sumOf(results);
      checkSum(sum, n);
      check(peak === limit, `peak concurrency ${peak} != ${limit}`);
      return { value: ms, detail: { peak } };
    },

    async W4({ n, maxsize }) {
      const q = new BoundedQueue(maxsize);
      const t0 = now();
      const producer = (async () => {
        for (let i = 0; i < n; i++) await q.put(i);
      })();
      const consumer = (async () => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await q.get();
        return sum;
      })();
      const [, sum] = await Promise.all([producer, consumer]);
      const ms = now() - t0;
      checkSum(sum, n);
      return { value: ms };
    },

    async W5({ handoffs }) {
      const ab = new BoundedQueue(1);
      const ba = new BoundedQueue(1);
      const half = handoffs / 2;
      const t0 = now();
      const a = (async () => {
        let token = 0;
        await ab.put(token);
        for (let i = 0; i < half; i++) {
          token = await ba.get();
          if (i < half - 1) await ab.put(token + 1);
        }
        return token;
      })();
      const b = (async () => {
        for (let i = 0; i < half; i++) {
          const token = await ab.get();
          await ba.put(token + 1);
        }
      })();
      const [last] = await Promise.all([a, b]);
      const ms = now() - t0;
      check(last === handoffs - 1, `last token ${last} != ${handoffs - 1}`);
      return { value: handoffs / (ms / 1000), detail: { wallMs: ms } };
    },

    async W6({ n, sleep }) {
      const controllers = new Array(n);
      const jobs = new Array(n);
      let cancelled = 0;
      for (let i = 0; i < n; i++) {
        const ac = new AbortController();
        controllers[i] = ac;
        jobs[i] = (async () => {
          try {
            await sleepFor(sleep, ac.signal);
          } catch (e) {
            if (isAbort(e)) cancelled++;
            else throw e;
          }
        })();
      }
      await tick();
      const t0 = now();
      for (let i = 0; i < n; i++) abort(controllers[i]);
      await Promise.all(jobs);
      const ms = now() - t0;
      check(cancelled === n, `${cancelled} of ${n} tasks saw the cancellation`);
      return { value: ms };
    },

    async W7({ n, sleep }, ctx) {
      const base = ctx.heap();
      const controllers = new Array(n);
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) {
        const ac = new AbortController();
        controllers[i] = ac;
        jobs[i] = (async () => {
          try {
            await sleepFor(sleep, ac.signal);
          } catch {
            /* cancelled at the end */
          }
        })();
      }
      await tick();
      const bytes = (ctx.heap() - base) / n;
      for (let i = 0; i < n; i++) abort(controllers[i]);
      await Promise.all(jobs);
      return { value: bytes };
    },

    async W8({ tasks, rounds }) {
      const lock = new Semaphore(1);
      const cs = new CriticalSection();
      const t0 = now();
      const jobs = new Array(tasks);
      for (let t = 0; t < tasks; t++) {
        jobs[t] = (async () => {
          for (let r = 0; r < rounds; r++) {
            await lock.acquire();
            try {
              const v = cs.enter();
              await tick();
              cs.leave(v);
            } finally {
              lock.release();
            }
          }
        })();
      }
      await Promise.all(jobs);
      const ms = now() - t0;
      cs.verify(tasks * rounds);
      return { value: ms };
    },
  };
}

/**
 * W12's peer: n plain async functions, each awaiting one resolved promise,
 * and Promise.all. With `als`, each runs inside AsyncLocalStorage.run() (what
 * rx-asyncio does for an async-function task so that its continuations see
 * their loop): the difference is what AsyncLocalStorage itself costs.
 */
function asyncTasks(als) {
  return async ({ n }) => {
    const t0 = now();
    const jobs = new Array(n);
    const body = async (i) => {
      await Promise.resolve();
      return i;
    };
    if (als === null) for (let i = 0; i < n; i++) jobs[i] = body(i);
    else for (let i = 0; i < n; i++) jobs[i] = als.run({ i }, body, i);
    const sum = sumOf(await Promise.all(jobs));
    const ms = now() - t0;
    checkSum(sum, n);
    return { value: ms };
  };
}

/** One reason for every cancel: what a program that cancels in bulk passes. */
const sharedReason = new Error("cancelled");
sharedReason.name = "AbortError";

export const workloads = {
  ...build({
    tick: microtaskTick,
    abort: (ac) => ac.abort(sharedReason),
    isAbort: (e) => e === sharedReason,
  }),
  W12: asyncTasks(null),
};

export const variants = {
  common: build({
    tick: immediateTick,
    abort: (ac) => ac.abort(),
    isAbort: (e) => e?.name === "AbortError",
  }),
  als: { W12: asyncTasks(new AsyncLocalStorage()) },
};
