import { BoundedSemaphore, Semaphore, getRunningLoop, sleep, type Coroutine, type Task } from "../src/index.js";
import { isCancelled, outcome, runV, settle, spawn } from "./sync-helpers.js";

describe("Semaphore: ported from CPython test_locks.SemaphoreTests", () => {
  test("test_initial_value_zero", () => {
    expect(new Semaphore(0).locked()).toBe(true);
  });

  test("test_repr", async () => {
    await runV(function* () {
      const sem = new Semaphore();
      expect(String(sem)).toBe("<Semaphore [unlocked, value:1]>");
      yield* sem.acquire();
      expect(String(sem)).toBe("<Semaphore [locked]>");
      spawn(sem.acquire());
      spawn(sem.acquire());
      yield* sleep(0);
      expect(String(sem)).toBe("<Semaphore [locked, waiters:2]>");
      expect(String(new BoundedSemaphore(2))).toBe("<BoundedSemaphore [unlocked, value:2]>");
    });
  });

  test("test_semaphore: the default value is 1", () => {
    const sem = new Semaphore();
    expect(sem._value).toBe(1);
    expect(sem.locked()).toBe(false);
  });

  test("test_semaphore_value: a negative value throws RangeError naming it", () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(-1)).toThrow("new Semaphore(value): 'value' must be an integer >= 0, got -1");
  });

  test("test_acquire: permits are handed to waiters in order; release() to a waiter leaves value at 0", async () => {
    await runV(function* () {
      const sem = new Semaphore(3);
      const result: number[] = [];
      expect(yield* sem.acquire()).toBe(true);
      expect(yield* sem.acquire()).toBe(true);
      expect(sem.locked()).toBe(false);
      const c = (n: number) =>
        function* (): Coroutine<boolean> {
          yield* sem.acquire();
          result.push(n);
          return true;
        };
      const t1 = spawn(c(1));
      const t2 = spawn(c(2));
      const t3 = spawn(c(3));
      yield* sleep(0);
      expect(result).toEqual([1]);
      expect(sem.locked()).toBe(true);
      expect(sem._lot.size).toBe(2);
      expect(sem._value).toBe(0);
      const t4 = spawn(c(4));
      sem.release();
      sem.release();
      expect(sem._value).toBe(0);
      yield* sleep(0);
      expect(sem._value).toBe(0);
      expect(result.length).toBe(3);
      expect(sem.locked()).toBe(true);
      expect(sem._lot.size).toBe(1);
      expect(t1.result()).toBe(true);
      const race: Task<boolean>[] = [t2, t3, t4];
      expect(race.filter((t) => t.done() && t.result()).length).toBe(2);
      sem.release();
      for (const t of race) yield* t;
      expect(result).toEqual([1, 2, 3, 4]);
    });
  });

  test("test_acquire_cancel: a cancelled acquire() leaves no waiter", async () => {
    await runV(function* () {
      const sem = new Semaphore();
      yield* sem.acquire();
      const acquire = spawn(sem.acquire());
      getRunningLoop().callSoon(() => acquire.cancel());
      const o = yield* outcome(acquire);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(sem._lot.size).toBe(0);
      expect(sem._value).toBe(0);
    });
  });

  test("test_acquire_cancel_before_awoken: cancelled waiters are skipped", async () => {
    await runV(function* () {
      const sem = new Semaphore(0);
      const [t1, t2, t3, t4] = [0, 1, 2, 3].map(() => spawn(sem.acquire()));
      yield* sleep(0);
      t1!.cancel();
      t2!.cancel();
      sem.release();
      yield* sleep(0);
      yield* sleep(0);
      expect([t3, t4].filter((t) => t!.done()).length).toBe(1);
      expect(t3!.done()).toBe(true);
      expect(t4!.done()).toBe(false);
      t3!.cancel();
      t4!.cancel();
      yield* sleep(0);
    });
  });

  test("test_acquire_hang: a cancelled first waiter does not strand the permit", async () => {
    await runV(function* () {
      const sem = new Semaphore(0);
      const t1 = spawn(sem.acquire());
      const t2 = spawn(sem.acquire());
      yield* sleep(0);
      t1.cancel();
      sem.release();
      yield* sleep(0);
      yield* sleep(0);
      expect(sem.locked()).toBe(true);
      expect(t2.done()).toBe(true);
    });
  });

  test("test_acquire_no_hang: a waiter cancelled after it was handed the permit gives it back (gh-90155)", async () => {
    await runV(function* () {
      const sem = new Semaphore(1);
      let t2!: Task<void>;
      const c1 = spawn(function* () {
        yield* sem.withPermit(function* () {
          yield* sleep(0);
        });
        t2.cancel(); // t2 was just handed the permit, in this same step
      });
      t2 = spawn(
        sem.withPermit(function* () {
          throw new Error("must not run");
        }),
      );
      const r1 = yield* outcome(c1);
      const r2 = yield* outcome(t2);
      expect(r1.ok).toBe(true);
      expect(r2.ok === false && isCancelled(r2.error)).toBe(true);
      const late = spawn(sem.acquire());
      yield* sleep(1000);
      expect(late.done() && late.result()).toBe(true);
    });
  });

  test("test_release_not_acquired: BoundedSemaphore refuses to go above its initial value", () => {
    const sem = new BoundedSemaphore();
    expect(() => sem.release()).toThrow(RangeError);
    expect(() => sem.release()).toThrow("BoundedSemaphore released too many times (value 1, bound 1)");
  });

  test("test_release_no_waiters", async () => {
    await runV(function* () {
      const sem = new Semaphore();
      yield* sem.acquire();
      expect(sem.locked()).toBe(true);
      sem.release();
      expect(sem.locked()).toBe(false);
    });
  });

  test("test_acquire_fifo_order: tasks re-acquiring queue behind the others", async () => {
    await runV(function* () {
      const sem = new Semaphore(1);
      const result: string[] = [];
      function* coro(tag: string): Coroutine<void> {
        yield* sem.acquire();
        result.push(`${tag}_1`);
        yield* sleep(10);
        sem.release();
        yield* sem.acquire();
        result.push(`${tag}_2`);
        yield* sleep(10);
        sem.release();
      }
      const ts = ["c1", "c2", "c3"].map((tag) => spawn(coro(tag)));
      for (const t of ts) yield* t;
      expect(result).toEqual(["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
    });
  });

  test("test_acquire_fifo_order_2: a task that releases and re-acquires goes to the back", async () => {
    await runV(function* () {
      const sem = new Semaphore(1);
      const result: number[] = [];
      const t1 = spawn(function* () {
        yield* sem.acquire();
        result.push(1);
        return true;
      });
      const t2 = spawn(function* () {
        yield* sem.acquire();
        result.push(2);
        sem.release();
        yield* sem.acquire();
        result.push(4);
        return true;
      });
      const t3 = spawn(function* () {
        yield* sem.acquire();
        result.push(3);
        return true;
      });
      yield* sleep(0);
      sem.release();
      sem.release();
      for (const t of [t1, t2, t3]) yield* t;
      expect(result).toEqual([1, 2, 3, 4]);
    });
  });

  test("test_acquire_fifo_order_3: a waiter cancelled before it is woken takes no permit", async () => {
    await runV(function* () {
      const sem = new Semaphore(0);
      const result: number[] = [];
      const ts = [1, 2, 3].map((n) =>
        spawn(function* () {
          yield* sem.acquire();
          result.push(n);
          return true;
        }),
      );
      yield* sleep(0);
      ts[0]!.cancel();
      yield* sleep(0);
      sem.release();
      sem.release();
      for (const t of ts) yield* outcome(t);
      expect(result).toEqual([2, 3]);
    });
  });

  test("test_acquire_fifo_order_4: a woken waiter that has not run yet still goes first (gh-90155)", async () => {
    await runV(function* () {
      const sem = new Semaphore(0);
      const result: number[] = [];
      let t4: Task<boolean> | null = null;
      const t1 = spawn(function* () {
        expect(sem._value).toBe(0);
        yield* sem.acquire();
        expect(sem._value).toBe(0); // the tasks queued behind us were woken too
        t4 = spawn(function* () {
          result.push(4);
          return true;
        });
        result.push(1);
        return true;
      });
      const t2 = spawn(function* () {
        sem.release();
        sem.release();
        sem.release();
        expect(sem._value).toBe(2);
        expect(sem.locked()).toBe(true); // t1 has not run yet
        yield* sem.acquire();
        result.push(2);
        return true;
      });
      const t3 = spawn(function* () {
        yield* sem.acquire();
        expect(sem.locked()).toBe(true);
        result.push(3);
        return true;
      });
      yield* sleep(0);
      expect(sem._value).toBe(2);
      expect(sem._lot.size + sem._woken).toBe(3);
      yield* sleep(0);
      for (const t of [t1, t2, t3]) yield* t;
      yield* t4!;
      expect(result).toEqual([1, 2, 3, 4]);
    });
  });
});

describe("Semaphore: fairness, scoped forms, bad input", () => {
  test("acquire() with a free permit and nobody waiting does not suspend", async () => {
    await runV(function* () {
      const sem = new Semaphore(2);
      const order: string[] = [];
      spawn(function* () {
        order.push("other");
      });
      yield* sem.acquire();
      yield* sem.acquire();
      order.push("acquired twice");
      yield* sleep(0);
      expect(order).toEqual(["acquired twice", "other"]);
    });
  });

  test("withPermit bounds concurrency and gives every permit back (also on failure and cancellation)", async () => {
    await runV(function* () {
      const sem = new Semaphore(3);
      let running = 0;
      let peak = 0;
      const ts: Task<void>[] = [];
      for (let i = 0; i < 20; i++) {
        ts.push(
          spawn(
            sem.withPermit(function* () {
              running++;
              peak = Math.max(peak, running);
              try {
                yield* sleep(1 + (i % 4));
                if (i % 5 === 0) throw new Error(`job ${i} failed`);
              } finally {
                running--;
              }
            }),
          ),
        );
      }
      yield* sleep(2);
      ts[7]!.cancel();
      ts[18]!.cancel();
      for (const t of ts) yield* outcome(t);
      expect(peak).toBe(3);
      expect(sem._value).toBe(3);
      expect(sem.locked()).toBe(false);
      expect(ts.filter((t) => t.cancelled()).length).toBe(2);
    });
  });

  test("`using permit = yield* sem.hold()` gives the permit back at scope exit", async () => {
    await runV(function* () {
      const sem = new BoundedSemaphore(1);
      function* job(fail: boolean): Coroutine<void> {
        using _permit = yield* sem.hold();
        expect(sem.locked()).toBe(true);
        yield* sleep(1);
        if (fail) throw new Error("x");
      }
      yield* job(false);
      expect(sem._value).toBe(1);
      yield* outcome(spawn(job(true)));
      expect(sem._value).toBe(1); // a double release would have thrown in BoundedSemaphore
    });
  });

  test("bad input: non-integer, NaN and non-number values; withPermit(non-function)", () => {
    expect(() => new Semaphore(1.5)).toThrow("new Semaphore(value): 'value' must be an integer >= 0, got 1.5");
    expect(() => new Semaphore(Number.NaN)).toThrow(RangeError);
    expect(() => new BoundedSemaphore(-2)).toThrow("new BoundedSemaphore(value): 'value' must be an integer >= 0, got -2");
    expect(() => new Semaphore("3" as never)).toThrow(TypeError);
    expect(() => new Semaphore(2).withPermit(null as never)).toThrow(TypeError);
  });

  test("BoundedSemaphore: releases balanced with acquires are fine; one more throws", async () => {
    await runV(function* () {
      const sem = new BoundedSemaphore(2);
      yield* sem.acquire();
      yield* sem.acquire();
      const w = spawn(sem.acquire());
      yield* sleep(0);
      sem.release(); // handed to w
      yield* w;
      sem.release();
      sem.release();
      expect(() => sem.release()).toThrow(RangeError);
      yield* settle();
      expect(sem._value).toBe(2);
    });
  });
});
