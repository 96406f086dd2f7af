import { RingQueue } from "../src/internal/ring-queue.js";

/** The array that holds the items (it grows by appending, up to the capacity). */
const slots = (q: RingQueue<number>): unknown[] => (q as unknown as { _buf: unknown[] })._buf;
/** How many items it can hold before it grows. */
const capacity = (q: RingQueue<number>): number => (q as unknown as { _mask: number })._mask + 1;

describe("RingQueue", () => {
  it.each([false, true])("stays first-in first-out across growing and shrinking (random pushes and shifts against an array; shrinks: %s)", (shrinks) => {
    const q = new RingQueue<number>(16, shrinks);
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

  it("a shrinking one gives back the slots of a drained burst, and keeps a small buffer", () => {
    const q = new RingQueue<number>(64, true);
    for (let i = 0; i < 100_000; i++) q.push(i);
    expect(capacity(q)).toBe(131_072);
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) if (q.shift() !== i) wrong++;
    expect(wrong).toBe(0);
    // Halved at each quarter down to SHRINK_FROM + 1 (4,096) slots, then once more.
    expect(capacity(q)).toBe(2_048);
    q.push(1);
    expect(q.shift()).toBe(1);
  });

  it("a shrinking one does not shrink while it hovers at the boundary", () => {
    const q = new RingQueue<number>(16, true);
    for (let i = 0; i < 8_192; i++) q.push(i);
    expect(capacity(q)).toBe(8_192);
    for (let i = 0; i < 6_144; i++) q.shift(); // down to a quarter: halves to 4,096 slots, half full
    expect(capacity(q)).toBe(4_096);
    for (let r = 0; r < 100; r++) {
      q.push(r);
      q.shift();
    }
    expect(capacity(q)).toBe(4_096);
  });

  it("by default it never shrinks: one that fills and drains in turn (a bounded queue's store) keeps its array", () => {
    // A buffer given back at each drain was made again at each fill: a fresh
    // large array in V8 each time.
    const q = new RingQueue<number>();
    for (let i = 0; i < 20_000; i++) q.push(i);
    const buf = slots(q);
    for (let cycle = 0; cycle < 5; cycle++) {
      while (q.length > 0) q.shift();
      for (let i = 0; i < 20_000; i++) q.push(i);
    }
    expect(slots(q)).toBe(buf);
    expect(capacity(q)).toBe(32_768);
  });
});
