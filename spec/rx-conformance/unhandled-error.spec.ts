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

/**
 * On a virtual loop: subscribes, unsubscribes at 1 (the cleanup then fails),
 * reports what is still unretrieved; what the loop's handler saw.
 */
async function unsubscribeMidway(seenByHandler: (message: string, exception: unknown) => string, subscriberLog: string[] = []): Promise<string[]> {
  const loopSeen: string[] = [];
  const loop = new EventLoop({ clock: "virtual" });
  loop.setExceptionHandler((_l, c) => loopSeen.push(seenByHandler(c.message, c.exception)));
  await loop.runUntilComplete(function* () {
    const sub = failingCleanup$().subscribe({ error: () => subscriberLog.push("subscriber saw it") });
    yield* sleep(1);
    sub.unsubscribe();
    yield* sleep(1);
    loop._reportUnretrieved();
  });
  loop.close();
  return loopSeen;
}

const withMessage = (message: string, exception: unknown) => `${message}: ${(exception as Error).message}`;

afterEach(() => {
  config.onUnhandledError = null;
});

test("with config.onUnhandledError set, the cleanup's error goes there and not to the loop", async () => {
  const rx: unknown[] = [];
  const subscriberLog: string[] = [];
  config.onUnhandledError = (e) => rx.push(e);
  expect(await unsubscribeMidway(withMessage, subscriberLog)).toEqual([]);
  expect(rx).toHaveLength(1);
  expect(rx[0]).toBeInstanceOf(RangeError);
  expect(subscriberLog).toEqual([]);
});

test("a handler that throws is reported by the loop", async () => {
  config.onUnhandledError = () => {
    throw new Error("handler broke");
  };
  expect(await unsubscribeMidway(withMessage)).toEqual(["config.onUnhandledError threw: handler broke"]);
});

test("without it, the loop reports the exception as never retrieved", async () => {
  expect(await unsubscribeMidway(withMessage)).toEqual(["Task exception was never retrieved: cleanup failed"]);
});
