/**
 * The text of `rx-asyncio ps` (one row per task, as `python -m asyncio ps`)
 * and `rx-asyncio pstree` (the await tree, as `python -m asyncio pstree`).
 *
 * @module
 */
import type { SnapshotLoop, SnapshotNode, SnapshotTask } from "../trace/process-snapshot.js";
import type { AttachedSnapshot, CoroPosition } from "./attach.js";

function fmtMs(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

function position(snap: AttachedSnapshot, t: SnapshotTask): string {
  const p: CoroPosition | null = t.coro === null ? null : snap.positions[t.coro] ?? null;
  if (p !== null) return p.at === null ? `${p.fn}()` : `${p.fn}() at ${p.at}`;
  return t.coroKind === "generator" ? "" : `(${t.coroKind})`;
}

function loopHeader(snap: AttachedSnapshot, l: SnapshotLoop, tasks: number): string {
  const state = l.closed ? "closed" : l.running ? "running" : "not running";
  return `loop ${l.index} of pid ${snap.pid} (${l.clock} clock at ${fmtMs(l.time)} ms, ${state}): ${tasks} task${tasks === 1 ? "" : "s"}`;
}

function countTasks(nodes: SnapshotNode[]): number {
  let n = 0;
  for (const c of nodes) n += (c.kind === "task" && !c.shownAbove ? 1 : 0) + countTasks(c.children);
  return n;
}

function busyNote(snap: AttachedSnapshot): string[] {
  return snap.readWhileBusy ? ["(read while the process was busy running JavaScript: a task may be caught mid-step)"] : [];
}

function noLoops(snap: AttachedSnapshot): string {
  return `pid ${snap.pid} uses rx-asyncio but has no live event loop`;
}

/** `pstree`: each loop's tree of who awaits whom, with each task's coroutine position. */
export function formatPstree(snap: AttachedSnapshot): string {
  if (snap.loops.length === 0) return noLoops(snap);
  const out: string[] = busyNote(snap);
  for (const l of snap.loops) {
    out.push(loopHeader(snap, l, countTasks(l.roots)));
    const walk = (node: SnapshotNode, prefix: string, last: boolean): void => {
      let text: string;
      if (node.kind === "task") {
        const notes: string[] = [node.state];
        if (node.cancelling > 0) notes.push(`cancelling x${node.cancelling}`);
        text = `(T) ${node.name}  [${notes.join(", ")}]`;
        if (node.cycle) text += "  <- awaits itself: deadlock";
        else if (node.shownAbove) text += "  (shown above)";
        else {
          const pos = position(snap, node);
          if (pos !== "") text += `  ${pos}`;
        }
      } else text = node.label;
      out.push(prefix + (last ? "└── " : "├── ") + text);
      const next = prefix + (last ? "    " : "│   ");
      node.children.forEach((c, i) => walk(c, next, i === node.children.length - 1));
    };
    if (l.roots.length === 0) out.push("(no pending tasks)");
    l.roots.forEach((r, i) => walk(r, "", i === l.roots.length - 1));
  }
  return out.join("\n");
}

interface Row {
  loop: string;
  id: string;
  name: string;
  state: string;
  awaits: string;
  awaitedBy: string;
  coroutine: string;
}

/** `ps`: one row per task with what it awaits and which tasks await it. */
export function formatPs(snap: AttachedSnapshot): string {
  if (snap.loops.length === 0) return noLoops(snap);
  const rows: Row[] = [];
  const byId = new Map<number, Row>();
  for (const l of snap.loops) {
    const visit = (node: SnapshotNode, awaiter: SnapshotTask | null): void => {
      if (node.kind === "task") {
        let row = byId.get(node.id);
        if (row === undefined) {
          row = { loop: String(l.index), id: String(node.id), name: node.name, state: node.state, awaits: "", awaitedBy: "", coroutine: position(snap, node) };
          if (node.cancelling > 0) row.state += ` (cancelling x${node.cancelling})`;
          byId.set(node.id, row);
          rows.push(row);
        }
        if (awaiter !== null) row.awaitedBy += (row.awaitedBy === "" ? "" : ", ") + `${awaiter.name} (${awaiter.id})`;
        if (node.shownAbove || node.cycle) return;
        row.awaits = node.children.map((c) => (c.kind === "task" ? `task ${c.name} (${c.id})` : c.label)).join(", ");
        for (const c of node.children) visit(c, node);
      } else {
        for (const c of node.children) visit(c, awaiter);
      }
    };
    for (const r of l.roots) visit(r, null);
  }
  const head: Row = { loop: "LOOP", id: "TASK ID", name: "NAME", state: "STATE", awaits: "AWAITS", awaitedBy: "AWAITED BY", coroutine: "COROUTINE" };
  const cols: (keyof Row)[] = ["loop", "id", "name", "state", "awaits", "awaitedBy", "coroutine"];
  const width = new Map(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => r[c].length))]));
  const line = (r: Row) => cols.map((c, i) => (i === cols.length - 1 ? r[c] : r[c].padEnd(width.get(c)!))).join("  ").trimEnd();
  const out = busyNote(snap);
  if (rows.length === 0) out.push(`pid ${snap.pid}: ${snap.loops.length} live loop${snap.loops.length === 1 ? "" : "s"}, no pending tasks`);
  else out.push(line(head), ...rows.map(line));
  return out.join("\n");
}
