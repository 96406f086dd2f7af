import { Barrier, BrokenBarrierError, sleep, type Coroutine, type Task } from "../src/index.js";
import { isCancelled, outcome, runV, settle, spawn } from "./sync-helpers.js";

const N = 5;

function makeTasks<T>(n: number, coro: () => Coroutine<T>): Task<T>[] {
  return Array.from({ length: n }, () => spawn(coro));
}

function* gatherAll<T>(ts: Task<T>[]): Coroutine<T[]> {
  const out: T[] = [];
  for (const t of ts) out.push(yield* t);
  return out;
}

function* gatherTasks<T>(n: number, coro: () => Coroutine<T>): Coroutine<T[]> {
  return yield* gatherAll(makeTasks(n, coro));
}

describe("Barrier: ported from CPython test_locks.BarrierTests", () => {
  test("test_barrier / test_repr: toString shows the state and the waiters", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      expect(String(barrier)).toBe("<Barrier [filling, waiters:0/5]>");
      const waiters: Task<number>[] = [];
      const wait = () => spawn(barrier.wait());
      for (let i = 0; i < 2; i++) waiters.push(wait());
      yield* sleep(0);
      expect(String(barrier)).toBe("<Barrier [filling, waiters:2/5]>");
      for (let i = barrier.parties - barrier.nWaiting; i > 0; i--) waiters.push(wait());
      yield* sleep(0);
      expect(String(barrier)).toContain("draining");
      for (let i = 0; i < 2; i++) waiters.push(wait());
      yield* sleep(0);
      yield* barrier.reset();
      expect(String(barrier)).toContain("resetting");
      for (let i = 0; i < 2; i++) waiters.push(wait());
      yield* sleep(0);
      yield* barrier.abort();
      expect(String(barrier)).toBe("<Barrier [broken]>");
      expect(barrier.broken).toBe(true);
      for (const t of waiters) yield* outcome(t);
    });
  });

  test("test_barrier_parties: parties must be an integer >= 1", () => {
    expect(() => new Barrier(0)).toThrow(RangeError);
    expect(() => new Barrier(0)).toThrow("new Barrier(parties): 'parties' must be an integer >= 1, got 0");
    expect(() => new Barrier(-4)).toThrow(RangeError);
    expect(() => new Barrier(2.5)).toThrow(RangeError);
    expect(() => new Barrier("2" as never)).toThrow(TypeError);
    expect(new Barrier(N)).toBeInstanceOf(Barrier);
  });

  test("test_context_manager: each task gets a distinct index", async () => {
    await runV(function* () {
      const barrier = new Barrier(3);
      const results: number[] = [];
      yield* gatherTasks(3, function* () {
        results.push(yield* barrier.wait());
      });
      expect(results.sort()).toEqual([0, 1, 2]);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_filling_one_task", async () => {
    await runV(function* () {
      const barrier = new Barrier(1);
      expect(yield* barrier.wait()).toBe(0);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_filling_one_task_twice", async () => {
    await runV(function* () {
      const barrier = new Barrier(1);
      const t1 = spawn(barrier.wait());
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(0);
      const t2 = spawn(barrier.wait());
      yield* sleep(0);
      expect(t1.result()).toBe(t2.result());
      expect(t1.done()).toBe(t2.done());
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_filling_task_by_task", async () => {
    await runV(function* () {
      const barrier = new Barrier(3);
      const t1 = spawn(barrier.wait());
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(1);
      expect(String(barrier)).toContain("filling");
      const t2 = spawn(barrier.wait());
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(2);
      const t3 = spawn(barrier.wait());
      yield* sleep(0);
      yield* gatherAll([t1, t2, t3]);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_filling_tasks_wait_twice / test_filling_tasks_check_return_value", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results: boolean[] = [];
      const res = yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        results.push(true);
        const i = yield* barrier.wait();
        results.push(false);
        return i;
      });
      expect(results.length).toBe(2 * N);
      expect(results.filter((x) => x).length).toBe(N);
      expect(res.sort()).toEqual([0, 1, 2, 3, 4]);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_draining_state: the last task out ends the drain", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results: boolean[] = [];
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        results.push(String(barrier).includes("draining"));
      });
      expect(results.length).toBe(N);
      expect(results[N - 1]).toBe(false);
      expect(results.slice(0, N - 1).every((x) => x)).toBe(true);
      expect(barrier.nWaiting).toBe(0);
    });
  });

  test("test_blocking_tasks_while_draining: newcomers wait for the drain to end", async () => {
    await runV(function* () {
      const rewait = 2;
      const barrier = new Barrier(N);
      const barrierNowaiting = new Barrier(N - rewait);
      let rewaitN = rewait;
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        if (rewaitN > 0) {
          rewaitN--;
          yield* barrier.wait();
        } else {
          yield* barrierNowaiting.wait();
          yield* barrier.wait();
        }
      });
      expect(barrier.nWaiting).toBe(0);
    });
  });

  test("test_filling_tasks_cancel_one: a cancelled waiter leaves the barrier", async () => {
    await runV(function* () {
      const barrier = new Barrier(3);
      const results: boolean[] = [];
      function* coro(): Coroutine<void> {
        yield* barrier.wait();
        results.push(true);
      }
      const t1 = spawn(coro);
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(1);
      const t2 = spawn(coro);
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(2);
      t1.cancel();
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(1);
      const o = yield* outcome(t1);
      expect(o.ok === false && isCancelled(o.error)).toBe(true);
      expect(t1.cancelled()).toBe(true);
      const t3 = spawn(coro);
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(2);
      const t4 = spawn(coro);
      yield* gatherAll([t2, t3, t4]);
      expect(results.length).toBe(3);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_reset_barrier", async () => {
    await runV(function* () {
      const barrier = new Barrier(1);
      spawn(barrier.reset());
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_reset_barrier_while_tasks_waiting: the waiters throw BrokenBarrierError", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results: boolean[] = [];
      const tasks = makeTasks(N - 1, function* () {
        try {
          yield* barrier.wait();
        } catch (e) {
          if (e instanceof BrokenBarrierError) results.push(true);
          else throw e;
        }
      });
      yield* sleep(0);
      spawn(function* () {
        yield* barrier.reset();
      });
      yield* gatherAll(tasks);
      expect(results).toEqual([true, true, true, true]);
      expect(barrier.nWaiting).toBe(0);
      expect(String(barrier)).not.toContain("resetting");
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_reset_barrier_when_tasks_half_draining: tasks not yet out when reset throw", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const restOfTasks = Math.floor(N / 2);
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          results1.push(true);
          return;
        }
        if (restOfTasks === barrier._count) yield* barrier.reset();
      });
      expect(results1).toEqual(new Array(restOfTasks).fill(true));
      expect(barrier.nWaiting).toBe(0);
      expect(String(barrier)).not.toContain("resetting");
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_reset_barrier_when_tasks_half_draining_half_blocking", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const blockingTasks = Math.floor(N / 2);
      let count = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          results1.push(true); // still waiting when reset
          yield* barrier.wait(); // wait again to reach the parties
          return;
        }
        count++;
        if (count > blockingTasks) {
          yield* barrier.reset();
          yield* barrier.wait();
        } else {
          try {
            yield* barrier.wait();
          } catch (e) {
            if (e instanceof BrokenBarrierError) results2.push(true); // must not happen
            else throw e;
          }
        }
      });
      expect(results1).toEqual(new Array(blockingTasks).fill(true));
      expect(results2).toEqual([]);
      expect(barrier.nWaiting).toBe(0);
      expect(String(barrier)).not.toContain("resetting");
      expect(barrier.broken).toBe(false);
    });
  });

  test("test_reset_barrier_while_tasks_waiting_and_waiting_again", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const tasks = makeTasks(N - 1, function* () {
        try {
          yield* barrier.wait();
        } catch (e) {
          if (e instanceof BrokenBarrierError) results1.push(true);
          else throw e;
        } finally {
          yield* barrier.wait();
          results2.push(true);
        }
      });
      spawn(barrier.reset()); // the N-1 waiting tasks throw BrokenBarrierError
      yield* sleep(0);
      spawn(function* () {
        yield* barrier.wait(); // completes the waits in the `finally`
        results2.push(true);
      });
      yield* gatherAll(tasks);
      expect(barrier.broken).toBe(false);
      expect(results1).toEqual(new Array(N - 1).fill(true));
      expect(results2.length).toBe(N);
      expect(barrier.nWaiting).toBe(0);
    });
  });

  test("test_reset_barrier_while_tasks_draining", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const results3: boolean[] = [];
      let count = 0;
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        count++;
        if (count === N) {
          yield* barrier.reset(); // the last task out resets
          yield* barrier.wait();
        } else {
          try {
            yield* barrier.wait();
            results1.push(true);
          } catch {
            results2.push(true); // never
          }
        }
        yield* barrier.wait();
        results3.push(true);
      });
      expect(barrier.broken).toBe(false);
      expect(results1.length).toBe(N - 1);
      expect(results2.length).toBe(0);
      expect(results3.length).toBe(N);
      expect(barrier.nWaiting).toBe(0);
    });
  });

  test("test_abort_barrier", async () => {
    await runV(function* () {
      const barrier = new Barrier(1);
      spawn(barrier.abort());
      yield* sleep(0);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(true);
    });
  });

  test("test_abort_barrier_when_tasks_half_draining_half_blocking", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const blockingTasks = Math.floor(N / 2);
      let count = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          results1.push(true); // waiting to drain when aborted
          return;
        }
        count++;
        if (count > blockingTasks) {
          yield* barrier.abort();
        } else {
          try {
            yield* barrier.wait();
          } catch (e) {
            if (e instanceof BrokenBarrierError) results2.push(true); // blocked, already drained
            else throw e;
          }
        }
      });
      expect(barrier.broken).toBe(true);
      expect(results1).toEqual(new Array(blockingTasks).fill(true));
      expect(results2).toEqual(new Array(N - blockingTasks - 1).fill(true));
      expect(barrier.nWaiting).toBe(0);
      expect(String(barrier)).not.toContain("resetting");
    });
  });

  test("test_abort_barrier_when_exception", async () => {
    await runV(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      class Boom extends Error {}
      yield* gatherTasks(N, function* () {
        try {
          const i = yield* barrier.wait();
          if (i === Math.floor(N / 2)) throw new Boom();
          yield* barrier.wait();
          results1.push(true);
        } catch (e) {
          if (e instanceof BrokenBarrierError) results2.push(true);
          else if (e instanceof Boom) yield* barrier.abort();
          else throw e;
        }
      });
      expect(barrier.broken).toBe(true);
      expect(results1.length).toBe(0);
      expect(results2.length).toBe(N - 1);
      expect(barrier.nWaiting).toBe(0);
    });
  });

  test("test_abort_barrier_when_exception_then_resetting", async () => {
    await runV(function* () {
      const barrier1 = new Barrier(N);
      const barrier2 = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const results3: boolean[] = [];
      class Boom extends Error {}
      yield* gatherTasks(N, function* () {
        try {
          const i = yield* barrier1.wait();
          if (i === Math.floor(N / 2)) throw new Boom();
          yield* barrier1.wait();
          results1.push(true);
        } catch (e) {
          if (e instanceof BrokenBarrierError) results2.push(true);
          else if (e instanceof Boom) yield* barrier1.abort();
          else throw e;
        }
        // Everyone leaves barrier1 before the reset, and nobody enters it before.
        const i = yield* barrier2.wait();
        if (i === Math.floor(N / 2)) yield* barrier1.reset();
        yield* barrier2.wait();
        yield* barrier1.wait();
        results3.push(true);
      });
      expect(barrier1.broken).toBe(false);
      expect(results1.length).toBe(0);
      expect(results2.length).toBe(N - 1);
      expect(results3.length).toBe(N);
      expect(barrier1.nWaiting).toBe(0);
    });
  });
});

describe("Barrier: cancellation and laziness", () => {
  test("a task cancelled while blocked by a drain never counts; the next round still trips", async () => {
    await runV(function* () {
      const barrier = new Barrier(2);
      const a = spawn(barrier.wait());
      const b = spawn(barrier.wait());
      yield* sleep(0); // b trips it: draining until a runs
      const c = spawn(barrier.wait()); // blocked by the drain
      c.cancel();
      yield* settle();
      expect(a.result() + b.result()).toBe(1);
      expect(c.cancelled()).toBe(true);
      expect(barrier.nWaiting).toBe(0);
      const d = spawn(barrier.wait());
      const e = spawn(barrier.wait());
      yield* settle();
      expect([d.result(), e.result()].sort()).toEqual([0, 1]);
    });
  });

  test("reset() and abort() are coroutines: nothing happens until they are yield*ed", async () => {
    await runV(function* () {
      const barrier = new Barrier(2);
      const op = barrier.abort();
      expect(barrier.broken).toBe(false);
      yield* op;
      expect(barrier.broken).toBe(true);
      yield* barrier.reset();
      expect(barrier.broken).toBe(false);
    });
  });
});
