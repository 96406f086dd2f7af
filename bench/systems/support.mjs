// Which workloads each system runs: those with a figure in BENCH.md's table,
// plus W9-W12 (rx-asyncio; RxJS's own figure for W10; W11 compares
// rx-asyncio's pool with its own loop, so it has no other column; W12's peer
// is plain async functions with Promise.all). A "common" variant runs only the
// workloads where its hop or cancel differs from the strongest form.
export const SUPPORT = {
  "rx-asyncio": ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10", "W11", "W12"],
  "async-await": ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W12"],
  "p-limit": ["W3", "W8"],
  "p-queue": ["W3", "W4", "W8"],
  rxjs: ["W1", "W2", "W3", "W5", "W6", "W7", "W10"],
  effection: ["W1", "W2", "W5", "W6", "W7"],
  effect: ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"],
  "async-await@common": ["W1", "W3", "W6", "W8"],
  "async-await@als": ["W12"],
  "p-limit@common": ["W3", "W8"],
  "p-queue@common": ["W3", "W8"],
  "rxjs@common": ["W1", "W3", "W5"],
};

/**
 * The zero-delay hops of the promise-based systems. A microtask hop is the
 * cheapest yield there is (it never lets I/O or timers run); setImmediate is a
 * full turn of Node's event loop. rx-asyncio's sleep(0) requeues inside its own
 * loop and yields to Node every 20 ms.
 */
export const microtaskTick = () => Promise.resolve();
export const immediateTick = () => new Promise((resolve) => setImmediate(resolve));
