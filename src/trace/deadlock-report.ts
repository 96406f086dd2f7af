/**
 * Draws the task tree for a deadlock report (internal/deadlock-watch.ts): the
 * kernel finds the deadlock, this layer knows how to draw who awaits whom.
 * Installed when the trace layer loads.
 *
 * @module
 * @internal
 */
import { setDeadlockTreeWriter } from "../internal/deadlock-watch.js";
import { captureTaskTree, formatTaskTree } from "./task-tree.js";

setDeadlockTreeWriter((loop) => formatTaskTree(captureTaskTree({ loop })));
