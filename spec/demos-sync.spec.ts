/**
 * The demo tour, part 2 (locks, semaphores, events, queues, monitoring): each
 * demo runs as a script on the virtual clock; its output must be exactly these
 * lines, in this order.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectClean, lines, runDemo, startDemos } from "./demo-helpers.js";

jest.setTimeout(90_000);

const demo = startDemos(["limited", "monitor", "lock", "event", "producer-consumer"]);

describe("demos on the virtual clock: synchronization and queues", () => {
  test("limited: 10 jobs through Semaphore(3), then mergeMap(..., 3)", async () => {
    const run = await demo("limited");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. Semaphore(3): each job holds a permit while it runs
        [  0.000s] job  1 starts running: 1 #
        [  0.000s] job  2 starts running: 2 ##
        [  0.000s] job  3 starts running: 3 ###
        [  0.500s] job  2 ends   running: 2 ##
        [  0.500s] job  4 starts running: 3 ###
        [  1.000s] job  1 ends   running: 2 ##
        [  1.000s] job  5 starts running: 3 ###
        [  1.200s] job  4 ends   running: 2 ##
        [  1.200s] job  6 starts running: 3 ###
        [  1.300s] job  5 ends   running: 2 ##
        [  1.300s] job  7 starts running: 3 ###
        [  1.500s] job  3 ends   running: 2 ##
        [  1.500s] job  8 starts running: 3 ###
        [  1.900s] job  8 ends   running: 2 ##
        [  1.900s] job  9 starts running: 3 ###
        [  2.100s] job  7 ends   running: 2 ##
        [  2.100s] job 10 starts running: 3 ###
        [  2.400s] job  6 ends   running: 2 ##
        [  2.700s] job 10 ends   running: 1 #
        [  2.900s] job  9 ends   running: 0
        [  2.900s] all 10 done; most at once: 3
        --- 2. RxJS mergeMap(..., 3): the same limit and the same timeline (not printed again)
        [  2.900s] results in finishing order: 2, 1, 4, 5, 3, 8, 7, 6, 10, 9; most at once: 3
      `),
    );
    // The timeline itself: never more than 3 running, and 3 reached.
    const counts = run.lines.flatMap((l) => /running: (\d+)/.exec(l)?.[1] ?? []).map(Number);
    expect(counts).toHaveLength(20);
    expect(Math.max(...counts)).toBe(3);
  });

  test("monitor: polling done(); a watchdog restarts a service whose heartbeat stopped", async () => {
    const run = await demo("monitor");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. polling done() every 0.5 s
        [  0.000s] monitor: report still running
        [  0.500s] monitor: report still running
        [  1.000s] monitor: report still running
        [  1.500s] monitor: report still running
        [  2.000s] monitor: report done -> "report ready"
        --- 2. a watchdog restarts a service that stops beating
        [  0.400s] service #1: item 1 done, beat
        [  0.800s] service #1: item 2 done, beat
        [  0.800s] service #1: stuck on item 3 (no more heartbeats)
        [  2.000s] watchdog: no heartbeat for 1.2 s, restarting the service
        [  2.000s] service #1: cancelled
        [  2.400s] service #2: item 3 done, beat
        [  2.800s] service #2: item 4 done, beat
        [  3.200s] service #2: item 5 done, beat
        [  3.600s] service #2: item 6 done, beat
        [  4.000s] watchdog: service finished all 6 items after 2 attempts
      `),
    );
  });

  test("lock: one task at a time in the critical section, FIFO; lost updates without the lock", async () => {
    const run = await demo("lock");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. three tasks, one critical section
        [  0.000s] A: waiting for the lock
        [  0.000s] A: printing (lock held)
        [  0.000s] B: waiting for the lock
        [  0.000s] C: waiting for the lock
        [  1.000s] A: done, releasing
        [  1.000s] B: printing (lock held)
        [  2.000s] B: done, releasing
        [  2.000s] C: printing (lock held)
        [  3.000s] C: done, releasing
        --- 2. three deposits of 10 on a balance of 100
        [  0.100s] without the lock: balance = 110 (two updates lost)
        [  0.400s] with the lock:    balance = 130
      `),
    );
  });

  test("event: waiters block until set() after 2 s", async () => {
    const run = await demo("event");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        [  0.000s] A: waiting for the event
        [  0.000s] B: waiting for the event
        [  2.000s] setter: ready.set()
        [  2.000s] A: the event is set, going on
        [  2.000s] B: the event is set, going on
        [  2.000s] isSet() = true; a late waiter does not block:
        [  2.000s] C: waiting for the event
        [  2.000s] C: the event is set, going on
      `),
    );
  });

  test("producer-consumer: sentinel, taskDone/join, shutdown", async () => {
    const run = await demo("producer-consumer");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. bounded queue (maxsize 2), consumer stops on a sentinel
        [  0.000s] producer: put 1 (size 1)
        [  0.000s] consumer: got 1, working 0.5 s
        [  0.200s] producer: put 2 (size 1)
        [  0.400s] producer: put 3 (size 2)
        [  0.500s] consumer: got 2, working 0.5 s
        [  0.600s] producer: put 4 (size 2)
        [  0.800s] producer: queue full, waiting to put 5
        [  1.000s] consumer: got 3, working 0.5 s
        [  1.000s] producer: put 5 (size 2)
        [  1.500s] consumer: got 4, working 0.5 s
        [  1.500s] producer: put the sentinel
        [  2.000s] consumer: got 5, working 0.5 s
        [  2.500s] consumer: got the sentinel, stopping
        [  2.500s] sum of the items: 15
        --- 2. taskDone()/join(): wait until every job is processed, then cancel the workers
        [  0.000s] worker A: job 3
        [  0.000s] worker B: job 1
        [  0.100s] worker B: job 4
        [  0.300s] worker A: job 1
        [  0.400s] worker A: job 5
        [  0.900s] main: join() returned, all jobs done
        [  0.900s] worker A: cancelled while idle
        [  0.900s] worker B: cancelled while idle
        --- 3. shutdown(): the readers end on their own once the queue is empty
        [  0.000s] main: queue shut down
        [  0.000s] reader A: alpha
        [  0.000s] reader B: beta
        [  0.300s] reader A: gamma
        [  0.300s] reader B: delta
        [  0.600s] reader A: epsilon
        [  0.600s] reader B: queue shut down and empty, stopping
        [  0.900s] reader A: queue shut down and empty, stopping
      `),
    );
  });

  test("producer-consumer --trace writes the marble timeline (.txt)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rx-asyncio-demo-trace-"));
    try {
      const file = join(dir, "out.txt");
      const run = await runDemo("producer-consumer", { args: ["--trace", file] });
      expectClean(run);
      const text = readFileSync(file, "utf8");
      expect(text).toMatch(/^one char = \d+ ms of loop time/);
      // one row per task, named as the demo names them
      for (const name of ["producer", "consumer", "worker A", "worker B", "reader A", "reader B"]) {
        expect(text).toMatch(new RegExp(`^${name} +[-(]`, "m"));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
