/**
 * Node.js modules for the executor, reached without a static import so the
 * rest of the library still loads where there is no Node (a bundle that never
 * uses an executor), and one source serves the CommonJS build, the ESM build,
 * ts-jest and tsx alike.
 *
 * @module
 * @internal
 */
import { RuntimeError } from "../errors.js";

type RequireFn = (id: string) => unknown;

interface CallSiteLike {
  getFileName(): string | null | undefined;
}

interface ProcessLike {
  getBuiltinModule?: (id: string) => unknown;
}

let cachedRequire: RequireFn | null = null;
let cachedFile: string | null = null;

/**
 * This file's path. CommonJS (the CJS build, ts-jest, tsx) has `__filename`;
 * an ES module would need `import.meta`, which a file also compiled to
 * CommonJS cannot mention, so there it is read from a stack frame instead.
 */
function thisFile(): string {
  if (cachedFile !== null) return cachedFile;
  let file: string | null | undefined;
  if (typeof __filename === "string") file = __filename;
  else {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 1;
      Error.prepareStackTrace = (_err, frames) => frames;
      const frames = new Error().stack as unknown as CallSiteLike[];
      file = frames[0]?.getFileName();
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = limit;
    }
  }
  if (typeof file !== "string" || file === "") {
    throw new RuntimeError("rx-asyncio executors: cannot locate the library's files (is it bundled? keep rx-asyncio external)");
  }
  if (file.startsWith("file:")) {
    const { fileURLToPath } = nodeRequireFrom(file)("node:url") as typeof import("node:url");
    file = fileURLToPath(file);
  }
  return (cachedFile = file);
}

function nodeRequireFrom(file: string): RequireFn {
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (typeof proc?.getBuiltinModule === "function") {
    const mod = proc.getBuiltinModule("node:module") as typeof import("node:module") | undefined;
    if (mod !== undefined) return mod.createRequire(file) as RequireFn;
  }
  if (typeof require === "function") return require as RequireFn;
  throw new RuntimeError("rx-asyncio executors need Node.js >= 20.16 (worker threads)");
}

/**
 * Node's `require`, resolving from this library's files (so `piscina` is this
 * package's dependency). Under Jest it is Node's own, not the sandbox's.
 */
export function nodeRequire<T>(id: string): T {
  cachedRequire ??= nodeRequireFrom(thisFile());
  return cachedRequire(id) as T;
}

/** The worker script: `worker-entry.cjs` beside this file, in `src/internal` and in both builds. */
export function workerEntryPath(): string {
  const path = nodeRequire<typeof import("node:path")>("node:path");
  return path.join(path.dirname(thisFile()), "worker-entry.cjs");
}
