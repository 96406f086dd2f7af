/**
 * The loop's default executor (for `runInExecutor(null, ...)` and `toThread`),
 * chosen by the environment behind the one `Executor` contract: Node's worker
 * threads (Piscina) where there is Node, Web Workers in a browser.
 *
 * @module
 */
import type { Executor } from "./executor.js";
import { setDefaultExecutorFactory } from "./loop-executor.js";
import { workerKindHere } from "./executor.js";
import { ThreadPoolExecutor } from "./thread-pool-executor.js";
import { WebWorkerExecutor } from "./web-worker-executor.js";

/** @internal A new default executor for this environment. */
export function newDefaultExecutor(): Executor {
  return workerKindHere() === "node" ? new ThreadPoolExecutor() : new WebWorkerExecutor();
}

/**
 * @internal Installs {@link newDefaultExecutor} as what a loop makes for
 * `runInExecutor(null, ...)` (the executor layer's side of the hook in
 * loop-executor.ts). Done when this module loads, and again by `toThread`, so
 * a bundle that keeps `toThread` also keeps the default it needs.
 */
export function useEnvironmentDefaultExecutor(): void {
  setDefaultExecutorFactory(newDefaultExecutor);
}

useEnvironmentDefaultExecutor();
