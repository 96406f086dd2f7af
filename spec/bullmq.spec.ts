/**
 * BullMQExecutor against a real redis-server and real worker processes
 * (src/bullmq/worker-cli.ts serving spec/fixtures/bullmq-jobs.ts): results,
 * errors, bad input, retries, timeouts, cancellation, the virtual clock,
 * shutdown. No mock of Redis or BullMQ.
 */
import { Job, type Queue } from "bullmq";
import { CancelledError, RuntimeError, TimeoutError, createTask, ensureFuture, gather, getRunningLoop, run, sleep, type Coroutine } from "../src/index";
import { BullMQExecutor, UnknownJobError, type BullMQJobFuture } from "../src/bullmq/index";
import { poll, startRedis, startWorker, stopAll, type RedisServer } from "./bullmq-helpers";
import { REDIS, describeWithSystem } from "./system-deps";

describeWithSystem(REDIS, "BullMQExecutor against a real redis-server", () => { // the whole file; its body is not re-indented
let redis: RedisServer;
let ex: BullMQExecutor;
const STALL = ["--lock-duration", "2000", "--stalled-interval", "1000"];

beforeAll(async () => {
  redis = await startRedis();
  await Promise.all([
    startWorker(redis.port, "main", "w1", ["--concurrency", "3", ...STALL]),
    startWorker(redis.port, "main", "w2", ["--concurrency", "3", ...STALL]),
  ]);
  ex = new BullMQExecutor({ connection: redis.connection, queue: "main", connectionTimeout: 5000 });
}, 30_000);

afterAll(async () => {
  await ex?.shutdown();
  await stopAll();
}, 20_000);

/** Runs `body` on a fresh loop (real clock). */
function go<T>(body: () => Coroutine<T>): Promise<T> {
  return run(body);
}

function job<R = unknown>(e: BullMQExecutor, name: string, ...args: unknown[]): BullMQJobFuture<R> {
  return getRunningLoop().runInExecutor(e, name, ...args) as BullMQJobFuture<R>;
}

function* caught(f: BullMQJobFuture<unknown>): Coroutine<Error> {
  try {
    yield* f;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the job to fail");
}

test("a named job's future resolves with its return value (JSON round trip)", async () => {
  const r = await go(function* () {
    const sum = yield* job(ex, "add", 2, 40);
    const data = { a: [1, "two", null, { b: true }], "x-y": -0.5 };
    const echoed = yield* job(ex, "echo", data);
    const nothing = yield* job(ex, "nothing");
    return { sum, echoed, nothing };
  });
  expect(r).toEqual({ sum: 42, echoed: { a: [1, "two", null, { b: true }], "x-y": -0.5 }, nothing: null });
});

test("a job's error keeps its class name and message", async () => {
  const [t, q, s] = await go(function* () {
    return [
      yield* caught(job(ex, "fail", "type", "width must be a number")),
      yield* caught(job(ex, "fail", "quota", "over quota: 3 of 2")),
      yield* caught(job(ex, "fail", "string", "plain")),
    ];
  });
  expect(t).toBeInstanceOf(TypeError);
  expect(t.message).toBe("width must be a number");
  expect(q.name).toBe("QuotaError");
  expect(q.message).toBe("over quota: 3 of 2");
  expect((q as Error & { remoteStack?: string }).remoteStack).toMatch(/^QuotaError: over quota: 3 of 2\n\s+at /);
  expect(s.name).toBe("Error");
  expect(s.message).toMatch(/non-Error value: "plain"/);
});

test("an unknown job name fails with UnknownJobError from the worker, never retried", async () => {
  const { err, id } = await go(function* () {
    const f = job(ex.withOptions({ attempts: 3 }), "resize", 1);
    return { err: yield* caught(f), id: f.jobId };
  });
  expect(err).toBeInstanceOf(UnknownJobError);
  expect(err.message).toMatch(/unknown job name "resize"; worker w[12] serves: add, /);
  const j = await Job.fromId(ex.queue!, id);
  expect(j!.attemptsMade).toBe(1);
});

test("with jobNames, an unknown name throws a TypeError at once", async () => {
  const named = new BullMQExecutor({ connection: redis.connection, queue: "main", jobNames: ["add", "echo"] });
  await go(function* () {
    expect(() => job(named, "ad", 1, 2)).toThrow(/^runInExecutor\(executor, fn, \.\.\.args\): unknown job name "ad"; the workers serve: add, echo$/);
    expect(yield* job(named, "add", 1, 2)).toBe(3);
  });
  await named.shutdown();
});

test("an argument JSON cannot carry throws a TypeError at once, naming it", async () => {
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  const cases: [unknown[], RegExp][] = [
    [[1, () => 2], /args\[1\] is a function/],
    [[BigInt(7)], /args\[0\] is a BigInt \(7n\)/],
    [[cyc], /args\[0\]\.self refers back to one of its containers \(a cycle\)/],
    [[[1, undefined]], /args\[0\]\[1\] is undefined/],
    [[1, undefined], /args\[1\] is undefined/],
    [[{ when: new Date(0) }], /args\[0\]\.when is a Date/],
    [[{ n: NaN }], /args\[0\]\.n is NaN/],
    [[new Map()], /args\[0\] is a Map/],
    [[[1, , 3]], /args\[0\]\[1\] is a hole/],
  ];
  await go(function* () {
    for (const [args, msg] of cases) {
      expect(() => job(ex, "echo", ...args)).toThrow(TypeError);
      expect(() => job(ex, "echo", ...args)).toThrow(msg);
    }
    expect(() => getRunningLoop().runInExecutor(ex, (() => 1) as never)).toThrow(/runs jobs by name: 'jobName' must be the non-empty name/);
    expect(ex.pendingCount).toBe(0);
    // An object property set to undefined is dropped, as an option left out.
    expect(yield* job(ex, "echo", { a: 1, b: undefined })).toEqual({ a: 1 });
  });
  expect(() => new BullMQExecutor({ connection: redis.connection, queue: "main", attempts: 0 })).toThrow(RangeError);
  expect(() => ex.withOptions({ timeout: -1 })).toThrow(/'timeout' must be a finite number of ms > 0 or null, got -1/);
});

test("a result JSON cannot carry fails the job with a TypeError", async () => {
  const err = await go(() => caught(job(ex, "badResult")));
  expect(err).toBeInstanceOf(TypeError);
  expect(err.message).toMatch(/returned a value JSON cannot carry: its result\.n is a BigInt/);
});

test("retries with backoff are BullMQ's attempts and backoff", async () => {
  const t0 = Date.now();
  const [ok, err] = await go(function* () {
    const retrying = ex.withOptions({ attempts: 3, backoff: { type: "fixed", delay: 300 } });
    return [yield* job(retrying, "flaky", 2), yield* caught(job(ex.withOptions({ attempts: 2, backoff: 50 }), "flaky", 2))];
  });
  expect(ok).toBe(3);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(600); // two waits of 300 ms between the three tries
  expect(err).toBeInstanceOf(RangeError);
  expect((err as Error).message).toBe("attempt 2 failed");
});

test("a per-job timeout aborts the job's signal with TimeoutError; a job that ignores it is still reported at once", async () => {
  const t0 = Date.now();
  const [slept, stubborn, retried] = await go(function* () {
    const fast = ex.withOptions({ timeout: 300 });
    const a = job(fast, "sleepy", 20_000);
    const b = job(fast, "stubborn", 20_000);
    const c = job(ex.withOptions({ timeout: 200, attempts: 2 }), "sleepy", 20_000);
    return [yield* caught(a), yield* caught(b), { err: yield* caught(c), id: c.jobId }];
  });
  expect(Date.now() - t0).toBeLessThan(15_000);
  for (const e of [slept, stubborn, retried.err]) {
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/timed out after (300|200) ms/);
  }
  const j = await Job.fromId(ex.queue!, retried.id);
  expect(j!.attemptsMade).toBe(2);
  const { logs } = await ex.queue!.getJobLogs(retried.id);
  expect(logs.filter((l) => l.startsWith("aborted: TimeoutError"))).toHaveLength(2);
});

test("cancelling the future of a waiting job removes it from the queue", async () => {
  // No worker serves this queue: its jobs wait.
  const idle = new BullMQExecutor({ connection: redis.connection, queue: "idle" });
  await go(function* (): Coroutine<void> {
    const early = job(idle, "add", 1, 2); // cancelled before BullMQ even answered the add
    early.cancel();
    const late = job(idle, "add", 3, 4);
    const q = () => idle.queue!;
    expect(yield* ensureFuture(poll(() => q().getJobState(late.jobId), (s) => s === "waiting"))).toBe("waiting");
    expect(late.cancel("no longer needed")).toBe(true);
    expect(late.cancelled()).toBe(true);
    expect(idle.pendingCount).toBe(0);
    expect(yield* ensureFuture(poll(() => q().getJobState(late.jobId), (s) => s === "unknown"))).toBe("unknown");
    expect(yield* ensureFuture(poll(() => q().getJobState(early.jobId), (s) => s === "unknown"))).toBe("unknown");
    expect(yield* ensureFuture(q().getWaitingCount())).toBe(0);
  });
  await idle.shutdown();
});

test("cancelling the future of a job waiting for its retry (delayed by backoff) removes it", async () => {
  await go(function* (): Coroutine<void> {
    const f = job(ex.withOptions({ attempts: 3, backoff: 60_000 }), "flaky", 5);
    const q = ex.queue!; // made by the first job
    expect(yield* ensureFuture(poll(() => q.getJobState(f.jobId), (s) => s === "delayed"))).toBe("delayed");
    f.cancel();
    expect(yield* ensureFuture(poll(() => q.getJobState(f.jobId), (s) => s === "unknown"))).toBe("unknown");
  });
});

test("cancelling the future of an active job aborts the worker's signal; it is not retried", async () => {
  const { f, q } = await go(function* (): Coroutine<{ f: BullMQJobFuture<unknown>; q: Queue }> {
    const f = job(ex.withOptions({ attempts: 3 }), "sleepy", 20_000);
    const q = ex.queue!;
    expect(yield* ensureFuture(poll(() => q.getJobState(f.jobId), (s) => s === "active"))).toBe("active");
    f.cancel("user gave up");
    let err: unknown;
    try {
      yield* f;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe("user gave up");
    return { f, q }; // not the future itself: run() would adopt it as a thenable
  });
  expect(await poll(() => q.getJobState(f.jobId), (s) => s === "failed")).toBe("failed");
  const j = await Job.fromId(q, f.jobId);
  expect(j!.failedReason).toMatch(/was cancelled/);
  expect(j!.attemptsMade).toBe(1);
  const { logs } = await q.getJobLogs(f.jobId);
  expect(logs).toEqual(["started", expect.stringMatching(/^aborted: CancelledError: job .* was cancelled$/)]);
});

test("the virtual clock counts a dispatched job as pending outside the loop", async () => {
  const r = await run(
    function* () {
      const loop = getRunningLoop();
      const timeline: string[] = [];
      createTask(function* () {
        yield* sleep(60_000);
        timeline.push(`timer at ${loop.time()}`);
      });
      const who = yield* job<string>(ex, "whoami", 300);
      timeline.push(`job done at ${loop.time()} on ${who.slice(0, 1)}`);
      yield* sleep(60_000);
      return timeline;
    },
    { clock: "virtual" },
  );
  // Without the count, the clock would have jumped to 60 000 while the job was out.
  expect(r).toEqual(["job done at 0 on w", "timer at 60000"]);
});

test("jobs fan out to several worker processes and gather their results", async () => {
  const names: string[] = await go(function* () {
    return yield* gather(...Array.from({ length: 12 }, () => job<string>(ex, "whoami", 300)));
  });
  expect(names).toHaveLength(12);
  expect(new Set(names)).toEqual(new Set(["w1", "w2"]));
});

test("shutdown waits for the jobs in flight, then runInExecutor throws RuntimeError", async () => {
  const own = new BullMQExecutor({ connection: redis.connection, queue: "main" });
  const [who, thrown, doneBefore] = await go(function* (): Coroutine<[unknown, unknown, boolean]> {
    const f = job<string>(own, "whoami", 200);
    const closing = ensureFuture(own.shutdown());
    let t: unknown;
    try {
      job(own, "add", 1, 2);
    } catch (e) {
      t = e;
    }
    yield* closing;
    return [f.result(), t, f.done()];
  });
  expect(who).toMatch(/^w[12]$/);
  expect(doneBefore).toBe(true);
  expect(thrown).toBeInstanceOf(RuntimeError);
  expect((thrown as Error).message).toMatch(/the executor was shut down/);
});

test("shutdown with cancelFutures cancels and removes the jobs no worker started", async () => {
  const idle = new BullMQExecutor({ connection: redis.connection, queue: "idle2" });
  const look = new BullMQExecutor({ connection: redis.connection, queue: "idle2" });
  await go(function* (): Coroutine<void> {
    const f = job(idle, "add", 1, 2);
    expect(yield* ensureFuture(poll(() => idle.queue!.getJobState(f.jobId), (s) => s === "waiting"))).toBe("waiting");
    yield* ensureFuture(idle.shutdown({ cancelFutures: true }));
    expect(f.cancelled()).toBe(true);
    // The executor's queue is closed now: look through another one.
    const g = job(look, "add", 0, 0);
    g.cancel();
    expect(yield* ensureFuture(poll(() => look.queue!.getJobState(f.jobId), (s) => s === "unknown"))).toBe("unknown");
  });
  await look.shutdown();
});
}); // describeWithSystem(REDIS)
