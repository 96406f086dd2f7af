/**
 * Issue 16: `BullMQExecutor.shutdown()` ends in a bounded time whatever Redis
 * does (up, killed, stopped with SIGSTOP), and says what it could not clean
 * up (`shutdownReport`, a `BullMQExecutorWarning`). Against a real
 * redis-server, one per test (they kill or stop it).
 */
import { CancelledError, ensureFuture, getRunningLoop, run, type Coroutine } from "../src/index";
import { BULLMQ_EXECUTOR_WARNING, BullMQExecutor, JobConnectionError, type BullMQJobFuture } from "../src/bullmq/index";
import { kill, poll, startRedis, startWorker, stopAll, type RedisServer } from "./bullmq-helpers";
import { REDIS, describeWithSystem } from "./system-deps";

describeWithSystem(REDIS, "BullMQExecutor.shutdown() is bounded (real redis-server)", () => { // the whole file; its body is not re-indented
const LIMIT = 1000; // connectionTimeout: every Redis call of a shutdown waits at most this long
let warnings: string[] = [];
let spy: jest.SpyInstance;

beforeEach(() => {
  warnings = [];
  // Node prints the warning as well; the spy records what was emitted.
  spy = jest.spyOn(process, "emitWarning").mockImplementation(((message: string, o?: { type?: string }) => {
    if (o?.type === BULLMQ_EXECUTOR_WARNING) warnings.push(message);
  }) as typeof process.emitWarning);
});
afterEach(() => spy.mockRestore());
afterAll(async () => {
  await stopAll();
  // ioredis destroys the socket of a connection dropped while Redis was unreachable 2 s later.
  await new Promise((r) => setTimeout(r, 2100));
}, 20_000);

function executor(redis: RedisServer, queue: string): BullMQExecutor {
  return new BullMQExecutor({ connection: redis.connection, queue, connectionTimeout: LIMIT });
}

function job(e: BullMQExecutor, name: string, ...args: unknown[]): BullMQJobFuture<unknown> {
  return getRunningLoop().runInExecutor(e, name, ...args) as BullMQJobFuture<unknown>;
}

function* settled(f: BullMQJobFuture<unknown>): Coroutine<unknown> {
  try {
    return yield* f;
  } catch (e) {
    return e;
  }
}

/** Waits until the job is in Redis, so what follows is not a failed add. */
function* queued(ex: BullMQExecutor, f: BullMQJobFuture<unknown>, state: string): Coroutine<void> {
  expect(yield* ensureFuture(poll(() => ex.queue!.getJobState(f.jobId), (s) => s === state))).toBe(state);
}

async function timedShutdown(ex: BullMQExecutor): Promise<number> {
  const t0 = Date.now();
  await ex.shutdown();
  return Date.now() - t0;
}

test("Redis up: shutdown waits for the job in flight, closes, and reports clean", async () => {
  const redis = await startRedis();
  await startWorker(redis.port, "up", "u1");
  const ex = executor(redis, "up");
  const r = await run(function* () {
    const f = job(ex, "whoami", 200);
    const closing = ensureFuture(ex.shutdown());
    yield* closing;
    return f.result();
  });
  expect(r).toBe("u1");
  expect(ex.shutdownReport).toEqual({ clean: true, elapsedMs: expect.any(Number), problems: [], unreachedJobs: [] });
  expect(warnings).toEqual([]);
});

test("Redis killed, then a job cancelled: shutdown ends within its limits and names the job it could not cancel", async () => {
  const redis = await startRedis();
  const ex = executor(redis, "down-cancel"); // no worker: the job waits
  const id = await run(function* () {
    const f = job(ex, "add", 1, 2);
    yield* queued(ex, f, "waiting");
    yield* ensureFuture(kill(redis.proc));
    f.cancel();
    return f.jobId;
  });
  const ms = await timedShutdown(ex);
  expect(ms).toBeLessThan(2 * LIMIT + 2000);
  const report = ex.shutdownReport!;
  expect(report.clean).toBe(false);
  expect(report.unreachedJobs).toEqual([id]);
  expect(report.problems.join("\n")).toMatch(/did not reach Redis within 1000 ms|did not close within 1000 ms/);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^shutdown of the executor of queue "down-cancel" could not clean up: .*1 job\(s\) could not be cancelled and may still run or stay in Redis: rx-\w+-1\.$/);
}, 20_000);

test("Redis killed, then an add that fails: the future fails with JobConnectionError, and shutdown ends within its limits", async () => {
  const redis = await startRedis();
  const ex = executor(redis, "down-add");
  const err = await run(function* () {
    const warm = job(ex, "add", 1, 2);
    yield* queued(ex, warm, "waiting");
    warm.cancel();
    yield* ensureFuture(kill(redis.proc));
    return yield* settled(job(ex, "add", 3, 4));
  });
  expect(err).toBeInstanceOf(JobConnectionError);
  expect(await timedShutdown(ex)).toBeLessThan(2 * LIMIT + 2000);
  expect(ex.shutdownReport!.clean).toBe(false);
  expect(warnings).toHaveLength(1);
}, 20_000);

test("Redis stopped (SIGSTOP) with a job out: the job fails with JobConnectionError and shutdown ends within its limits", async () => {
  const redis = await startRedis();
  await startWorker(redis.port, "stopped", "s1");
  const ex = executor(redis, "stopped");
  try {
    const { err, ms } = await run(function* () {
      const f = job(ex, "sleepy", 20_000);
      yield* queued(ex, f, "active");
      redis.proc.kill("SIGSTOP"); // no error, no close: Redis just never answers
      const t0 = Date.now();
      const closing = ensureFuture(ex.shutdown());
      const err = yield* settled(f);
      yield* closing;
      return { err, ms: Date.now() - t0 };
    });
    expect(err).toBeInstanceOf(JobConnectionError);
    expect((err as Error).message).toMatch(/Redis went away while the job was out and did not come back within 1000 ms; the job may or may not have run$/);
    // The job is noticed within about a tick and LIMIT, then each close step waits at most LIMIT.
    expect(ms).toBeLessThan(4 * LIMIT + 3000);
    expect(ex.shutdownReport!.clean).toBe(false);
    expect(ex.shutdownReport!.problems.join("\n")).toMatch(/did not close within 1000 ms, so it was dropped/);
    expect(warnings).toHaveLength(1);
  } finally {
    redis.proc.kill("SIGCONT");
  }
}, 20_000);

test("cancelling a future while Redis is stopped settles it at once; shutdown still ends", async () => {
  const redis = await startRedis();
  const ex = executor(redis, "stopped-cancel");
  try {
    const cancelled = await run(function* () {
      const f = job(ex, "add", 1, 2);
      yield* queued(ex, f, "waiting");
      redis.proc.kill("SIGSTOP");
      f.cancel();
      return yield* settled(f);
    });
    expect(cancelled).toBeInstanceOf(CancelledError);
    expect(await timedShutdown(ex)).toBeLessThan(2 * LIMIT + 2000);
    expect(ex.shutdownReport!.unreachedJobs).toHaveLength(1);
  } finally {
    redis.proc.kill("SIGCONT");
  }
}, 20_000);
}); // describeWithSystem(REDIS)
