// The distributed workload (issue 16): N small jobs (`fast(i) = i`) through
// 2 local worker processes (concurrency 50 each) on one local redis-server,
// in two forms, in the same run, rounds interleaved, each measurement in
// fresh processes and on a fresh queue:
//   executor  rx-asyncio's BullMQExecutor: N `loop.runInExecutor(ex, "fast", i)`
//             gathered; workers are worker-cli serving bench/lib/distributed-jobs.cjs
//   bullmq    plain BullMQ at its strongest: `Queue.addBulk` in chunks of 500
//             (removeOnComplete), `Worker` processes, results from `QueueEvents`
//             on an events stream made long enough to lose none (see measurePlain)
// Reports jobs/s (N over the time from the first submission to the last
// result) and per-job latency p50/p99 (submission to result, as the caller sees it).
//
//   npm run bench -- --sections distributed [--rounds N] [--scale quick]   (bench/sections/distributed.mjs;
//                                          also part of a full `npm run bench`; needs redis-server)
//   node bench/distributed.mjs child <form> <n> <port> <queue>    (one measurement)
//   node bench/distributed.mjs worker <port> <queue>               (a plain BullMQ worker)
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FORMS = ["executor", "bullmq"];
const CONCURRENCY = 50;
const WORKERS = 2;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a process and resolves once its output matches `ready`. */
function startUntil(cmd, args, ready, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(" ")} did not start in 30 s:\n${out}`)), 30_000);
    const onData = (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (out += d));
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before it was ready:\n${out}`));
    });
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Where the executor's worker comes from: the bench build's worker-cli, or the sources through tsx. */
function executorWorker(env) {
  const lib = env.RX_BENCH_LIB;
  if (lib && lib !== "src") return [join(dirname(lib), "bullmq", "worker-cli.js")];
  return ["--import", "tsx", join(root, "src", "bullmq", "worker-cli.ts")];
}

async function startWorkers(form, port, queue, env) {
  const ready = form === "executor" ? /^ready /m : /^worker-ready/m;
  const args =
    form === "executor"
      ? [...executorWorker(env), "--redis", `redis://127.0.0.1:${port}`, "--queue", queue, "--jobs", join(root, "bench", "lib", "distributed-jobs.cjs"), "--concurrency", String(CONCURRENCY)]
      : [self, "worker", String(port), queue];
  return Promise.all(Array.from({ length: WORKERS }, (_, i) => startUntil(process.execPath, [...args, ...(form === "executor" ? ["--name", `w${i + 1}`] : [])], ready, env)));
}

function runChild(form, n, port, queue, env) {
  return new Promise((resolve, reject) => {
    const lib = env.RX_BENCH_LIB;
    const args = form === "executor" && (!lib || lib === "src") ? ["--import", "tsx", self] : [self];
    const child = spawn(process.execPath, [...args, "child", form, String(n), String(port), queue], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    // A form that loses a result never finishes: say so instead of hanging.
    const timer = setTimeout(() => {
      err += `\nno result within 180 s (a lost result?)`;
      child.kill("SIGKILL");
    }, 180_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const m = /DISTRIBUTED-RESULT (.+)/.exec(out);
      if (code !== 0 || !m) reject(new Error(`bench/distributed.mjs child ${form} failed (${code}): ${err || out}`));
      else resolve(JSON.parse(m[1]));
    });
  });
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Latency figures of one run: `lat` holds per-job ms. */
function figures(n, wallMs, lat) {
  const sorted = Float64Array.from(lat).sort();
  return { n, wallMs, jobsPerSec: (n / wallMs) * 1000, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

async function measureExecutor(n, port, queue) {
  const lib = process.env.RX_BENCH_LIB;
  const base = lib && lib !== "src" ? dirname(lib) : join(root, "src");
  const ext = lib && lib !== "src" ? ".js" : ".ts";
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const { gather, getRunningLoop, run } = require(join(base, `index${ext}`));
  const { BullMQExecutor } = require(join(base, "bullmq", `index${ext}`));
  const ex = new BullMQExecutor({ connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, queue });
  // Connected before the clock starts, as the plain form's Queue and QueueEvents are.
  await run(function* () {
    return yield* getRunningLoop().runInExecutor(ex, "fast", -1);
  });
  const lat = new Float64Array(n);
  const t0 = performance.now();
  const sum = await run(function* () {
    const loop = getRunningLoop();
    const fs = new Array(n);
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      const f = loop.runInExecutor(ex, "fast", i);
      f.addDoneCallback(() => (lat[i] = performance.now() - start));
      fs[i] = f;
    }
    const rs = yield* gather(...fs);
    let s = 0;
    for (const r of rs) s += r;
    return s;
  });
  const wall = performance.now() - t0;
  if (sum !== (n * (n - 1)) / 2) throw new Error(`executor: wrong sum ${sum}`);
  await ex.shutdown();
  return figures(n, wall, lat);
}

async function measurePlain(n, port, queue) {
  const { Queue, QueueEvents } = await import("bullmq");
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  // The events stream long enough that no completion is trimmed before QueueEvents reads it: at BullMQ's
  // default (about 10 000 entries) a burst this size loses results and never finishes (issue 16).
  const q = new Queue(queue, { connection, streams: { events: { maxLen: 10 * n } } });
  // From the stream's start (the queue is fresh): "$" would miss what finishes before the first read.
  const events = new QueueEvents(queue, { connection, lastEventId: "0-0" });
  await events.waitUntilReady();
  await q.waitUntilReady();
  const lat = new Float64Array(n);
  const started = new Float64Array(n);
  let done = 0;
  let sum = 0;
  const t0 = performance.now();
  const finished = new Promise((resolve, reject) => {
    events.on("completed", ({ jobId, returnvalue }) => {
      const i = Number(jobId.slice(jobId.lastIndexOf("-") + 1));
      lat[i] = performance.now() - started[i];
      sum += Number(returnvalue);
      if (++done === n) resolve();
    });
    events.on("failed", ({ jobId, failedReason }) => reject(new Error(`bullmq: job ${jobId} failed: ${failedReason}`)));
  });
  const adds = [];
  for (let from = 0; from < n; from += 500) {
    const jobs = [];
    for (let i = from; i < Math.min(n, from + 500); i++) {
      started[i] = performance.now();
      jobs.push({ name: "fast", data: { i }, opts: { jobId: `j-${i}`, removeOnComplete: true, removeOnFail: true } });
    }
    adds.push(q.addBulk(jobs));
  }
  await Promise.all(adds);
  await finished;
  const wall = performance.now() - t0;
  if (sum !== (n * (n - 1)) / 2) throw new Error(`bullmq: wrong sum ${sum}`);
  await Promise.all([events.close(), q.close()]);
  return figures(n, wall, lat);
}

/**
 * Runs both forms `rounds` times, interleaved, each on a fresh queue with
 * fresh workers, on one redis-server this starts; `tick` after each
 * measurement. Resolves with `{ data, markdown }`.
 */
export async function runDistributedBench({ rounds = 3, n = 20_000, env = process.env, log = () => {}, tick = () => {} } = {}) {
  const port = await freePort();
  const redis = await startUntil("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], /Ready to accept connections/, env);
  const runs = Object.fromEntries(FORMS.map((f) => [f, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const form of r % 2 === 0 ? FORMS : [...FORMS].reverse()) {
        const queue = `bench-${form}-${r}`;
        const workers = await startWorkers(form, port, queue, env);
        try {
          const res = await runChild(form, n, port, queue, env);
          runs[form].push(res);
          const note = `round ${r + 1}/${rounds} ${form}: ${res.jobsPerSec.toFixed(0)} jobs/s, p50 ${res.p50.toFixed(0)} ms, p99 ${res.p99.toFixed(0)} ms`;
          log(note);
          tick(note);
        } finally {
          await Promise.all(workers.map(stop));
        }
      }
    }
  } finally {
    await stop(redis);
  }
  const data = { n, rounds, runs };
  return { data, markdown: renderDistributed(data) };
}

/** The markdown table from the medians of saved runs. */
export function renderDistributed({ n, rounds, runs }) {
  const med = (form, k) => median(runs[form].map((x) => x[k]));
  const rows = [
    `${n.toLocaleString("en-US")} jobs \`fast(i) = i\` through ${WORKERS} worker processes (concurrency ${CONCURRENCY} each), one local redis-server; ${rounds} round(s), medians. Latency: from submission to the result, per job.`,
    "",
    "| form | jobs/s | p50 latency ms | p99 latency ms | jobs/s vs plain BullMQ |",
    "|---|---|---|---|---|",
  ];
  const plain = med("bullmq", "jobsPerSec");
  for (const form of FORMS) {
    const jps = med(form, "jobsPerSec");
    const name = form === "executor" ? "rx-asyncio BullMQExecutor" : "plain BullMQ (addBulk + Worker + QueueEvents)";
    rows.push(`| ${name} | ${jps.toFixed(0)} | ${med(form, "p50").toFixed(0)} | ${med(form, "p99").toFixed(0)} | ${((jps / plain) * 100).toFixed(1)}% |`);
  }
  return rows.join("\n");
}

if (process.argv[2] === "child") {
  const [, , , form, n, port, queue] = process.argv;
  const measure = form === "executor" ? measureExecutor : form === "bullmq" ? measurePlain : null;
  if (measure === null) throw new Error(`unknown form ${form}`);
  measure(Number(n), Number(port), queue).then(
    (r) => {
      process.stdout.write(`DISTRIBUTED-RESULT ${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
} else if (process.argv[2] === "worker") {
  const [, , , port, queue] = process.argv;
  const { Worker } = await import("bullmq");
  const w = new Worker(queue, async (job) => job.data.i, { connection: { host: "127.0.0.1", port: Number(port), maxRetriesPerRequest: null }, concurrency: CONCURRENCY });
  await w.waitUntilReady();
  process.stdout.write("worker-ready\n");
}
