/**
 * A crash left behind by an earlier executor job (issue 15): a job that
 * returns but leaves a timer that throws later crashes its worker thread,
 * either between jobs or in the middle of an innocent later job. The report
 * names the worker and the job that left the cause, instead of blaming the
 * innocent job or saying nothing.
 */
import { BrokenWorkerError, getRunningLoop, run, sleep, ThreadPoolExecutor, type Coroutine, type ExceptionContext } from "../src/index.js";

jest.setTimeout(30_000);

/** Returns at once, leaving a timer that throws `ms` later. */
function leaky(ms: number): string {
  setTimeout(() => {
    throw new Error("thrown by a timer leaky() left behind");
  }, ms);
  return "leaky done";
}

/** Waits `ms` without blocking its worker's event loop. */
async function innocent(ms: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return "innocent done";
}

function quick(): number {
  return 7;
}

test("a crash during an innocent job names the earlier job that left the timer behind", async () => {
  const err = await run(function* (): Coroutine<unknown> {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const loop = getRunningLoop();
    try {
      expect(yield* loop.runInExecutor(ex, leaky, 100)).toBe("leaky done");
      try {
        yield* loop.runInExecutor(ex, innocent, 1000);
      } catch (e) {
        return e;
      }
      return null;
    } finally {
      ex.shutdown({ wait: false });
    }
  }, { clock: "real" });
  expect(err).toBeInstanceOf(BrokenWorkerError);
  const message = (err as Error).message;
  expect(message).toMatch(
    /^runInExecutor\(executor, fn, \.\.\.args\): worker thread \d+ crashed while running function innocent, but not because of it: the error came from function leaky \(job 1 on that worker\), which had finished and left a timer or callback behind: Error: thrown by a timer leaky\(\) left behind$/,
  );
  expect(((err as Error).cause as Error).message).toBe("thrown by a timer leaky() left behind");
});

test("a crash between jobs is reported through the loop's exception handler, naming the worker and the job before it", async () => {
  const reports: ExceptionContext[] = [];
  const after = await run(function* (): Coroutine<number> {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_l, ctx) => reports.push(ctx));
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      yield* loop.runInExecutor(ex, quick);
      yield* loop.runInExecutor(ex, leaky, 50);
      // The worker crashes while idle; wait for the report (real time: a worker thread).
      for (let i = 0; i < 100 && reports.length === 0; i++) yield* sleep(20);
      // The pool replaces the worker: the next job runs.
      return yield* loop.runInExecutor(ex, quick);
    } finally {
      ex.shutdown({ wait: false });
    }
  }, { clock: "real" });
  expect(after).toBe(7);
  expect(reports).toHaveLength(1);
  expect(reports[0]!.message).toMatch(
    /^ThreadPoolExecutor: worker thread \d+ crashed between jobs, after function leaky \(job 2 on that worker\) had finished; the error came from a timer or callback left behind by function leaky \(job 2 on that worker\): Error: thrown by a timer leaky\(\) left behind\. No job was running on it; the pool starts a new worker for the next one$/,
  );
  expect((reports[0]!.exception as Error).message).toBe("thrown by a timer leaky() left behind");
});
