/**
 * `npm run soak` (issue 8): a million tasks with random cancellation on the
 * virtual clock, then about a minute on the real clock, sampling the heap
 * after a full GC between waves (when no task of the workload is alive).
 *
 * The heap must plateau: the least-squares slope of heap-after-GC over tasks
 * run (samples after the warm-up) must stay under the threshold, and every
 * task created must be done. Prints a report; exits 1 if a check fails.
 *
 *   npm run soak
 *   npm run soak -- --tasks 200000 --real-seconds 10 --max-slope 1048576
 *
 * Why the default threshold, 1 MiB per 100k tasks (about 10 bytes per task):
 * the smallest object V8 can keep per task (an empty object, 12-16 bytes with
 * pointer compression, plus its slot in whatever holds it) already costs more
 * than 1.6 MiB per 100k tasks, so any per-task leak fails; a plateaued heap
 * measured here moves by tens of KiB between samples (V8's own caches and
 * code), an order of magnitude below the threshold.
 */
import { createProgress } from "./progress.mjs";
import { runSoak, slope, type SoakResult } from "./soak/workload.js";

interface Args {
  tasks: number;
  realSeconds: number;
  maxSlope: number;
  concurrency: number;
  seed: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { tasks: 1_000_000, realSeconds: 60, maxSlope: 1 << 20, concurrency: 1000, seed: 8 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = Number(argv[i + 1]);
    const set = (k: keyof Args) => {
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a number >= 0, got ${argv[i + 1]}`);
      a[k] = v;
      i++;
    };
    if (flag === "--tasks") set("tasks");
    else if (flag === "--real-seconds") set("realSeconds");
    else if (flag === "--max-slope") set("maxSlope");
    else if (flag === "--concurrency") set("concurrency");
    else if (flag === "--seed") set("seed");
    else throw new Error(`unknown flag ${flag} (--tasks N, --real-seconds S, --max-slope BYTES, --concurrency N, --seed N)`);
  }
  return a;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("soak: run with node --expose-gc (npm run soak does)");
  process.exit(2);
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const mib = (b: number) => (b / 1048576).toFixed(2);
const kib = (b: number) => (b / 1024).toFixed(1);

interface Phase {
  name: string;
  result: SoakResult;
  samples: { tasks: number; heap: number }[];
  seconds: number;
  slopePer100k: number;
}

async function phase(name: string, clock: "virtual" | "real", tasks: number, durationMs: number | undefined, args: Args): Promise<Phase> {
  const samples: { tasks: number; heap: number }[] = [];
  const t0 = Date.now();
  const wave = clock === "virtual" ? 50_000 : 25_000;
  // Progress: tasks done of the count on the virtual clock, seconds of the duration on the real one.
  const byTime = durationMs !== undefined;
  const total = byTime ? Math.ceil(durationMs / 1000) : Math.ceil(tasks / wave);
  const progress = createProgress({ label: `soak ${name}`, total });
  let shown = 0;
  const onProgress = (n: number): void => {
    if (!byTime) {
      progress.tick(`${n} tasks`);
      return;
    }
    const secs = Math.min(Math.floor((Date.now() - t0) / 1000), total);
    if (secs > shown) progress.tick(`${n} tasks`, secs - shown);
    shown = Math.max(shown, secs);
  };

  const result = await runSoak({
    clock,
    tasks,
    ...(durationMs !== undefined ? { durationMs } : {}),
    concurrency: args.concurrency,
    wave,
    seed: args.seed,
    onWave: (n) => {
      samples.push({ tasks: n, heap: heapAfterGc() });
      onProgress(n);
    },
  });
  progress.stop();
  const seconds = (Date.now() - t0) / 1000;
  // Warm-up: the first fifth of the samples (JIT, caches, pools filling up).
  const warm = samples.slice(Math.max(1, Math.floor(samples.length / 5)));
  const s = slope(
    warm.map((x) => x.tasks),
    warm.map((x) => x.heap),
  );
  return { name, result, samples, seconds, slopePer100k: s * 100_000 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`soak: ${args.tasks} tasks on the virtual clock, then ${args.realSeconds} s on the real clock; ` +
    `${args.concurrency} alive at once; threshold ${kib(args.maxSlope)} KiB per 100k tasks`);
  const phases: Phase[] = [];
  phases.push(await phase("virtual", "virtual", args.tasks, undefined, args));
  if (args.realSeconds > 0) phases.push(await phase("real", "real", Infinity, args.realSeconds * 1000, args));

  let failed = false;
  for (const p of phases) {
    const r = p.result;
    const heaps = p.samples.map((x) => x.heap);
    const vt = p.name === "virtual" ? `, ${Math.round(r.loopTime)} ms of virtual time` : "";
    console.log(`\n${p.name} clock: ${r.created} tasks in ${p.seconds.toFixed(1)} s (${Math.round(r.created / p.seconds)} tasks/s)${vt}`);
    console.log(`  outcomes: ${r.ok} returned, ${r.cancelled} cancelled, ${r.failed} failed; done ${r.done} / created ${r.created}; ${r.reports} error reports`);
    console.log(`  heap after GC: ${p.samples.length} samples, first ${mib(heaps[0] ?? 0)} MiB, min ${mib(Math.min(...heaps))}, max ${mib(Math.max(...heaps))}, last ${mib(heaps.at(-1) ?? 0)} MiB`);
    console.log(`  slope after warm-up: ${kib(p.slopePer100k)} KiB per 100k tasks (${(p.slopePer100k / 100_000).toFixed(2)} bytes per task)`);
    const ok = r.problems.length === 0 && p.slopePer100k <= args.maxSlope && p.samples.length >= 3;
    if (p.samples.length < 3) console.log("  FAIL: fewer than 3 heap samples (run longer)");
    if (p.slopePer100k > args.maxSlope) console.log(`  FAIL: the heap grows (threshold ${kib(args.maxSlope)} KiB per 100k tasks)`);
    for (const pr of r.problems) console.log(`  FAIL: ${pr}`);
    console.log(`  ${ok ? "ok" : "FAILED"}`);
    if (!ok) failed = true;
  }
  console.log(`\nsoak summary: ${JSON.stringify(phases.map((p) => ({ phase: p.name, tasks: p.result.created, done: p.result.done, seconds: Number(p.seconds.toFixed(1)), slopeBytesPer100k: Math.round(p.slopePer100k), samples: p.samples.length })))}`);
  console.log(failed ? "soak: FAILED" : "soak: passed");
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
