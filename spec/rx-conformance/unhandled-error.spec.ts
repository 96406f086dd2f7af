/**
 * Errors RxJS can see: a task whose subscriber is gone (unsubscribed) and whose
 * cleanup then fails is reported through RxJS's config.onUnhandledError when
 * it is set; without it, the loop reports it as never retrieved.
 */
import { config } from "rxjs";
import { EventLoop, sleep, task } from "../../src/index.js";

function failingCleanup$() {
  return task(function* () {
    try {
      yield* sleep(10);
    } finally {
      // eslint-disable-next-line no-unsafe-finally
      throw new RangeError("cleanup failed");
    }
  });
}

afterEach(() => {
  config.onUnhandledError = null;
});

test("with config.onUnhandledError set, the cleanup's error goes there and not to the loop", async () => {
  const rx: unknown[] = [];
  const loopSeen: string[] = [];
  config.onUnhandledError = (e) => rx.push(e);
  const loop = new EventLoop({ clock: "virtual" });
  loop.setExceptionHandler((_l, c) => loopSeen.push(c.message));
  await loop.runUntilComplete(function* () {
    const sub = failingCleanup$().subscribe({ error: () => loopSeen.push("subscriber saw it") });
    yield* sleep(1);
    sub.unsubscribe();
    yield* sleep(1);
    loop._reportUnretrieved();
  });
  expect(rx).toHaveLength(1);
  expect(rx[0]).toBeInstanceOf(RangeError);
  expect(loopSeen).toEqual([]);
  loop.close();
});

test("a handler that throws is reported by the loop", async () => {
  const loopSeen: string[] = [];
  config.onUnhandledError = () => {
    throw new Error("handler broke");
  };
  const loop = new EventLoop({ clock: "virtual" });
  loop.setExceptionHandler((_l, c) => loopSeen.push(`${c.message}: ${(c.exception as Error).message}`));
  await loop.runUntilComplete(function* () {
    const sub = failingCleanup$().subscribe();
    yield* sleep(1);
    sub.unsubscribe();
    yield* sleep(1);
  });
  expect(loopSeen).toEqual(["config.onUnhandledError threw: handler broke"]);
  loop.close();
});

test("without it, the loop reports the exception as never retrieved", async () => {
  const loopSeen: string[] = [];
  const loop = new EventLoop({ clock: "virtual" });
  loop.setExceptionHandler((_l, c) => loopSeen.push(`${c.message}: ${(c.exception as Error).message}`));
  await loop.runUntilComplete(function* () {
    const sub = failingCleanup$().subscribe();
    yield* sleep(1);
    sub.unsubscribe();
    yield* sleep(1);
    loop._reportUnretrieved();
  });
  expect(loopSeen).toEqual(["Task exception was never retrieved: cleanup failed"]);
  loop.close();
});
