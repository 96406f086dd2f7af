/**
 * Cancellation safety, checked by brute force: each scenario runs once per
 * cancel point k (the victim is cancelled after k trips round the ready
 * queue), so the cancel lands before the operation, while it is parked, after
 * it was woken but before it ran, and after it finished. After everything
 * settles, the invariants are checked: no item lost or duplicated, no permit
 * leaked, no wake-up lost (every task that can finish did).
 *
 * The CPython bugs these guard against: bpo-23812 (Queue), bpo-27585 (Lock),
 * gh-90155 (Semaphore), gh-112202 (Condition notify lost), gh-77022 and
 * gh-86766 (Condition.wait must re-acquire the lock when cancelled).
 */
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  Queue,
  Semaphore,
  createTask,
  fromQueue,
  sleep,
  type Coroutine,
  type Task,
} from "../src/index.js";
import { PENDING } from "../src/internal/future-state.js";
import { Waiter } from "../src/internal/parking-lot.js";
import { expectDone, isCancelled, outcome, runV, settle, spawn, ticks } from "./sync-helpers.js";

/** Where the victim was when the cancel arrived. */
function stateOf(t: Task<unknown>): string {
  if (t.done()) return "done";
  const w = t._futWaiter;
  if (w instanceof Waiter) return w._state === PENDING ? "parked" : "woken";
  return "running";
}

/**
 * Cancels `victim` after `k` ticks and records where it was; `k < 0` cancels
 * at once, before the victim's first step.
 */
function cancelAt(victim: Task<unknown>, k: number, seen: Set<string>): void {
  if (k < 0) {
    seen.add("not started");
    victim.cancel("cancel point -1");
    return;
  }
  createTask(function* () {
    yield* ticks(k);
    seen.add(stateOf(victim));
    victim.cancel(`cancel point ${k}`);
  });
}

function count<T>(xs: T[], x: T): number {
  return xs.filter((y) => y === x).length;
}

/** Runs `scenario(k)` for every cancel point and checks that the interesting states were hit. */
async function sweep(maxK: number, mustSee: string[], scenario: (k: number, seen: Set<string>) => Coroutine<void>) {
  const seen = new Set<string>();
  for (let k = -1; k <= maxK; k++) {
    try {
      await runV(() => scenario(k, seen));
    } catch (e) {
      throw new Error(`cancel point k=${k}: ${(e as Error).message}`);
    }
  }
  for (const s of mustSee) expect([...seen]).toContain(s);
}

describe("cancel at every point: Queue (bpo-23812)", () => {
  test("a cancelled get() never loses an item; the other getters are still served", async () => {
    await sweep(10, ["not started", "parked", "woken", "done"], function* (k, seen) {
      const q = new Queue<number>();
      const got: number[] = [];
      const getter = () =>
        spawn(function* () {
          got.push(yield* q.get());
        });
      const v = getter();
      const g1 = getter();
      const g2 = getter();
      spawn(function* () {
        yield* sleep(0);
        q.putNowait(1);
        yield* sleep(10);
        q.putNowait(2);
        q.putNowait(3);
      });
      cancelAt(v, k, seen);
      yield* sleep(5);
      // Quiet moment: an item in the queue with a getter still parked is a lost wake-up.
      expect(q.qsize() > 0 && q._getters.size > 0).toBe(false);
      yield* settle();
      expectDone(g1, "getter 1");
      expectDone(g2, "getter 2");
      const left: number[] = [];
      while (!q.empty()) left.push(q.getNowait());
      expect([...got, ...left].sort()).toEqual([1, 2, 3]); // each item exactly once
      expect(got.length).toBe(v.cancelled() ? 2 : 3);
      expect(q._getters.size).toBe(0);
      expect(q._getReserved).toBe(0);
    });
  });

  test("a cancelled put() never adds its item; a completed one adds it once; no putter is stranded", async () => {
    await sweep(10, ["not started", "parked", "woken", "done"], function* (k, seen) {
      const q = new Queue<number>(1);
      q.putNowait(0);
      const v = spawn(q.put(100));
      const p = spawn(q.put(200));
      const items: number[] = [];
      const consumer = spawn(function* () {
        for (;;) {
          yield* sleep(0);
          items.push(yield* q.get());
          if (items.length === 1) yield* sleep(10);
        }
      });
      cancelAt(v, k, seen);
      yield* sleep(5);
      // Quiet moment: room in the queue with a putter still parked is a lost wake-up.
      expect(!q.full() && q._putters.size > 0).toBe(false);
      yield* settle();
      expectDone(p, "the other putter");
      while (!q.empty()) items.push(q.getNowait());
      expect(count(items, 0)).toBe(1);
      expect(count(items, 200)).toBe(1);
      expect(count(items, 100)).toBe(v.cancelled() ? 0 : 1);
      expect(q._putters.size).toBe(0);
      expect(q._putReserved).toBe(0);
      consumer.cancel();
    });
  });

  test("unsubscribing fromQueue at any point loses no item", async () => {
    const seen = new Set<string>();
    for (let k = 0; k <= 8; k++) {
      await runV(function* () {
        const q = new Queue<number>();
        const emitted: number[] = [];
        const sub = fromQueue(q).subscribe((x) => emitted.push(x));
        spawn(function* () {
          for (let i = 1; i <= 4; i++) {
            yield* sleep(0);
            q.putNowait(i);
          }
        });
        spawn(function* () {
          yield* ticks(k);
          seen.add(String(emitted.length));
          sub.unsubscribe();
        });
        yield* settle();
        const left: number[] = [];
        while (!q.empty()) left.push(q.getNowait());
        expect([...emitted, ...left]).toEqual([1, 2, 3, 4]);
      });
    }
    expect(seen.size).toBeGreaterThan(2); // unsubscribed at several different points
  });
});

describe("cancel at every point: Lock (bpo-27585)", () => {
  test("a cancelled acquire() never strands the lock; mutual exclusion holds; every other task gets it", async () => {
    await sweep(12, ["parked", "woken", "done"], function* (k, seen) {
      const lock = new Lock();
      let inside = 0;
      let violations = 0;
      const ran: string[] = [];
      function* critical(name: string): Coroutine<void> {
        inside++;
        if (inside > 1) violations++;
        try {
          yield* sleep(0);
        } finally {
          inside--;
        }
        ran.push(name);
      }
      const holder = spawn(lock.withLock(() => critical("holder")));
      const v = spawn(function* () {
        yield* lock.acquire();
        try {
          yield* critical("victim");
        } finally {
          lock.release();
        }
      });
      const w1 = spawn(lock.withLock(() => critical("w1")));
      const w2 = spawn(function* () {
        using _held = yield* lock.hold();
        yield* critical("w2");
      });
      cancelAt(v, k, seen);
      yield* settle();
      for (const t of [holder, w1, w2]) expectDone(t, "a lock user");
      expect(violations).toBe(0);
      expect(ran.filter((n) => n !== "victim")).toEqual(["holder", "w1", "w2"]);
      if (v.cancelled()) expect(ran).not.toContain("victim");
      expect(lock.locked()).toBe(false);
      expect(lock._woken).toBe(false);
      expect(lock._lot.size).toBe(0);
    });
  });
});

describe("cancel at every point: Semaphore (gh-90155)", () => {
  test("a cancelled acquire() never leaks a permit; the bound holds; FIFO order is kept", async () => {
    await sweep(14, ["parked", "woken", "done"], function* (k, seen) {
      const sem = new Semaphore(2);
      let running = 0;
      let peak = 0;
      const order: number[] = [];
      const job = (i: number) =>
        spawn(
          sem.withPermit(function* () {
            order.push(i);
            running++;
            peak = Math.max(peak, running);
            try {
              yield* sleep(0);
            } finally {
              running--;
            }
          }),
        );
      const ts = [0, 1, 2, 3, 4, 5].map(job);
      const v = ts[3]!;
      cancelAt(v, k, seen);
      yield* settle();
      ts.forEach((t, i) => i !== 3 && expectDone(t, `job ${i}`));
      expect(peak).toBeLessThanOrEqual(2);
      expect(order).toEqual([0, 1, 2, 3, 4, 5].filter((i) => i !== 3 || !v.cancelled() || order.includes(3)));
      expect(sem._value).toBe(2);
      expect(sem._woken).toBe(0);
      expect(sem._lot.size).toBe(0);
      expect(sem.locked()).toBe(false);
    });
  });

  test("BoundedSemaphore with hold(): a cancel never releases twice or leaks", async () => {
    await sweep(10, ["parked", "woken", "done"], function* (k, seen) {
      const sem = new BoundedSemaphore(1);
      const done: string[] = [];
      const job = (name: string) =>
        spawn(function* () {
          using _permit = yield* sem.hold();
          yield* sleep(0);
          done.push(name);
        });
      const a = job("a");
      const v = job("v");
      const b = job("b");
      cancelAt(v, k, seen);
      yield* settle();
      expectDone(a, "a");
      expectDone(b, "b");
      const o = yield* outcome(v);
      expect(o.ok || isCancelled(o.error)).toBe(true); // never a RangeError from a double release
      expect(sem._value).toBe(1);
      expect(() => sem.release()).toThrow(RangeError);
    });
  });
});

describe("cancel at every point: Condition (gh-112202, gh-77022, gh-86766)", () => {
  test("a consumer cancelled at any point never swallows a notify(); the others consume everything", async () => {
    await sweep(16, ["parked", "woken", "done"], function* (k, seen) {
      const cond = new Condition();
      const items: number[] = [];
      const got: number[] = [];
      const consumer = () =>
        spawn(
          cond.withLock(function* () {
            yield* cond.waitFor(() => items.length > 0);
            got.push(items.shift()!);
          }),
        );
      const v = consumer();
      const c1 = consumer();
      const c2 = consumer();
      spawn(function* () {
        for (let i = 1; i <= 3; i++) {
          yield* sleep(0);
          yield* cond.withLock(function* () {
            items.push(i);
            cond.notify(1);
          });
        }
      });
      cancelAt(v, k, seen);
      yield* settle();
      expectDone(c1, "consumer 1");
      expectDone(c2, "consumer 2");
      expect([...got, ...items].sort()).toEqual([1, 2, 3]);
      expect(got.length).toBe(v.cancelled() ? 2 : 3);
      expect(cond.locked()).toBe(false);
    });
  });

  test("wait() cancelled at any point ends holding the lock (never 'Lock is not acquired')", async () => {
    await sweep(10, ["parked", "woken", "done"], function* (k, seen) {
      const cond = new Condition();
      let heldWhenLeaving: boolean | null = null;
      const v = spawn(function* () {
        yield* cond.acquire();
        try {
          yield* cond.wait();
        } finally {
          heldWhenLeaving = cond.locked();
          cond.release();
        }
      });
      // Contend for the lock and notify, so the cancel can land in every phase.
      spawn(function* () {
        yield* sleep(0);
        yield* cond.acquire();
        cond.notify();
        yield* sleep(0);
        yield* sleep(0);
        cond.release();
      });
      cancelAt(v, k, seen);
      yield* settle();
      expectDone(v, "the waiter");
      const o = yield* outcome(v);
      expect(o.ok || isCancelled(o.error)).toBe(true);
      expect(heldWhenLeaving).toBe(k < 0 ? null : true); // k < 0: cancelled before it started
      expect(cond.locked()).toBe(false);
      expect(cond._lot.size).toBe(0);
    });
  });
});

describe("cancel at every point: Event and Barrier", () => {
  test("Event: a cancelled waiter takes nothing from the other waiters", async () => {
    await sweep(6, ["parked", "woken", "done"], function* (k, seen) {
      const ev = new Event();
      const v = spawn(ev.wait());
      const others = [spawn(ev.wait()), spawn(ev.wait())];
      spawn(function* () {
        yield* ticks(2);
        ev.set();
      });
      cancelAt(v, k, seen);
      yield* settle();
      for (const t of others) expect(t.result()).toBe(true);
      expect(ev._lot.size).toBe(0);
    });
  });

  test("Barrier: a cancelled party leaves cleanly; a replacement lets the others through", async () => {
    await sweep(8, ["not started", "parked", "done"], function* (k, seen) {
      const barrier = new Barrier(3);
      const a = spawn(barrier.wait());
      const v = spawn(barrier.wait());
      const b = spawn(function* () {
        yield* ticks(3);
        return yield* barrier.wait();
      });
      cancelAt(v, k, seen);
      yield* settle();
      if (!a.done()) {
        expect(barrier.nWaiting).toBe(2); // the victim left before the trip
        spawn(barrier.wait());
        yield* settle();
      }
      expect(a.done() && b.done()).toBe(true);
      expect(barrier._count).toBe(0);
      expect(barrier.broken).toBe(false);
      expect(barrier._filling.size + barrier._blocked.size).toBe(0);
    });
  });
});
