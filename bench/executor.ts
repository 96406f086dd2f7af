// N CPU-bound jobs on the event loop itself versus on a ThreadPoolExecutor
// (1 worker, then one per core), with how long the loop went without running
// a heartbeat task meanwhile. Real clock, wall time; workers are started
// before timing; every job's result is checked. Usage: npx tsx bench/executor.ts
// [--jobs N] [--size N] [--repeat N] [--json]. `npm run bench` (W11) compiles
// this file against the benchmark build of the library instead (bench/lib/executor-hook.mjs).
import { availableParallelism, loadavg } from "node:os";
import { ThreadPoolExecutor, createTask, ensureFuture, getRunningLoop, run, sleep, type Coroutine, type Future } from "../src/index.js";

/** The job: naive Fibonacci, self-contained so it can be sent to a worker. */
const fib = (n: number): number => {
  const f = (k: number): number => (k < 2 ? k : f(k - 1) + f(k - 2));
  return f(n);
};

interface Row {
  mode: string;
  workers: number;
  jobs: number;
  totalMs: number;
  msPerJob: number;
  speedup: number;
  maxLoopGapMs: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

/** Runs `body` while a heartbeat task ticks every 5 ms; gives the wall time and the longest gap between ticks. */
function* timed(body: () => Coroutine<unknown>): Coroutine<{ ms: number; gap: number }> {
  let last = performance.now();
  let gap = 0;
  let beating = true;
  const heartbeat = createTask(function* () {
    while (beating) {
      yield* sleep(5);
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }
  });
  const t0 = performance.now();
  yield* body();
  const ms = performance.now() - t0;
  gap = Math.max(gap, performance.now() - last);
  beating = false;
  yield* heartbeat;
  return { ms, gap };
}

/** fib(n) by iteration: what every job's result is checked against. */
function expectedFib(n: number): number {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** Every job's result is checked, so that a pool that lost or garbled one fails the run instead of timing it. */
let checkedResults = 0;
function checkResult(got: unknown, size: number, where: string): void {
  const want = expectedFib(size);
  if (got !== want) throw new Error(`${where}: fib(${size}) returned ${String(got)}, expected ${want}`);
  checkedResults++;
}

function* onLoop(jobs: number, size: number): Coroutine<void> {
  for (let i = 0; i < jobs; i++) {
    checkResult(fib(size), size, "on the loop");
    yield* sleep(0); // lets the heartbeat run between jobs, as a well-behaved loop task would
  }
}

function* onPool(ex: ThreadPoolExecutor, jobs: number, size: number): Coroutine<void> {
  const loop = getRunningLoop();
  const futs: Future<number>[] = [];
  for (let i = 0; i < jobs; i++) futs.push(loop.runInExecutor(ex, fib, size));
  for (const f of futs) checkResult(yield* f, size, "on the pool");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const cores = availableParallelism();
  const jobs = arg("--jobs", 4 * cores);
  const size = arg("--size", 32);
  const repeat = arg("--repeat", 3);

  const rows = await run(function* (): Coroutine<Row[]> {
    const loop = getRunningLoop();
    const measure = function* (mode: string, workers: number, body: () => Coroutine<unknown>): Coroutine<Omit<Row, "speedup">> {
      const times: number[] = [];
      const gaps: number[] = [];
      for (let r = 0; r < repeat; r++) {
        const { ms, gap } = yield* timed(body);
        times.push(ms);
        gaps.push(gap);
      }
      const totalMs = median(times);
      return { mode, workers, jobs, totalMs, msPerJob: totalMs / jobs, maxLoopGapMs: median(gaps) };
    };
    fib(size); // warm the JIT on the loop too
    const out: Omit<Row, "speedup">[] = [];
    out.push(yield* measure("on the loop", 0, () => onLoop(jobs, size)));
    for (const workers of [...new Set([1, cores])]) {
      const ex = new ThreadPoolExecutor({ maxWorkers: workers });
      const warm: Future<number>[] = [];
      for (let i = 0; i < workers; i++) warm.push(loop.runInExecutor(ex, fib, 20));
      for (const f of warm) yield* f; // workers started and their JIT warm
      out.push(yield* measure(`pool, ${workers} worker${workers === 1 ? "" : "s"}`, workers, () => onPool(ex, jobs, size)));
      yield* ensureFuture(ex.shutdown());
    }
    const base = out[0]!.totalMs;
    return out.map((r) => ({ ...r, speedup: base / r.totalMs }));
  });

  // Other processes' load skews a parallel speed-up; say how busy the machine was.
  const load = Number(loadavg()[0]!.toFixed(2));
  console.log(`${jobs} jobs of fib(${size}), ${cores} cores, median of ${repeat}, load average ${load}`);
  console.log(`${"mode".padEnd(18)} ${"total ms".padStart(9)} ${"ms/job".padStart(8)} ${"speed-up".padStart(9)} ${"max loop gap ms".padStart(16)}`);
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(18)} ${r.totalMs.toFixed(0).padStart(9)} ${r.msPerJob.toFixed(1).padStart(8)} ${(r.speedup.toFixed(2) + "x").padStart(9)} ${r.maxLoopGapMs.toFixed(1).padStart(16)}`,
    );
  }
  const expectedChecks = rows.length * repeat * jobs;
  if (checkedResults !== expectedChecks) throw new Error(`checked ${checkedResults} results, expected ${expectedChecks}`);
  if (json) console.log(JSON.stringify({ bench: "executor", jobs, size, cores, repeat, loadAverage: load, checkedResults, rows }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
