import { setTimerState, TIMER_DEAD, TIMER_OFF, TIMER_ON, TimerHeap, timerState, type TimerEntry } from "../src/internal/timer-heap.js";

interface E extends TimerEntry {
  id: number;
}

function entry(id: number, when: number, seq: number): E {
  return { id, _when: when, _seq: seq, _flags: TIMER_ON };
}

function drain(h: TimerHeap<E>): number[] {
  const out: number[] = [];
  for (let e = h.pop(); e !== undefined; e = h.pop()) out.push(e.id);
  return out;
}

describe("TimerHeap (lists per delay under a heap)", () => {
  test("pops by (when, seq) across lists, whatever the keys", () => {
    const h = new TimerHeap<E>();
    // key = delay; the clock "now" advances between pushes, as it does in a program.
    h.push(entry(1, 100, 1), 100); // now 0
    h.push(entry(2, 10, 2), 10);
    h.push(entry(3, 105, 3), 100); // now 5, same delay list
    h.push(entry(4, 15, 4), 10);
    h.push(entry(5, 100, 5), 95); // a different delay, same deadline as #1: seq decides
    h.push(entry(6, 50, 6)); // keyed by its deadline (callAt)
    expect(h.size).toBe(6);
    expect(drain(h)).toEqual([2, 4, 6, 1, 5, 3]);
    expect(h.size).toBe(0);
  });

  test("a clock that goes back starts a new list instead of breaking the order", () => {
    const h = new TimerHeap<E>();
    h.push(entry(1, 1000, 1), 100);
    h.push(entry(2, 600, 2), 100); // earlier deadline, same delay
    h.push(entry(3, 1100, 3), 100);
    expect(drain(h)).toEqual([2, 1, 3]);
  });

  test("cancelled entries are skipped lazily and compacted when they are the majority", () => {
    const h = new TimerHeap<E>();
    const all: E[] = [];
    for (let i = 0; i < 1000; i++) {
      const e = entry(i, 10 + (i % 7), i);
      all.push(e);
      h.push(e, 10 + (i % 7));
    }
    for (const e of all) {
      if (e.id % 10 !== 0) {
        setTimerState(e, TIMER_DEAD);
        h.deadCount++;
      }
    }
    expect(h.liveCount).toBe(100);
    h.maybeCompact();
    expect(h.size).toBe(100);
    expect(h.deadCount).toBe(0);
    const expected = all.filter((e) => e.id % 10 === 0).sort((a, b) => a._when - b._when || a._seq - b._seq).map((e) => e.id);
    expect(drain(h)).toEqual(expected);
  });

  test("peek skips dead heads; random programs match a sorted reference", () => {
    let x = 12345;
    const rnd = (n: number) => ((x = (Math.imul(1664525, x) + 1013904223) >>> 0), x % n);
    for (let round = 0; round < 50; round++) {
      const h = new TimerHeap<E>();
      const ref: E[] = [];
      let now = 0;
      let seq = 0;
      for (let step = 0; step < 300; step++) {
        const op = rnd(10);
        if (op < 5) {
          const delay = rnd(20);
          const e = entry(seq, now + delay, seq++);
          ref.push(e);
          h.push(e, delay);
        } else if (op < 7 && ref.length > 0) {
          const e = ref[rnd(ref.length)]!;
          if (timerState(e) !== TIMER_DEAD) {
            setTimerState(e, TIMER_DEAD);
            h.deadCount++;
          }
        } else if (op < 9) {
          const live = ref.filter((e) => timerState(e) !== TIMER_DEAD).sort((a, b) => a._when - b._when || a._seq - b._seq);
          const got = h.pop();
          expect(got?.id).toBe(live[0]?.id);
          if (got) ref.splice(ref.indexOf(got), 1);
        } else {
          now += rnd(5);
          h.maybeCompact();
        }
        expect(h.liveCount).toBe(ref.filter((e) => timerState(e) !== TIMER_DEAD).length);
      }
    }
  });

  test("takeDue moves exactly the live entries due by t, in (when, seq) order, and marks them off", () => {
    let x = 777;
    const rnd = (n: number) => ((x = (Math.imul(1664525, x) + 1013904223) >>> 0), x % n);
    for (let round = 0; round < 50; round++) {
      const h = new TimerHeap<E>();
      const ref: E[] = [];
      let now = 0;
      let seq = 0;
      for (let step = 0; step < 200; step++) {
        const op = rnd(10);
        if (op < 6) {
          // Few distinct delays, so runs of one list interleave with others.
          const delay = rnd(4) * 5 + rnd(2);
          const e = entry(seq, now + delay, seq++);
          ref.push(e);
          h.push(e, delay);
        } else if (op < 7 && ref.length > 0) {
          const e = ref[rnd(ref.length)]!;
          if (timerState(e) === TIMER_ON) {
            setTimerState(e, TIMER_DEAD);
            h.deadCount++;
          }
        } else {
          now += rnd(8);
          const due = ref
            .filter((e) => timerState(e) === TIMER_ON && e._when <= now)
            .sort((a, b) => a._when - b._when || a._seq - b._seq);
          const out: E[] = [];
          expect(h.takeDue(now, out)).toBe(due.length);
          expect(out.map((e) => e.id)).toEqual(due.map((e) => e.id));
          for (const e of out) expect(timerState(e)).toBe(TIMER_OFF);
          for (let i = ref.length - 1; i >= 0; i--) if (ref[i]!._when <= now || timerState(ref[i]!) !== TIMER_ON) {
            if (timerState(ref[i]!) !== TIMER_ON || out.includes(ref[i]!)) ref.splice(i, 1);
          }
          const next = h.peek();
          const live = ref.filter((e) => timerState(e) === TIMER_ON).sort((a, b) => a._when - b._when || a._seq - b._seq);
          expect(next?.id).toBe(live[0]?.id);
        }
        expect(h.liveCount).toBe(ref.filter((e) => timerState(e) === TIMER_ON).length);
      }
    }
  });
});
