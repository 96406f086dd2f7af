// The assertion given to TestScheduler in W10: throws (failing the run) when the marbles differ.
import { check } from "./workloads.mjs";

export function deepEqualOrThrow(actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `marbles differ:\n  actual   ${a}\n  expected ${e}`);
}
