import { CancelledError, Lock, RuntimeError, getRunningLoop, sleep, type Coroutine, type Future } from "../src/index.js";
import { isCancelled, outcome, runV, settle, spawn } from "./sync-helpers.js";

describe("Lock: ported from CPython test_locks.LockTests", () => {
  test("test_repr: toString shows the state and the waiters", async () => {
    await runV(function* () {
      const lock = new Lock();
      expect(String(lock)).toBe("<Lock [unlocked]>");
      yield* lock.acquire();
      expect(String(lock)).toBe("<Lock [locked]>");
      spawn(lock.acquire());
      yield* sleep(0);
      expect(String(lock)).toBe("<Lock [locked, waiters:1]>");
      lock.release();
      expect(String(lock)).toBe("<Lock [unlocked, waiters:1]>"); // woken, not run yet
    });
  });

  test("test_acquire: waiters get the lock one at a time, first come first served", async () => {
    await runV(function* () {
      const lock = new Lock();
      const result: number[] = [];
      expect(yield* lock.acquire()).toBe(true);
      const c = (n: number) =>
        function* (): Coroutine<boolean> {
          if (yield* lock.acquire()) result.push(n);
          return true;
        };
      const t1 = spawn(c(1));
      const t2 = spawn(c(2));
      yield* sleep(0);
      expect(result).toEqual([]);
      lock.release();
      yield* sleep(0);
      expect(result).toEqual([1]);
      yield* sleep(0);
      expect(result).toEqual([1]);
      const t3 = spawn(c(3));
      lock.release();
      yield* sleep(0);
      expect(result).toEqual([1, 2]);
      lock.release();
      yield* sleep(0);
      expect(result).toEqual([1, 2, 3]);
      for (const t of [t1, t2, t3]) expect(t.result()).toBe(true);
    });
  });

  test("test_acquire_cancel: a cancelled waiter leaves no waiter behind", async () => {
    await runV(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const task = spawn(lock.acquire());
      getRunningLoop().callSoon(() => task.cancel());
      const o = yield* outcome(task);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(lock._lot.size).toBe(0);
      expect(lock._woken).toBe(false);
    });
  });

  test("test_cancel_race: a cancelled waiter is skipped, the next one gets the lock (bpo-27585)", async () => {
    await runV(function* () {
      const lock = new Lock();
      function* lockit(blocker: Future<void> | null): Coroutine<void> {
        yield* lock.acquire();
        try {
          if (blocker !== null) yield* blocker;
        } finally {
          lock.release();
        }
      }
      const fa = getRunningLoop().createFuture<void>();
      const ta = spawn(lockit(fa));
      yield* sleep(0);
      expect(lock.locked()).toBe(true);
      const tb = spawn(lockit(null));
      yield* sleep(0);
      expect(lock._lot.size).toBe(1);
      const tc = spawn(lockit(null));
      yield* sleep(0);
      expect(lock._lot.size).toBe(2);
      // The race: A releases while B is being cancelled.
      fa.setResult();
      tb.cancel();
      yield* sleep(0);
      expect(lock.locked()).toBe(false);
      expect(ta.done()).toBe(true);
      expect(tb.cancelled()).toBe(true);
      yield* tc;
      expect(lock.locked()).toBe(false);
    });
  });

  test("test_cancel_release_race: cancelling one waiter and releasing wakes exactly one (bpo-32734)", async () => {
    await runV(function* () {
      const lock = new Lock();
      let lockCount = 0;
      let callCount = 0;
      function* lockit(): Coroutine<void> {
        callCount++;
        yield* lock.acquire();
        lockCount++;
      }
      yield* lock.acquire();
      const t1 = spawn(lockit);
      const t2 = spawn(lockit);
      const t3 = spawn(lockit);
      yield* sleep(0);
      getRunningLoop().callSoon(() => {
        t1.cancel();
        lock.release();
      });
      const o = yield* outcome(t1);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(lockCount).toBe(1);
      expect(callCount).toBe(3);
      expect(t1.cancelled() && t2.done()).toBe(true);
      t3.cancel();
      yield* sleep(0);
      expect(t3.cancelled()).toBe(true);
    });
  });

  test("test_finished_waiter_cancelled: a newcomer gets the lock after the only waiter is cancelled", async () => {
    await runV(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      expect(lock.locked()).toBe(true);
      const tb = spawn(lock.acquire());
      yield* sleep(0);
      expect(lock._lot.size).toBe(1);
      const tc = spawn(lock.acquire());
      tb.cancel();
      lock.release();
      yield* sleep(0);
      expect(lock.locked()).toBe(true);
      expect(tb.cancelled()).toBe(true);
      expect(yield* tc).toBe(true);
    });
  });

  test("test_release_not_acquired: RuntimeError", () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(RuntimeError);
    expect(() => lock.release()).toThrow("Lock is not acquired.");
  });

  test("test_release_no_waiters", async () => {
    await runV(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      expect(lock.locked()).toBe(true);
      lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  test("test_context_manager: withLock holds the lock inside and releases after", async () => {
    await runV(function* () {
      const lock = new Lock();
      expect(lock.locked()).toBe(false);
      yield* lock.withLock(function* () {
        expect(lock.locked()).toBe(true);
      });
      expect(lock.locked()).toBe(false);
    });
  });

  test("test_ambiguous_loops: a lock bound to one loop refuses to wait on another", async () => {
    const lock = new Lock();
    await runV(function* () {
      yield* lock.acquire();
      const t = spawn(lock.acquire()); // has to wait: binds the lock to this loop
      yield* sleep(0);
      lock.release();
      yield* t;
      lock.release();
    });
    await expect(
      runV(function* () {
        yield* lock.acquire(); // fast path: no loop involved
        yield* lock.acquire(); // must wait: discovers the mismatch
      }),
    ).rejects.toThrow(/is bound to a different event loop/);
  });
});

describe("Lock: fairness and the fast path", () => {
  test("acquire() of a free lock does not suspend", async () => {
    await runV(function* () {
      const lock = new Lock();
      const order: string[] = [];
      spawn(function* () {
        order.push("other task");
      });
      yield* lock.acquire();
      order.push("acquired");
      yield* sleep(0);
      expect(order).toEqual(["acquired", "other task"]);
    });
  });

  test("no barging: acquire() while a woken waiter has not run yet queues behind it", async () => {
    await runV(function* () {
      const lock = new Lock();
      const order: string[] = [];
      yield* lock.acquire();
      spawn(function* () {
        yield* lock.acquire();
        order.push("w");
        lock.release();
      });
      yield* sleep(0);
      lock.release(); // w is woken but has not run
      const n = spawn(function* () {
        yield* lock.acquire();
        order.push("n");
        lock.release();
      });
      yield* lock.acquire(); // the lock is free right now, yet w comes first
      order.push("main");
      lock.release();
      yield* n;
      expect(order).toEqual(["w", "main", "n"]);
      expect(lock.locked()).toBe(false);
    });
  });

  test("a waiter cancelled after it was woken hands the lock to the next waiter (bpo-27585)", async () => {
    await runV(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const t1 = spawn(lock.acquire());
      const t2 = spawn(lock.acquire());
      yield* sleep(0);
      lock.release(); // t1 woken
      t1.cancel(); // ...and cancelled before it runs
      yield* settle();
      expect(t1.cancelled()).toBe(true);
      expect(t2.result()).toBe(true);
      expect(lock.locked()).toBe(true); // held by t2
      expect(lock._woken).toBe(false);
      expect(lock._lot.size).toBe(0);
    });
  });

  test("closing a woken waiter's coroutine with return() also hands the lock on", async () => {
    await runV(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const t1 = spawn(function* () {
        yield* lock.acquire();
        return "t1 got it";
      });
      const t2 = spawn(lock.acquire());
      yield* sleep(0);
      lock.release(); // t1 woken
      t1.getCoro().return!(undefined as never); // closed before it runs (not a cancel)
      yield* settle();
      expect(t1.done() && t1.result()).toBe(undefined);
      expect(t2.result()).toBe(true);
      expect(lock.locked()).toBe(true); // t2 holds it
      expect(lock._woken).toBe(false);
    });
  });

  test("an acquire() operation cannot be awaited twice", async () => {
    await runV(function* () {
      const lock = new Lock();
      const op = lock.acquire();
      yield* op;
      lock.release();
      expect(() => op.next()).toThrow(/cannot reuse an already awaited Lock.acquire\(\)/);
    });
  });
});

describe("Lock: scoped forms", () => {
  test("withLock evaluates to the body's result and releases on return, exception and cancellation", async () => {
    await runV(function* () {
      const lock = new Lock();
      const v = yield* lock.withLock(function* () {
        yield* sleep(1);
        return 42;
      });
      expect(v).toBe(42);
      expect(lock.locked()).toBe(false);

      const boom = new Error("boom");
      let caught: unknown;
      try {
        yield* lock.withLock(function* () {
          yield* sleep(1);
          throw boom;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(boom);
      expect(lock.locked()).toBe(false);

      const t = spawn(
        lock.withLock(function* () {
          yield* sleep(1000);
        }),
      );
      yield* sleep(1);
      expect(lock.locked()).toBe(true);
      t.cancel();
      const o = yield* outcome(t);
      expect(o.ok === false && o.error instanceof CancelledError).toBe(true);
      expect(lock.locked()).toBe(false);
    });
  });

  test("`using held = yield* lock.hold()` releases on return, exception and cancellation", async () => {
    await runV(function* () {
      const lock = new Lock();
      const seen: boolean[] = [];
      function* body(mode: "return" | "throw" | "wait"): Coroutine<string> {
        using held = yield* lock.hold();
        seen.push(lock.locked(), held.released);
        yield* sleep(1);
        if (mode === "throw") throw new Error("boom");
        if (mode === "wait") yield* sleep(1000);
        return "ok";
      }
      expect(yield* body("return")).toBe("ok");
      expect(lock.locked()).toBe(false);
      const o1 = yield* outcome(spawn(body("throw")));
      expect(o1.ok).toBe(false);
      expect(lock.locked()).toBe(false);
      const t = spawn(body("wait"));
      yield* sleep(5);
      expect(lock.locked()).toBe(true);
      t.cancel();
      const o2 = yield* outcome(t);
      expect(o2.ok === false && isCancelled(o2.error)).toBe(true);
      expect(lock.locked()).toBe(false);
      expect(seen).toEqual([true, false, true, false, true, false]);
    });
  });

  test("Held.release() is idempotent, so an early release and the scope exit release once", async () => {
    await runV(function* () {
      const lock = new Lock();
      {
        using held = yield* lock.hold();
        held.release();
        expect(held.released).toBe(true);
        expect(lock.locked()).toBe(false);
        yield* lock.acquire(); // someone else's hold now
      } // the scope exit must not release it
      expect(lock.locked()).toBe(true);
      lock.release();
    });
  });

  test("a task cancelled while waiting in withLock never releases the holder's lock", async () => {
    await runV(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const t = spawn(
        lock.withLock(function* () {
          yield* sleep(1);
        }),
      );
      yield* sleep(0);
      t.cancel();
      const o = yield* outcome(t);
      expect(o.ok).toBe(false);
      expect(lock.locked()).toBe(true); // still ours
      lock.release(); // no RuntimeError: it was not released behind our back
      expect(lock.locked()).toBe(false);
    });
  });

  test("cancelled after being handed the lock inside hold(): the lock goes to the next waiter", async () => {
    await runV(function* () {
      const lock = new Lock();
      const got: string[] = [];
      yield* lock.acquire();
      const mk = (name: string) =>
        spawn(function* () {
          using _held = yield* lock.hold();
          got.push(name);
          yield* sleep(1);
        });
      const t1 = mk("t1");
      const t2 = mk("t2");
      yield* sleep(0);
      lock.release(); // hands the lock to t1
      t1.cancel(); // before t1 runs
      yield* settle();
      expect(t1.cancelled()).toBe(true);
      expect(t2.done() && !t2.cancelled()).toBe(true);
      expect(got).toEqual(["t2"]);
      expect(lock.locked()).toBe(false);
    });
  });

  test("bad input: withLock(body) with a non-function throws TypeError at once", () => {
    const lock = new Lock();
    expect(() => lock.withLock(42 as never)).toThrow(TypeError);
    expect(() => lock.withLock(42 as never)).toThrow(/'body' must be a generator function .* got 42/);
  });
});
