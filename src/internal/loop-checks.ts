/**
 * Small helpers of the loop: argument checks with clear messages, environment
 * flags, and the real-time clock that drain budgets and debug timings use.
 */
import { describe } from "../coroutines.js";
import type { EventLoop } from "../event-loop.js";

/** Milliseconds from a monotonic clock where there is one. */
export const perfNow: () => number = typeof performance !== "undefined" ? () => performance.now() : () => Date.now();

/** An environment variable, on hosts that have `process.env`. */
export function envFlag(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}

/** @throws TypeError for a non-number, RangeError for a negative or non-finite delay */
export function checkDelay(name: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`'${name}' must be a number of milliseconds, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`'${name}' must be a finite number of milliseconds >= 0, got ${describe(value)}`);
  }
  return value;
}

/** @throws TypeError if `fn` is not a function */
export function checkCallback(name: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(`'${name}' must be a function, got ${describe(fn)}`);
  }
}

/**
 * Whether `x` is an EventLoop: the one test, duck-typed (the futures and
 * tasks below the loop cannot import its class). An EventLoop's `_debug` is
 * always a boolean, so this costs one field read.
 */
export function isEventLoop(x: unknown): x is EventLoop {
  return typeof x === "object" && x !== null && typeof (x as EventLoop)._debug === "boolean";
}

/** `loop` as an argument: an EventLoop. @throws TypeError naming `where` otherwise */
export function checkLoop(where: string, loop: unknown): EventLoop {
  if (!isEventLoop(loop)) throw new TypeError(`${where}: 'loop' must be an EventLoop, got ${describe(loop)}`);
  return loop;
}

/**
 * The closest of `known` to `key` when a typo is likely (edit distance at
 * most 2, and less than the key's length): the "did you mean" of an unknown
 * option. Options lists are a handful of short words, so the quadratic
 * distance costs nothing.
 */
export function closestName(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD && d < key.length) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      // A swap of two neighbours ("atempts" / "attmepts") counts as one edit.
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, sub);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Refuses an options object with a key not in `known`: a misspelt option
 * (`{ clok: "virtual" }`) would otherwise be ignored without a word.
 * @throws TypeError naming `where`, the key, the closest known key if one is near, and the known keys
 */
export function checkOptionKeys(where: string, options: object, known: readonly string[]): void {
  // for-in, not Object.keys(): createTask() calls this per task, and an
  // empty options object then costs no array.
  for (const key in options) {
    if (known.includes(key) || !Object.prototype.hasOwnProperty.call(options, key)) continue;
    const near = closestName(key, known);
    throw new TypeError(
      `${where}: unknown option '${key}'${near === null ? "" : ` (did you mean '${near}'?)`}; the options are ${known.map((k) => `'${k}'`).join(", ")}`,
    );
  }
}
