/** Helpers shared by the TaskGroup specs (Python's exception names, for the ported cases). */
import { ExceptionGroup, sleep, type Awaitable, type Coroutine } from "../src/index.js";

export const V = { clock: "virtual" } as const;

export class MyExc extends Error {}
export class ZeroDivisionError extends Error {}
export class ValueError extends Error {}

/** The class names of the failures in an ExceptionGroup. */
export function errorTypes(eg: unknown): Set<string> {
  expect(eg).toBeInstanceOf(ExceptionGroup);
  return new Set((eg as ExceptionGroup).errors.map((e) => (e as Error).constructor.name));
}

/** Runs `body` and evaluates to what it threw, or "no error". */
export function* caught(body: () => Awaitable<unknown>): Coroutine<unknown> {
  try {
    yield* body();
  } catch (e) {
    return e;
  }
  return "no error";
}

/** Sleeps `ms`, then throws `Err`. */
export function* crashAfter(ms: number, Err: new () => Error = ZeroDivisionError): Coroutine<never> {
  yield* sleep(ms);
  throw new Err();
}
