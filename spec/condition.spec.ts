import { CancelledError, Condition, Lock, RuntimeError, getRunningLoop, sleep, type Coroutine } from "../src/index.js";
import { isCancelled, outcome, runV, settle, spawn } from "./sync-helpers.js";

describe("Condition: ported from CPython test_locks.ConditionTests", () => {
  test("test_wait: notified waiters return one at a time, each once it holds the lock", async () => {
    await runV(function* () {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coroutine<boolean> {
          yield* cond.acquire();
          if (yield* cond.wait()) result.push(n);
          return true;
        };
      const t1 = spawn(c(1));
      const t2 = spawn(c(2));
      const t3 = spawn(c(3));
      yield* sleep(0);
      expect(result).toEqual([]);
      expect(cond.locked()).toBe(false);

      expect(yield* cond.acquire()).toBe(true);
      cond.notify();
      yield* sleep(0);
      expect(result).toEqual([]);
      expect(cond.locked()).toBe(true);

      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1]);
      expect(cond.locked()).toBe(true);

      cond.notify(2);
      yield* sleep(0);
      expect(result).toEqual([1]);
      expect(cond.locked()).toBe(true);

      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1, 2]);
      expect(cond.locked()).toBe(true);

      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1, 2, 3]);
      expect(cond.locked()).toBe(true);
      for (const t of [t1, t2, t3]) expect(t.result()).toBe(true);
    });
  });

  test("test_wait_cancel: a cancelled wait() leaves no waiter and holds the lock again", async () => {
    await runV(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      const wait = spawn(cond.wait());
      getRunningLoop().callSoon(() => wait.cancel());
      const o = yield* outcome(wait);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(cond._lot.size).toBe(0);
      expect(cond.locked()).toBe(true);
    });
  });

  test("test_wait_cancel_contested: cancelled while re-acquiring a contested lock, wait() still re-acquires", async () => {
    await runV(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      expect(cond.locked()).toBe(true);
      const waitTask = spawn(cond.wait());
      yield* sleep(0);
      expect(cond.locked()).toBe(false);
      // Notify, but contest the lock before cancelling.
      yield* cond.acquire();
      expect(cond.locked()).toBe(true);
      cond.notify();
      getRunningLoop().callSoon(() => waitTask.cancel());
      getRunningLoop().callSoon(() => cond.release());
      yield* outcome(waitTask);
      expect(cond.locked()).toBe(true);
    });
  });

  test("test_wait_cancel_after_notify: a task cancelled while re-acquiring ends cancelled (bpo-32841)", async () => {
    await runV(function* () {
      let waited = false;
      const cond = new Condition();
      const waiter = spawn(
        cond.withLock(function* () {
          waited = true;
          yield* cond.wait();
        }),
      );
      yield* sleep(0); // start waiting
      yield* cond.acquire();
      cond.notify();
      yield* sleep(0); // the waiter gets to acquire()
      waiter.cancel();
      yield* sleep(0); // the cancellation is delivered
      cond.release();
      yield* sleep(0); // the waiter re-acquires, then ends cancelled
      expect(waiter.cancelled()).toBe(true);
      expect(waited).toBe(true);
      expect(cond.locked()).toBe(false); // withLock released it
    });
  });

  test("test_wait_unacquired: RuntimeError", async () => {
    await runV(function* () {
      const cond = new Condition();
      let caught: unknown;
      try {
        yield* cond.wait();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RuntimeError);
      expect((caught as Error).message).toBe("cannot wait on un-acquired lock");
    });
  });

  test("test_wait_for: waitFor re-checks the predicate after each notify", async () => {
    await runV(function* () {
      const cond = new Condition();
      let presult = false;
      const result: number[] = [];
      const t = spawn(function* (): Coroutine<boolean> {
        yield* cond.acquire();
        if (yield* cond.waitFor(() => presult)) {
          result.push(1);
          cond.release();
        }
        return true;
      });
      yield* sleep(0);
      expect(result).toEqual([]);
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* sleep(0);
      expect(result).toEqual([]);
      presult = true;
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1]);
      expect(t.result()).toBe(true);
    });
  });

  test("test_wait_for_unacquired: a true predicate needs no lock; a false one does", async () => {
    await runV(function* () {
      const cond = new Condition();
      expect(yield* cond.waitFor(() => [1, 2, 3])).toEqual([1, 2, 3]);
      let caught: unknown;
      try {
        yield* cond.waitFor(() => false);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RuntimeError);
    });
  });

  test("test_notify: notify(1) wakes one, notify(2048) wakes the rest", async () => {
    await runV(function* () {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coroutine<boolean> {
          yield* cond.acquire();
          if (yield* cond.wait()) {
            result.push(n);
            cond.release();
          }
          return true;
        };
      const ts = [spawn(c(1)), spawn(c(2)), spawn(c(3))];
      yield* sleep(0);
      expect(result).toEqual([]);
      yield* cond.acquire();
      cond.notify(1);
      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1]);
      yield* cond.acquire();
      cond.notify(1);
      cond.notify(2048);
      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1, 2, 3]);
      for (const t of ts) expect(t.result()).toBe(true);
    });
  });

  test("test_notify_all", async () => {
    await runV(function* () {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coroutine<boolean> {
          yield* cond.acquire();
          if (yield* cond.wait()) {
            result.push(n);
            cond.release();
          }
          return true;
        };
      const ts = [spawn(c(1)), spawn(c(2))];
      yield* sleep(0);
      expect(result).toEqual([]);
      yield* cond.acquire();
      cond.notifyAll();
      cond.release();
      yield* sleep(0);
      expect(result).toEqual([1, 2]);
      for (const t of ts) expect(t.result()).toBe(true);
    });
  });

  test("test_notify_unacquired / test_notify_all_unacquired: RuntimeError", () => {
    const cond = new Condition();
    expect(() => cond.notify()).toThrow(RuntimeError);
    expect(() => cond.notify()).toThrow("cannot notify on un-acquired lock");
    expect(() => cond.notifyAll()).toThrow(RuntimeError);
  });

  test("test_repr", async () => {
    await runV(function* () {
      const cond = new Condition();
      expect(String(cond)).toBe("<Condition [unlocked]>");
      yield* cond.acquire();
      expect(String(cond)).toBe("<Condition [locked]>");
      cond.release();
      for (let i = 0; i < 2; i++) {
        spawn(
          cond.withLock(function* () {
            yield* cond.wait();
          }),
        );
      }
      yield* sleep(0);
      expect(String(cond)).toBe("<Condition [unlocked, waiters:2]>");
    });
  });

  test("test_context_manager: withLock and hold()", async () => {
    await runV(function* () {
      const cond = new Condition();
      expect(cond.locked()).toBe(false);
      yield* cond.withLock(function* () {
        expect(cond.locked()).toBe(true);
      });
      expect(cond.locked()).toBe(false);
      {
        using _held = yield* cond.hold();
        expect(cond.locked()).toBe(true);
      }
      expect(cond.locked()).toBe(false);
    });
  });

  test("test_explicit_lock: a condition over a given lock shares it", async () => {
    await runV(function* () {
      function* f(lock?: Lock, cond?: Condition): Coroutine<void> {
        const l = lock ?? new Lock();
        const c = cond ?? new Condition(l);
        expect(c._lock).toBe(l);
        expect(l.locked() || c.locked()).toBe(false);
        yield* c.withLock(function* () {
          expect(l.locked() && c.locked()).toBe(true);
        });
        expect(l.locked() || c.locked()).toBe(false);
        yield* l.withLock(function* () {
          expect(l.locked() && c.locked()).toBe(true);
        });
        expect(l.locked() || c.locked()).toBe(false);
      }
      yield* f();
      yield* f(new Lock());
      const lock = new Lock();
      yield* f(lock, new Condition(lock));
    });
  });

  test("test_ambiguous_loops: a condition bound to one loop refuses another", async () => {
    const cond = new Condition();
    await runV(function* () {
      yield* cond.acquire();
      const t = spawn(cond.wait()); // binds the condition to this loop
      yield* sleep(0);
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* t;
      cond.release();
    });
    await expect(
      runV(function* () {
        yield* cond.acquire();
        yield* cond.wait();
      }),
    ).rejects.toThrow(/is bound to a different event loop/);
  });

  test("test_timeout_in_block: a wait() cut short by a timeout leaves the lock held", async () => {
    await runV(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      const t = spawn(cond.wait());
      yield* sleep(500); // the timeout
      expect(cond.locked()).toBe(false);
      t.cancel();
      const o = yield* outcome(t);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(cond.locked()).toBe(true);
    });
  });

  test("test_cancelled_error_wakeup: the CancelledError is re-raised unmodified (gh-111693)", async () => {
    await runV(function* () {
      const cond = new Condition();
      let raised: unknown;
      const task = spawn(
        cond.withLock(function* () {
          try {
            yield* cond.waitFor(() => false);
          } catch (e) {
            raised = e;
            throw e;
          }
        }),
      );
      yield* sleep(0);
      task.cancel("foo");
      const o = yield* outcome(task);
      expect(o.ok).toBe(false);
      if (o.ok) return;
      expect(o.error).toBeInstanceOf(CancelledError);
      expect((o.error as Error).message).toBe("foo");
      expect(o.error).toBe(raised);
    });
  });

  test("test_cancelled_error_re_aquire: cancelled while re-acquiring, the same error comes out (gh-111693)", async () => {
    await runV(function* () {
      const cond = new Condition();
      let wake = false;
      let raised: unknown;
      const task = spawn(
        cond.withLock(function* () {
          try {
            yield* cond.waitFor(() => wake);
          } catch (e) {
            raised = e;
            throw e;
          }
        }),
      );
      yield* sleep(0);
      yield* cond.acquire();
      wake = true;
      cond.notify();
      yield* sleep(0); // the task now waits to re-acquire the lock
      task.cancel("foo");
      cond.release();
      const o = yield* outcome(task);
      expect(o.ok).toBe(false);
      if (o.ok) return;
      expect((o.error as Error).message).toBe("foo");
      expect(o.error).toBe(raised);
      expect(cond.locked()).toBe(false);
    });
  });

  // A task cancelled at the same time as it is notified must not swallow the notification.
  for (const relock of [false, true]) {
    test(`test_cancelled_wakeup${relock ? "_relock" : ""}: the notification goes to another waiter (gh-112202)`, async () => {
      await runV(function* () {
        const cond = new Condition();
        let state = 0;
        let timedOut = false;
        const consumer = () =>
          spawn(
            cond.withLock(function* () {
              for (;;) {
                yield* cond.waitFor(() => state !== 0);
                if (state < 0) return;
                state -= 1;
              }
            }),
          );
        const c = [consumer(), consumer()];
        yield* sleep(0);
        yield* cond.withLock(function* () {
          state += 1;
          cond.notify(1);
          if (relock) yield* sleep(0); // c[0] settles on re-acquiring the lock
          c[0]!.cancel();
          // Wait (with a 10 ms deadline) for the item to be consumed.
          const deadline = spawn(function* () {
            yield* sleep(10);
            yield* cond.withLock(function* () {
              timedOut = true;
              cond.notifyAll();
            });
          });
          yield* cond.waitFor(() => state === 0 || timedOut);
          deadline.cancel();
          expect(state).toBe(0);
          state = -1;
          cond.notifyAll();
        });
        yield* c[1]!;
        expect(c[0]!.cancelled()).toBe(true);
      });
    });
  }
});

describe("Condition: cancellation guarantees", () => {
  test("wait() cancelled while waiting holds the lock again before the CancelledError arrives (gh-77022, gh-86766)", async () => {
    await runV(function* () {
      const cond = new Condition();
      let lockedInCatch: boolean | null = null;
      const t = spawn(function* () {
        yield* cond.acquire();
        try {
          yield* cond.wait();
        } catch (e) {
          lockedInCatch = cond.locked();
          cond.release(); // must not throw "Lock is not acquired"
          throw e;
        }
      });
      yield* sleep(0);
      yield* cond.acquire(); // contest the lock
      t.cancel();
      yield* sleep(5);
      expect(t.done()).toBe(false); // it cannot leave wait() without the lock
      cond.release();
      const o = yield* outcome(t);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(lockedInCatch).toBe(true);
      expect(cond.locked()).toBe(false);
    });
  });

  test("cancelled again while re-acquiring, wait() throws the original CancelledError", async () => {
    await runV(function* () {
      const cond = new Condition();
      let caught: unknown;
      const t = spawn(function* () {
        yield* cond.acquire();
        try {
          yield* cond.wait();
        } catch (e) {
          caught = e;
          cond.release();
          throw e;
        }
      });
      yield* sleep(0);
      yield* cond.acquire();
      t.cancel("first"); // while waiting for a notification
      yield* sleep(0); // it now waits for the lock
      t.cancel("second"); // while re-acquiring
      yield* sleep(0);
      cond.release();
      yield* outcome(t);
      expect(t.cancelled()).toBe(true);
      expect(caught).toBeInstanceOf(CancelledError);
      expect((caught as Error).message).toBe("first");
    });
  });

  test("a waiter notified and then cancelled before it runs passes the notification on (gh-112202)", async () => {
    await runV(function* () {
      const cond = new Condition();
      const woke: string[] = [];
      const mk = (name: string) =>
        spawn(
          cond.withLock(function* () {
            yield* cond.wait();
            woke.push(name);
          }),
        );
      const a = mk("a");
      const b = mk("b");
      yield* sleep(0);
      yield* cond.withLock(function* () {
        cond.notify(1); // a is notified...
        a.cancel(); // ...and cancelled before it runs
      });
      yield* settle();
      expect(a.cancelled()).toBe(true);
      expect(woke).toEqual(["b"]);
      expect(b.done()).toBe(true);
      expect(cond.locked()).toBe(false);
      expect(cond._lot.size).toBe(0);
    });
  });

  test("a waiter cancelled before any notify takes no notification", async () => {
    await runV(function* () {
      const cond = new Condition();
      const woke: string[] = [];
      const mk = (name: string) =>
        spawn(
          cond.withLock(function* () {
            yield* cond.wait();
            woke.push(name);
          }),
        );
      const a = mk("a");
      const b = mk("b");
      const c = mk("c");
      yield* sleep(0);
      a.cancel();
      yield* sleep(0);
      yield* cond.withLock(function* () {
        cond.notify(1);
      });
      yield* settle();
      expect(woke).toEqual(["b"]); // exactly one woken: no spurious extra wake-up
      expect(c.done()).toBe(false);
      c.cancel();
      yield* settle();
      expect(b.done() && c.cancelled()).toBe(true);
    });
  });
});

describe("Condition: bad input", () => {
  test("new Condition(notALock) throws TypeError naming the argument", () => {
    expect(() => new Condition({} as never)).toThrow(TypeError);
    expect(() => new Condition({} as never)).toThrow(/new Condition\(lock\): 'lock' must be a Lock, got a Object/);
  });

  test("notify(n) with a negative or NaN n throws RangeError; waitFor(non-function) throws TypeError", async () => {
    await runV(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      expect(() => cond.notify(-1)).toThrow(RangeError);
      expect(() => cond.notify(Number.NaN)).toThrow(/'n' must be a number >= 0, got NaN/);
      expect(() => cond.waitFor(true as never)).toThrow(TypeError);
      cond.notify(0);
      cond.release();
    });
  });
});
