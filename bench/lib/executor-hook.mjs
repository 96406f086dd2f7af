// W11 (executor): integrates bench/executor.ts, written with the executor
// issue. That script times N CPU-bound jobs (naive fib) on the loop and on a
// ThreadPoolExecutor (1 worker, then one per core), checks every job's result
// against fib computed by iteration, and prints one JSON line with its rows;
// W11's figure is the all-cores pool's wall time, and the detail keeps the
// on-the-loop time and the loop stalls.
//
// It runs against the same compiled build as every other workload: the script
// is compiled to CommonJS with esbuild (a dev dependency) and its import of
// ../src/index.js pointed at RX_BENCH_LIB. Only under RX_BENCH_LIB=src (the
// smoke spec, which never times) does it run through tsx.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { check, NotAvailable } from "./workloads.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const script = `${root}bench/executor.ts`;

/** bench/executor.ts compiled against the library build at `entry`; returns the path of the .cjs to run. */
export function compileAgainstBuild(entry) {
  const source = readFileSync(script, "utf8");
  const { code } = transformSync(source, { loader: "ts", format: "cjs", target: "node20", sourcefile: script });
  const importOf = /require\("\.\.\/src\/index\.js"\)/g;
  check(importOf.test(code), "bench/executor.ts no longer imports ../src/index.js");
  const out = join(dirname(entry), "..", "bench-executor.cjs");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code.replace(importOf, `require(${JSON.stringify(entry)})`));
  return out;
}

export function executorWorkload({ jobs, size }) {
  if (!existsSync(script)) throw new NotAvailable("n/a (not built): bench/executor.ts is not there yet");
  const lib = process.env.RX_BENCH_LIB || `${root}dist/cjs/index.js`;
  const fromSrc = lib === "src";
  const args = fromSrc ? ["--import", "tsx", script] : [compileAgainstBuild(lib)];
  const r = spawnSync(
    process.execPath,
    [...args, "--jobs", String(jobs), "--size", String(size), "--repeat", "1", "--json"],
    { cwd: root, encoding: "utf8", timeout: 240_000 },
  );
  check(r.status === 0, `bench/executor.ts exited with ${r.status}: ${(r.stderr || "").trim().split("\n").slice(-3).join(" | ")}`);
  const line = r.stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  check(line !== undefined, "bench/executor.ts printed no JSON line");
  const out = JSON.parse(line);
  const rows = out.rows ?? [];
  const loop = rows.find((x) => x.workers === 0);
  const pool = rows.filter((x) => x.workers > 0).sort((a, b) => b.workers - a.workers)[0];
  check(loop && pool, "bench/executor.ts gave no 'on the loop' and pool rows");
  for (const x of rows) {
    check(x.jobs === jobs && Number.isFinite(x.totalMs) && x.totalMs > 0, `bad row ${JSON.stringify(x)}`);
  }
  check(out.checkedResults === rows.length * jobs, `${out.checkedResults} results checked, expected ${rows.length * jobs}`);
  return {
    value: pool.totalMs,
    detail: {
      jobs, size, workers: pool.workers, loopMs: loop.totalMs, speedup: loop.totalMs / pool.totalMs,
      loopGapOnLoopMs: loop.maxLoopGapMs, loopGapOnPoolMs: pool.maxLoopGapMs, checkedResults: out.checkedResults,
      note:
        `${jobs} jobs of fib(${size}) (every result checked), from the ${fromSrc ? "TypeScript sources (tsx)" : "compiled build"}: ` +
        `pool of ${pool.workers} worker(s) ${pool.totalMs.toFixed(0)} ms vs on the loop ` +
        `${loop.totalMs.toFixed(0)} ms (speed-up ${(loop.totalMs / pool.totalMs).toFixed(2)}x); longest loop stall ` +
        `${pool.maxLoopGapMs.toFixed(1)} ms with the pool vs ${loop.maxLoopGapMs.toFixed(1)} ms on the loop.`,
    },
  };
}
