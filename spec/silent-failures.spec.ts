/**
 * Issue 15, section 3 (part B): silent wrong answers turned into clear errors.
 * Each describe block is one item of the issue; each test failed on main
 * (3f1e413) and passes now.
 */
import { firstValueFrom, Observable } from "rxjs";
import {
  asCompleted,
  CancelledError,
  createTask,
  ensureFuture,
  ExceptionGroup,
  FIRST_EXCEPTION,
  gather,
  getRunningLoop,
  mapTask,
  run,
  RuntimeError,
  sleep,
  task,
  taskGroup,
  wait,
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
