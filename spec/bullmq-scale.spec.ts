/**
 * Issue 16: every future of a BullMQExecutor settles at volume, against a
 * real redis-server and a real worker process. Bursts far past the length
 * BullMQ trims its events stream to (about 10 000 entries, several per job),
 * and a burst while the coordinator's event loop is blocked, so the events
 * of finished jobs are trimmed before the coordinator can read them.
 */
import { getRunningLoop, run, sleep, type Coroutine } from "../src/index";
import { BullMQExecutor, type BullMQJobFuture } from "../src/bullmq/index";
import { Queue, Worker } from "bullmq";
import { removeFinished, type EvalClient } from "../src/bullmq/remove-finished";
import { poll, startRedis, startWorker, stopAll, type RedisServer } from "./bullmq-helpers";
import { REDIS, describeWithSystem } from "./system-deps";

describeWithSystem(REDIS, "BullMQExecutor at volume (real redis-server)", () => { // the whole file; its body is not re-indented
let redis: RedisServer;
const executors: BullMQExecutor[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 20_000);

afterAll(async () => {
  await Promise.all(executors.map((e) => e.shutdown()));
  await stopAll();
}, 30_000);

interface Tally {
  ok: number;
  wrong: number;
  failed: string[];
  unsettled: number;
  left: Record<string, number>;
}

/**
 * Submits `n` jobs `fast(i)` at once and waits until all settled or `limitMs`
 * passed; `busyMs` blocks the coordinator's loop right after the burst.
 */
async function burst(queue: string, n: number, limitMs: number, busyMs = 0): Promise<Tally> {
  const ex = new BullMQExecutor({ connection: redis.connection, queue });
  executors.push(ex);
  const worker = await startWorker(redis.port, queue, `${queue}-w`, ["--concurrency", "50"]);
  const tally = await run(function* (): Coroutine<Tally> {
    const loop = getRunningLoop();
    const t: Tally = { ok: 0, wrong: 0, failed: [], unsettled: 0, left: {} };
    const futures: BullMQJobFuture<number>[] = [];
    for (let i = 0; i < n; i++) {
      const f = loop.runInExecutor(ex, "fast", i) as BullMQJobFuture<number>;
      f.addDoneCallback(() => {
        if (f.exception() !== null) t.failed.push(String(f.exception()));
        else if (f.result() === i) t.ok++;
        else t.wrong++;
      });
      futures.push(f);
    }
    if (busyMs > 0) {
      // Blocked once the jobs are out and finishing: the worker goes on while the coordinator cannot read.
      futures[0]!.addDoneCallback(() => {
        const end = Date.now() + busyMs;
        while (Date.now() < end);
      });
    }
    const end = Date.now() + limitMs;
    while (ex.pendingCount > 0 && Date.now() < end) yield* sleep(100);
    t.unsettled = futures.filter((f) => !f.done()).length;
    for (const f of futures) if (!f.done()) f.cancel();
    return t;
  });
  // Finished jobs are kept until their result was read, then removed (in batches, shortly after).
  const counts = async () => { const { paused: _p, ...c } = await ex.queue!.getJobCounts("waiting", "active", "completed", "failed", "delayed"); return c; };
  tally.left = await poll(counts, (c) => Object.values(c).every((v) => v === 0), 5000);
  worker.kill("SIGTERM");
  return tally;
}

// The report: 116 of 6 000 futures never settled; these are past it.
test.each([
  ["10 000", 10_000],
  ["20 000", 20_000],
])("a burst of %s jobs: every future settles with its job's result, and Redis keeps none of them", async (_label, n) => {
  const t = await burst(`burst${n}`, n, 30_000);
  expect({ unsettled: t.unsettled, wrong: t.wrong, failed: t.failed.slice(0, 3) }).toEqual({ unsettled: 0, wrong: 0, failed: [] });
  expect(t.ok).toBe(n);
  expect(t.left).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
}, 45_000);

test("5 000 jobs while the coordinator's event loop is blocked for 8 s: every future still settles", async () => {
  const t = await burst("busy", 5000, 30_000, 8000);
  expect({ unsettled: t.unsettled, wrong: t.wrong, failed: t.failed.slice(0, 3) }).toEqual({ unsettled: 0, wrong: 0, failed: [] });
  expect(t.ok).toBe(5000);
  expect(t.left).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
}, 50_000);

// The coordinator removes the jobs it has read many at once, with a script of its own instead of BullMQ's per-job remove.
test("removing read jobs in a batch takes finished jobs and their side keys, and leaves a job in any other state", async () => {
  const q = new Queue("rmbatch", { connection: redis.connection });
  const client = (await q.client) as unknown as EvalClient & { exists(...keys: string[]): Promise<number> };
  try {
    await q.addBulk([
      { name: "ok", data: {}, opts: { jobId: "done" } },
      { name: "bad", data: {}, opts: { jobId: "broke" } },
    ]);
    const w = new Worker(
      "rmbatch",
      async (job) => {
        await job.log("a line");
        if (job.name === "bad") throw new Error("no");
        return 1;
      },
      { connection: redis.connection },
    );
    await poll(() => q.getJobCounts("completed", "failed"), (c) => c.completed === 1 && c.failed === 1);
    await w.close();
    await q.add("later", {}, { jobId: "waits" });
    const prefix = q.toKey("");
    expect(await client.exists(`${prefix}done:logs`, `${prefix}broke:logs`)).toBe(2);
    expect(await removeFinished(client, q.keys.completed!, q.keys.failed!, prefix, ["done", "broke", "waits", "never-was"])).toBe(2);
    expect(await Promise.all(["done", "broke", "waits"].map((id) => q.getJobState(id)))).toEqual(["unknown", "unknown", "waiting"]);
    expect(await client.exists(`${prefix}done`, `${prefix}done:logs`, `${prefix}broke`, `${prefix}broke:logs`)).toBe(0);
    expect(await q.getJobCounts("completed", "failed", "waiting")).toMatchObject({ completed: 0, failed: 0, waiting: 1 });
  } finally {
    await q.close();
  }
}, 20_000);
}); // describeWithSystem(REDIS)
