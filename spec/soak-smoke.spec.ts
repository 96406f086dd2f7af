/**
 * A small soak (issue 8): 20k tasks of the soak's workload with random
 * cancellation on the virtual clock. Every task created must be done, nothing
 * may be left on the loop or in the primitives, and the same seed must give the
 * same run. The full soak with heap sampling is `npm run soak` (not part of
 * `npm test`: it takes minutes).
 */
import { runSoak, slope } from "../scripts/soak/workload.js";

describe("soak smoke", () => {
  test("20k tasks with random cancellation: all done, nothing left behind, deterministic", async () => {
    const waves: number[] = [];
    const opts = { clock: "virtual" as const, tasks: 20_000, concurrency: 500, wave: 5_000, seed: 8 };
    const a = await runSoak({ ...opts, onWave: (n) => waves.push(n) });
    expect(a.problems).toEqual([]);
    expect(a.created).toBe(20_000);
    expect(a.done).toBe(a.created);
    expect(a.ok + a.cancelled + a.failed).toBe(a.done);
    expect(a.failed).toBe(0);
    expect(a.reports).toBe(0);
    // Random cancellation really happened, and most tasks still finished normally.
    expect(a.cancelled).toBeGreaterThan(1_000);
    expect(a.ok).toBeGreaterThan(10_000);
    expect(waves).toEqual([5_000, 10_000, 15_000, 20_000]);
    const b = await runSoak(opts);
    expect([b.ok, b.cancelled, b.failed, b.loopTime]).toEqual([a.ok, a.cancelled, a.failed, a.loopTime]);
  });

  test("the slope the soak reports is a least-squares fit", () => {
    expect(slope([0, 1, 2, 3], [10, 12, 14, 16])).toBeCloseTo(2);
    expect(slope([0, 1, 2, 3], [5, 5, 5, 5])).toBe(0);
    expect(slope([1], [7])).toBe(0);
  });
});
