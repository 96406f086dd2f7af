/**
 * `PriorityQueue`: asyncio's priority queue, with a JavaScript ordering API.
 *
 * @module
 */
import { describe } from "./coroutines.js";
import { PriorityHeap } from "./internal/priority-heap.js";
import { Queue } from "./queues.js";

/** How a `PriorityQueue` orders its items (give at most one). */
export interface PriorityQueueOptions<T> {
  /** Orders by `key(item)` (compared with the default order); computed once per item. */
  key?: (item: T) => unknown;
  /** Orders with `compare(a, b)`: negative if `a` comes out first, as `Array.prototype.sort`. */
  compare?: (a: T, b: T) => number;
}

const NUMBER = 1;
const STRING = 2;
const BIGINT = 3;
const ARRAY = 4;

function kindOf(x: unknown): number {
  switch (typeof x) {
    case "number":
      return NUMBER;
    case "string":
      return STRING;
    case "bigint":
      return BIGINT;
    default:
      return Array.isArray(x) ? ARRAY : 0;
  }
}

function mismatch(a: unknown, b: unknown): TypeError {
  return new TypeError(`PriorityQueue: cannot order ${describe(a)} against ${describe(b)} (different kinds)`);
}

/** Element order inside arrays: payloads (objects, null, ...) tie, so `[priority, job]` works. */
function compareElement(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 0 || kb === 0) return 0;
  if (ka !== kb) throw mismatch(a, b);
  return ka === ARRAY ? compareArrays(a as unknown[], b as unknown[]) : a! < b! ? -1 : a! > b! ? 1 : 0;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareElement(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * The default order: numbers, strings and bigints in their natural order;
 * arrays element by element like Python tuples. Inside arrays, elements that
 * are not numbers, strings, bigints or arrays tie.
 * @throws TypeError for two values of different kinds
 */
export function defaultCompare(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 0 || kb === 0) {
    const [name, v] = ka === 0 ? ["a", a] : ["b", b];
    throw new TypeError(`defaultCompare(a, b): '${name}' must be a number, string, bigint or array, got ${describe(v)}`);
  }
  if (ka !== kb) throw mismatch(a, b);
  return ka === ARRAY ? compareArrays(a as unknown[], b as unknown[]) : a! < b! ? -1 : a! > b! ? 1 : 0;
}

/**
 * A queue that gives the smallest item first (asyncio's `PriorityQueue`);
 * equal items come out in the order they were put (stable).
 *
 * By default items are numbers, strings, bigints, or arrays compared element
 * by element like Python tuples: `[priority, payload]` works, and payloads
 * that are objects never get compared (ties keep insertion order). For other
 * items pass `{ key }` (a sort key per item) or `{ compare }` (a comparator).
 *
 * @example
 * ```ts
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "low"]);
 * q.putNowait([1, "high"]);
 * q.getNowait(); // [1, "high"]
 *
 * const jobs = new PriorityQueue<Job>(0, { key: (j) => j.priority });
 * ```
 * @throws TypeError if both `key` and `compare` are given, or either is not a function
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /** @internal Whether items must be of a default-orderable kind. */
  private readonly _defaultOrder: boolean;

  constructor(maxsize = 0, options: PriorityQueueOptions<T> = {}) {
    super(maxsize);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`new PriorityQueue(maxsize, options): 'options' must be an object, got ${describe(options)}`);
    }
    for (const k of Object.keys(options)) {
      if (k !== "key" && k !== "compare") {
        throw new TypeError(`new PriorityQueue(maxsize, options): unknown option '${k}' (expected 'key' or 'compare')`);
      }
    }
    const { key, compare } = options;
    if (key !== undefined && compare !== undefined) {
      throw new TypeError("new PriorityQueue(maxsize, options): give 'key' or 'compare', not both");
    }
    if (key !== undefined && typeof key !== "function") {
      throw new TypeError(`new PriorityQueue(maxsize, options): 'key' must be a function, got ${describe(key)}`);
    }
    if (compare !== undefined && typeof compare !== "function") {
      throw new TypeError(`new PriorityQueue(maxsize, options): 'compare' must be a function, got ${describe(compare)}`);
    }
    this._defaultOrder = key === undefined && compare === undefined;
    this._checksItems = this._defaultOrder;
    this._store =
      compare !== undefined
        ? new PriorityHeap<T>(compare as (a: unknown, b: unknown) => number, null)
        : new PriorityHeap<T>(defaultCompare, key ?? null);
  }

  /** @internal Refuses, at once, an item the default order cannot place. */
  override _check(item: T, method: string): void {
    if (this._defaultOrder && kindOf(item) === 0) {
      throw new TypeError(
        `PriorityQueue.${method}(item): without a 'key' or 'compare' option an item must be a number, ` +
          `string, bigint or array, got ${describe(item)}`,
      );
    }
  }
}
