/**
 * Issue 20 (W10): inside `TestScheduler.run` a loop with n pending timers
 * holds one TestScheduler action, not n (which cost O(n^2): RxJS re-sorts its
 * action array on every schedule), while each loop timer keeps its place among
 * RxJS's own work of the same frame, as an asyncScheduler action armed when the
 * timer was made would (bug 5 of issue 14).
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { getRunningLoop, run, rxLoop, sleep, type EventLoop } from "../../src/index.js";
import { testScheduler } from "./helpers.js";

/** The TestScheduler's pending actions (VirtualTimeScheduler's public `actions`). */
function pendingActions(ts: TestScheduler): number {
  return ts.actions.length;
}

test("1,000 pending loop sleeps hold at most a few TestScheduler actions, and each wakes at its frame", () => {
  const ts = testScheduler();
  const n = 1000;
  const woke: string[] = [];
  const seen: number[] = [];
  ts.run(() => {
    const loop = rxLoop();
    for (let i = 0; i < n; i++) {
      const d = 2 + ((i * 7919) % 97);
      loop.createTask(function* () {
        yield* sleep(d);
        woke.push(`${i}:${d}@${ts.now()}`);
      });
    }
    // Frames 1 and 50: every sleep is armed (the tasks started at frame 0), most still pending.
    for (const f of [1, 50]) asyncScheduler.schedule(() => seen.push(pendingActions(ts)), f);
  });
  expect(seen).toHaveLength(2);
  // The loop's one armed timer action, plus at most RxJS's own (the other probe).
  for (const count of seen) expect(count).toBeLessThanOrEqual(3);
  expect(woke).toHaveLength(n);
  for (const w of woke) {
    const [, d, at] = /^\d+:(\d+)@(\d+)$/.exec(w)!;
    expect(at).toBe(d);
  }
});

/**
 * A script of scheduled work: each item, when it runs, logs itself and its
 * frame, schedules its children, and may cancel an earlier item. Items marked
 * `loop` go on the loop (when the run uses it), the others on asyncScheduler.
 */
interface Item {
  id: number;
  delay: number;
  loop: boolean;
  children: Item[];
  cancels: number | null;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function script(seed: number): Item[] {
  const rnd = lcg(seed);
  let next = 0;
  const make = (depth: number): Item => {
    const id = next++;
    const kids = depth < 3 ? Math.floor(rnd() * 3) : 0;
    const children: Item[] = [];
    for (let k = 0; k < kids; k++) children.push(make(depth + 1));
    // Delays 1..4: most frames hold several items of both kinds.
    return { id, delay: 1 + Math.floor(rnd() * 4), loop: rnd() < 0.5, children, cancels: rnd() < 0.2 ? Math.floor(rnd() * (id + 8)) : null };
  };
  const roots: Item[] = [];
  for (let r = 0; r < 12; r++) roots.push(make(0));
  return roots;
}

/** Runs `roots` in a fresh TestScheduler.run; `useLoop`: `loop` items on the loop, else everything on asyncScheduler. */
function play(roots: Item[], useLoop: boolean): string[] {
  const ts = testScheduler();
  const log: string[] = [];
  ts.run(() => {
    const loop = rxLoop();
    const subs = new Map<number, Subscription>();
    const arm = (item: Item) => {
      const s: SchedulerLike = useLoop && item.loop ? loop : asyncScheduler;
      subs.set(
        item.id,
        s.schedule(() => {
          log.push(`${item.id}@${ts.now()}`);
          for (const c of item.children) arm(c);
          if (item.cancels !== null) subs.get(item.cancels)?.unsubscribe();
        }, item.delay),
      );
    };
    for (const r of roots) arm(r);
  });
  return log;
}

test.each(Array.from({ length: 40 }, (_, i) => i + 1))(
  "script %i: loop timers and RxJS actions of one frame run in asyncScheduler's order, cancellations included",
  (seed) => {
    const roots = script(seed);
    const expected = play(roots, false);
    expect(expected.length).toBeGreaterThan(0);
    expect(play(roots, true)).toEqual(expected);
  },
);

/**
 * Runs `body` in a fresh `TestScheduler.run` with that run's loop; `at(name)`
 * is a callback that logs `name@frame`.
 */
function frameLog(body: (loop: EventLoop, at: (name: string) => () => void) => void): string[] {
  const ts = testScheduler();
  const log: string[] = [];
  ts.run(() => body(rxLoop(), (name) => () => void log.push(`${name}@${ts.now()}`)));
  return log;
}

test("A (loop), X (RxJS), B (loop), armed in that order for one frame, run A X B; cancelling A leaves X B", () => {
  const run = (cancelA: boolean) =>
    frameLog((loop, at) => {
      const a = loop.callLater(5, at("A"));
      asyncScheduler.schedule(at("X"), 5);
      loop.callLater(5, at("B"));
      if (cancelA) a.cancel();
    });
  expect(run(false)).toEqual(["A@5", "X@5", "B@5"]);
  expect(run(true)).toEqual(["X@5", "B@5"]);
});

test("a loop timer made later for an earlier frame runs first, in its own place: X@2 B@2 A@5", () => {
  const log = frameLog((loop, at) => {
    loop.callLater(5, at("A"));
    asyncScheduler.schedule(at("X"), 2);
    loop.callLater(2, at("B"));
    asyncScheduler.schedule(at("Y"), 2);
  });
  expect(log).toEqual(["X@2", "B@2", "Y@2", "A@5"]);
});

test("callAt a past time runs in the frame, in its place among work already armed for it, as schedule(fn, 0)", () => {
  const run = (past: boolean) =>
    frameLog((loop, at) => {
      loop.callLater(5, at("A"));
      asyncScheduler.schedule(() => {
        at("X")();
        if (past) loop.callAt(loop.time() - 3, at("P"));
        else asyncScheduler.schedule(at("P"), 0);
        asyncScheduler.schedule(at("Y"), 0);
      }, 3);
      asyncScheduler.schedule(at("Z"), 3);
    });
  expect(run(false)).toEqual(["X@3", "Z@3", "P@3", "Y@3", "A@5"]);
  expect(run(true)).toEqual(run(false));
});

test("timers of one frame with no RxJS work between them fire as one action: A B then what A made ready, as on a virtual-clock loop", async () => {
  // The batch (timer-release.ts, `_releaseRun`): A and B are released
  // together and run in one iteration, then C, which A made ready; a
  // virtual-clock loop (asyncio's _run_once: every due timer joins the ready
  // queue together) gives the same order.
  const script = (loop: EventLoop, log: (s: string) => void) => {
    loop.callLater(5, () => {
      log("A");
      loop.callSoon(() => log("C"));
    });
    loop.callLater(5, () => log("B"));
  };
  const marble = frameLog((loop, at) => script(loop, (s) => at(s)()));
  expect(marble).toEqual(["A@5", "B@5", "C@5"]);
  const log: string[] = [];
  await run(
    function* () {
      const loop = getRunningLoop();
      script(loop, (s) => log.push(`${s}@${loop.time()}`));
      yield* sleep(10);
    },
    { clock: "virtual" },
  );
  expect(log).toEqual(marble);
});

test("RxJS work armed between two timers of a frame splits the batch: A C X B", () => {
  const log = frameLog((loop, at) => {
    loop.callLater(5, () => {
      at("A")();
      loop.callSoon(at("C"));
    });
    asyncScheduler.schedule(at("X"), 5);
    loop.callLater(5, at("B"));
  });
  expect(log).toEqual(["A@5", "C@5", "X@5", "B@5"]);
  // A run of two timers before X: A and B together, then C, then X, then D.
  const split = frameLog((loop, at) => {
    loop.callLater(5, () => {
      at("A")();
      loop.callSoon(at("C"));
    });
    loop.callLater(5, at("B"));
    asyncScheduler.schedule(at("X"), 5);
    loop.callLater(5, at("D"));
  });
  expect(split).toEqual(["A@5", "B@5", "C@5", "X@5", "D@5"]);
});

test("2,000 sleeps over 20 frames cost one TestScheduler action per frame, not one per sleep", () => {
  const ts = testScheduler();
  // VirtualTimeScheduler.flush takes each action it runs off the front of `actions`.
  let executed = 0;
  const actions = ts.actions;
  const shift = actions.shift;
  actions.shift = function () {
    executed++;
    return shift.call(this);
  };
  const woke: number[] = [];
  ts.run(() => {
    const loop = rxLoop();
    for (let i = 0; i < 2000; i++) {
      loop.createTask(function* () {
        yield* sleep(1 + (i % 20));
        woke.push(ts.now());
      });
    }
  });
  expect(woke).toHaveLength(2000);
  expect(woke).toEqual([...woke].sort((a, b) => a - b));
  // The first drain (the tasks' first steps), then one chain action per frame.
  expect(executed).toBeGreaterThan(0);
  expect(executed).toBeLessThanOrEqual(1 + 20 + 2);
});
