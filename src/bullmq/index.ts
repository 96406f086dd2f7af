/**
 * `rx-asyncio/bullmq`: run jobs on a fleet of BullMQ workers (Redis) with the
 * same `runInExecutor` / Future / cancellation model as the thread pool.
 * A separate entry point, so the core does not depend on BullMQ (an optional
 * peer dependency).
 *
 * @example
 * ```ts
 * // coordinator
 * const ex = new BullMQExecutor({ connection: { host: "127.0.0.1", port: 6379 }, queue: "work" });
 * const sum = yield* loop.runInExecutor(ex, "add", 1, 2);
 * // each worker process
 * serveJobs({ connection: { host: "127.0.0.1", port: 6379 }, queue: "work", jobs: { add: (_ctx, a: number, b: number) => a + b } });
 * ```
 *
 * @module
 */
export { BullMQExecutor, type BullMQExecutorOptions, type BullMQJobOptions } from "./executor.js";
export { BullMQJobFuture } from "./job-future.js";
export { serveJobs, type JobContext, type JobHandler, type JobServer, type ServeJobsOptions } from "./serve.js";
export { JobConnectionError, JobLockExpiredError, JobLostError, UnknownJobError } from "./errors.js";
export { BULLMQ_EXECUTOR_WARNING, type BullMQShutdownReport } from "./shutdown.js";
