/**
 * `fromQueue`: the items of a `Queue` as an Observable.
 *
 * @module
 */
import { Observable, type Subscriber } from "rxjs";
import type { Coroutine } from "../coroutines.js";
import { describe } from "../coroutines.js";
import { CancelledError, QueueShutDown } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import { checkLoop } from "../internal/loop-checks.js";
import { Queue } from "../queues.js";
import { subscriptionLoop } from "./internals.js";

/** Options of `fromQueue`. */
export interface FromQueueOptions {
  /** Call `queue.taskDone()` after each item is emitted (default `true`), so `join()` works. */
  taskDone?: boolean;
  /** The loop of the consuming task (default: the running loop, else `rxLoop()`). */
  loop?: EventLoop;
}

/**
 * An Observable of the items got from `queue`: each subscription runs a task
 * that `get()`s items and emits them, and completes when the queue is shut
 * down and empty. Several subscribers compete for items (each item goes to one
 * of them). Unsubscribing cancels the task; an item is never lost that way: a
 * `get()` cancelled while waiting takes nothing, and a woken one hands its turn
 * on.
 *
 * @example
 * ```ts
 * const q = new Queue<number>();
 * fromQueue(q).pipe(map((n) => n * 2)).subscribe(console.log);
 * q.putNowait(1); q.putNowait(2); q.shutdown(); // logs 2, 4, then completes
 * ```
 * @throws TypeError if `queue` is not a Queue
 */
export function fromQueue<T>(queue: Queue<T>, options: FromQueueOptions = {}): Observable<T> {
  if (!(queue instanceof Queue)) {
    throw new TypeError(`fromQueue(queue): 'queue' must be a Queue, got ${describe(queue)}`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`fromQueue(queue, options): 'options' must be an object, got ${describe(options)}`);
  }
  const markDone = options.taskDone ?? true;
  if (typeof markDone !== "boolean") {
    throw new TypeError(`fromQueue(queue, options): 'taskDone' must be a boolean, got ${describe(markDone)}`);
  }
  if (options.loop !== undefined) checkLoop("fromQueue(queue, options)", options.loop);
  return new Observable<T>((subscriber) => {
    const t = subscriptionLoop(options.loop).createTask(pump(queue, subscriber, markDone), { name: "fromQueue" });
    return () => {
      if (!t.done()) t.cancel();
    };
  });
}

function* pump<T>(queue: Queue<T>, subscriber: Subscriber<T>, markDone: boolean): Coroutine<void> {
  // Checking `closed` before each get() matters: a subscriber that unsubscribes
  // inside next() must not make us take (and drop) one more item.
  while (!subscriber.closed) {
    let item: T;
    try {
      item = yield* queue.get();
    } catch (e) {
      if (e instanceof CancelledError) throw e; // unsubscribed while waiting
      if (e instanceof QueueShutDown) subscriber.complete();
      else subscriber.error(e);
      return;
    }
    try {
      subscriber.next(item);
    } finally {
      if (markDone) queue.taskDone();
    }
  }
}
