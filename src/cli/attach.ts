/**
 * Reads the live task tree of another Node process through its inspector, as
 * `python -m asyncio ps PID` reads another interpreter's memory.
 *
 * Steps: make sure the pid is a Node process (SIGUSR1 kills most other
 * programs), find its inspector or open it with SIGUSR1, connect, check that
 * the process answering is the one asked for, ask the library's registry for a
 * snapshot at the next turn of the target's event loop (so no task step is
 * caught half-way), locate each suspended generator through the inspector,
 * and disconnect. The target's code runs nothing of ours but the snapshot.
 *
 * What stays changed: an inspector opened by SIGUSR1 stays open on 127.0.0.1
 * (as after `kill -USR1` or `node inspect -p PID`), and Node prints its
 * "Debugger listening" lines on the target's stderr. Closing it again
 * (`inspector.close()` in the target) was tried and dropped: on Node 20, a
 * second SIGUSR1 after such a close re-opens it, and closing that one
 * crashed the target with SIGSEGV. A later read finds the open inspector and
 * sends no signal.
 *
 * @module
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { PROCESS_REGISTRY_KEY } from "../internal/process-registry.js";
import type { ProcessSnapshot, SnapshotNode } from "../trace/process-snapshot.js";
import { InspectorSession, listTargets } from "./inspector-client.js";

/** A refusal with a message for the user; the command exits with status 2. */
export class AttachError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AttachError";
  }
}

/** Where a suspended coroutine stands. */
export interface CoroPosition {
  /** The generator function's name. */
  fn: string;
  /** `file:line:column` (1-based), when the inspector knows the script. */
  at: string | null;
}

/** A snapshot with positions for the coroutines that have one. */
export interface AttachedSnapshot extends ProcessSnapshot {
  positions: (CoroPosition | null)[];
  /** The target was busy running JavaScript: read at an interrupt, mid-step. */
  readWhileBusy: boolean;
}

export interface AttachOptions {
  /** The inspector's port, when it is already open somewhere this command cannot find. */
  port?: number;
  /** Overall patience for each step (ms). */
  timeoutMs?: number;
}

const HOST = "127.0.0.1";
const KEY_EXPR = `globalThis[Symbol.for(${JSON.stringify(PROCESS_REGISTRY_KEY)})]`;

/** TCP ports `pid` listens on, from /proc (Linux); `null` where /proc is not readable. */
function listeningPorts(pid: number): number[] | null {
  let inodes: Set<string>;
  try {
    inodes = new Set();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* the fd closed meanwhile */
      }
    }
  } catch {
    return null;
  }
  const ports: number[] = [];
  for (const file of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // st 0A = LISTEN; field 9 is the socket's inode.
      if (f.length > 9 && f[3] === "0A" && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

/** What program `pid` runs, where the OS says (Linux); `null` if unknown. */
function programOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? null;
    } catch {
      return null;
    }
  }
}

function checkAlive(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ESRCH") throw new AttachError(`no process with pid ${pid}`);
    if (code === "EPERM") throw new AttachError(`not allowed to signal pid ${pid}: run as the same user as the process (or as root)`);
    throw e;
  }
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connected session to `pid`'s inspector, trying its listening ports (or `port`). */
async function connectTo(pid: number, ports: number[], timeoutMs: number): Promise<InspectorSession | null> {
  for (const port of ports) {
    let targets;
    try {
      targets = await listTargets(HOST, port, timeoutMs);
    } catch {
      continue; // some other server of the process
    }
    const t = targets.find((x) => x.type === "node" && typeof x.webSocketDebuggerUrl === "string");
    if (t === undefined) continue;
    const s = await InspectorSession.connect(t.webSocketDebuggerUrl, timeoutMs);
    const r = await s.send<{ result: { value?: unknown } }>("Runtime.evaluate", { expression: "process.pid", returnByValue: true });
    if (r.result.value === pid) return s;
    s.close();
    if (ports.length === 1) throw new AttachError(`the inspector on ${HOST}:${port} belongs to pid ${String(r.result.value)}, not ${pid}`);
  }
  return null;
}

/**
 * Attaches to `pid`, reads the snapshot and detaches.
 * @throws AttachError with a message for the user when it cannot
 */
export async function attachAndRead(pid: number, options: AttachOptions = {}): Promise<AttachedSnapshot> {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new AttachError(`'pid' must be a positive integer, got ${String(pid)}`);
  const timeoutMs = options.timeoutMs ?? 3000;
  if (pid === process.pid) throw new AttachError("cannot attach to this command itself; use printTaskTree() in-process");
  checkAlive(pid);

  const prog = programOf(pid);
  const isNode = prog === null ? null : /node|nodejs/i.test(basename(prog));
  const before = options.port !== undefined ? [options.port] : listeningPorts(pid);
  let session = before === null || before.length === 0 ? null : await connectTo(pid, before, timeoutMs);
  if (session === null) {
    if (options.port !== undefined) throw new AttachError(`no inspector of pid ${pid} answers on ${HOST}:${options.port}`);
    if (isNode === false) throw new AttachError(`pid ${pid} runs ${prog}, not Node.js: refusing to send it SIGUSR1 (which would stop most programs)`);
    if (isNode === null) throw new AttachError(`cannot tell what program pid ${pid} runs (no /proc here); open its inspector yourself (kill -USR1 ${pid}) and pass --port`);
    // Node opens its inspector (default 127.0.0.1:9229) on SIGUSR1.
    process.kill(pid, "SIGUSR1");
    const deadline = Date.now() + timeoutMs;
    while (session === null && Date.now() < deadline) {
      await sleepMs(50);
      checkAlive(pid);
      const now = listeningPorts(pid) ?? [];
      if (now.length > 0) session = await connectTo(pid, now, timeoutMs);
    }
    if (session === null) {
      throw new AttachError(
        `pid ${pid} did not open its inspector within ${timeoutMs} ms after SIGUSR1 (started with --disable-sigusr1, ` +
          `or its inspector port is taken: start it with --inspect-port=0 or pass --port)`,
      );
    }
  }
  try {
    return await readSnapshot(session, pid, timeoutMs);
  } finally {
    await detach(session);
  }
}

async function evaluate<T>(s: InspectorSession, expression: string, extra: object = {}): Promise<T> {
  const r = await s.send<{ result: { value?: unknown }; exceptionDetails?: { exception?: { description?: string }; text?: string } }>(
    "Runtime.evaluate",
    { expression, returnByValue: true, ...extra },
  );
  if (r.exceptionDetails !== undefined) {
    throw new AttachError(`the target threw while reading: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? "?"}`);
  }
  return r.result.value as T;
}

async function readSnapshot(s: InspectorSession, pid: number, timeoutMs: number): Promise<AttachedSnapshot> {
  const kind = await evaluate<string>(s, `typeof ${KEY_EXPR}`);
  if (kind !== "object") throw new AttachError(`pid ${pid} does not use rx-asyncio (no task registry in the process; the library was not loaded, or it is a version before 0.2)`);
  // At the next turn of the target's event loop, no task step is half-way.
  // A target busy in a long synchronous stretch never gets there: then read
  // it where it stands, as a debugger would.
  let readWhileBusy = false;
  const atTurn = evaluate<string>(s, `new Promise((r) => setImmediate(() => r(${KEY_EXPR}.snapshot())))`, { awaitPromise: true });
  let json = await Promise.race([atTurn, sleepMs(timeoutMs / 2).then(() => null)]);
  if (json === null) {
    readWhileBusy = true;
    json = await evaluate<string>(s, `${KEY_EXPR}.snapshot()`);
    atTurn.catch(() => {});
  }
  const snap = JSON.parse(json) as ProcessSnapshot;
  const positions = await locateCoroutines(s, snap);
  return { ...snap, positions, readWhileBusy };
}

interface PropertyDescriptor {
  name: string;
  value?: { type: string; subtype?: string; className?: string; description?: string; objectId?: string; value?: unknown };
}

/** Each coroutine's generator function and where it is suspended, from the inspector. */
async function locateCoroutines(s: InspectorSession, snap: ProcessSnapshot): Promise<(CoroPosition | null)[]> {
  let count = 0;
  const countNodes = (n: SnapshotNode): void => {
    if (n.kind === "task" && n.coro !== null) count = Math.max(count, n.coro + 1);
    n.children.forEach(countNodes);
  };
  for (const l of snap.loops) l.roots.forEach(countNodes);
  const positions: (CoroPosition | null)[] = new Array(count).fill(null);
  if (count === 0) return positions;
  const scripts = new Map<string, string>();
  s.on("Debugger.scriptParsed", (p) => {
    const q = p as { scriptId: string; url: string };
    scripts.set(q.scriptId, q.url);
  });
  const group = "rx-asyncio-ps";
  await s.send("Debugger.enable");
  try {
    const list = await s.send<{ result: { objectId?: string } }>("Runtime.evaluate", { expression: `${KEY_EXPR}.coros`, objectGroup: group });
    const listId = list.result.objectId;
    if (listId === undefined) return positions;
    const items = await s.send<{ result: PropertyDescriptor[] }>("Runtime.getProperties", { objectId: listId, ownProperties: true });
    for (const item of items.result) {
      const i = Number(item.name);
      if (!Number.isInteger(i) || i < 0 || i >= count || item.value?.subtype !== "generator" || item.value.objectId === undefined) continue;
      const props = await s.send<{ internalProperties?: PropertyDescriptor[] }>("Runtime.getProperties", { objectId: item.value.objectId, ownProperties: true });
      const internal = new Map((props.internalProperties ?? []).map((p) => [p.name, p.value]));
      const loc = internal.get("[[GeneratorLocation]]")?.value as { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
      const url = loc === undefined ? undefined : scripts.get(loc.scriptId);
      positions[i] = {
        fn: item.value.className ?? item.value.description ?? "generator",
        at: loc === undefined ? null : `${url === undefined || url === "" ? `script ${loc.scriptId}` : url}:${loc.lineNumber + 1}:${loc.columnNumber + 1}`,
      };
    }
  } finally {
    await s.send("Runtime.releaseObjectGroup", { objectGroup: group }).catch(() => {});
    await s.send("Debugger.disable").catch(() => {});
  }
  return positions;
}

async function detach(s: InspectorSession): Promise<void> {
  try {
    await evaluate(s, `void ${KEY_EXPR}?.release()`);
  } catch {
    /* the target is gone or the session broke: nothing left to undo */
  } finally {
    s.close();
  }
}
