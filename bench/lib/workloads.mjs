// The workloads of shared/BENCH.md (W1..W8) plus W9..W11, their sizes per
// scale, their headline metric and the targets rx-asyncio is held to.
// Shared by the orchestrator (scripts/bench.mjs) and the child (bench/lib/run-one.mjs).

/**
 * The systems, in table order. `id` is what `--systems` takes. Each peer runs
 * in its strongest idiomatic form (the main table, and the form every target
 * ratio is taken against); `id@common` is the same module's "common" variant
 * (its `variants.common`), the form users write most where the two differ,
 * shown in a table of its own. `hop` says in one line what the system's
 * zero-delay hop does to fairness.
 */
export const SYSTEMS = [
  {
    id: "rx-asyncio", label: "rx-asyncio",
    hop: "`sleep(0)` requeues the task inside rx-asyncio's own loop, which yields to Node (I/O, timers) every 20 ms",
  },
  {
    id: "async-await", label: "async/await",
    hop: "`await Promise.resolve()`: a microtask, the cheapest hop there is; it never yields to I/O or timers (favours the peer)",
  },
  {
    id: "p-limit", label: "p-limit",
    hop: "`await Promise.resolve()` inside the limited function, as async/await",
  },
  {
    id: "p-queue", label: "p-queue",
    hop: "`await Promise.resolve()` inside the queued function, as async/await",
  },
  {
    id: "rxjs", label: "RxJS 7.8",
    hop: "`asapScheduler`: a microtask with a flat stack; never yields to I/O (favours the peer)",
  },
  {
    id: "effection", label: "Effection 4",
    hop: "`sleep(0)`: a 0 ms setTimeout, a full turn of Node's event loop per hop",
  },
  {
    id: "effect", label: "Effect 4",
    hop: "`Effect.yieldNow`: back to Effect's scheduler, which runs every queued fiber in one setImmediate batch",
  },
  {
    id: "async-await@common", label: "async/await, setImmediate", variant: "async-await",
    hop: "`setImmediate`: a full turn of Node's event loop per hop; W6 cancels with `abort()` (a DOMException per task)",
  },
  {
    id: "async-await@als", label: "async/await, AsyncLocalStorage", variant: "async-await",
    hop: "W12 only: each async function runs inside `AsyncLocalStorage.run()`, as rx-asyncio's async-function tasks do",
  },
  {
    id: "p-limit@common", label: "p-limit, setImmediate", variant: "p-limit",
    hop: "`setImmediate` inside the limited function",
  },
  {
    id: "p-queue@common", label: "p-queue, setImmediate", variant: "p-queue",
    hop: "`setImmediate` inside the queued function",
  },
  {
    id: "rxjs@common", label: "RxJS, asyncScheduler", variant: "rxjs",
    hop: "`asyncScheduler`, RxJS's default: a 0 ms delay becomes a 1 ms setInterval",
  },
];

/** The module and variant of a system id: "p-limit@common" is p-limit.mjs's `variants.common`. */
export function moduleOf(id) {
  const at = id.indexOf("@");
  return at < 0 ? { module: id, variant: null } : { module: id.slice(0, at), variant: id.slice(at + 1) };
}

/**
 * Probes: pseudo-systems with no column of their own, run (in fresh processes,
 * interleaved like the systems) beside the system whose figure they explain.
 * `floor` (bench/lib/floors.mjs) times what the engine alone costs.
 */
export const PROBES = {
  floor: { module: "floors.mjs", workloads: ["W2", "W6"], beside: "rx-asyncio" },
};

/**
 * Sizes per scale. `full` is BENCH.md's; `quick` is the `--quick` smoke run;
 * `smoke` is the tiny one of spec/bench-smoke.spec.ts (correctness only).
 */
const SIZES = {
  full: {
    W1: { n: 100_000 },
    W2: { n: 100_000, maxDelay: 200 },
    W3: { n: 100_000, limit: 100 },
    W4: { n: 1_000_000, maxsize: 100 },
    // RxJS turns each zero-delay hop into a 1 ms timer (~1,000 handoffs/s), so it
    // gets fewer handoffs; the metric is a rate, so the figure stays comparable.
    W5: { handoffs: 200_000, rxjsHandoffs: 2_000 },
    W6: { n: 100_000, sleep: 3_600_000 },
    W7: { n: 100_000, sleep: 3_600_000 },
    W8: { tasks: 1_000, rounds: 100 },
    W9: { n: 100_000, maxDelay: 200 },
    W10: { n: 20_000, maxDelay: 200 },
    W11: { jobs: 8, size: 32 },
    W12: { n: 100_000 },
  },
  quick: {
    W1: { n: 5_000 },
    W2: { n: 5_000, maxDelay: 200 },
    W3: { n: 5_000, limit: 100 },
    W4: { n: 100_000, maxsize: 100 },
    W5: { handoffs: 20_000, rxjsHandoffs: 200 },
    W6: { n: 5_000, sleep: 3_600_000 },
    W7: { n: 5_000, sleep: 3_600_000 },
    W8: { tasks: 100, rounds: 50 },
    W9: { n: 5_000, maxDelay: 200 },
    W10: { n: 4_000, maxDelay: 200 },
    W11: { jobs: 4, size: 28 },
    W12: { n: 5_000 },
  },
  smoke: {
    W1: { n: 300 },
    W2: { n: 300, maxDelay: 20 },
    W3: { n: 300, limit: 10 },
    W4: { n: 2_000, maxsize: 10 },
    W5: { handoffs: 200, rxjsHandoffs: 20 },
    W6: { n: 300, sleep: 3_600_000 },
    W7: { n: 300, sleep: 3_600_000 },
    W8: { tasks: 10, rounds: 10 },
    W9: { n: 300, maxDelay: 200 },
    W10: { n: 300, maxDelay: 200 },
    W11: { jobs: 2, size: 18 },
    W12: { n: 300 },
  },
};

/**
 * The workloads. `metric` names the headline figure; `better` is "lower" for
 * costs and "higher" for rates; `target` (rx-asyncio only) is either a ratio
 * to plain async/await measured in the same run, or an absolute bound.
 */
export const WORKLOADS = [
  {
    id: "W1", name: "spawn-gather", metric: "wall ms", better: "lower",
    what: "n tasks, each awaits one zero-delay sleep and returns i; gather all; check the sum",
    target: { kind: "ratio", max: 1.0 },
  },
  {
    id: "W2", name: "timers", metric: "overhead ms", better: "lower",
    what: "n tasks each sleep an LCG delay in [0, 200] ms; gather; figure = wall minus the longest sleep",
    target: { kind: "ratio", max: 0.5 },
  },
  {
    id: "W3", name: "semaphore", metric: "wall ms", better: "lower",
    what: "n jobs behind a concurrency limit of 100, one zero-delay sleep each; gather; peak must be exactly 100",
    target: { kind: "ratio", max: 1.0 },
  },
  {
    id: "W4", name: "queue", metric: "wall ms", better: "lower",
    what: "bounded queue (maxsize 100); one producer puts 1,000,000 integers, one consumer sums them",
    target: { kind: "ratio", max: 0.5 },
  },
  {
    id: "W5", name: "ping-pong", metric: "handoffs/s", better: "higher",
    what: "two tasks pass a token through two queues of size 1, 200,000 handoffs",
    target: { kind: "ratio", min: 1.2 },
    // Short enough that JIT warm-up is much of a fresh process's figure: these
    // systems also run it a second time in the same process (detail.warm).
    warm: ["rx-asyncio", "async-await"],
  },
  {
    id: "W6", name: "cancel", metric: "ms", better: "lower",
    what: "n tasks sleep one hour; cancel them all; ms from the first cancel until all are done",
    target: { kind: "abs", max: 100, unit: "ms" },
  },
  {
    id: "W7", name: "memory", metric: "bytes/task", better: "lower",
    what: "n tasks parked on a one-hour sleep; heap growth after GC divided by n",
    target: { kind: "abs", max: 400, unit: "bytes" },
  },
  {
    id: "W8", name: "lock", metric: "wall ms", better: "lower",
    what: "1,000 tasks each take one Lock 100 times, one zero-delay sleep inside; lost-update check proves exclusion",
    target: { kind: "ratio", max: 1.0 },
  },
  {
    id: "W9", name: "virtual-time", metric: "wall ms", better: "lower",
    what: "W2 on rx-asyncio's virtual clock: the same program, minus the 200 ms of real sleeping",
    target: { kind: "below-real", soft: true },
  },
  {
    id: "W10", name: "marbles", metric: "wall ms", better: "lower",
    what: "20,000 concurrent sleeps inside one TestScheduler.run (rx-asyncio tasks vs RxJS timer(d))",
    target: { kind: "abs", max: 100, unit: "ms" },
    warm: ["rx-asyncio"],
  },
  {
    id: "W11", name: "executor", metric: "wall ms", better: "lower",
    what: "CPU-bound jobs (naive fib) on the worker pool (runInExecutor) vs on the loop, from the build; every result checked",
    target: null,
  },
  {
    id: "W12", name: "async-tasks", metric: "wall ms", better: "lower",
    what: "n createTask(async () => { await Promise.resolve(); return i }) gathered, vs plain async functions and Promise.all",
    target: { kind: "ratio", max: 1.3 },
  },
];

export const WORKLOAD_IDS = WORKLOADS.map((w) => w.id);

/** The size parameters of workload `id` at `scale`. */
export function sizeOf(id, scale) {
  const s = SIZES[scale];
  if (!s) throw new RangeError(`unknown scale ${JSON.stringify(scale)} (full, quick, smoke)`);
  return { ...s[id] };
}

/**
 * W2's delays: LCG x = (1664525 x + 1013904223) mod 2^32, seed 12345,
 * delay = x mod (maxDelay + 1). Integer-exact in doubles (products < 2^53).
 */
export function lcgDelays(n, maxDelay) {
  const out = new Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (1664525 * x + 1013904223) % 4294967296;
    out[i] = x % (maxDelay + 1);
  }
  return out;
}

/** Sum of 0..n-1. */
export function triangle(n) {
  return (n * (n - 1)) / 2;
}

/** Throws a verification error unless `cond` holds. */
export function check(cond, what) {
  if (!cond) throw new VerifyError(what);
}

/** The sum of a workload's results. */
export function sumOf(results) {
  let sum = 0;
  for (const r of results) sum += r;
  return sum;
}

/** Checks that tasks 0..n-1, each returning its index, gave `sum`. */
export function checkSum(sum, n) {
  check(sum === triangle(n), `sum ${sum} != ${triangle(n)}`);
}

/**
 * W8's probe, the same in every system: a read-wait-write counter. Code holding
 * the lock calls `enter()`, waits one zero-delay hop, then `leave(v)`; an
 * overlap or a lost update shows in `verify()`.
 */
export class CriticalSection {
  shared = 0;
  inside = 0;
  overlap = 0;

  /** Enters and reads the counter. */
  enter() {
    if (++this.inside !== 1) this.overlap++;
    return this.shared;
  }

  /** Writes back what was read, plus one, and leaves. */
  leave(v) {
    this.shared = v + 1;
    this.inside--;
  }

  /** Checks mutual exclusion and that all `expected` updates landed. */
  verify(expected) {
    check(this.overlap === 0, `${this.overlap} overlapping critical sections`);
    check(this.shared === expected, `lost updates: ${this.shared} != ${expected}`);
  }
}

export class VerifyError extends Error {
  constructor(what) {
    super(`verification failed: ${what}`);
    this.name = "VerifyError";
  }
}

/** A workload an implementation does not support: shown as n/a, not as a failure. */
export class NotAvailable extends Error {
  constructor(why) {
    super(why);
    this.name = "NotAvailable";
  }
}

/** The high-resolution clock every workload times itself with. */
export const now = () => performance.now();
