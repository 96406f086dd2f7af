// The scaling curves of issue 20: the cost per task of W1 (spawn-gather), W6
// (cancel), a TaskGroup of n, `wait` of n and `asCompleted` of n, at
// n = 1k, 10k, 100k and 1M, for rx-asyncio and the peers that can reach 1M,
// each point in a fresh process (medians over the rounds, at most 3; one
// round at 1M, where a point can take minutes). The
// target: the cost per task at the largest n within 1.5x of its cost at 10k.
// The section's markdown has the table and the verdicts; `files` has a log-log
// SVG of microseconds per task against n, one panel per curve, every system
// on the same axes (bench/lib/svg-plot.mjs).
//
//   node bench/sections/scaling.mjs child <system> <curve> <n>    (one point)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { check, checkSum, now, sumOf } from "../lib/workloads.mjs";
import { logLogPanels } from "../lib/svg-plot.mjs";
import { tsxArgs } from "./node-args.mjs";

const SIZES = {
  full: [1_000, 10_000, 100_000, 1_000_000],
  quick: [1_000, 10_000, 100_000],
  smoke: [100, 1_000],
};

/** The curves, with what each system runs for it. */
export const CURVES = [
  { id: "W1", title: "W1 spawn-gather", peers: { "async-await": "Promise.all", effect: "Effect.forEach" } },
  { id: "W6", title: "W6 cancel (from the first cancel)", peers: { "async-await": "AbortController, one reason", effect: "Fiber.interruptAll" } },
  { id: "taskgroup", title: "TaskGroup of n", peers: { "async-await": "Promise.all" } },
  { id: "wait", title: "wait of n", peers: { "async-await": "Promise.allSettled" } },
  { id: "asCompleted", title: "asCompleted of n", peers: { "async-await": "a then() per promise" } },
];

const SYSTEM_LABELS = { "rx-asyncio": "rx-asyncio", "async-await": "async/await", effect: "Effect 4" };

/**
 * The peers left off the curves, and why (from the workload table's own
 * figures at 100k): going to 1M would take longer than the whole suite.
 */
export const NOT_REACHING_1M = [
  "RxJS 7.8: W1 is quadratic (each inner subscription of forkJoin or mergeMap is removed from its parent's array with " +
    "indexOf + splice: about 12 s at 100k, hours at 1M); cancelling is unsubscribe, which has no task to wait for.",
  "Effection 4: about 20 s for W1 at 100k (a setTimeout and several generators per task), so about 200 s per point at 1M.",
  "p-limit / p-queue: limiters, not task collections; they have no W6, TaskGroup, wait or asCompleted.",
];

// ---- the child: one point ----

async function rxAsyncio(curve, n) {
  const { loadRxAsyncio } = await import("../lib/load-rx-asyncio.mjs");
  const lib = loadRxAsyncio();
  const { run, sleep, createTask, gather, wait, asCompleted, taskGroup } = lib;
  function* valueAfterTick(i) {
    yield* sleep(0);
    return i;
  }
  let parked = 0;
  function* sleeper() {
    parked++;
    yield* sleep(3_600_000);
  }
  return run(function* () {
    if (curve === "W6") {
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) tasks[i] = createTask(sleeper());
      yield* sleep(0);
      check(parked === n, `${parked} of ${n} tasks asleep`);
      const t0 = now();
      for (let i = 0; i < n; i++) tasks[i].cancel();
      yield* wait(tasks);
      const ms = now() - t0;
      let cancelled = 0;
      for (const t of tasks) if (t.cancelled()) cancelled++;
      check(cancelled === n, `${cancelled} of ${n} cancelled`);
      return ms;
    }
    const t0 = now();
    let sum = 0;
    if (curve === "W1") {
      const coros = new Array(n);
      for (let i = 0; i < n; i++) coros[i] = valueAfterTick(i);
      sum = sumOf(yield* gather(...coros));
    } else if (curve === "taskgroup") {
      yield* taskGroup(function* (tg) {
        for (let i = 0; i < n; i++) {
          tg.createTask(
            (function* () {
              const v = yield* valueAfterTick(i); // read sum only after the suspension
              sum += v;
            })(),
          );
        }
      });
    } else if (curve === "wait") {
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) tasks[i] = createTask(valueAfterTick(i));
      const [done, pending] = yield* wait(tasks);
      check(done.size === n && pending.size === 0, `wait: ${done.size} done, ${pending.size} pending`);
      for (const t of done) sum += t.result();
    } else if (curve === "asCompleted") {
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) tasks[i] = createTask(valueAfterTick(i));
      for (const next of asCompleted(tasks)) sum += yield* next;
    } else throw new Error(`unknown curve ${curve}`);
    const ms = now() - t0;
    checkSum(sum, n);
    return ms;
  });
}

async function asyncAwait(curve, n) {
  const body = async (i) => {
    await Promise.resolve();
    return i;
  };
  if (curve === "W6") {
    const reason = new Error("cancelled");
    const controllers = new Array(n);
    const jobs = new Array(n);
    let cancelled = 0;
    for (let i = 0; i < n; i++) {
      const ac = new AbortController();
      controllers[i] = ac;
      jobs[i] = new Promise((resolve) => {
        const t = setTimeout(resolve, 3_600_000);
        ac.signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
      }).then(() => { if (ac.signal.reason === reason) cancelled++; });
    }
    await Promise.resolve();
    const t0 = now();
    for (let i = 0; i < n; i++) controllers[i].abort(reason);
    await Promise.all(jobs);
    const ms = now() - t0;
    check(cancelled === n, `${cancelled} of ${n} cancelled`);
    return ms;
  }
  const t0 = now();
  let sum = 0;
  const jobs = new Array(n);
  for (let i = 0; i < n; i++) jobs[i] = body(i);
  if (curve === "W1" || curve === "taskgroup") sum = sumOf(await Promise.all(jobs));
  else if (curve === "wait") {
    for (const r of await Promise.allSettled(jobs)) {
      check(r.status === "fulfilled", `a job ${r.status}`);
      sum += r.value;
    }
  } else if (curve === "asCompleted") {
    await new Promise((resolve) => {
      let left = n;
      const take = (v) => {
        sum += v;
        if (--left === 0) resolve();
      };
      for (let i = 0; i < n; i++) jobs[i].then(take);
    });
  } else throw new Error(`unknown curve ${curve}`);
  const ms = now() - t0;
  checkSum(sum, n);
  return ms;
}

async function effect(curve, n) {
  const { Effect, Fiber } = await import("effect");
  if (curve === "W1") {
    const t0 = now();
    const ids = Array.from({ length: n }, (_, i) => i);
    const sum = sumOf(await Effect.runPromise(Effect.forEach(ids, (i) => Effect.as(Effect.yieldNow, i), { concurrency: "unbounded" })));
    const ms = now() - t0;
    checkSum(sum, n);
    return ms;
  }
  if (curve === "W6") {
    let started = 0;
    let interrupted = 0;
    const sleeper = Effect.onInterrupt(
      Effect.flatMap(Effect.sync(() => { started++; }), () => Effect.sleep(3_600_000)),
      () => Effect.sync(() => { interrupted++; }),
    );
    const ms = await Effect.runPromise(
      Effect.gen(function* () {
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(sleeper);
        while (started < n) yield* Effect.sleep(1);
        const t0 = now();
        yield* Fiber.interruptAll(fibers);
        return now() - t0;
      }),
    );
    check(interrupted === n, `${interrupted} of ${n} interrupted`);
    return ms;
  }
  throw new Error(`effect has no curve ${curve}`);
}

const CHILDREN = { "rx-asyncio": rxAsyncio, "async-await": asyncAwait, effect };

if (process.argv[2] === "child") {
  const [, , , system, curve, nText] = process.argv;
  const fn = CHILDREN[system];
  if (!fn || !CURVES.some((c) => c.id === curve) || !(Number(nText) > 0)) {
    console.error(`usage: node bench/sections/scaling.mjs child <${Object.keys(CHILDREN).join("|")}> <${CURVES.map((c) => c.id).join("|")}> <n>`);
    process.exit(2);
  }
  fn(curve, Number(nText)).then(
    (ms) => {
      process.stdout.write(`SCALING-RESULT ${JSON.stringify({ ms })}\n`);
      process.exit(0);
    },
    (e) => {
      console.error(e?.stack ?? e);
      process.exit(1);
    },
  );
}

// ---- the orchestrator's side ----

/** Every (system, curve) the section runs. */
function series() {
  const out = [];
  for (const c of CURVES) for (const system of ["rx-asyncio", ...Object.keys(c.peers)]) out.push({ system, curve: c.id });
  return out;
}

function runPoint({ system, curve, n, env, timeoutMs }) {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...tsxArgs(env), "--max-old-space-size=8192", self, "child", system, curve, String(n)], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const m = /SCALING-RESULT (\{.*\})/.exec(out);
      if (code === 0 && m) resolve({ ok: true, ms: JSON.parse(m[1]).ms });
      else {
        const why = signal === "SIGKILL" ? `no result within ${timeoutMs / 1000} s` : err.trim().split("\n").slice(-2).join(" | ") || `exit ${code}`;
        resolve({ ok: false, error: why });
      }
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rounds per point: up to 3, but one at 1M (a 1M point can take minutes on a shared 2-core machine). */
const roundsOf = (rounds) => Math.min(rounds, 3);
const roundsAt = (n, rounds) => (n >= 1_000_000 ? 1 : roundsOf(rounds));

export default {
  id: "scaling",
  title: "Scaling curves",
  units({ scale, rounds }) {
    return series().length * SIZES[scale].reduce((a, n) => a + roundsAt(n, rounds), 0);
  },
  async run({ scale, rounds, env, tick }) {
    const sizes = SIZES[scale];
    const points = {};
    for (let r = 0; r < roundsOf(rounds); r++) {
      for (const n of sizes) {
        if (r >= roundsAt(n, rounds)) continue;
        for (const { system, curve } of series()) {
          const key = `${curve}/${system}`;
          const cell = ((points[key] ??= {})[n] ??= { values: [], errors: [] });
          // A point that failed once (too slow, out of memory) is not retried at a larger n.
          const failedBelow = sizes.some((m) => m < n && points[key][m]?.errors.length > 0);
          if (failedBelow) {
            cell.errors.push("skipped: failed at a smaller n");
            tick(`scaling ${curve} ${system} n=${n}: skipped`);
            continue;
          }
          const res = await runPoint({ system, curve, n, env, timeoutMs: 300_000 });
          if (res.ok) cell.values.push(res.ms);
          else cell.errors.push(res.error);
          tick(`scaling r${r + 1} ${curve.padEnd(11)} ${system.padEnd(11)} n=${n}: ${res.ok ? `${res.ms.toFixed(0)} ms` : `FAIL ${res.error}`}`);
        }
      }
    }
    const data = { sizes, rounds: roundsOf(rounds), curves: {} };
    for (const c of CURVES) {
      for (const system of ["rx-asyncio", ...Object.keys(c.peers)]) {
        const byN = points[`${c.id}/${system}`] ?? {};
        (data.curves[c.id] ??= {})[system] = sizes.map((n) => {
          const p = byN[n];
          if (!p || p.errors.length > 0 || p.values.length === 0) return { n, ms: null, error: p?.errors[0] ?? "not run" };
          const ms = median(p.values);
          return { n, ms, usPerTask: (ms * 1000) / n };
        });
      }
    }
    return render(data);
  },
  render,
};

/** The verdict of one curve: cost per task at the largest n against 10k (within 1.5x). */
export function flatness(points) {
  const at10k = points.find((p) => p.n === 10_000);
  const largest = [...points].reverse().find((p) => p.ms !== null);
  if (!at10k || at10k.ms === null || !largest || largest.n <= 10_000) return null;
  const ratio = largest.usPerTask / at10k.usPerTask;
  return { n: largest.n, ratio, holds: largest.n === 1_000_000 ? ratio <= 1.5 : null };
}

const fmtN = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n));
const fmtUs = (us) => (us >= 10 ? us.toFixed(1) : us.toFixed(2));

/** The section (markdown and SVG) from the medians in `data`. */
export function render(data) {
  const lines = [];
  lines.push(
    `Cost per task in µs (wall ms x 1000 / n), each point a fresh process, median of ${data.rounds} round(s) (one at 1M); ` +
      "target: at 1M within 1.5x of the cost at 10k. The plot: [scaling.svg](scaling.svg).",
  );
  lines.push("");
  lines.push(`| curve | system | ${data.sizes.map(fmtN).join(" | ")} | largest / 10k |`);
  lines.push(`|---|---|${data.sizes.map(() => "---:").join("|")}|---:|`);
  const verdicts = [];
  for (const c of CURVES) {
    for (const [system, points] of Object.entries(data.curves[c.id] ?? {})) {
      const how = system === "rx-asyncio" ? "" : ` (${c.peers[system]})`;
      const f = flatness(points);
      const cells = points.map((p) => (p.ms === null ? "FAIL" : fmtUs(p.usPerTask)));
      const fl = f === null ? "-" : `${f.ratio.toFixed(2)}x${f.n === 1_000_000 ? "" : ` (at ${fmtN(f.n)})`}`;
      lines.push(`| ${c.title} | ${SYSTEM_LABELS[system]}${how} | ${cells.join(" | ")} | ${fl} |`);
      if (system === "rx-asyncio") verdicts.push({ curve: c.id, title: c.title, ...(f ?? { n: null, ratio: null, holds: null }) });
    }
  }
  const fails = [];
  for (const c of CURVES) {
    for (const [system, points] of Object.entries(data.curves[c.id] ?? {})) {
      for (const p of points) if (p.ms === null) fails.push(`- ${c.title}, ${SYSTEM_LABELS[system]}, n = ${fmtN(p.n)}: ${p.error}`);
    }
  }
  if (fails.length) lines.push("", "Points without a figure:", "", ...fails);
  lines.push("", "Peers not on the curves, and why:", "", ...NOT_REACHING_1M.map((x) => `- ${x}`));
  const svg = logLogPanels({
    title: "Cost per task (µs) against n, log-log",
    panels: CURVES.map((c) => ({
      title: c.title,
      series: Object.entries(data.curves[c.id] ?? {}).map(([system, points]) => ({
        label: SYSTEM_LABELS[system],
        points: points.filter((p) => p.ms !== null).map((p) => [p.n, p.usPerTask]),
      })),
    })),
  });
  return { data: { ...data, verdicts }, markdown: lines.join("\n"), files: { "scaling.svg": svg } };
}
