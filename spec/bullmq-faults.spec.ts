/**
 * BullMQExecutor when things break, against real components: Redis
 * unreachable, a worker process that dies in the middle of a job (BullMQ's
 * stalled-job recovery, both ways), Redis going away while a job is out.
 */
import { RuntimeError, ensureFuture, getRunningLoop, run, type Coroutine } from "../src/index";
import { BrokenWorkerError } from "../src/executor";
import { BullMQExecutor, JobConnectionError, type BullMQJobFuture } from "../src/bullmq/index";
import { exited, freePort, kill, poll, startRedis, startWorker, stopAll, type RedisServer } from "./bullmq-helpers";

let redis: RedisServer;
const executors: BullMQExecutor[] = [];
// Short BullMQ lock and stalled-check periods, so a dead worker is noticed in about a second.
const FAST_STALL = ["--lock-duration", "800", "--stalled-interval", "400"];

beforeAll(async () => {
  redis = await startRedis();
}, 20_000);

afterAll(async () => {
  await Promise.all(executors.map((e) => e.shutdown()));
  await stopAll();
}, 20_000);

function executor(queue: string, connectionTimeout = 5000, port = redis.port): BullMQExecutor {
  const e = new BullMQExecutor({ connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, queue, connectionTimeout });
  executors.push(e);
  return e;
}

function job<R = unknown>(e: BullMQExecutor, name: string, ...args: unknown[]): BullMQJobFuture<R> {
  return getRunningLoop().runInExecutor(e, name, ...args) as BullMQJobFuture<R>;
}

function outcome(f: BullMQJobFuture<unknown>): Coroutine<{ ok: boolean; value: unknown }> {
  return (function* () {
    try {
      return { ok: true, value: yield* f };
    } catch (e) {
      return { ok: false, value: e };
    }
  })();
}

test("Redis unreachable: the future fails with JobConnectionError after connectionTimeout, and shutdown still ends", async () => {
  const port = await freePort(); // nothing listens there
  const ex = executor("nowhere", 500, port);
  const t0 = Date.now();
  const r = await run(() => outcome(job(ex, "add", 1, 2)));
  expect(r.ok).toBe(false);
  expect(r.value).toBeInstanceOf(JobConnectionError);
  expect(r.value).toBeInstanceOf(RuntimeError);
  expect((r.value as Error).message).toMatch(/^job rx-\w+-1 \("add"\) could not be added to queue "nowhere": Redis did not answer within 500 ms \(.*ECONNREFUSED.*\)$/);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  await ex.shutdown();
});

test("a worker that dies in a job, with maxStalledCount 0: the job fails with BrokenWorkerError, and is not run again", async () => {
  const ex = executor("crash0");
  const crasher = await startWorker(redis.port, "crash0", "c0", FAST_STALL, { CRASH_ON_JOB: "1" });
  const r = await run(function* () {
    const f = job(ex, "crash");
    expect(yield* ensureFuture(exited(crasher))).toBe(3);
    // A healthy worker finds the job stalled and, past maxStalledCount, fails it.
    yield* ensureFuture(startWorker(redis.port, "crash0", "h0", [...FAST_STALL, "--max-stalled-count", "0"]));
    return { ...(yield* outcome(f)), id: f.jobId };
  });
  expect(r.ok).toBe(false);
  expect(r.value).toBeInstanceOf(BrokenWorkerError);
  expect((r.value as Error).message).toMatch(/job rx-\w+-1 \("crash"\) failed: the worker running it stopped .*maxStalledCount/);
  const { logs } = await ex.queue!.getJobLogs(r.id);
  expect(logs).toEqual(["run 1 on c0"]); // it never ran a second time
}, 20_000);

test("a worker that dies in a job, with BullMQ's default maxStalledCount 1: another worker runs the job again (at least once)", async () => {
  const ex = executor("crash1");
  const crasher = await startWorker(redis.port, "crash1", "c1", FAST_STALL, { CRASH_ON_JOB: "1" });
  const r = await run(function* () {
    const f = job(ex, "crash");
    expect(yield* ensureFuture(exited(crasher))).toBe(3);
    yield* ensureFuture(startWorker(redis.port, "crash1", "h1", FAST_STALL));
    return yield* outcome(f);
  });
  expect(r).toEqual({ ok: true, value: "ran on h1" });
}, 20_000);

test("Redis going away while a job is out: the future fails with JobConnectionError; shutdown still ends", async () => {
  const ex = executor("away", 1000);
  const worker = await startWorker(redis.port, "away", "a1", FAST_STALL);
  const t0 = Date.now();
  const r = await run(function* () {
    const f = job(ex, "sleepy", 20_000);
    expect(yield* ensureFuture(poll(() => ex.queue!.getJobState(f.jobId), (s) => s === "active"))).toBe("active");
    yield* ensureFuture(kill(redis.proc));
    return yield* outcome(f);
  });
  expect(r.ok).toBe(false);
  expect(r.value).toBeInstanceOf(JobConnectionError);
  expect((r.value as Error).message).toMatch(/^job rx-\w+-1 \("sleepy"\): Redis went away while the job was out and did not come back within 1000 ms .*; the job may or may not have run$/);
  expect(Date.now() - t0).toBeLessThan(15_000);
  await ex.shutdown();
  await kill(worker);
}, 20_000);
