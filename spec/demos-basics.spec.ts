/**
 * The demo tour, part 1: each demo runs as a script (node + tsx, as `npm run
 * demo -- <name>` does) on the virtual clock, and its output must be exactly
 * these lines, in this order.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectClean, lines, runDemo, startDemos } from "./demo-helpers.js";

jest.setTimeout(90_000);

const demo = startDemos(["hello", "first-completion", "gather", "errors", "cancellation", "dependent"]);

describe("demos on the virtual clock: basics", () => {
  test("hello: Hello, 1 s, World", async () => {
    const run = await demo("hello");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        [  0.000s] Hello
        [  1.000s] World
      `),
    );
  });

  test("first-completion: the first to finish wins, the others are cancelled (done callback, race, raceTasks)", async () => {
    const run = await demo("first-completion");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. a done callback cancels the others
        [  0.000s] eu: started (needs 3 s)
        [  0.000s] us: started (needs 1 s)
        [  0.000s] asia: started (needs 2 s)
        [  1.000s] us: finished
        [  1.000s] eu: cancelled, closing its connection
        [  1.000s] asia: cancelled, closing its connection
        [  1.200s] eu: connection closed
        [  1.200s] asia: connection closed
        [  1.200s] winner: us -> "data from us"; cancelled: eu, asia
        --- 2. RxJS race: the first task observable to emit wins, the others are unsubscribed (cancelled)
        [  0.000s] eu: started (needs 3 s)
        [  0.000s] us: started (needs 1 s)
        [  0.000s] asia: started (needs 2 s)
        [  1.000s] us: finished
        [  1.000s] eu: cancelled, closing its connection
        [  1.000s] asia: cancelled, closing its connection
        [  1.000s] race -> "data from us" (race did not wait for the losers' cleanup)
        [  1.200s] eu: connection closed
        [  1.200s] asia: connection closed
        --- 3. raceTasks: the same, but the result comes after the losers' cleanup
        [  0.000s] eu: started (needs 3 s)
        [  0.000s] us: started (needs 1 s)
        [  0.000s] asia: started (needs 2 s)
        [  1.000s] us: finished
        [  1.000s] eu: cancelled, closing its connection
        [  1.000s] asia: cancelled, closing its connection
        [  1.200s] eu: connection closed
        [  1.200s] asia: connection closed
        [  1.200s] raceTasks -> "data from us"
      `),
    );
  });

  test("gather: argument order, the longest time not the sum; forkJoin the same", async () => {
    const run = await demo("gather");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. one after the other: 2 s + 1 s
        [  0.000s] fetchUser(1): started
        [  2.000s] fetchUser(1): done
        [  2.000s] countPosts(1): started
        [  3.000s] countPosts(1): done
        [  3.000s] Ada has 42 posts: the times add up
        --- 2. gather: both at once
        [  0.000s] fetchUser(1): started
        [  0.000s] countPosts(1): started
        [  1.000s] countPosts(1): done
        [  2.000s] fetchUser(1): done
        [  2.000s] results in argument order: [Ada, 42] although countPosts finished first; the longest time, not the sum
        --- 3. RxJS forkJoin of task observables: the same
        [  0.000s] fetchUser(1): started
        [  0.000s] countPosts(1): started
        [  1.000s] countPosts(1): done
        [  2.000s] fetchUser(1): done
        [  2.000s] forkJoin -> [Ada, 42]
      `),
    );
  });

  test("errors: caught from gather, returnExceptions, a done callback, forkJoin cancelling the sibling", async () => {
    const run = await demo("errors");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. gather: the first error reaches the caller; the other task keeps running
        [  1.000s] chargeCard: raising PaymentError
        [  1.000s] caught PaymentError: card declined for 250 EUR
        [  1.000s] sendEmail still running: true
        [  2.000s] sendEmail: sent to ada@example.com
        --- 2. gather with returnExceptions: every outcome, in argument order
        [  1.000s] chargeCard: charged 40 EUR
        [  1.000s] chargeCard: raising PaymentError
        [  2.000s] sendEmail: sent to bob@example.com
        [  2.000s] result 0: ok, receipt for 40 EUR
        [  2.000s] result 1: failed, PaymentError: card declined for 250 EUR
        [  2.000s] result 2: ok, mail to bob@example.com
        --- 3. a done callback reports success or failure
        [  1.000s] chargeCard: charged 40 EUR
        [  1.000s] chargeCard: raising PaymentError
        [  1.000s] callback: succeeded with "receipt for 40 EUR"
        [  1.000s] callback: failed with PaymentError: card declined for 250 EUR
        --- 4. RxJS forkJoin: the first error cancels the others (without waiting for them)
        [  1.000s] chargeCard: raising PaymentError
        [  1.000s] caught PaymentError: card declined for 250 EUR
        [  1.000s] sendEmail: cancelled
      `),
    );
  });

  test("cancellation: caught, cleaned up, re-raised; the caller sees CancelledError; takeUntil completes at once while the cleanup finishes after", async () => {
    const run = await demo("cancellation");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. cancel(): a request the task handles
        [  0.000s] worker: started, needs 5 s
        [  1.000s] main: cancel() returned true; done() = false
        [  1.000s] worker: caught CancelledError("shutting down"), cleaning up
        [  1.500s] worker: cleanup done, re-raising
        [  1.500s] main: awaiting the worker threw CancelledError("shutting down")
        [  1.500s] main: cancelled() = true, done() = true
        --- 2. RxJS takeUntil: unsubscribing cancels the task; its cleanup still finishes
        [  0.000s] worker: started, needs 5 s
        [  1.000s] main: takeUntil fired: the stream completed and the task was cancelled
        [  1.000s] main: the task is done? false (its cleanup is still running)
        [  1.000s] worker: caught CancelledError(""), cleaning up
        [  1.500s] worker: cleanup done, re-raising
        [  1.500s] main: now the cleanup has finished: cancelled() = true
      `),
    );
  });

  test("dependent: two tasks await one task's result, which is computed once; switchMap", async () => {
    const run = await demo("dependent");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. tasks awaiting another task
        [  0.000s] fetchUser(42): started
        [  0.000s] orders: waiting for the user
        [  0.000s] greeting: waiting for the user
        [  1.000s] fetchUser(42): done
        [  1.000s] fetchOrders(Ada): started
        [  1.000s] greeting: Hello, Ada!
        [  1.500s] orders: Ada ordered book and lamp
        [  1.500s] main: Ada has 2 orders (fetchUser ran once)
        --- 2. RxJS: switchMap from the user to the orders
        [  0.000s] fetchUser(42): started
        [  1.000s] fetchUser(42): done
        [  1.000s] fetchOrders(Ada): started
        [  1.500s] orders: book, lamp
      `),
    );
  });

  test("first-completion --trace writes a Chrome trace of its tasks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rx-asyncio-demo-trace-"));
    try {
      const file = join(dir, "out.json");
      const run = await runDemo("first-completion", { args: ["--trace", file] });
      expectClean(run);
      const trace = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: { name: string; ph: string; args?: { name?: string } }[] };
      const threads = trace.traceEvents.filter((e) => e.name === "thread_name").map((e) => e.args?.name);
      // the mirrors of sections 1 and 2 are named tasks
      expect(threads.filter((n) => n === "us")).toHaveLength(2);
      expect(threads.filter((n) => n === "eu")).toHaveLength(2);
      expect(trace.traceEvents.length).toBeGreaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
