/**
 * A macrotask without a timer, for hosts that have no `setImmediate` (browsers,
 * Deno, workers): a message posted to a `MessageChannel`. A nested `setTimeout(fn,
 * 0)` is clamped to 4 ms by the HTML spec after five levels, so a loop that
 * yields on every drain budget through timers would idle 4 ms per 20 ms of work;
 * a message is delivered at once, yet as a separate task, so the page renders
 * and serves input between two of them (React's scheduler yields the same way).
 *
 * One channel serves every caller: a FIFO of callbacks, one message per
 * callback, so each callback is its own task, in the order they were posted.
 *
 * @module
 * @internal
 */
import type { HostHandle } from "../host.js";

interface PortLike {
  onmessage: ((ev: unknown) => void) | null;
  postMessage(msg: unknown): void;
}

interface Entry {
  fn: (() => void) | null;
}

let port: PortLike | null | undefined;
const queue: Entry[] = [];
let head = 0;

function onMessage(): void {
  const entry = queue[head];
  queue[head++] = undefined as unknown as Entry;
  if (head === queue.length) {
    queue.length = 0;
    head = 0;
  }
  const fn = entry?.fn;
  if (fn == null) return;
  entry!.fn = null;
  fn();
}

function getPort(): PortLike | null {
  if (port !== undefined) return port;
  const MC = (globalThis as { MessageChannel?: new () => { port1: PortLike; port2: PortLike } }).MessageChannel;
  if (typeof MC !== "function") return (port = null);
  const ch = new MC();
  ch.port1.onmessage = onMessage;
  return (port = ch.port2);
}

/** Whether this host has `MessageChannel` macrotasks. */
export function hasMessageChannel(): boolean {
  return getPort() !== null;
}

/**
 * Runs `fn` in a task of its own, after the host has had its turn (rendering,
 * input, I/O). Needs `MessageChannel` (check {@link hasMessageChannel}).
 */
export function postMacrotask(fn: () => void): HostHandle {
  const p = getPort()!;
  const entry: Entry = { fn };
  queue.push(entry);
  p.postMessage(null);
  return {
    unsubscribe() {
      // Its message still arrives and finds nothing to run: the FIFO stays aligned.
      entry.fn = null;
    },
  };
}
