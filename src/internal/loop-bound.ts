/**
 * Binding a primitive to the loop that first waits on it (asyncio's
 * `mixins._LoopBoundMixin`).
 *
 * @module
 */
import { RuntimeError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import { getRunningLoop } from "../running-loop.js";

/** The loop a primitive is bound to. @internal */
export interface LoopBound {
  _loop: EventLoop | null;
}

/**
 * The running loop, binding `prim` to it on first use. Only waiting needs a
 * loop, so a primitive is bound by its first wait, as in asyncio.
 * @throws RuntimeError outside a running loop, or if bound to another loop
 * @internal
 */
export function boundLoop(prim: LoopBound): EventLoop {
  const loop = getRunningLoop();
  const mine = prim._loop;
  if (mine === null) prim._loop = loop;
  else if (mine !== loop) throw new RuntimeError(`${String(prim)} is bound to a different event loop`);
  return loop;
}
