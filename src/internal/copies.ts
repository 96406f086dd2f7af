/**
 * How many copies of rx-asyncio this process has loaded. The ESM and CommonJS
 * builds are separate module instances (as are two installed versions), each
 * with its own running loop, so a coroutine run by one copy that calls
 * `getRunningLoop()` of the other gets "no running event loop". Counting the
 * copies on `globalThis` lets that error say why.
 */
const KEY = Symbol.for("rx-asyncio.copies-loaded");
const registry = globalThis as { [KEY]?: number };
registry[KEY] = (registry[KEY] ?? 0) + 1;

/** The "no running event loop" message, with the hint when several copies are loaded. */
export function noRunningLoopMessage(): string {
  const copies = registry[KEY] ?? 1;
  if (copies < 2) return "no running event loop";
  return (
    `no running event loop (${copies} copies of rx-asyncio are loaded in this process, e.g. both its ESM ` +
    "and its CommonJS build: each has its own loop, so a loop run by one copy is not running for the other. " +
    "Load the library one way: all import, or all require)"
  );
}
