/**
 * Regressions found by the fuzzer (spec/fuzz.spec.ts, issue 8). Each test is
 * the minimal program the fuzzer shrank to, written out by hand, with the
 * fuzzer's report in a comment.
 */
import { EventLoop, LifoQueue, Queue, createTask, gather, sleep, type Coroutine } from "../src/index.js";
import { runV, settle, spawn } from "./sync-helpers.js";

describe("fuzz regressions: queues stay first come, first served after a getNowait()/putNowait() steals", () => {
  // Fuzzer: "T3.0 overtook T1.0 (waiting since earlier) in Q1.get()". Two getters
  // wait; two puts wake both; a getNowait() takes one item before they run. The
  // first woken getter saw one item "reserved" for the second and waited again,
  // so the second (later in line) got the item and the first was left waiting.
  test("fuzz #1: the earlier of two woken getters gets the item that is left (LifoQueue)", async () => {
    const order = await runV(function* (): Coroutine<string[]> {
      const q = new LifoQueue<string>();
      const got: string[] = [];
      const g1 = spawn(function* () {
        got.push(`g1 ${yield* q.get()}`);
      });
      yield* sleep(0);
      const g2 = spawn(function* () {
        got.push(`g2 ${yield* q.get()}`);
      });
      yield* sleep(0);
      q.putNowait("a"); // wakes g1
      q.putNowait("b"); // wakes g2
      got.push(`nowait ${q.getNowait()}`); // takes "b" before either runs
      yield* sleep(0);
      expect(g1.done()).toBe(true); // g1 was first in line: it gets "a"
      expect(g2.done()).toBe(false); // g2 waits again, at the head of the line
      q.putNowait("c");
      yield* settle();
      expect(g2.done()).toBe(true);
      return got;
    });
    expect(order).toEqual(["nowait b", "g1 a", "g2 c"]);
  });

  test("fuzz #1 (second form): two woken getters that both lose their items wait again in their original order", async () => {
    const order = await runV(function* (): Coroutine<string[]> {
      const q = new Queue<string>();
      const got: string[] = [];
      for (const name of ["g1", "g2", "g3"]) {
        spawn(function* () {
          got.push(`${name} ${yield* q.get()}`);
        });
        yield* sleep(0);
      }
      q.putNowait("a"); // wakes g1
      q.putNowait("b"); // wakes g2
      q.getNowait();
      q.getNowait(); // both items gone before g1 and g2 run
      yield* sleep(0);
      expect(q._getters.size).toBe(3);
      for (const x of ["c", "d", "e"]) q.putNowait(x);
      yield* settle();
      return got;
    });
    expect(order).toEqual(["g1 c", "g2 d", "g3 e"]);
  });

  test("fuzz #1 (put side): the earlier of two woken putters fills the slot that is left", async () => {
    const order = await runV(function* (): Coroutine<string[]> {
      const q = new Queue<string>(2);
      q.putNowait("x");
      q.putNowait("y");
      const p1 = spawn(q.put("p1"));
      yield* sleep(0);
      const p2 = spawn(q.put("p2"));
      yield* sleep(0);
      q.getNowait(); // a slot: wakes p1
      q.getNowait(); // a slot: wakes p2
      q.putNowait("nowait"); // fills one slot before either runs
      yield* sleep(0);
      expect(p1.done()).toBe(true); // p1 was first in line: it fills the slot left
      expect(p2.done()).toBe(false);
      const out = [q.getNowait()];
      yield* settle();
      out.push(q.getNowait(), q.getNowait());
      return out;
    });
    expect(order).toEqual(["nowait", "p1", "p2"]);
  });
});

describe("soak regressions: a pending cancel does not hide the awaited future's exception from the task", () => {
  // Found by the soak (npm run soak): "Future exception was never retrieved:
  // <GatheringFuture finished> CancelledError", many times. A task awaiting
  // gather() is cancelled twice in one iteration; the second cancel cannot
  // cancel the gather again, so it is kept for the next step, which threw it
  // in without looking at the gather's own exception: that one was then
  // reported as never retrieved. asyncio's Task.__wakeup always calls
  // result() on the awaited future first.
  test("soak #1: a task cancelled twice while awaiting gather() leaves no 'never retrieved' report", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const seen: string[] = [];
    loop.setExceptionHandler((_l, c) => seen.push(`${c.message}: ${String(c.exception)}`));
    const outcome = await loop.runUntilComplete(function* (): Coroutine<string> {
      const f1 = loop.createFuture<number>();
      const f2 = loop.createFuture<number>();
      const t = createTask(function* () {
        yield* gather(f1, f2);
      });
      yield* sleep(1);
      t.cancel(); // cancels the gather, which cancels f1 and f2
      t.cancel(); // nothing left to cancel: remembered for t's next step
      try {
        yield* t;
        return "returned";
      } catch (e) {
        return String(e);
      }
    });
    loop.close(); // reports whatever nobody retrieved
    expect(outcome).toBe("CancelledError");
    expect(seen).toEqual([]);
  });

  test("soak #1 (plain future): a future that failed, then a cancel before the task ran: the failure counts as seen", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const seen: string[] = [];
    loop.setExceptionHandler((_l, c) => seen.push(`${c.message}: ${String(c.exception)}`));
    await loop.runUntilComplete(function* () {
      const f = loop.createFuture<number>();
      const t = createTask(function* () {
        yield* f;
      });
      yield* sleep(1);
      f.setException(new Error("failed"));
      t.cancel(); // f is done: the cancel waits for t's next step, and wins
      yield* sleep(1);
      expect(t.cancelled()).toBe(true);
    });
    loop.close();
    expect(seen).toEqual([]);
  });
});
