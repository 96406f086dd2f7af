/**
 * The process-wide registry that `rx-asyncio ps <pid>` reads through Node's
 * inspector: the live event loops, and one reader per copy of the library that
 * turns a loop into a JSON snapshot of its task tree.
 *
 * It lives on `globalThis` under a `Symbol.for` key because the command
 * evaluates an expression in the target process and cannot import modules
 * there, and because one process can hold two copies of the library (its
 * CommonJS and ES module builds): each copy registers its loops and its reader
 * in the same object, and a loop is read by the copy that made it.
 *
 * The kernel only registers loops here (a WeakRef each, so a loop nobody holds
 * is still collected); reading is the trace layer's job (trace/process-snapshot).
 *
 * @module
 */

/** The `Symbol.for` key of the registry on `globalThis`. */
export const PROCESS_REGISTRY_KEY = "rx-asyncio.process";

/** Turns a loop of its copy of the library into a JSON-able snapshot, or `undefined` for a loop of another copy. */
export type LoopReader = (loop: object, index: number, coros: unknown[]) => unknown;

/** What `rx-asyncio ps` finds on `globalThis[Symbol.for("rx-asyncio.process")]`. */
export interface ProcessRegistry {
  /** Format of `snapshot()`'s answer. */
  readonly format: 1;
  readonly loops: Set<WeakRef<object>>;
  readonly readers: LoopReader[];
  /** Coroutine objects of the last snapshot, for the inspector to locate (cleared by `release()`). */
  coros: unknown[] | null;
  /** A JSON string: `{ format, pid, loops: [...] }`. */
  snapshot(): string;
  /** Drops what the last snapshot kept. */
  release(): void;
}

let registry: ProcessRegistry | null = null;
/** Live loops at the last sweep of dead references. */
let liveAtSweep = 0;

function getRegistry(): ProcessRegistry | null {
  if (registry !== null) return registry;
  if (typeof WeakRef !== "function") return null;
  const g = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(PROCESS_REGISTRY_KEY);
  const existing = g[key] as ProcessRegistry | undefined;
  if (existing !== undefined && existing.format === 1) return (registry = existing);
  const r: ProcessRegistry = {
    format: 1,
    loops: new Set(),
    readers: [],
    coros: null,
    snapshot() {
      const coros: unknown[] = [];
      const loops: unknown[] = [];
      let index = 0;
      for (const ref of this.loops) {
        const loop = ref.deref();
        if (loop === undefined) continue;
        for (const read of this.readers) {
          const snap = read(loop, index, coros);
          if (snap !== undefined) {
            loops.push(snap);
            break;
          }
        }
        index++;
      }
      this.coros = coros;
      const proc = (globalThis as { process?: { pid?: number } }).process;
      return JSON.stringify({ format: 1, pid: proc?.pid ?? null, loops });
    },
    release() {
      this.coros = null;
    },
  };
  Object.defineProperty(g, key, { value: r, configurable: true, enumerable: false, writable: false });
  return (registry = r);
}

/** Registers a new event loop (weakly). */
export function registerLoop(loop: object): void {
  const r = getRegistry();
  if (r === null) return;
  r.loops.add(new WeakRef(loop));
  if (r.loops.size > 2 * liveAtSweep + 64) {
    for (const ref of r.loops) if (ref.deref() === undefined) r.loops.delete(ref);
    liveAtSweep = r.loops.size;
  }
}

/** Registers how this copy of the library reads its loops. */
export function registerLoopReader(read: LoopReader): void {
  const r = getRegistry();
  if (r !== null && !r.readers.includes(read)) r.readers.push(read);
}
