/** Helpers of the RxJS conformance specs: a strict TestScheduler, a real-time guard, a frame log. */
import { TestScheduler } from "rxjs/testing";

/** A TestScheduler that compares frames with Jest's toEqual. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/**
 * Settles with `p`, or rejects after `ms` of real time: a virtual clock that
 * deadlocks holds no timer, so without this guard the spec would hang silently.
 */
export function withinRealMs<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not settle within ${ms} ms of real time`)), ms);
  });
  return Promise.race([Promise.resolve(p), guard]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` of real time. */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
