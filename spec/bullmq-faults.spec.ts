/**
 * BullMQExecutor when things break, against real components: Redis
 * unreachable, a worker process that dies in the middle of a job (BullMQ's
 * stalled-job recovery, both ways), Redis going away while a job is out.
 */
import { RuntimeError, ensureFuture, getRunningLoop, run, type Coroutine } from "../src/index";
import { BrokenWorkerError } from "../src/executor";
import { BullMQExecutor, JobConnectionError, JobLockExpiredError, JobLostError, type BullMQJobFuture } from "../src/bullmq/index";
import { exited, freePort, kill, poll, startRedis, startWorker, stopAll, type RedisServer } from "./bullmq-helpers";
import { REDIS, describeWithSystem } from "./system-deps";

describeWithSystem(REDIS, "BullMQExecutor when things break (real redis-server)", () => { // the whole file; its body is not re-indented
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
  // ioredis destroys the socket of a connection closed while Redis was unreachable 2 s later, on a
  // timer of its own: wait for it here so Jest does not report an open handle.
  await new Promise((r) => setTimeout(r, 2100));
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

test("an add that Redis answers only after connectionTimeout: the future fails, then the late job is removed", async () => {
  const ex = executor("late", 500);
  const r = await run(function* () {
    const warm = job(ex, "add", 0, 0); // connects; no worker serves "late", so it waits
    expect(yield* ensureFuture(poll(() => ex.queue!.getJobState(warm.jobId), (s) => s === "waiting"))).toBe("waiting");
    warm.cancel();
    redis.proc.kill("SIGSTOP"); // Redis hangs: the add waits in the socket
    let f: BullMQJobFuture<unknown>;
    try {
      f = job(ex, "add", 1, 2);
      return { ...(yield* outcome(f)), id: f.jobId };
    } finally {
      redis.proc.kill("SIGCONT");
    }
  });
  expect(r.ok).toBe(false);
  expect(r.value).toBeInstanceOf(JobConnectionError);
  expect((r.value as Error).message).toMatch(/could not be added to queue "late": Redis did not answer within 500 ms/);
  // Redis is back: the add went through after all, and the executor took the job off the queue.
  const events = async () => {
    const client = (await ex.queue!.client) as unknown as { xrange(k: string, a: string, b: string): Promise<[string, string[]][]> };
    return (await client.xrange(ex.queue!.keys.events!, "-", "+")).map(([, f]) => f).filter((f) => f.includes(r.id)).map((f) => f[1]);
  };
  expect(await poll(events, (e) => e.includes("removed"))).toEqual(["added", "waiting", "removed"]);
  expect(await ex.queue!.getJobState(r.id)).toBe("unknown");
}, 20_000);

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
}, 45_000);

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
}, 45_000);

test("issue 16: a job that blocks its worker's event loop past its lock fails with JobLockExpiredError, not as a crash", async () => {
  const ex = executor("blocker");
  // The issue's case: a 1 s lock, a job that blocks 3 s, BullMQ's default maxStalledCount 1.
  await startWorker(redis.port, "blocker", "b1", ["--lock-duration", "1000", "--stalled-interval", "500"]);
  const r = await run(() => outcome(job(ex, "block", 3000)));
  expect(r.ok).toBe(false);
  expect(r.value).toBeInstanceOf(JobLockExpiredError);
  expect(r.value).not.toBeInstanceOf(BrokenWorkerError);
  expect((r.value as JobLockExpiredError).worker).toBe("b1");
  expect((r.value as Error).message).toMatch(
    /^job rx-\w+-1 \("block"\) failed: its lock expired: the job blocked the event loop of worker "b1" for \d+ ms, longer than lockDuration \(1000 ms\), .*Raise lockDuration .* or move the CPU-bound work off the worker's event loop \(toThread\)$/,
  );
}, 30_000);

test("Redis restarting without its data while a job is out: the future fails with JobLostError", async () => {
  const ex = executor("restart", 3000);
  await startWorker(redis.port, "restart", "r1", FAST_STALL);
  const r = await run(function* () {
    const f = job(ex, "sleepy", 20_000);
    expect(yield* ensureFuture(poll(() => ex.queue!.getJobState(f.jobId), (s) => s === "active"))).toBe("active");
    yield* ensureFuture(kill(redis.proc));
    redis = yield* ensureFuture(startRedis(redis.port)); // same port, empty
    return yield* outcome(f);
  });
  expect(r.ok).toBe(false);
  expect(r.value).toBeInstanceOf(JobLostError);
  expect((r.value as Error).message).toMatch(/^job rx-\w+-1 \("sleepy"\) is no longer in Redis \(Redis restarted without its data/);
  // The executor still works on the new server.
  await startWorker(redis.port, "restart", "r2", FAST_STALL);
  expect(await run(() => job(ex, "add", 1, 2))).toBe(3);
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
}); // describeWithSystem(REDIS)
