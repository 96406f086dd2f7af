import { TestScheduler } from "rxjs/testing";
import {
  delay,
  forkJoin,
  interval,
  map,
  mergeMap,
  observeOn,
  of,
  race,
  take,
  takeUntil,
  timeout,
  timer,
  TimeoutError as RxTimeoutError,
  Subscription,
} from "rxjs";
import { EventLoop, ensureFuture, run, sleep, task, CancelledError, getRunningLoop, type Coroutine } from "../src/index.js";

function testScheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

function* fetchData(): Coroutine<string> {
  yield* sleep(2);
  return "Data";
}

function* after<T>(ms: number, value: T, log?: string[], name?: string): Coroutine<T> {
  try {
    log?.push(`${name} start @${getRunningLoop().time()}`);
    yield* sleep(ms);
    return value;
  } finally {
    log?.push(`${name} finally @${getRunningLoop().time()}`);
  }
}

describe("task(): tasks as cold observables in marble specs (no extra setup)", () => {
  test("a sleep of n takes n virtual frames", () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(task(fetchData)).toBe("--(a|)", { a: "Data" });
    });
  });

  test("cold: each subscription starts a new task", () => {
    let started = 0;
    const t$ = task(function* () {
      const n = ++started;
      yield* sleep(3);
      return n;
    });
    testScheduler().run(({ expectObservable, cold }) => {
      expectObservable(cold("a-b|").pipe(mergeMap(() => t$))).toBe("---a-(b|)", { a: 1, b: 2 });
    });
    expect(started).toBe(2);
  });

  test("a void task emits exactly one undefined, so forkJoin does not complete empty", () => {
    testScheduler().run(({ expectObservable }) => {
      const v$ = task(function* (): Coroutine<void> {
        yield* sleep(1);
      });
      expectObservable(forkJoin([v$, task(fetchData)])).toBe("--(a|)", { a: [undefined, "Data"] });
    });
  });

  test("a failing task errors the observable with its exception", () => {
    testScheduler().run(({ expectObservable }) => {
      const bad$ = task(function* (): Coroutine<number> {
        yield* sleep(4);
        throw new RangeError("nope");
      });
      expectObservable(bad$).toBe("----#", undefined, new RangeError("nope"));
    });
  });

  test("forkJoin = gather: results in argument order once the slowest is done", () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(forkJoin([task(() => after(5, "slow")), task(() => after(2, "fast"))])).toBe("-----(a|)", {
        a: ["slow", "fast"],
      });
    });
  });

  test("forkJoin cancels the siblings on the first error (as a TaskGroup does)", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      const bad$ = task(function* (): Coroutine<string> {
        yield* sleep(2);
        throw new Error("x");
      });
      expectObservable(forkJoin([task(() => after(10, "v", log, "sib")), bad$])).toBe("--#", undefined, new Error("x"));
    });
    expect(log).toEqual(["sib start @0", "sib finally @2"]);
  });

  test("race = first completion; the losers are cancelled and their finally ran", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      expectObservable(
        race(task(() => after(3, "a", log, "A")), task(() => after(1, "b", log, "B")), task(() => after(7, "c", log, "C"))),
      ).toBe("-(b|)", { b: "b" });
    });
    expect(log).toEqual([
      "A start @0",
      "B start @0",
      "C start @0",
      "B finally @1",
      "A finally @1",
      "C finally @1",
    ]);
  });

  test("mergeMap(fn, 3) is a semaphore of 3: never more than 3 tasks at once", () => {
    let running = 0;
    let peak = 0;
    const job = (i: number) =>
      task(function* () {
        running++;
        peak = Math.max(peak, running);
        try {
          yield* sleep(10);
          return i;
        } finally {
          running--;
        }
      });
    testScheduler().run(({ expectObservable }) => {
      expectObservable(of(1, 2, 3, 4, 5, 6, 7).pipe(mergeMap(job, 3))).toBe("10ms (abc) 5ms (def) 5ms (g|)", {
        a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7,
      });
    });
    expect(peak).toBe(3);
  });

  test("takeUntil cancels the task on a signal; its cleanup runs to the end on the loop", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable, cold }) => {
      const worker$ = task(function* () {
        try {
          yield* sleep(100);
          return "done";
        } catch (e) {
          log.push(`${(e as Error).name} @${getRunningLoop().time()}`);
          yield* sleep(3); // cleanup that itself waits
          log.push(`cleanup finished @${getRunningLoop().time()}`);
          throw e;
        }
      });
      expectObservable(worker$.pipe(takeUntil(cold("----x")))).toBe("----|");
    });
    expect(log).toEqual(["CancelledError @4", "cleanup finished @7"]);
  });

  test("timeout ~ wait_for: TimeoutError, and the task is cancelled", () => {
    const log: string[] = [];
    testScheduler().run(({ expectObservable }) => {
      const slow$ = task(() => after(50, "late", log, "slow"));
      expectObservable(slow$.pipe(timeout(5))).toBe("-----#", undefined, expect.any(RxTimeoutError));
    });
    expect(log).toEqual(["slow start @0", "slow finally @5"]);
  });

  test("unsubscribing does not step the generator synchronously (the cancel is delivered by the loop)", () => {
    const log: string[] = [];
    testScheduler().run(() => {
      const sub: Subscription = task(function* () {
        try {
          yield* sleep(10);
        } finally {
          log.push("finally");
        }
      }).subscribe();
      timer(2).subscribe(() => {
        sub.unsubscribe();
        log.push("unsubscribed");
      });
    });
    expect(log).toEqual(["unsubscribed", "finally"]);
  });

  test("task objects have no `schedule` method (RxJS would mistake them for schedulers)", async () => {
    await run(function* () {
      const t = getRunningLoop().createTask(sleep(1));
      expect("schedule" in t).toBe(false);
      yield* t;
    }, { clock: "virtual" });
  });

  test("an unsubscribed task's error after cleanup goes to the loop, not the subscriber", async () => {
    const seen: string[] = [];
    const loop = new EventLoop({ clock: "virtual" });
    loop.setExceptionHandler((_l, c) => seen.push(`${c.message}: ${(c.exception as Error).message}`));
    await loop.runUntilComplete(function* () {
      const sub = task(function* () {
        try {
          yield* sleep(10);
        } finally {
          throw new Error("cleanup failed");
        }
      }).subscribe({ error: () => seen.push("subscriber saw error") });
      yield* sleep(1);
      sub.unsubscribe();
      yield* sleep(1);
      loop._reportUnretrieved();
    });
    expect(seen).toEqual(["Task exception was never retrieved: cleanup failed"]);
    loop.close();
  });

  test("a task cancelled from elsewhere errors its observable with CancelledError", () => {
    testScheduler().run(({ expectObservable }) => {
      const self$ = task(function* () {
        yield* sleep(1);
        getRunningLoop()._currentTask!.cancel("self");
        yield* sleep(1);
      });
      expectObservable(self$).toBe("-#", undefined, new CancelledError("self"));
    });
  });
});

describe("the loop as an RxJS scheduler, in virtual time", () => {
  test("delay, timer, interval and observeOn run on the loop's virtual clock", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      const l = getRunningLoop();
      timer(1000, l).subscribe(() => log.push(`timer @${l.time()}`));
      of("x").pipe(delay(250, l)).subscribe((v) => log.push(`delay ${v} @${l.time()}`));
      interval(400, l).pipe(take(3)).subscribe((i) => log.push(`interval ${i} @${l.time()}`));
      of(1).pipe(observeOn(l)).subscribe(() => log.push(`observeOn @${l.time()}`));
      log.push("subscribed");
      yield* sleep(2000);
    });
    expect(log).toEqual([
      "subscribed",
      "observeOn @0",
      "delay x @250",
      "interval 0 @400",
      "interval 1 @800",
      "timer @1000",
      "interval 2 @1200",
    ]);
    loop.close();
  });

  test("unsubscribing the first subscription cancels later reschedules (interval)", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const ticks: number[] = [];
    await loop.runUntilComplete(function* () {
      const sub = interval(10, getRunningLoop()).subscribe((i) => ticks.push(i));
      yield* sleep(35);
      sub.unsubscribe();
      yield* sleep(100);
    });
    expect(ticks).toEqual([0, 1, 2]);
    expect(loop._timers.liveCount).toBe(0);
    loop.close();
  });

  test("schedule(): this.schedule reuses the action; errors go to the exception handler", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const seen: unknown[] = [];
    loop.setExceptionHandler((_l, c) => seen.push(c.exception));
    const times: number[] = [];
    await loop.runUntilComplete(function* () {
      loop.schedule<number>(function (n) {
        times.push(loop.time());
        if (n! < 3) this.schedule(n! + 1, 5);
        else throw new Error("work failed");
      }, 5, 0);
      yield* sleep(100);
    });
    expect(times).toEqual([5, 10, 15, 20]);
    expect((seen[0] as Error).message).toBe("work failed");
    loop.close();
  });

  test("a task observable subscribed inside a running loop uses that loop", async () => {
    const r = await run(function* (): Coroutine<string> {
      const here = getRunningLoop();
      let seenLoop: EventLoop | null = null;
      const upper$ = task(function* () {
        seenLoop = getRunningLoop();
        yield* sleep(5);
        return "in loop";
      }).pipe(map((s) => s.toUpperCase()));
      const v = yield* ensureFuture(upper$);
      expect(seenLoop).toBe(here);
      return `${v} @${here.time()}`;
    }, { clock: "virtual" });
    expect(r).toBe("IN LOOP @5");
  });
});
