import { RingQueue } from "../src/internal/ring-queue.js";

/** The buffer's size: what the queue holds on to. */
const slots = (q: RingQueue<number>): number => (q as unknown as { _buf: unknown[] })._buf.length;

describe("RingQueue", () => {
  it("stays first-in first-out across growing and shrinking (random pushes and shifts against an array)", () => {
    const q = new RingQueue<number>();
    const ref: number[] = [];
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let next = 0;
    for (let round = 0; round < 40; round++) {
      // Bursts of up to 20k items, drained to a random level: crosses both the grow and the shrink rule.
      const burst = Math.floor(rnd() * 20_000);
      for (let i = 0; i < burst; i++) {
        q.push(next);
        ref.push(next++);
      }
      const drain = Math.floor(rnd() * (ref.length + 1));
      let wrong = 0;
      for (let i = 0; i < drain; i++) if (q.shift() !== ref.shift()) wrong++;
      expect(wrong).toBe(0);
      expect(q.length).toBe(ref.length);
      expect(q.peek()).toBe(ref[0]);
    }
    expect(q.toArray()).toEqual(ref);
    let wrong = 0;
    while (ref.length > 0) if (q.shift() !== ref.shift()) wrong++;
    expect(wrong).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it("gives back the slots of a drained burst, and keeps a small buffer", () => {
    const q = new RingQueue<number>(64);
    for (let i = 0; i < 100_000; i++) q.push(i);
    expect(slots(q)).toBe(131_072);
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) if (q.shift() !== i) wrong++;
    expect(wrong).toBe(0);
    // Halved at each quarter down to SHRINK_FROM + 1 (4,096) slots, then once more.
    expect(slots(q)).toBe(2_048);
    q.push(1);
    expect(q.shift()).toBe(1);
  });

  it("does not shrink while it hovers at the boundary", () => {
    const q = new RingQueue<number>();
    for (let i = 0; i < 8_192; i++) q.push(i);
    expect(slots(q)).toBe(8_192);
    for (let i = 0; i < 6_144; i++) q.shift(); // down to a quarter: halves to 4,096 slots, half full
    expect(slots(q)).toBe(4_096);
    for (let r = 0; r < 100; r++) {
      q.push(r);
      q.shift();
    }
    expect(slots(q)).toBe(4_096);
  });
});
