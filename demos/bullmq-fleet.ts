// bullmq-fleet: a coordinator fans 100 jobs out to a fleet of BullMQ worker
// processes with mapTask concurrency and gathers the results: first with one
// worker, then with three. It starts its own redis-server on a free port of
// 127.0.0.1 and its own worker processes, and stops them all at the end.
// Needs redis-server on PATH (apt-get install redis-server). Not in the tour.
// Run: npm run demo -- bullmq-fleet
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { from, toArray } from "rxjs";
import { ensureFuture, getRunningLoop, mapTask, run, type Coroutine } from "rx-asyncio";
import { BullMQExecutor } from "rx-asyncio/bullmq";

const root = join(__dirname, "..");
const JOBS = 100;
const IN_FLIGHT = 12;
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts a process and resolves when its output shows `ready`. */
function start(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${cmd} exited (${code}) before it was ready:\n${out}`)));
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
}

function startWorker(port: number, name: string): Promise<ChildProcess> {
  const cli = join(root, "src/bullmq/worker-cli.ts");
  const jobs = join(root, "demos/bullmq/jobs.ts");
  return start(process.execPath, ["--import", "tsx", cli, "--redis", `redis://127.0.0.1:${port}`, "--queue", "thumbnails", "--jobs", jobs, "--name", name], /^ready /m);
}

/** Stops a process: SIGTERM (a worker finishes its running jobs), SIGKILL if it is still there after 5 s. */
function stop(c: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => c.kill("SIGKILL"), 5000);
    c.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    c.kill("SIGTERM");
  });
}

/** The workers first (they need Redis to close cleanly), then redis-server. */
async function stopAll(): Promise<void> {
  const [redis, ...workers] = children;
  await Promise.all(workers.map(stop));
  if (redis !== undefined) await stop(redis);
}

type Thumb = { page: number; digest: string; worker: string };

/** Runs the 100 jobs, at most IN_FLIGHT at a time; resolves to the results and the wall time. */
function* fanOut(ex: BullMQExecutor): Coroutine<{ results: Thumb[]; ms: number }> {
  const loop = getRunningLoop();
  const t0 = Date.now();
  const pages = Array.from({ length: JOBS }, (_, i) => i);
  const results = yield* ensureFuture(
    from(pages).pipe(
      mapTask(function* (page: number): Coroutine<Thumb> {
        return (yield* loop.runInExecutor(ex, "thumbnail", page)) as Thumb;
      }, IN_FLIGHT),
      toArray(),
    ),
  );
  results.sort((a, b) => a.page - b.page);
  return { results, ms: Date.now() - t0 };
}

function report(title: string, r: { results: Thumb[]; ms: number }): void {
  console.log(`--- ${title}: ${r.results.length} jobs in ${r.ms} ms`);
  for (let i = 0; i < r.results.length; i += 10) {
    console.log("  " + r.results.slice(i, i + 10).map((t) => `#${String(t.page).padStart(2, "0")} ${t.worker}`).join("  "));
  }
  const per = new Map<string, number>();
  for (const t of r.results) per.set(t.worker, (per.get(t.worker) ?? 0) + 1);
  console.log(`  jobs per worker: ${[...per].sort().map(([w, n]) => `${w} ${n}`).join(", ")}`);
}

async function main(): Promise<void> {
  const port = await freePort();
  await start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], /Ready to accept connections/);
  console.log(`redis-server on 127.0.0.1:${port}`);
  await startWorker(port, "w1");
  console.log("worker w1 ready");
  const ex = new BullMQExecutor({ connection: { host: "127.0.0.1", port }, queue: "thumbnails", jobNames: ["thumbnail"] });
  try {
    const one = await run(() => fanOut(ex));
    report("one worker (w1)", one);
    await Promise.all([startWorker(port, "w2"), startWorker(port, "w3")]);
    console.log("workers w2, w3 ready");
    const three = await run(() => fanOut(ex));
    report("three workers (w1, w2, w3)", three);
    console.log(`three workers: ${(one.ms / three.ms).toFixed(1)}x faster than one (${one.ms} ms -> ${three.ms} ms)`);
  } finally {
    await ex.shutdown();
    await stopAll();
    console.log("stopped the workers and redis-server");
  }
}

process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));
main().catch(async (e: unknown) => {
  console.error(e);
  await stopAll();
  process.exit(1);
});
