// Medians, ratios to plain async/await, target verdicts, and the Markdown /
// JSON reports of a benchmark run.
import { PROBES, SYSTEMS, WORKLOADS } from "./workloads.mjs";

export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One cell per (workload, system) from the raw runs: status "ok" (median over
 * the rounds), "fail" (any round failed or timed out: a wrong result is never
 * averaged away), "n/a", or absent.
 */
export function summarize(runs, baseline = "async-await") {
  const cells = {};
  for (const r of runs) {
    const row = (cells[r.workload] ??= {});
    const c = (row[r.system] ??= { values: [], errors: [], na: null, details: [] });
    if (r.status === "ok") {
      c.values.push(r.value);
      if (r.detail) c.details.push({ ...r.detail, value: r.value });
    } else if (r.status === "n/a") c.na = r.error;
    else c.errors.push(`round ${r.round}: ${r.status}: ${r.error}`);
  }
  for (const w of WORKLOADS) {
    const row = cells[w.id];
    if (!row) continue;
    for (const c of Object.values(row)) {
      c.status = c.errors.length > 0 ? "fail" : c.values.length > 0 ? "ok" : "n/a";
      c.median = c.status === "ok" ? median(c.values) : null;
      c.min = c.status === "ok" ? Math.min(...c.values) : null;
      c.max = c.status === "ok" ? Math.max(...c.values) : null;
    }
    const base = row[baseline];
    for (const [sys, c] of Object.entries(row)) {
      c.ratio = null;
      if (sys === baseline || PROBES[sys] || c.status !== "ok" || !base || base.status !== "ok" || !base.median) continue;
      // Costs: system / baseline (above 1 = costlier). Rates (W5): system / baseline (above 1 = faster).
      c.ratio = c.median / base.median;
    }
  }
  return cells;
}

/** What every ratio is taken against: async/await in its strongest form. */
const BASELINE_TEXT = "async/await (microtask hop)";

/** The verdict of rx-asyncio against each workload's target. */
export function verdicts(cells, system = "rx-asyncio") {
  const out = [];
  for (const w of WORKLOADS) {
    if (!w.target || !cells[w.id]?.[system]) continue;
    const c = cells[w.id][system];
    const t = w.target;
    let figure = null;
    let holds = null;
    let text;
    if (t.kind === "below-real") {
      // W9: the virtual-clock run must beat W2's real wall time (same program, same run).
      const w2 = cells.W2?.[system];
      const realWall = w2?.status === "ok" ? median(w2.details.map((d) => d.wallMs)) : null;
      text = `< W2 real wall${realWall === null ? "" : ` (${fmtValue(realWall)} ms)`}${t.soft ? " (soft)" : ""}`;
      figure = c.median;
      if (figure !== null && realWall !== null) holds = figure < realWall;
    } else if (t.kind === "ratio") {
      text = `${t.max !== undefined ? `<= ${t.max.toFixed(1)}x` : `>= ${t.min.toFixed(1)}x`} ${BASELINE_TEXT}`;
      figure = c.ratio;
      if (figure !== null) holds = t.max !== undefined ? figure <= t.max : figure >= t.min;
    } else {
      text = `< ${t.max} ${t.unit}${t.soft ? " (soft)" : ""}`;
      figure = c.median;
      if (figure !== null) holds = figure < t.max;
    }
    out.push({ workload: w.id, name: w.name, target: text, kind: t.kind, status: c.status, figure, holds });
  }
  return out;
}

/** The median of one detail field over a cell's rounds (null when no round recorded it). */
function detailMedian(c, key) {
  return median(c.details.map((d) => d[key]).filter(Number.isFinite));
}

const okCell = (row, sys) => (row?.[sys]?.status === "ok" ? row[sys] : null);

/**
 * The figures that show, from the same run, what the engine costs on its own:
 * the floors of bench/lib/floors.mjs beside the figures they explain (W2's:
 * creating and first-stepping n generators, beside rx-asyncio's and
 * async/await's W2 overhead; W6's: n generator.throw() and n plain throws,
 * beside rx-asyncio's W6), and the second, warm run of the workloads that list
 * `warm` beside their fresh first run. Medians over the rounds.
 */
export function floorFigures(cells) {
  const medianOf = (id, sys) => okCell(cells[id], sys)?.median ?? null;
  const floorOf = (id, figures) => {
    const c = okCell(cells[id], "floor");
    return c && { n: c.details[0]?.n ?? null, ...figures(c), processes: c.values.length, min: c.min, max: c.max };
  };
  const out = {
    W2: floorOf("W2", (c) => ({
      createAndStepMs: c.median,
      createMs: detailMedian(c, "createMs"),
      firstStepMs: detailMedian(c, "firstStepMs"),
      rxAsyncioMs: medianOf("W2", "rx-asyncio"),
      asyncAwaitMs: medianOf("W2", "async-await"),
    })),
    W6: floorOf("W6", (c) => ({
      generatorThrowMs: c.median,
      plainThrowMs: detailMedian(c, "plainThrowMs"),
      rxAsyncioMs: medianOf("W6", "rx-asyncio"),
    })),
    warm: {},
  };
  for (const w of WORKLOADS) {
    for (const sys of w.warm ?? []) {
      const c = okCell(cells[w.id], sys);
      const warm = c && detailMedian(c, "warm");
      if (warm !== null && warm !== undefined) (out.warm[w.id] ??= {})[sys] = { fresh: c.median, warm };
    }
  }
  return out;
}

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function fmtValue(v, metric) {
  if (v === null || v === undefined) return "-";
  if (metric === "handoffs/s" || metric === "bytes/task") return int.format(v);
  if (Math.abs(v) >= 100) return int.format(v);
  return v.toFixed(1);
}

function fmtCell(c, w) {
  if (!c) return "-";
  if (c.status === "fail") return "FAIL";
  if (c.status === "n/a") return c.na && /not built/.test(c.na) ? "n/a (not built)" : "n/a";
  const v = fmtValue(c.median, w.metric);
  if (c.ratio === null) return v;
  return `${v} (${c.ratio >= 0.1 ? c.ratio.toFixed(2) : c.ratio.toPrecision(2)}x)`;
}

const labelOf = (sys) => SYSTEMS.find((s) => s.id === sys)?.label ?? sys;

/** ", x µs each" for `ms` spent on n items, or nothing when n is unknown. */
function perItem(ms, n, what) {
  return n ? `, ${((ms * 1000) / n).toFixed(2)} µs ${what}` : "";
}

/** ", median of 5 fresh processes, 62.0-95.0": how many processes a floor is the median of, and their spread. */
function spread({ processes, min, max }) {
  if (!processes) return "";
  return `, median of ${processes} fresh process${processes === 1 ? "" : "es"}, ${fmtValue(min)}-${fmtValue(max)} ms`;
}

function w6FloorLine(f) {
  const { n, generatorThrowMs, plainThrowMs, rxAsyncioMs } = f;
  const rx = rxAsyncioMs === null ? "" : `; rx-asyncio W6: ${fmtValue(rxAsyncioMs)} ms${perItem(rxAsyncioMs, n, "a task")}`;
  return (
    `- W6 floor: ${n === null ? "" : `${int.format(n)} `}generator.throw() in a fresh process: ` +
    `${fmtValue(generatorThrowMs)} ms${perItem(generatorThrowMs, n, "each")}${spread(f)} (plain throw: ${fmtValue(plainThrowMs)} ms)${rx}. ` +
    "Each generator is parked in `yield*` of an operation whose throw() rethrows, as a cancelled task is: " +
    "asyncio's cancel must unwind it so that its catch/finally blocks run."
  );
}

function w2FloorLine(f) {
  const { n, createAndStepMs, createMs, rxAsyncioMs, asyncAwaitMs } = f;
  // The first system present names the figure; the second only adds its own.
  const systems = [["rx-asyncio", rxAsyncioMs], ["async/await", asyncAwaitMs]].filter(([, ms]) => ms !== null);
  const overheads = systems.map(([label, ms], k) => `${label}${k === 0 ? " W2 overhead" : ""}: ${fmtValue(ms)} ms`).join(", ");
  return (
    `- W2 floor: creating and first-stepping ${n === null ? "" : `${int.format(n)} `}generators in a fresh process: ` +
    `${fmtValue(createAndStepMs)} ms${spread(f)} (creating: ${fmtValue(createMs)} ms)${overheads ? `; ${overheads}` : ""}. ` +
    "Each is `valueAfter(ms, i)`, the workload's task, stepped once into `yield*` of a bare operation, with nothing scheduled: " +
    "every generator-based system creates and keeps alive one generator per task, and a fresh process's young-generation " +
    "collections copy each one that survives."
  );
}

function warmLine(id, bySystem) {
  const w = WORKLOADS.find((x) => x.id === id);
  const unit = w.metric.replace(/^wall /, "");
  const entries = Object.entries(bySystem);
  const figures = (key) => entries.map(([s, x]) => `${labelOf(s)} ${fmtValue(x[key], w.metric)} ${unit}`).join(" vs ");
  return `- ${id} warm (second run in the same process): ${figures("warm")} (first, fresh run: ${figures("fresh")}).`;
}

/** The "Floors" section, or nothing when the run measured neither a floor nor a warm run. */
function floorsSection(floors) {
  const items = [];
  if (floors?.W2) items.push(w2FloorLine(floors.W2));
  if (floors?.W6) items.push(w6FloorLine(floors.W6));
  for (const [id, bySystem] of Object.entries(floors?.warm ?? {})) items.push(warmLine(id, bySystem));
  if (items.length === 0) return [];
  return [
    "", "## Floors", "",
    "What the engine alone costs, and what JIT warm-up weighs, measured in this run (medians over fresh processes, " +
      "with their spread). Floors explain a figure; they never excuse a missed target:",
    "", ...items,
  ];
}

/**
 * The targets table: every workload target, then the scaling target per curve
 * (cost per task at 1M within 1.5x of 10k), from the run's scaling section.
 */
export function targetsTable(report) {
  const lines = ["| workload | target | rx-asyncio | holds? |", "|---|---|---:|:---:|"];
  for (const t of report.targets) {
    const w = WORKLOADS.find((x) => x.id === t.workload);
    const fig =
      t.figure === null ? (t.status === "ok" ? "-" : t.status.toUpperCase()) :
      t.kind === "ratio" ? `${t.figure.toFixed(2)}x` : `${fmtValue(t.figure, w.metric)} ${w.metric.replace(/^wall /, "")}`;
    const verdict = t.holds === null ? "-" : t.holds ? "yes" : "**no**";
    lines.push(`| ${t.workload} ${t.name} | ${t.target} | ${fig} | ${verdict} |`);
  }
  for (const v of report.sections?.scaling?.data?.verdicts ?? []) {
    const fig = v.ratio === null ? "-" : `${v.ratio.toFixed(2)}x${v.n === 1_000_000 ? "" : ` (largest n ${int.format(v.n)})`}`;
    const verdict = v.holds === null ? "-" : v.holds ? "yes" : "**no**";
    lines.push(`| scaling: ${v.title} | per task at 1M <= 1.5x per task at 10k | ${fig} | ${verdict} |`);
  }
  return lines;
}

/** The table rows (header included) of `systems`, one row per workload any of them ran. */
export function resultsTable(cells, systems) {
  const rows = [];
  for (const w of WORKLOADS) {
    const row = cells[w.id];
    if (!row || !systems.some((s) => row[s.id])) continue;
    rows.push(`| ${w.id} ${w.name} (${w.metric}) | ${systems.map((s) => fmtCell(row[s.id], w)).join(" | ")} |`);
  }
  if (rows.length === 0) return [];
  return [`| workload | ${systems.map((s) => s.label).join(" | ")} |`, `|---|${systems.map(() => "---:").join("|")}|`, ...rows];
}

/** The Markdown report: machine, medians with ratios, targets, failures. */
export function markdown(report) {
  const { machine, config, cells, targets } = report;
  const systems = SYSTEMS.filter((s) => config.systems.includes(s.id));
  const lines = [];
  lines.push(`# rx-asyncio benchmarks (${config.scale}${config.scale === "full" ? "" : ": smoke check, not a speed judgement"})`);
  lines.push("");
  lines.push(
    `${machine.date} · ${machine.cpu} × ${machine.cores} cores · Node ${machine.node} · ${machine.platform} · ` +
      `load average ${machine.loadStart.map((x) => x.toFixed(2)).join("/")} at start, ` +
      `${machine.loadEnd.map((x) => x.toFixed(2)).join("/")} at end`,
  );
  if (report.versions) {
    lines.push("");
    lines.push(`Versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v ?? "?"}`).join(", ")}.`);
  }
  lines.push("");
  lines.push(
    (config.batch
      ? `Batch mode: one process per system ran all its workloads in a row (${config.rounds} round(s)); a correctness check, not a fair timing. `
      : `Medians of ${config.rounds} round(s); each figure is one fresh process, rounds interleaved across systems. `) +
      "In brackets: the ratio to plain async/await in its strongest form (microtask hop) in the same run " +
        "(costs: above 1 = costlier; W5 is a rate: above 1 = faster). Every peer runs in its strongest idiomatic form. " +
      "Differences under about 15% are noise on a shared machine.",
  );
  lines.push("");
  lines.push(...resultsTable(cells, systems.filter((s) => !s.variant)));
  const variants = systems.filter((s) => s.variant);
  const variantRows = resultsTable(cells, variants);
  if (variantRows.length > 2) {
    lines.push("");
    lines.push("### The form users write most, where it differs");
    lines.push("");
    lines.push(
      "The same modules' \"common\" variants, in the same run; their ratios are to async/await's strongest form " +
        "above, and no target is judged against them.",
    );
    lines.push("");
    lines.push(...variantRows);
  }
  lines.push("");
  lines.push("### What each system's zero-delay hop does to fairness");
  lines.push("");
  for (const s of systems) lines.push(`- ${s.label}: ${s.hop}.`);
  lines.push("");
  lines.push("## rx-asyncio targets");
  lines.push("");
  lines.push(...targetsTable(report));
  const w10 = cells.W10;
  if (w10?.rxjs?.status === "ok" && w10?.["rx-asyncio"]?.status === "ok") {
    lines.push("");
    lines.push(
      `W10: RxJS's own asyncScheduler timers in the same TestScheduler.run took ${fmtValue(w10.rxjs.median)} ms ` +
        `(rx-asyncio ${fmtValue(w10["rx-asyncio"].median)} ms).`,
    );
  }
  const w11 = cells.W11?.["rx-asyncio"];
  if (w11?.status === "ok" && w11.details.length > 0) {
    // The detail of the run nearest the median.
    const d = w11.details.reduce((best, x) =>
      Math.abs(x.value - w11.median) < Math.abs(best.value - w11.median) ? x : best);
    lines.push("");
    lines.push(`W11: ${d.note ?? ""}`.trim());
  }
  const w12 = cells.W12;
  if (w12?.["async-await"]?.status === "ok" && w12?.["async-await@als"]?.status === "ok") {
    const plain = w12["async-await"].median;
    const als = w12["async-await@als"].median;
    const rx = w12["rx-asyncio"]?.status === "ok" ? `; rx-asyncio's async-function tasks, which run inside it: ${fmtValue(w12["rx-asyncio"].median)} ms` : "";
    lines.push("");
    lines.push(
      `W12: AsyncLocalStorage's own cost: the same plain async functions each inside \`AsyncLocalStorage.run()\` took ` +
        `${fmtValue(als)} ms against ${fmtValue(plain)} ms without it (${(als / plain).toFixed(2)}x)${rx}.`,
    );
  }
  lines.push(...floorsSection(report.floors));
  const fails = [];
  for (const w of WORKLOADS) {
    for (const [sys, c] of Object.entries(cells[w.id] ?? {})) {
      for (const e of c.errors) fails.push(`- ${w.id} ${sys}: ${e.split("\n")[0]}`);
    }
  }
  if (fails.length > 0) {
    lines.push("");
    lines.push("## Failures");
    lines.push("");
    lines.push(...fails);
  }
  for (const sec of Object.values(report.sections ?? {})) {
    lines.push("", `## ${sec.title}`, "", sec.markdown);
  }
  if (config.notes.length > 0) {
    lines.push("");
    lines.push("## Notes");
    lines.push("");
    lines.push(...config.notes.map((n) => `- ${n}`));
  }
  lines.push("");
  return lines.join("\n");
}
