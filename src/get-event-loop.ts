/**
 * asyncio's `get_event_loop()` and `set_event_loop()`, as of CPython 3.12.
 *
 * Inside a running loop, `getEventLoop()` is `getRunningLoop()`. Outside one it
 * returns the "current" loop of the (only, default) policy: the one given to
 * `setEventLoop()`. With none set, CPython 3.12 and 3.13 create one and warn
 * with a DeprecationWarning (3.14 raises RuntimeError instead); we follow
 * 3.12/3.13, so that tutorials written as `loop = asyncio.get_event_loop();
 * loop.run_until_complete(main())` port line for line, and the warning tells
 * the reader that new code calls `newEventLoop()` or `run()`. Like CPython's
 * policy, a loop that was closed is still returned (it then refuses work).
 */
import { describe } from "./coroutines.js";
import { _getRunningLoop } from "./running-loop.js";
import { EventLoop } from "./event-loop.js";
import { newEventLoop } from "./runners.js";

let current: EventLoop | null = null;

/**
 * The running loop; outside one, the loop set with `setEventLoop()`, or a new
 * one (with a DeprecationWarning, as CPython 3.12) when none is set.
 *
 * @example
 * ```ts
 * const loop = getEventLoop();   // the tutorials' `asyncio.get_event_loop()`
 * await loop.runUntilComplete(main());
 * loop.close();
 * ```
 */
export function getEventLoop(): EventLoop {
  const running = _getRunningLoop();
  if (running !== null) return running;
  if (current === null) {
    const proc = (globalThis as { process?: { emitWarning?: (msg: string, type: string) => void } }).process;
    proc?.emitWarning?.(
      "There is no current event loop: getEventLoop() created one. Call newEventLoop() (and setEventLoop()) or use run() instead",
      "DeprecationWarning",
    );
    current = newEventLoop();
  }
  return current;
}

/** Makes `loop` the current loop for `getEventLoop()` outside a running loop; `null` clears it. */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop)) {
    throw new TypeError(`setEventLoop(loop): 'loop' must be an EventLoop or null, got ${describe(loop)}`);
  }
  current = loop;
}
