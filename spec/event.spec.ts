import { Event, getRunningLoop, sleep, type Coroutine } from "../src/index.js";
import { isCancelled, outcome, runV, settle, spawn } from "./sync-helpers.js";

describe("Event: ported from CPython test_locks.EventTests", () => {
  test("test_repr", async () => {
    await runV(function* () {
      const ev = new Event();
      expect(String(ev)).toBe("<Event [unset]>");
      spawn(ev.wait());
      yield* sleep(0);
      expect(String(ev)).toBe("<Event [unset, waiters:1]>");
      ev.set();
      expect(String(ev)).toBe("<Event [set]>");
    });
  });

  test("test_wait: set() wakes every waiter; a task that starts after set() does not block", async () => {
    await runV(function* () {
      const ev = new Event();
      expect(ev.isSet()).toBe(false);
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coroutine<void> {
          if (yield* ev.wait()) result.push(n);
        };
      const t1 = spawn(c(1));
      const t2 = spawn(c(2));
      yield* sleep(0);
      expect(result).toEqual([]);
      const t3 = spawn(c(3));
      ev.set();
      yield* sleep(0);
      // t3's first step was scheduled before set() woke t1 and t2.
      expect(result).toEqual([3, 1, 2]);
      for (const t of [t1, t2, t3]) expect(t.done() && t.result() === undefined).toBe(true);
    });
  });

  test("test_wait_on_set: wait() on a set event evaluates to true without suspending", async () => {
    await runV(function* () {
      const ev = new Event();
      ev.set();
      const order: string[] = [];
      spawn(function* () {
        order.push("other");
      });
      expect(yield* ev.wait()).toBe(true);
      order.push("waited");
      yield* sleep(0);
      expect(order).toEqual(["waited", "other"]);
    });
  });

  test("test_wait_cancel: a cancelled wait() leaves no waiter behind", async () => {
    await runV(function* () {
      const ev = new Event();
      const wait = spawn(ev.wait());
      getRunningLoop().callSoon(() => wait.cancel());
      const o = yield* outcome(wait);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(ev._lot.size).toBe(0);
    });
  });

  test("test_clear", () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);
    ev.set();
    expect(ev.isSet()).toBe(true);
    ev.clear();
    expect(ev.isSet()).toBe(false);
  });

  test("test_clear_with_waiters: a waiter woken by set() returns even if clear() ran since", async () => {
    await runV(function* () {
      const ev = new Event();
      const result: number[] = [];
      const t = spawn(function* (): Coroutine<boolean> {
        if (yield* ev.wait()) result.push(1);
        return true;
      });
      yield* sleep(0);
      expect(result).toEqual([]);
      ev.set();
      ev.clear();
      expect(ev.isSet()).toBe(false);
      ev.set();
      ev.set();
      yield* sleep(0);
      expect(result).toEqual([1]);
      expect(ev._lot.size).toBe(0);
      expect(t.result()).toBe(true);
    });
  });
});

describe("Event: order and cancellation", () => {
  test("set() wakes waiters in the order they started waiting", async () => {
    await runV(function* () {
      const ev = new Event();
      const order: number[] = [];
      for (let i = 0; i < 5; i++) {
        spawn(function* () {
          yield* ev.wait();
          order.push(i);
        });
      }
      yield* sleep(0);
      ev.set();
      yield* settle();
      expect(order).toEqual([0, 1, 2, 3, 4]);
    });
  });

  test("a waiter cancelled after set() woke it takes nothing from the others", async () => {
    await runV(function* () {
      const ev = new Event();
      const a = spawn(ev.wait());
      const b = spawn(ev.wait());
      yield* sleep(0);
      ev.set();
      a.cancel();
      yield* settle();
      expect(a.cancelled()).toBe(true);
      expect(b.result()).toBe(true);
    });
  });

  test("cancelling one of several waiters unlinks only that one (O(1) removal from the middle)", async () => {
    await runV(function* () {
      const ev = new Event();
      const ts = [0, 1, 2, 3].map(() => spawn(ev.wait()));
      yield* sleep(0);
      expect(ev._lot.size).toBe(4);
      ts[1]!.cancel();
      ts[2]!.cancel();
      expect(ev._lot.size).toBe(2);
      ev.set();
      yield* settle();
      expect(ts.map((t) => (t.cancelled() ? "c" : t.result()))).toEqual([true, "c", "c", true]);
    });
  });
});
