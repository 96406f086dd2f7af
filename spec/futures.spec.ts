import { from, firstValueFrom } from "rxjs";
import {
  CancelledError,
  EventLoop,
  Future,
  getRunningLoop,
  InvalidStateError,
  run,
  sleep,
  type Coroutine,
  type ExceptionContext,
} from "../src/index.js";

describe("Future", () => {
  let loop: EventLoop;
  beforeEach(() => (loop = new EventLoop({ clock: "virtual" })));
  afterEach(() => loop.close());

  test("result() of a pending future throws InvalidStateError; exception() too", () => {
    const f = loop.createFuture<number>();
    expect(f.done()).toBe(false);
    expect(() => f.result()).toThrow(InvalidStateError);
    expect(() => f.exception()).toThrow(InvalidStateError);
    expect(f.getLoop()).toBe(loop);
  });

  test("setResult once; a second set throws InvalidStateError", () => {
    const f = loop.createFuture<number>();
    f.setResult(3);
    expect(f.done()).toBe(true);
    expect(f.result()).toBe(3);
    expect(f.exception()).toBeNull();
    expect(() => f.setResult(4)).toThrow(InvalidStateError);
    expect(() => f.setException(new Error())).toThrow(InvalidStateError);
    expect(f.cancel()).toBe(false);
  });

  test("setException: result() throws it, exception() returns it", () => {
    const f = loop.createFuture<number>();
    const e = new TypeError("x");
    f.setException(e);
    expect(() => f.result()).toThrow(e);
    expect(f.exception()).toBe(e);
    expect(() => loop.createFuture().setException(undefined)).toThrow(/'exception'/);
  });

  test("cancel(msg): cancelled, result() throws CancelledError carrying the message", () => {
    const f = loop.createFuture<number>();
    expect(f.cancel("because")).toBe(true);
    expect(f.cancelled()).toBe(true);
    expect(f.done()).toBe(true);
    let err: unknown;
    try {
      f.result();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe("because");
    expect(() => f.exception()).toThrow(CancelledError);
    expect(f.cancel()).toBe(false);
  });

  test("done callbacks run through callSoon, never synchronously, in registration order", async () => {
    const log: string[] = [];
    await loop.runUntilComplete(function* () {
      const f = loop.createFuture<string>();
      f.addDoneCallback((x) => log.push(`1:${x.result()}`));
      f.addDoneCallback((x) => log.push(`2:${x.result()}`));
      f.setResult("r");
      log.push("after setResult");
      f.addDoneCallback((x) => log.push(`late:${x.result()}`));
      log.push("after late add");
      yield* sleep(0);
    });
    expect(log).toEqual(["after setResult", "after late add", "1:r", "2:r", "late:r"]);
  });

  test("removeDoneCallback returns how many registrations it removed", async () => {
    const f = loop.createFuture<number>();
    const cb = () => {};
    const other = () => {};
    f.addDoneCallback(cb);
    f.addDoneCallback(other);
    f.addDoneCallback(cb);
    expect(f.removeDoneCallback(cb)).toBe(2);
    expect(f.removeDoneCallback(cb)).toBe(0);
    expect(f.removeDoneCallback(other)).toBe(1);
    expect(() => f.addDoneCallback(null as never)).toThrow(/'fn' must be a function, got null/);
  });

  test("yield* a future evaluates to its result, typed", async () => {
    const r = await loop.runUntilComplete(function* (): Coroutine<string> {
      const f = loop.createFuture<number>();
      loop.callLater(10, () => f.setResult(41));
      const n: number = yield* f;
      return `${n + 1}@${loop.time()}`;
    });
    expect(r).toBe("42@10");
  });

  test("a future is PromiseLike (await) and an RxJS InteropObservable (from)", async () => {
    const f = loop.createFuture<number>();
    const emitted = firstValueFrom(from(f));
    const awaited = (async () => await f)();
    await loop.runUntilComplete(function* () {
      yield* sleep(5);
      f.setResult(7);
      yield* sleep(1);
    });
    expect(await awaited).toBe(7);
    expect(await emitted).toBe(7);
    const g = loop.createFuture<number>();
    g.cancel("gone");
    await expect((async () => await g)()).rejects.toBeInstanceOf(CancelledError);
  });

  test("an exception nobody retrieved is reported by the end of run(); a retrieved one is not", async () => {
    const seen: ExceptionContext[] = [];
    await run(
      function* () {
        getRunningLoop().setExceptionHandler((_l, ctx) => seen.push(ctx));
        const retrieved = new Future<number>();
        retrieved.setException(new Error("looked at"));
        retrieved.exception();
        const lost = new Future<number>();
        lost.setException(new Error("nobody looked"));
        yield* sleep(1);
      },
      { clock: "virtual" },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).toBe("Future exception was never retrieved");
    expect((seen[0]!.exception as Error).message).toBe("nobody looked");
  });
});

describe("the CancelledError the loop throws into a cancelled task", () => {
  // The loop makes these without the Error constructor (W6: building even an
  // empty stack cost as much as the throw). They must still behave as errors.
  async function caughtFrom(msg?: string): Promise<CancelledError> {
    return run(
      function* () {
        const t = getRunningLoop().createTask(function* () {
          try {
            yield* sleep(1000);
          } catch (e) {
            return e as CancelledError;
          }
          throw new Error("not cancelled");
        });
        yield* sleep(0);
        t.cancel(msg);
        return yield* t;
      },
      { clock: "virtual" },
    );
  }

  test("is a CancelledError and an Error, with name, message and a header-only stack", async () => {
    const plain = await caughtFrom();
    const withMsg = await caughtFrom("shutting down");
    for (const e of [plain, withMsg]) {
      expect(e).toBeInstanceOf(CancelledError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe("CancelledError");
      expect(Object.keys(e)).toEqual([]);
    }
    expect(plain.message).toBe("");
    expect(plain.stack).toBe("CancelledError");
    expect(String(plain)).toBe("CancelledError");
    expect(withMsg.message).toBe("shutting down");
    expect(withMsg.stack).toBe("CancelledError: shutting down");
    expect(String(withMsg)).toBe("CancelledError: shutting down");
  });

  test("each cancelled task gets its own error; stack and message stay writable", async () => {
    const a = await caughtFrom("x");
    const b = await caughtFrom("x");
    expect(a).not.toBe(b);
    a.stack = "annotated";
    a.message = "changed";
    expect(a.stack).toBe("annotated");
    expect(a.message).toBe("changed");
    expect(b.stack).toBe("CancelledError: x");
  });

  test("errors a user constructs keep their own stack trace", () => {
    const e = new CancelledError("mine");
    expect(e.stack).toMatch(/^CancelledError: mine\n\s+at /);
  });
});
