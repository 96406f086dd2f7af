/**
 * Issue 15, section 3 (part B): silent wrong answers turned into clear errors.
 * Each describe block is one item of the issue; each test failed on main
 * (3f1e413) and passes now.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { firstValueFrom, Observable } from "rxjs";
import {
  asCompleted,
  CancelledError,
  createTask,
  currentTask,
  ensureFuture,
  ExceptionGroup,
  FIRST_EXCEPTION,
  gather,
  gatherAll,
  getRunningLoop,
  mapTask,
  run,
  RuntimeError,
  shield,
  sleep,
  task,
  taskGroup,
  wait,
  waitFor,
  type Coroutine,
} from "../src/index.js";

const V = { clock: "virtual" } as const;

/** Each way a failure with no value enters a future. */
const nullishFailures: [string, () => unknown, RegExp][] = [
  [
    "throw null in a coroutine",
    () =>
      createTask(function* (): Coroutine<number> {
        yield* sleep(1);
        throw null; // eslint-disable-line @typescript-eslint/only-throw-error
      }),
    /^RuntimeError: coroutine threw null$/,
  ],
  [
    "throw undefined in a coroutine (before any suspension)",
    () =>
      createTask(function* (): Coroutine<number> {
        throw undefined; // eslint-disable-line @typescript-eslint/only-throw-error
      }),
    /^RuntimeError: coroutine threw undefined$/,
  ],
  ["Promise.reject(null)", () => ensureFuture(Promise.reject(null)), /^Error: promise rejected with null$/],
  [
    "an async function throwing null",
    () =>
      createTask(async () => {
        throw null; // eslint-disable-line @typescript-eslint/only-throw-error
      }),
    /^Error: promise rejected with null$/,
  ],
  [
    "an observable erroring with null",
    () => ensureFuture(new Observable<number>((s) => s.error(null))),
    /^RuntimeError: observable errored with null$/,
  ],
];

describe("any thrown value is a failure (throw null / undefined, Promise.reject(null))", () => {
  test.each(nullishFailures)("%s: exception() is an Error, result() throws it", async (_name, make, text) => {
    const out = await run(function* (): Coroutine<[unknown, unknown]> {
      const f = make() as ReturnType<typeof ensureFuture<number>>;
      try {
        yield* f;
      } catch {
        /* seen below */
      }
      let thrown: unknown = "nothing";
      try {
        f.result();
      } catch (e) {
        thrown = e;
      }
      return [f.exception(), thrown];
    }, V);
    expect(out[0]).not.toBeNull();
    expect(String(out[0])).toMatch(text);
    expect(out[1]).toBe(out[0]);
  });

  test.each(nullishFailures)("%s: gather() rejects instead of resolving [null]", async (_name, make, text) => {
    const out = await run(function* (): Coroutine<unknown> {
      try {
        return yield* gather(make() as never, sleep(5, 1));
      } catch (e) {
        return e;
      }
    }, V);
    expect(String(out)).toMatch(text);
  });

  test.each(nullishFailures)("%s: gather(returnExceptions) puts an Error in its slot", async (_name, make, text) => {
    const out = await run(function* (): Coroutine<unknown[]> {
      return (yield* gather(make() as never, sleep(5, 1), { returnExceptions: true })) as unknown[];
    }, V);
    expect(out[0]).toBeInstanceOf(Error);
    expect(String(out[0])).toMatch(text);
    expect(out[1]).toBe(1);
  });

  test.each(nullishFailures)("%s: wait(FIRST_EXCEPTION) returns at that failure", async (_name, make) => {
    const out = await run(function* (): Coroutine<[number, number, number]> {
      const loop = getRunningLoop();
      const failing = make() as ReturnType<typeof ensureFuture<number>>;
      const slow = createTask(sleep(1000, 2));
      const [done, pending] = yield* wait([failing, slow], { returnWhen: FIRST_EXCEPTION });
      const at = loop.time();
      slow.cancel();
      return [done.size, pending.size, at];
    }, V);
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(1);
    expect(out[2]).toBeLessThan(1000);
  });

  test.each(nullishFailures)("%s: a TaskGroup fails and cancels its other tasks", async (_name, make, text) => {
    const out = await run(function* (): Coroutine<[unknown, boolean]> {
      let sibling: ReturnType<typeof createTask<number>> | null = null;
      try {
        yield* taskGroup(function* (tg) {
          sibling = tg.createTask(sleep(1000, 3));
          tg.createTask(function* (): Coroutine<unknown> {
            return yield* make() as ReturnType<typeof ensureFuture<number>>;
          });
        });
      } catch (e) {
        return [e, sibling!.cancelled()];
      }
      return [null, false];
    }, V);
    expect(out[0]).toBeInstanceOf(ExceptionGroup);
    expect(String((out[0] as ExceptionGroup).errors[0])).toMatch(text);
    expect(out[1]).toBe(true);
  });

  test.each(nullishFailures)("%s: asCompleted yields it as a failure", async (_name, make, text) => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const errs: unknown[] = [];
      for (const next of asCompleted([make() as never])) {
        try {
          yield* next;
        } catch (e) {
          errs.push(e);
        }
      }
      return errs;
    }, V);
    expect(out).toHaveLength(1);
    expect(String(out[0])).toMatch(text);
  });

  test.each(nullishFailures)("%s: the RxJS layer (task(), mapTask) errors", async (_name, make, text) => {
    const errs: unknown[] = [];
    const viaTask = task(function* (): Coroutine<unknown> {
      return yield* make() as ReturnType<typeof ensureFuture<number>>;
    });
    await run(function* () {
      yield* ensureFuture(firstValueFrom(viaTask).catch((e: unknown) => errs.push(e)));
      const viaMap = new Observable<number>((s) => {
        s.next(1);
        s.complete();
      }).pipe(
        mapTask(function* (): Coroutine<unknown> {
          return yield* make() as ReturnType<typeof ensureFuture<number>>;
        }),
      );
      yield* ensureFuture(firstValueFrom(viaMap).catch((e: unknown) => errs.push(e)));
    });
    expect(errs).toHaveLength(2);
    for (const e of errs) expect(String(e)).toMatch(text);
  }, 5000);

  test("a string, 0 or false thrown is kept as thrown, and is a failure", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const thrower = (v: unknown) =>
        createTask(function* (): Coroutine<number> {
          yield* sleep(1);
          throw v;
        });
      const r = (yield* gather(thrower("boom"), thrower(0), thrower(false), { returnExceptions: true })) as unknown[];
      let first: unknown = "none";
      try {
        yield* gather(thrower(0), sleep(5));
      } catch (e) {
        first = e;
      }
      return [...r, first];
    }, V);
    expect(out).toEqual(["boom", 0, false, 0]);
  });

  test("setException(null) is refused at once (exception() could not tell it from success)", async () => {
    await run(function* () {
      const f = getRunningLoop().createFuture<number>();
      expect(() => f.setException(null)).toThrow(TypeError);
      expect(() => f.setException(null)).toThrow(/'exception' must be an Error .* got null/);
      expect(f.done()).toBe(false);
      f.cancel();
    }, V);
  });

  test("a cancelled future is not a failure (exception() throws CancelledError)", async () => {
    await run(function* () {
      const f = getRunningLoop().createFuture<number>();
      f.cancel();
      expect(() => f.exception()).toThrow(CancelledError);
    }, V);
  });

  test("RuntimeError is what a nullish coroutine failure becomes", async () => {
    const e = await run(function* (): Coroutine<unknown> {
      const t = createTask(function* (): Coroutine<void> {
        throw null; // eslint-disable-line @typescript-eslint/only-throw-error
      });
      yield* sleep(1);
      return t.exception();
    }, V);
    expect(e).toBeInstanceOf(RuntimeError);
  });
});

describe("reused coroutines: RuntimeError 'cannot reuse already awaited coroutine' (CPython's words)", () => {
  function* work(log: string[]): Coroutine<number> {
    log.push("ran");
    yield* sleep(1);
    return 7;
  }

  test("one generator given to two tasks: the second createTask throws at once", async () => {
    const out = await run(function* (): Coroutine<[unknown, number, string[]]> {
      const log: string[] = [];
      const g = work(log);
      const a = createTask(g, { name: "first" });
      let err: unknown = null;
      try {
        createTask(g);
      } catch (e) {
        err = e;
      }
      return [err, yield* a, log];
    }, V);
    expect(out[0]).toBeInstanceOf(RuntimeError);
    expect(String(out[0])).toMatch(/cannot reuse already awaited coroutine: it was given to task 'first' already/);
    expect(out[1]).toBe(7);
    expect(out[2]).toEqual(["ran"]);
  });

  test("a finished generator given to a task again (ensureFuture, gather) is refused, not undefined", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const g = work([]);
      const first = yield* ensureFuture(g);
      const errs: unknown[] = [first];
      try {
        errs.push(yield* ensureFuture(g));
      } catch (e) {
        errs.push(e);
      }
      try {
        errs.push(yield* gather(g));
      } catch (e) {
        errs.push(e);
      }
      return errs;
    }, V);
    expect(out[0]).toBe(7);
    for (const e of out.slice(1)) expect(String(e)).toMatch(/^RuntimeError: cannot reuse already awaited coroutine/);
  });

  test("the same sleep() awaited twice: the second yield* throws", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const s = sleep(10, "v");
      const r: unknown[] = [yield* s];
      try {
        r.push(yield* s);
      } catch (e) {
        r.push(e);
      }
      const z = sleep(0, "z");
      r.push(yield* z);
      try {
        r.push(yield* z);
      } catch (e) {
        r.push(e);
      }
      return r;
    }, V);
    expect(out[0]).toBe("v");
    expect(String(out[1])).toBe("RuntimeError: cannot reuse already awaited coroutine: sleep(10) (each sleep() call gives a coroutine to yield* once)");
    expect(out[2]).toBe("z");
    expect(String(out[3])).toMatch(/^RuntimeError: cannot reuse already awaited coroutine: sleep\(0\)/);
  });

  test("one sleep() awaited by two tasks at once: the second fails, the first still wakes", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const s = sleep(10, "v");
      const a = createTask(function* (): Coroutine<unknown> {
        return yield* s;
      });
      const b = createTask(function* (): Coroutine<unknown> {
        yield* sleep(1);
        return yield* s;
      });
      return (yield* gather(a, b, { returnExceptions: true })) as unknown[];
    }, V);
    expect(out[0]).toBe("v");
    expect(String(out[1])).toMatch(/^RuntimeError: cannot reuse already awaited coroutine: sleep\(10\)/);
  });
});

describe("a coroutine-like whose next() breaks the iterator protocol fails its task with TypeError", () => {
  const bad = (result: unknown) => ({
    next: () => result,
    throw: () => result,
    [Symbol.iterator]() {
      return this;
    },
  });

  test.each([[5], [null], [undefined], ["done"]])("next() returning %p", async (result) => {
    const out = await run(function* (): Coroutine<[unknown, string]> {
      const t = createTask(bad(result) as never, { name: "broken" });
      yield* sleep(1);
      return [t.done() ? t.exception() : "still pending", t.getName()];
    }, V);
    expect(out[0]).toBeInstanceOf(TypeError);
    expect(String(out[0])).toMatch(/Task broken: its coroutine's next\(\) returned .*, not an iterator result/);
  });

  test("cancel() of such a task lands (the task is done, not wedged)", async () => {
    const out = await run(function* (): Coroutine<[boolean, boolean]> {
      const t = createTask(bad(5) as never);
      const asked = t.cancel();
      yield* sleep(1);
      return [asked, t.done()];
    }, V);
    expect(out).toEqual([true, true]);
  });
});

describe("yield* on a promise, and a yielded promise: the error says to use ensureFuture", () => {
  test("yield* somePromise: the engine's TypeError gains the hint", async () => {
    const e = await run(function* (): Coroutine<unknown> {
      const t = createTask(function* (): Coroutine<unknown> {
        return yield* (Promise.resolve(1) as never as Coroutine<number>);
      });
      yield* sleep(1);
      return t.exception();
    }, V);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/is not iterable \(rx-asyncio: to await a promise in a coroutine, write `yield\* ensureFuture\(promise\)`\)/);
    expect((e as Error).stack).toContain("ensureFuture(promise)");
  });

  test("yield somePromise (no star): the bad-yield error names ensureFuture", async () => {
    const msg = await run(function* (): Coroutine<string> {
      try {
        yield Promise.resolve(1) as never;
      } catch (e) {
        return String(e);
      }
      return "no error";
    }, V);
    expect(msg).toMatch(/got bad yield: a Promise .*write `yield\* ensureFuture\(promise\)`/);
  });
});

describe("yield* nested past the engine's stack: the RangeError points to the documented limit", () => {
  function* nest(n: number): Coroutine<number> {
    if (n === 0) {
      yield* sleep(1);
      return 0;
    }
    return yield* nest(n - 1);
  }

  test("4,000 levels work; 100,000 fail with a RangeError that names the limit and the doc", async () => {
    const out = await run(function* (): Coroutine<[number, unknown]> {
      const ok = yield* nest(4000);
      let err: unknown = null;
      try {
        yield* createTask(nest(100_000));
      } catch (e) {
        err = e;
      }
      return [ok, err];
    }, V);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeInstanceOf(RangeError);
    expect((out[1] as Error).message).toMatch(/Maximum call stack size exceeded \(rx-asyncio: yield\* nested deeper than about 4,000 levels .*docs\/reliability\.md#limits\)/);
  });

  test("gather(...items) past the engine's argument limit: the same RangeError also names gatherAll", async () => {
    // One settled promise a million times: the spread itself overflows, before gather looks at them.
    const items = new Array<PromiseLike<number>>(1_000_000).fill(Promise.resolve(1));
    const err = await run(function* (): Coroutine<unknown> {
      try {
        yield* createTask((function* (): Coroutine<number[]> {
          return yield* gather(...items);
        })());
      } catch (e) {
        return e;
      }
      return null;
    }, V);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/Maximum call stack size exceeded \(rx-asyncio: .*gather\(\.\.\.items\): use gatherAll\(items\)/);
  });
});

describe("cancelling tasks that await each other never recurses without bound", () => {
  test("a cycle of two tasks: cancel() returns, both end cancelled, cancelling() is 1 each", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const ts: ReturnType<typeof createTask<unknown>>[] = [];
      const mk = (i: number) =>
        createTask(function* (): Coroutine<unknown> {
          yield* sleep(1);
          return yield* ts[1 - i]!;
        });
      ts.push(mk(0), mk(1));
      yield* sleep(5);
      const asked = ts[0]!.cancel("stop");
      const counts = [ts[0]!.cancelling(), ts[1]!.cancelling()];
      yield* sleep(1);
      return [asked, counts, ts[0]!.cancelled(), ts[1]!.cancelled()];
    }, V);
    expect(out).toEqual([true, [1, 1], true, true]);
  });

  test("a cycle of 50,000 tasks and a chain of 50,000: no RangeError, every task cancelled once", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      const n = 50_000;
      const cycle: ReturnType<typeof createTask<unknown>>[] = [];
      const chain: ReturnType<typeof createTask<unknown>>[] = [];
      for (let i = 0; i < n; i++) {
        cycle.push(
          createTask(function* (): Coroutine<unknown> {
            yield* sleep(1);
            return yield* cycle[(i + 1) % n]!;
          }),
        );
        chain.push(
          createTask(function* (): Coroutine<unknown> {
            if (i === n - 1) return yield* sleep(1e6);
            yield* sleep(1);
            return yield* chain[i + 1]!;
          }),
        );
      }
      yield* sleep(5);
      cycle[0]!.cancel();
      chain[0]!.cancel();
      const maxCount = Math.max(...cycle.map((t) => t.cancelling()), ...chain.map((t) => t.cancelling()));
      yield* sleep(1);
      return [maxCount, cycle.every((t) => t.cancelled()), chain.every((t) => t.cancelled())];
    }, V);
    expect(out).toEqual([1, true, true]);
  });

  test("a cycle through gather() (a awaits gather(b), b awaits a) also ends", async () => {
    const out = await run(function* (): Coroutine<unknown[]> {
      let a: ReturnType<typeof createTask<unknown>> | null = null;
      const b = createTask(function* (): Coroutine<unknown> {
        yield* sleep(1);
        return yield* a!;
      });
      a = createTask(function* (): Coroutine<unknown> {
        yield* sleep(1);
        return yield* gather(b);
      });
      yield* sleep(5);
      const asked = a.cancel();
      yield* sleep(1);
      return [asked, a.cancelled(), b.cancelled()];
    }, V);
    expect(out).toEqual([true, true, true]);
  });
});

describe("awaiting oneself through gather / shield / wait / asCompleted is refused, as waitFor does", () => {
  const cases: [string, () => Coroutine<unknown>, RegExp][] = [
    ["yield* gather(currentTask())", () => gather(currentTask()!)[Symbol.iterator]() as Coroutine<unknown>, /gather\(\.\.\.aws\): task 'me' cannot await itself \(it is aws\[0\]\)/],
    ["yield* gather(other, currentTask())", () => gather(sleep(5), currentTask()!)[Symbol.iterator]() as Coroutine<unknown>, /it is aws\[1\]/],
    ["yield* shield(currentTask())", () => shield(currentTask()!)[Symbol.iterator]() as Coroutine<unknown>, /shield\(aw\): task 'me' cannot await itself/],
    ["yield* wait([currentTask()])", () => wait([currentTask()!]), /wait\(aws, options\): task 'me' cannot await itself/],
    [
      "yield* asCompleted([currentTask()])",
      function* () {
        for (const next of asCompleted([currentTask()!])) yield* next;
      },
      /asCompleted\(aws, options\): task 'me' cannot await itself/,
    ],
    ["yield* waitFor(currentTask(), 10) (already refused)", () => waitFor(currentTask()!, 10), /cannot await itself/],
  ];

  test.each(cases)("%s: RuntimeError in the task at once, no deadlock", async (_name, body, re) => {
    const out = await run(function* (): Coroutine<unknown> {
      const me = createTask(function* (): Coroutine<unknown> {
        try {
          return yield* body();
        } catch (e) {
          return e;
        }
      }, { name: "me" });
      return yield* waitFor(me, 1000);
    }, V);
    expect(out).toBeInstanceOf(RuntimeError);
    expect(String(out)).toMatch(re);
  });

  test("a gather of the current task handed to another task is still allowed", async () => {
    const out = await run(function* (): Coroutine<unknown> {
      const me = createTask(function* (): Coroutine<number> {
        const g = gather(currentTask()!);
        createTask(function* () {
          yield* g;
        });
        yield* sleep(1);
        return 5;
      });
      return yield* me;
    }, V);
    expect(out).toBe(5);
  });
});

describe("limits: an iterable form with no limit but memory", () => {
  const N = 250_000;

  test(`gatherAll(iterable) of ${N} coroutines (gather(...array) overflows the engine's argument stack)`, async () => {
    const out = await run(function* (): Coroutine<[number, number, number]> {
      function* items() {
        for (let i = 0; i < N; i++) yield sleep(0, i);
      }
      const r = yield* gatherAll({ [Symbol.iterator]: items });
      let sum = 0;
      for (const v of r) sum += v;
      const settled = yield* gatherAll([sleep(0, 1), ensureFuture(Promise.reject(new Error("x")))], { returnExceptions: true });
      return [r.length, sum, settled.length];
    }, V);
    expect(out).toEqual([N, (N * (N - 1)) / 2, 2]);
  });

  test(`wait() and asCompleted() of ${N} futures`, async () => {
    const out = await run(function* (): Coroutine<[number, number]> {
      const loop = getRunningLoop();
      const fs = Array.from({ length: N }, () => loop.createFuture<number>());
      loop.callLater(1, () => fs.forEach((f, i) => f.setResult(i)));
      const [done] = yield* wait(fs);
      let n = 0;
      for (const next of asCompleted(fs)) {
        yield* next;
        n++;
      }
      return [done.size, n];
    }, V);
    expect(out).toEqual([N, N]);
  });

  test("gatherAll checks its argument and options like gather", async () => {
    await run(function* () {
      expect(() => gatherAll(5 as never)).toThrow(/gatherAll\(aws, options\): 'aws' must be an iterable .* got 5/);
      expect(() => gatherAll([5 as never])).toThrow(/gatherAll\(aws, options\): aws\[0\] must be/);
      expect(() => gatherAll([], { retrunExceptions: true } as never)).toThrow(/did you mean 'returnExceptions'/);
      expect(yield* gatherAll([])).toEqual([]);
    }, V);
  });
});

describe("a coroutine never awaited is reported in debug mode, with where it was created", () => {
  const root = join(__dirname, "..");
  const child = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(root, "spec", "fixtures", "never-awaited.ts"), ...args], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    const lines = r.stdout.trim().split("\n");
    return JSON.parse(lines[lines.length - 1]!) as string[];
  };

  test("debug mode: sleep(10); lock.acquire(); queue.get(); queue.put(1); alone are each reported once, at their line", () => {
    const warnings = child("--debug");
    const never = warnings.filter((w) => w.includes("was never awaited"));
    expect(never.map((w) => w.split("\n")[0]).sort()).toEqual([
      "coroutine Lock.acquire() was never awaited",
      "coroutine Queue.get() was never awaited",
      "coroutine Queue.put() was never awaited",
      "coroutine sleep(10) was never awaited",
      "coroutine sleep(20) was never awaited",
    ]);
    for (const w of never) {
      expect(w).toMatch(/Coroutine created at \(most recent call first\):\n\s+at forgetful .*never-awaited\.ts:\d+/);
    }
  }, 90_000);

  test("without debug mode nothing is tracked or reported", () => {
    expect(child().filter((w) => w.includes("never awaited"))).toEqual([]);
  }, 90_000);
});
