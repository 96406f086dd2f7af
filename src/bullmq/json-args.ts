/**
 * What BullMQ can carry: job data and return values go through
 * `JSON.stringify`, which silently turns many values into something else
 * (`undefined` in an array into `null`, a `Date` into a string, a `Map` into
 * `{}`, `NaN` into `null`) or throws late and far away (a cycle, a `BigInt`).
 * These checks refuse such values at once, naming where they are.
 *
 * @module
 */
import { describe } from "../coroutines.js";

/**
 * The first place in `value` that JSON would not carry unchanged, as a
 * reason, or `null` when it is plain JSON data. `path` names `value` in the
 * reason (`args[1]`, `args[1].size[0]`, ...).
 * @internal
 */
export function jsonProblem(value: unknown, path: string): string | null {
  // A primitive (most job results) needs no record of the containers seen.
  return walk(value, path, typeof value === "object" && value !== null ? new Set<object>() : NONE_SEEN);
}

/** Never written: `walk` adds to `seen` only for objects. */
const NONE_SEEN: Set<object> = new Set<object>();

function walk(v: unknown, path: string, seen: Set<object>): string | null {
  switch (typeof v) {
    case "string":
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(v) ? null : `${path} is ${String(v)}, which JSON turns into null`;
    case "undefined":
      return `${path} is undefined, which JSON drops or turns into null (pass null instead)`;
    case "bigint":
      return `${path} is a BigInt (${String(v)}n), which JSON cannot carry (pass a string or a number)`;
    case "symbol":
      return `${path} is a symbol, which JSON cannot carry`;
    case "function":
      return `${path} is a function (${describe(v)}), which JSON cannot carry: a worker runs jobs by name`;
  }
  if (v === null) return null;
  const obj = v as object;
  if (seen.has(obj)) return `${path} refers back to one of its containers (a cycle), which JSON cannot carry`;
  if (Array.isArray(obj)) {
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) return `${path}[${i}] is a hole in a sparse array, which JSON turns into null`;
      const p = walk(obj[i], `${path}[${i}]`, seen);
      if (p !== null) return p;
    }
    seen.delete(obj);
    return null;
  }
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    const name = (obj as { constructor?: { name?: unknown } }).constructor?.name;
    return (
      `${path} is ${typeof name === "string" && name !== "" ? `a ${name}` : "an object with a custom prototype"}, ` +
      "which JSON does not carry as it is (only plain objects, arrays, strings, finite numbers, booleans and null)"
    );
  }
  if (Object.getOwnPropertySymbols(obj).length > 0) return `${path} has symbol keys, which JSON drops`;
  seen.add(obj);
  for (const key of Object.keys(obj)) {
    const item = (obj as Record<string, unknown>)[key];
    // A property set to undefined is the usual way to leave an option out; JSON drops it, and reading it gives undefined again.
    if (item === undefined) continue;
    const p = walk(item, `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, seen);
    if (p !== null) return p;
  }
  seen.delete(obj);
  return null;
}

/**
 * Throws a `TypeError` naming the first argument JSON would not carry.
 * @internal
 */
export function checkJsonArgs(args: readonly unknown[], where: string): void {
  for (let i = 0; i < args.length; i++) {
    const p = jsonProblem(args[i], `args[${i}]`);
    if (p !== null) throw new TypeError(`${where}: job arguments go to the workers as JSON, and ${p}`);
  }
}
