/**
 * rx-asyncio's worker-thread entry: Piscina loads it in every worker of a
 * ThreadPoolExecutor and calls its export with one job message. Plain CommonJS,
 * so it runs as it is under ts-jest and tsx and from both builds (the build
 * copies it beside the compiled `internal/node-env.js`).
 *
 * A job message is `{ k: 0, s: expression, a: args }` for a function sent as
 * source text, or `{ k: 1, m: specifier, e: exportName, a: args }` for a
 * module's export. A failure is thrown as a plain-object envelope (structured
 * clone keeps neither a custom error class's name nor its extra fields), which
 * the main thread turns back into an error.
 */
"use strict";

const { AsyncLocalStorage } = require("node:async_hooks");
const { createRequire } = require("node:module");
const { threadId } = require("node:worker_threads");
const { join } = require("node:path");
const { fileURLToPath, pathToFileURL } = require("node:url");

const ENVELOPE = "rx-asyncio.error";
const TRANSFER = Symbol.for("rx-asyncio.transfer");
const MAX_CACHED = 256;
const MAX_DEPTH = 4;

/** Compiled function sources and loaded exports, by source text / specifier. */
const compiled = new Map();
const exported = new Map();
let piscinaMove = null;

/** Stands in for esbuild's `__name` helper, which tsx writes into function bodies. */
function __name(fn, value) {
  try {
    Object.defineProperty(fn, "name", { value, configurable: true });
  } catch {
    /* a frozen function keeps its name */
  }
  return fn;
}

function remember(map, key, value) {
  if (map.size >= MAX_CACHED) map.delete(map.keys().next().value);
  map.set(key, value);
}

function compile(expr) {
  let fn = compiled.get(expr);
  if (fn === undefined) {
    // Global scope plus `__name` only: the function sees no module variables.
    fn = new Function("__name", `"use strict";\nreturn ${expr};`)(__name);
    remember(compiled, expr, fn);
  }
  return fn;
}

const TYPESCRIPT = /\.(c|m)?tsx?$/;
let typeScriptLoader = false;

/**
 * A TypeScript module is loaded through tsx's loader, registered in this worker.
 * Node 20 does not carry the main thread's loader hooks (`tsx`, `--import tsx`)
 * into worker threads, so without this a `.ts` export fails with
 * ERR_UNKNOWN_FILE_EXTENSION even when the program itself runs under tsx. tsx is
 * looked up from the module's own folder, then from the current directory.
 */
async function registerTypeScript(url) {
  if (typeScriptLoader) return;
  const path = fileURLToPath(url);
  let loader;
  for (const from of [path, join(process.cwd(), "[rx-asyncio-worker]")]) {
    try {
      // tsx's documented API, `register()` from "tsx/esm/api" (its ESM build: the CommonJS
      // one resolves its hooks from a wrong folder when required from a worker).
      loader = createRequire(from).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs");
      break;
    } catch {
      /* not found from here; try the next place */
    }
  }
  if (loader === undefined) {
    throw new Error(
      `module ${path} is TypeScript: a worker thread loads it through tsx, which was not found ` +
        `from that folder or from ${process.cwd()} (npm install --save-dev tsx), or compile it to JavaScript`,
    );
  }
  const api = await import(pathToFileURL(loader).href);
  api.register();
  // A .ts file in a "type": "commonjs" package is CommonJS to Node: tsx's require hook too.
  createRequire(loader)("tsx/cjs/api").register();
  typeScriptLoader = true;
}

async function load(specifier, name) {
  const key = `${specifier}\u0000${name}`;
  let fn = exported.get(key);
  if (fn !== undefined) return fn;
  const url = /^(file|node):/.test(specifier) ? specifier : pathToFileURL(specifier).href;
  if (TYPESCRIPT.test(url)) await registerTypeScript(url);
  const ns = await import(url);
  fn = ns[name];
  // A CommonJS module seen through import(): its exports object is `default`.
  if (fn === undefined && ns.default != null && (typeof ns.default === "object" || typeof ns.default === "function")) {
    fn = ns.default[name];
  }
  if (typeof fn !== "function") {
    const names = Object.keys(ns).filter((k) => typeof ns[k] === "function");
    throw new TypeError(
      `module ${specifier} has no exported function '${name}'` +
        (names.length > 0 ? ` (its exported functions: ${names.join(", ")})` : ""),
    );
  }
  remember(exported, key, fn);
  return fn;
}

function cloneable(value) {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function safeString(value) {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function isErrorLike(e) {
  return (
    e !== null &&
    typeof e === "object" &&
    (e instanceof Error || Object.prototype.toString.call(e) === "[object Error]" || typeof e.stack === "string")
  );
}

/** An error (or any thrown value) as a plain object the main thread rebuilds. */
function encode(e, depth) {
  if (!isErrorLike(e)) {
    return { [ENVELOPE]: 1, thrown: cloneable(e) ? e : safeString(e) };
  }
  const ctor = e.constructor;
  const className = typeof ctor === "function" && typeof ctor.name === "string" && ctor.name !== "" ? ctor.name : "Error";
  const env = {
    [ENVELOPE]: 1,
    className,
    name: typeof e.name === "string" ? e.name : className,
    message: typeof e.message === "string" ? e.message : safeString(e.message),
    stack: typeof e.stack === "string" ? e.stack : undefined,
    props: {},
  };
  for (const key of Object.keys(e)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause" || key === "errors") continue;
    let v;
    try {
      v = e[key];
    } catch {
      continue;
    }
    env.props[key] = cloneable(v) ? v : safeString(v);
  }
  if (depth < MAX_DEPTH) {
    if ("cause" in e && e.cause !== undefined) env.cause = encode(e.cause, depth + 1);
    if (Array.isArray(e.errors)) env.errors = e.errors.slice(0, 50).map((x) => encode(x, depth + 1));
  }
  return env;
}

/** A self-contained function used a name it did not define: which one, if so. */
function closureName(e) {
  if (!(e instanceof ReferenceError)) return undefined;
  const m = /^(\S+) is not defined$/.exec(e.message);
  if (m === null || m[1] in globalThis) return undefined;
  return m[1];
}

/**
 * Which job of this worker is running, which ran last, and (through the async
 * context its code runs in) which one a later callback belongs to: a timer a
 * finished job left behind that throws later crashes the worker between jobs,
 * or in the middle of an innocent later job, and the report must say whose it was.
 */
const jobContext = new AsyncLocalStorage();
let jobsStarted = 0;
let runningJob = null;
let lastJob = null;

/**
 * Piscina posts the result after this function returns; if that fails (a
 * result that cannot be cloned) or an error escapes a job asynchronously, the
 * worker crashes. Re-throw the cause as an envelope so the main thread can say
 * what happened (and which job it came from); the pool then replaces the worker.
 */
function onCrash(err) {
  process.off("uncaughtException", onCrash);
  let env;
  if (err !== null && typeof err === "object" && err.name === "DataCloneError") {
    env = encode(new TypeError(String(err.message)), 0);
    env.resultClone = true;
  } else env = encode(err, 0);
  env.crash = true;
  env.thread = threadId;
  const origin = jobContext.getStore();
  if (origin !== undefined) env.origin = origin;
  if (runningJob !== null) env.running = runningJob;
  if (lastJob !== null) env.after = lastJob;
  queueMicrotask(() => {
    throw env;
  });
}
process.on("uncaughtException", onCrash);

module.exports = async function runJob(job) {
  const info = { label: typeof job.l === "string" ? job.l : "a job", n: ++jobsStarted };
  runningJob = info;
  let result;
  try {
    const fn = job.k === 0 ? compile(job.s) : await load(job.m, job.e);
    result = await jobContext.run(info, () => fn(...job.a));
  } catch (e) {
    const env = encode(e, 0);
    if (job.k === 0) {
      const name = closureName(e);
      if (name !== undefined) env.closure = name;
    }
    throw env;
  } finally {
    runningJob = null;
    lastJob = info;
  }
  if (result !== null && typeof result === "object" && result[TRANSFER] === true) {
    piscinaMove ??= require("piscina").move;
    return piscinaMove({
      [Symbol.for("Piscina.transferable")]: Array.from(result.list),
      [Symbol.for("Piscina.valueOf")]: result.value,
    });
  }
  return result;
};
