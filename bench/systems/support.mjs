// Which workloads each system runs: those with a figure in BENCH.md's table,
// plus W9-W11 (rx-asyncio; RxJS's own figure for W10; W11 compares
// rx-asyncio's pool with its own loop, so it has no other column).
export const SUPPORT = {
  "rx-asyncio": ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10", "W11"],
  "async-await": ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"],
  "p-limit": ["W3", "W8"],
  "p-queue": ["W3", "W4", "W8"],
  rxjs: ["W1", "W2", "W3", "W5", "W6", "W7", "W10"],
  effection: ["W1", "W2", "W5", "W6", "W7"],
  effect: ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"],
};
