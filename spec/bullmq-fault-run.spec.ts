/**
 * Issue 16: the fault run, short (the full size is `npm run soak:bullmq`):
 * real redis-server with its append-only file, real worker processes, random
 * cancellations, a worker killed with SIGKILL, Redis restarted mid-run.
 */
import { faultRun, faultRunHolds } from "./bullmq-fault-run";
import { REDIS, describeWithSystem } from "./system-deps";

describeWithSystem(REDIS, "BullMQExecutor fault run (real redis-server, real workers)", () => {
  test("3 000 jobs, 5% cancelled, a worker SIGKILLed, Redis restarted: every future settles, the counts add up, re-runs only where documented", async () => {
    const r = await faultRun({ jobs: 3000 });
    expect({ unsettled: r.unsettled, wrongResults: r.wrongResults, unexplainedReRuns: r.unexplainedReRuns }).toEqual({ unsettled: 0, wrongResults: 0, unexplainedReRuns: [] });
    expect(r.completed + r.failed + r.cancelled).toBe(3000);
    expect(r.cancelled).toBeGreaterThan(0);
    // No job fails: a killed worker's jobs run again elsewhere, Redis comes back with its data.
    expect(r.failures).toEqual({});
    expect(faultRunHolds(r)).toBe(true);
  }, 60_000);
});
