/**
 * AbortSignal in: createTask(coro, { signal }), task(fn, { signal }) and
 * run(main, { signal }) cancel on abort, the signal's reason as the message;
 * an async task function gets its signal whatever its declared arity.
 */
import { firstValueFrom } from "rxjs";
import { CancelledError, createTask, EventLoop, run, sleep, task, type Coroutine } from "../../src/index.js";
import { testScheduler } from "./helpers.js";

function* sleeper(log: string[]): Coroutine<string> {
  try {
    yield* sleep(100);
    return "slept";
  } catch (e) {
    log.push(`cancelled: ${(e as Error).message}`);
    throw e;
  } finally {
    log.push("cleanup");
  }
}

test("createTask(coro, { signal }): aborting cancels it with the reason as the message", async () => {
  const log: string[] = [];
  const result = await run(
    function* () {
      const ac = new AbortController();
      const t = createTask(sleeper(log), { signal: ac.signal });
      yield* sleep(10);
      ac.abort("user left");
      try {
        yield* t;
        return "not cancelled";
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    },
    { clock: "virtual" },
  );
  expect(result).toBe("CancelledError: user left");
  expect(log).toEqual(["cancelled: user left", "cleanup"]);
});

test("a signal aborted already cancels the task before its first step; an Error reason gives its message", async () => {
  const loop = new EventLoop({ clock: "virtual" });
  let ran = false;
  const message = await loop.runUntilComplete(function* () {
    const t = createTask(
      (function* () {
        ran = true;
        yield* sleep(1);
      })(),
      { signal: AbortSignal.abort(new Error("too late")) },
    );
    try {
      yield* t;
      return "not cancelled";
    } catch (e) {
      return (e as Error).message;
    }
  });
  expect(message).toBe("too late");
  expect(ran).toBe(false);
  loop.close();
});

test("a finished task drops its abort listener; a later abort changes nothing", async () => {
  const ac = new AbortController();
  const r = await run(function* () {
    const t = createTask(function* () {
      yield* sleep(1);
      return 5;
    }, { signal: ac.signal });
    const v = yield* t;
    ac.abort("later");
    return [v, t.cancelled()] as const;
  }, { clock: "virtual" });
  expect(r).toEqual([5, false]);
});

test("task(fn, { signal }) in a marble test: abort at frame 3 errors the observable with CancelledError", () => {
  const ac = new AbortController();
  const ts = testScheduler();
  ts.run(({ expectObservable }) => {
    ts.schedule(() => ac.abort("stop"), 3);
    expectObservable(task(function* () {
      yield* sleep(10);
      return "x";
    }, { signal: ac.signal })).toBe("---#", undefined, new CancelledError("stop"));
  });
});

test("run(main, { signal }): aborting cancels main, run rejects with CancelledError after cleanup", async () => {
  const log: string[] = [];
  const ac = new AbortController();
  const p = run(function* () {
    return yield* sleeper(log);
  }, { signal: ac.signal });
  setTimeout(() => ac.abort("shutdown"), 5);
  await expect(p).rejects.toThrow(CancelledError);
  await expect(p).rejects.toThrow("shutdown");
  expect(log).toEqual(["cancelled: shutdown", "cleanup"]);
});

test("an async task function gets its signal whatever its declared arity", async () => {
  const seen: boolean[] = [];
  await run(function* () {
    const t = createTask(async (signal: AbortSignal | undefined = undefined) => {
      seen.push(signal instanceof AbortSignal);
      await new Promise<void>((resolve) => signal!.addEventListener("abort", () => resolve()));
      seen.push(signal!.aborted);
    });
    yield* sleep(1);
    t.cancel();
    try {
      yield* t;
    } catch {
      /* cancelled */
    }
  });
  expect(seen).toEqual([true, true]);
});

test("rest parameters get the signal too; a function with no parameter gets none", async () => {
  const r = await run(function* () {
    const rest = yield* createTask(async (...args: unknown[]) => args[0] instanceof AbortSignal);
    const none = yield* createTask(async function () {
      // eslint-disable-next-line prefer-rest-params
      return arguments.length;
    });
    return [rest, none] as const;
  });
  expect(r).toEqual([true, 0]);
});

test("bad signals are TypeErrors at once", () => {
  expect(() => task(function* () {}, { signal: 5 as never })).toThrow(/'signal' must be an AbortSignal/);
  expect(() => run(function* () {}, { signal: {} as never })).toThrow(TypeError);
});

test("firstValueFrom(task(fn, { signal })) rejects with the reason", async () => {
  const ac = new AbortController();
  const p = firstValueFrom(task(function* () {
    yield* sleep(1000);
  }, { signal: ac.signal }));
  ac.abort("nope");
  await expect(p).rejects.toThrow("nope");
});
