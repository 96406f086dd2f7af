#!/usr/bin/env node
// `npm run bench`: the workloads of shared/BENCH.md (W1-W8) plus W9-W12 on
// rx-asyncio and its peers (each in its strongest form, and the form users
// write most beside it), each run in a fresh process, rounds interleaved,
// medians and ratios to async/await's strongest form, the floor probe beside
// rx-asyncio (bench/lib/floors.mjs), then the extra modules of
// bench/sections/ (eager tasks, scaling curves); writes
// bench/results/latest.{md,json} and scaling.svg, and on a full run the
// generated parts of README.md and docs/benchmarks.md (bench/lib/docs.mjs).
// Shows done/total and the time left (a bar on a terminal, plain lines when piped).
//
//   npm run bench                          full sizes, 5 rounds, every section
//   npm run bench -- --quick               small sizes, 1 round (a smoke check;
//                                          writes bench/results/quick/, not latest.*)
//   npm run bench -- --rounds 3 --only W1,W3 --systems rx-asyncio,async-await
//                                          (--only leaves the sections out unless --sections names them)
//   npm run bench -- --sections eager      only the eager-task rows (--eager is the same)
//   npm run bench -- --sections distributed  BullMQExecutor vs plain BullMQ (--distributed is the same;
//                                          bench/distributed.mjs, needs redis-server)
//   npm run bench -- --step-cost           the per-step cost microbenchmark instead
//
// Other flags: --scale full|quick|smoke, --out DIR, --timeout SECONDS, --sections a,b|none,
// --docs / --no-docs (write README.md's and docs/benchmarks.md's generated parts; default: on a full run to bench/results),
// --no-build, --lib build|src (src: load src/ through tsx, no build),
// --batch (one process per system and round for all its workloads: faster,
// for correctness checks only), --force-build, --rerender FILE.json (rebuild
// the tables of a saved run from its raw figures, without running anything).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildForBench } from "../bench/lib/build.mjs";
import { updateDocs } from "../bench/lib/docs.mjs";
import { floorFigures, markdown, summarize, verdicts } from "../bench/lib/report.mjs";
import { SECTIONS } from "../bench/sections/index.mjs";
import { PROBES, SYSTEMS, WORKLOAD_IDS, WORKLOADS } from "../bench/lib/workloads.mjs";
import { SUPPORT } from "../bench/systems/support.mjs";
import { bundleNote, coreBundle } from "./bundle-size.mjs";
import { createProgress } from "./progress.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** A floor (PROBES) is the median of at least this many fresh processes, whatever the rounds. */
const FLOOR_PROCESSES = 5;

function parseArgs(argv) {
  const opts = {
    scale: "full", rounds: null, only: WORKLOAD_IDS, systems: SYSTEMS.map((s) => s.id),
    out: null, timeout: null, build: true, forceBuild: false,
    lib: "build", batch: false, stepCost: false, rerender: null, sections: null, docs: null,
  };
  let onlyGiven = false;
  const value = (i, flag) => {
    if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
    return argv[i + 1];
  };
  const list = (s, known, flag) => {
    const xs = s.split(",").map((x) => x.trim()).filter(Boolean);
    for (const x of xs) if (!known.includes(x)) throw new Error(`${flag}: unknown ${JSON.stringify(x)} (known: ${known.join(", ")})`);
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.scale = "quick";
    else if (a === "--scale") opts.scale = value(i++, a);
    else if (a === "--rounds") opts.rounds = Number(value(i++, a));
    else if (a === "--only") {
      opts.only = list(value(i++, a).toUpperCase(), WORKLOAD_IDS, a);
      onlyGiven = true;
    } else if (a === "--sections") {
      const v = value(i++, a);
      opts.sections = v === "none" ? [] : list(v, SECTIONS.map((x) => x.id), a);
    } else if (a === "--docs") opts.docs = true;
    else if (a === "--no-docs") opts.docs = false;
    else if (a === "--systems") opts.systems = list(value(i++, a), SYSTEMS.map((s) => s.id), a);
    else if (a === "--out") opts.out = resolve(value(i++, a));
    else if (a === "--timeout") opts.timeout = Number(value(i++, a));
    else if (a === "--no-build") opts.build = false;
    else if (a === "--force-build") opts.forceBuild = true;
    else if (a === "--lib") opts.lib = value(i++, a);
    else if (a === "--batch") opts.batch = true;
    else if (a === "--step-cost") opts.stepCost = true;
    else if (a === "--eager" || a === "--distributed") {
      // One section alone (they used to be modes of their own).
      opts.sections = [a.slice(2)];
      opts.only = [];
      onlyGiven = true;
    }
    else if (a === "--rerender") opts.rerender = resolve(value(i++, a));
    else if (a === "--help" || a === "-h") {
      const header = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1);
      console.log(header.slice(0, header.findIndex((l) => !l.startsWith("//"))).join("\n").replace(/^\/\/ ?/gm, ""));
      process.exit(0);
    } else throw new Error(`unknown flag ${JSON.stringify(a)} (try --help)`);
  }
  if (!["full", "quick", "smoke"].includes(opts.scale)) throw new Error(`--scale: full, quick or smoke, got ${opts.scale}`);
  if (!["build", "src"].includes(opts.lib)) throw new Error(`--lib: build or src, got ${opts.lib}`);
  // Only a full run replaces the tracked bench/results/latest.*; quick and smoke runs write
  // to bench/results/<scale>/ (gitignored), so a smoke check never overwrites the figures.
  opts.out ??= opts.scale === "full" ? join(root, "bench", "results") : join(root, "bench", "results", opts.scale);
  opts.rounds ??= opts.scale === "full" ? 5 : 1;
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`--rounds must be a positive integer, got ${opts.rounds}`);
  opts.timeout ??= opts.scale === "full" ? 300 : 60;
  // An explicit --only is a partial run: no sections unless named.
  opts.sections ??= onlyGiven ? [] : SECTIONS.map((x) => x.id);
  // Only a full run into bench/results rewrites the docs' generated parts.
  opts.docs ??= opts.scale === "full" && opts.out === join(root, "bench", "results") && !onlyGiven && opts.rounds >= 3;
  if (!(opts.timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
  return opts;
}

/** Runs one child; resolves with its parsed result lines (or one failure per workload). */
function runChild({ system, workloads, scale, round, env, timeoutMs, gc, tsx }) {
  const args = [];
  if (tsx) args.push("--import", "tsx");
  if (gc) args.push("--expose-gc");
  args.push(join(root, "bench", "lib", "run-one.mjs"), system, workloads.join(","), scale);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const got = new Map();
      for (const line of out.split("\n")) {
        if (line.startsWith("BENCH-RESULT ")) {
          const r = JSON.parse(line.slice("BENCH-RESULT ".length));
          got.set(r.workload, { ...r, round });
        }
      }
      const results = workloads.map(
        (w) =>
          got.get(w) ?? {
            system, workload: w, round,
            status: timedOut ? "timeout" : "fail",
            error: timedOut ? `no result within ${timeoutMs / 1000} s` : `child exited with ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`,
          },
      );
      resolvePromise(results);
    });
  });
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return null;
  }
}

function fmtRun(r) {
  const w = WORKLOADS.find((x) => x.id === r.workload);
  if (r.status !== "ok") return `${r.status.toUpperCase()}${r.status === "n/a" ? "" : `: ${String(r.error).split("\n")[0]}`}`;
  // A probe's figure is plain ms, whatever the workload's headline metric.
  return `${r.value.toFixed(r.value >= 100 ? 0 : 1)} ${PROBES[r.system] ? "ms" : w.metric}`;
}

function writeReport(out, report, files, docs) {
  const md = markdown(report);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "latest.md"), md);
  writeFileSync(join(out, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  process.stdout.write(`\n${md}\nwrote ${join(out, "latest.md")}, latest.json${Object.keys(files).map((f) => `, ${f}`).join("")}\n`);
  if (docs) {
    const written = updateDocs(root, report, files);
    process.stdout.write(`updated ${written.join(", ")} from this run\n`);
  }
}

/** Each section's { data, markdown, files } rebuilt from its saved data. */
function rerenderSections(saved) {
  const out = {};
  const files = {};
  for (const [id, sec] of Object.entries(saved ?? {})) {
    const mod = SECTIONS.find((x) => x.id === id);
    if (!mod || sec.data == null) {
      out[id] = sec;
      continue;
    }
    const r = mod.render(sec.data);
    out[id] = { title: mod.title, data: r.data, markdown: r.markdown };
    Object.assign(files, r.files ?? {});
  }
  return { sections: out, files };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.stepCost) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "bench", "step-cost.ts")], { cwd: root, stdio: "inherit" });
    process.exit(r.status ?? 1);
  }
  if (opts.rerender) {
    const saved = JSON.parse(readFileSync(opts.rerender, "utf8"));
    const cells = summarize(saved.runs);
    const { sections, files } = rerenderSections(saved.sections);
    writeReport(opts.out, { ...saved, cells, targets: verdicts(cells), floors: floorFigures(cells), sections }, files, opts.docs);
    return;
  }
  const log = (s) => process.stderr.write(`${s}\n`);
  const notes = [];
  const env = { ...process.env };
  delete env.RX_ASYNCIO_DEBUG; // debug mode would measure the wrong thing
  delete env.RX_ASYNCIO_CLOCK;
  let rxLibBroken = null;
  if (opts.systems.includes("rx-asyncio")) {
    if (opts.lib === "src") {
      env.RX_BENCH_LIB = "src";
      notes.push("rx-asyncio loaded from src/ through tsx (--lib src): not the compiled build.");
    } else if (!opts.build) {
      const cached = join(root, "node_modules", ".cache", "rx-asyncio-bench", "cjs", "index.js");
      env.RX_BENCH_LIB = existsSync(cached) ? cached : join(root, "dist", "cjs", "index.js");
      notes.push(`--no-build: rx-asyncio from ${relative(root, env.RX_BENCH_LIB)}, as it was.`);
    } else {
      try {
        const b = buildForBench(root, { force: opts.forceBuild, log });
        env.RX_BENCH_LIB = b.entry;
        if (b.warnings) {
          log(`warning: type errors in src/ (emitted anyway):\n${b.warnings.split("\n").slice(0, 10).join("\n")}`);
          notes.push("src/ had type errors when compiled for this run (JavaScript emitted anyway).");
        }
      } catch (e) {
        rxLibBroken = String(e.message ?? e).split("\n")[0];
        log(`rx-asyncio build failed: ${e.message}`);
      }
    }
  }

  // The plan: every (system, workload) the system implements, and the probes
  // beside the systems they explain (no column of their own, but the same
  // fresh processes and rounds); rounds interleave systems, and the order of
  // systems rotates each round.
  const systems = SYSTEMS.map((s) => s.id).filter((s) => opts.systems.includes(s));
  const probes = Object.keys(PROBES).filter((p) => systems.includes(PROBES[p].beside));
  const runsOf = (s) => SUPPORT[s] ?? PROBES[s].workloads;
  const pairs = [];
  for (const w of opts.only) for (const s of [...systems, ...probes]) if (runsOf(s).includes(w)) pairs.push([s, w]);
  const timeoutMs = opts.timeout * 1000;
  const runs = [];
  const skip = new Set(); // n/a once: n/a every round
  const started = Date.now();
  const machine = {
    date: new Date().toISOString(), cpu: cpus()[0]?.model?.trim() ?? "unknown", cores: cpus().length,
    node: process.version, platform: `${process.platform}-${process.arch}`, loadStart: loadavg(), loadEnd: null,
  };
  log(`bench: scale ${opts.scale}, ${opts.rounds} round(s), ${pairs.length} (system, workload) pairs, sections: ${opts.sections.join(", ") || "none"}, ${machine.cores} cores, load ${machine.loadStart.map((x) => x.toFixed(1)).join(" ")}`);
  // Progress: one step per child process (a batch child runs a system's workloads at once).
  const timesOf = (s) => (PROBES[s] ? Math.ceil(FLOOR_PROCESSES / opts.rounds) : 1);
  const perRound = opts.batch
    ? [...systems, ...probes].filter((s) => opts.only.some((w) => runsOf(s).includes(w))).reduce((a, s) => a + timesOf(s), 0)
    : pairs.reduce((a, [s]) => a + timesOf(s), 0);
  const sectionMods = SECTIONS.filter((x) => opts.sections.includes(x.id));
  const total = perRound * opts.rounds + sectionMods.reduce((a, x) => a + x.units({ scale: opts.scale, rounds: opts.rounds }), 0);
  const progress = createProgress({ label: "bench", total });
  if (rxLibBroken) {
    for (const w of opts.only) if (SUPPORT["rx-asyncio"].includes(w)) runs.push({ system: "rx-asyncio", workload: w, round: 1, status: "fail", error: `build failed: ${rxLibBroken}` });
  }
  for (let round = 1; round <= opts.rounds; round++) {
    if (opts.batch) {
      for (const s of [...systems, ...probes]) {
        if (s === "rx-asyncio" && rxLibBroken) continue;
        const ws = opts.only.filter((w) => runsOf(s).includes(w));
        if (ws.length === 0) continue;
        const times = PROBES[s] ? Math.ceil(FLOOR_PROCESSES / opts.rounds) : 1;
        for (let t = 0; t < times; t++) {
          const res = await runChild({ system: s, workloads: ws, scale: opts.scale, round, env, timeoutMs, gc: true, tsx: s === "rx-asyncio" && opts.lib === "src" });
          progress.tick(res.map((r) => `r${round} ${r.workload} ${s}: ${fmtRun(r)}`).join("; "));
          runs.push(...res);
        }
      }
      continue;
    }
    for (const w of opts.only) {
      const here = pairs.filter(([, pw]) => pw === w).map(([s]) => s);
      const k = here.length ? (round - 1) % here.length : 0;
      for (const s of [...here.slice(k), ...here.slice(0, k)]) {
        // A floor is the median of at least FLOOR_PROCESSES fresh processes in the same run.
        const times = PROBES[s] ? Math.ceil(FLOOR_PROCESSES / opts.rounds) : 1;
        for (let t = 0; t < times; t++) {
          if (skip.has(`${s}/${w}`) || (s === "rx-asyncio" && rxLibBroken)) {
            progress.tick(`r${round} ${w} ${s}: skipped`);
            continue;
          }
          const [r] = await runChild({ system: s, workloads: [w], scale: opts.scale, round, env, timeoutMs, gc: w === "W7", tsx: s === "rx-asyncio" && opts.lib === "src" });
          if (r.status === "n/a") skip.add(`${s}/${w}`);
          progress.tick(`r${round} ${w.padEnd(3)} ${s.padEnd(18)} ${fmtRun(r)}`);
          runs.push(r);
        }
      }
    }
  }
  // The extra modules (bench/sections/), each with its own fresh processes.
  const sections = {};
  const files = {};
  let sectionFailed = false;
  for (const mod of sectionMods) {
    try {
      const r = await mod.run({ scale: opts.scale, rounds: opts.rounds, env, root, log: (line) => progress.log(line), tick: (note) => progress.tick(note) });
      sections[mod.id] = { title: mod.title, data: r.data, markdown: r.markdown };
      Object.assign(files, r.files ?? {});
    } catch (e) {
      sectionFailed = true;
      sections[mod.id] = { title: mod.title, data: null, markdown: `FAILED: ${String(e?.message ?? e).split("\n")[0]}` };
      progress.log(`section ${mod.id} failed: ${e?.stack ?? e}`);
    }
  }
  progress.stop();
  machine.loadEnd = loadavg();
  const cells = summarize(runs);
  const targets = verdicts(cells);
  if (systems.includes("rxjs@common") && opts.only.includes("W5")) {
    notes.push("RxJS W5 on asyncScheduler runs fewer handoffs (each hop is a 1 ms timer); its figure is a rate, so it stays comparable.");
  }
  notes.push(`Sizes: ${opts.scale} (bench/lib/workloads.mjs). Wall time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  const versions = Object.fromEntries(
    ["rxjs", "p-limit", "p-queue", "effection", "effect", "typescript"].map((p) => [p, versionOf(p)]),
  );
  versions["rx-asyncio"] = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const report = {
    machine, versions,
    config: { scale: opts.scale, rounds: opts.rounds, only: opts.only, systems, lib: opts.lib, batch: opts.batch, notes },
    cells, targets, floors: floorFigures(cells), sections, runs,
  };
  // The kernel's size as an app bundles it, and what costs what (scripts/bundle-size.mjs).
  const bundle = await coreBundle();
  report.coreBundle = { bytes: bundle.bytes, gzip: bundle.gzip, files: bundle.files };
  notes.push(bundleNote(bundle));
  writeReport(opts.out, report, files, opts.docs);
  const failed = sectionFailed || runs.some((r) => r.status === "fail" || r.status === "timeout");
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
