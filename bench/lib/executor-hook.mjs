// W11 (executor): integrates bench/executor.ts, written with the executor
// issue. That script times N CPU-bound jobs (naive fib) on the loop and on a
// ThreadPoolExecutor (1 worker, then one per core), from src/ through tsx, and
// prints one JSON line with its rows; W11's figure is the all-cores pool's
// wall time, and the detail keeps the on-the-loop time and the loop stalls.
// If the script is missing, W11 is "n/a" and the rest of the suite runs.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { check, NotAvailable } from "./workloads.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const script = `${root}bench/executor.ts`;

export function executorWorkload({ jobs, size }) {
  if (!existsSync(script)) throw new NotAvailable("n/a (not built): bench/executor.ts is not there yet");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", script, "--jobs", String(jobs), "--size", String(size), "--repeat", "1", "--json"],
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
  return {
    value: pool.totalMs,
    detail: {
      jobs, size, workers: pool.workers, loopMs: loop.totalMs, speedup: loop.totalMs / pool.totalMs,
      loopGapOnLoopMs: loop.maxLoopGapMs, loopGapOnPoolMs: pool.maxLoopGapMs,
      note:
        `${jobs} jobs of fib(${size}): pool of ${pool.workers} worker(s) ${pool.totalMs.toFixed(0)} ms vs on the loop ` +
        `${loop.totalMs.toFixed(0)} ms (speed-up ${(loop.totalMs / pool.totalMs).toFixed(2)}x); longest loop stall ` +
        `${pool.maxLoopGapMs.toFixed(1)} ms with the pool vs ${loop.maxLoopGapMs.toFixed(1)} ms on the loop.`,
    },
  };
}
