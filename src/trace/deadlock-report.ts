/**
 * What a deadlock report says (internal/deadlock-watch.ts finds the
 * deadlock): what the stuck task waits on, the task tree, and in debug mode
 * where each pending task was created. Installed when the trace layer loads,
 * so the kernel carries none of this text.
 *
 * @module
 * @internal
 */
import { DeadlockError } from "../errors.js";
import type { EventLoop } from "../event-loop.js";
import type { Future } from "../futures.js";
import { setDeadlockDescriber } from "../internal/deadlock-watch.js";
import { Task } from "../tasks.js";
import { waitLabel } from "./labels.js";
import { captureTaskTree, formatTaskTree, type TaskTreeNode } from "./task-tree.js";

function describeDeadlock(loop: EventLoop, target: Future<unknown>): DeadlockError {
  const tasks = Array.from(loop._tasks);
  const what = target instanceof Task ? `task '${target.getName()}'` : "future";
  const waits = target instanceof Task && target._futWaiter !== null ? ` waits on ${waitLabel(target._futWaiter).label}` : " is pending";
  let nothing = "no callback is ready, no timer is armed";
  if (loop.clock() === "virtual") {
    nothing =
      loop._timers.liveCount > 0 && loop._external > loop._loopWaits
        ? "no callback is ready, the virtual clock may not jump to its next timer while outside work (a promise, a job) is pending"
        : "no callback is ready, no virtual timer is left to jump to";
  }
  const message =
    `deadlock: the ${what} given to run()/runUntilComplete()${waits} and nothing can ever wake it: ` +
    `${nothing}, and nothing else is left in the process (no I/O, timer or worker) that could settle what it waits on; ` +
    `the process was about to exit. ${tasks.length} pending task${tasks.length === 1 ? "" : "s"}; the task tree follows (error.taskTree)` +
    (loop.getDebug() ? "." : "; run with RX_ASYNCIO_DEBUG=1 to see where each task was created.");
  return new DeadlockError(message, treeText(loop, tasks));
}

/**
 * Two waits with the same label on different objects ("Event.wait" on two
 * Events, two tasks each waiting for the other's) read the same in the tree:
 * number the objects (`Event.wait #1`, `Event.wait #2`), so the report says
 * which waits share an object. A primitive's waiters share its wait queue.
 */
function numberSharedLabels(roots: TaskTreeNode[]): void {
  const leaves: { node: TaskTreeNode & { kind: "future" }; key: object }[] = [];
  const walk = (n: TaskTreeNode) => {
    if (n.kind === "future" && n.children.length === 0) leaves.push({ node: n, key: (n.future as { _lot?: object })._lot ?? n.future });
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  const byLabel = new Map<string, object[]>();
  for (const { node, key } of leaves) {
    const keys = byLabel.get(node.label) ?? [];
    if (!keys.includes(key)) keys.push(key);
    byLabel.set(node.label, keys);
  }
  for (const { node, key } of leaves) {
    const keys = byLabel.get(node.label)!;
    if (keys.length > 1) node.label = `${node.label} #${keys.indexOf(key) + 1}`;
  }
}

/** The tree, then (in debug mode) where each pending task was created. */
function treeText(loop: EventLoop, tasks: Task<unknown>[]): string {
  const captured = captureTaskTree({ loop });
  numberSharedLabels(captured.roots);
  const tree = formatTaskTree(captured);
  if (!loop.getDebug()) return tree;
  const sites: string[] = [];
  for (const t of tasks) {
    const src = t._sourceTraceback;
    if (src !== undefined) sites.push(`task '${t.getName()}' was created at:\n${src.replace(/^/gm, "    ")}`);
  }
  return sites.length === 0 ? tree : `${tree}\n${sites.join("\n")}`;
}

setDeadlockDescriber(describeDeadlock);
