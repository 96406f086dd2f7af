// Child process: runs workloads of one system and prints one result line each:
//   BENCH-RESULT {"system","workload","status":"ok"|"n/a"|"fail","value","detail","error"}
// Usage: node [--expose-gc] bench/lib/run-one.mjs <system | probe | path/to/system.mjs> <W1,W2,...> <scale>
// The orchestrator (scripts/bench.mjs) starts one per (system, workload, round).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { check, moduleOf, NotAvailable, PROBES, sizeOf, VerifyError, WORKLOADS } from "./workloads.mjs";

const [system, list, scale = "full"] = process.argv.slice(2);
if (!system || !list) {
  console.error("usage: node bench/lib/run-one.mjs <system> <W1,W2,...> [full|quick|smoke]");
  process.exit(2);
}

/** Heap in use after a full collection (W7); needs --expose-gc. */
function heap() {
  if (typeof globalThis.gc !== "function") throw new Error("W7 needs node --expose-gc");
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Timers and immediates still armed: each is a leak once the workload is done. */
function armedTimers() {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "Immediate");
}

function report(obj) {
  process.stdout.write(`BENCH-RESULT ${JSON.stringify({ system, scale, ...obj })}\n`);
}

/**
 * The module of a system in bench/systems/ ("name@variant": that module's
 * `variants[variant]`), of a probe (PROBES), or (for the harness's own tests) at a path.
 */
function moduleUrl(name) {
  if (name.includes("/")) return pathToFileURL(resolve(name)).href;
  if (PROBES[name]) return new URL(`./${PROBES[name].module}`, import.meta.url).href;
  return new URL(`../systems/${moduleOf(name).module}.mjs`, import.meta.url).href;
}

/** Runs a workload once: its own verification, then nothing may be left armed. */
async function runOnce(fn, id) {
  const before = armedTimers().length;
  const res = await fn(sizeOf(id, scale), { heap, scale });
  // Let callbacks already due run, then nothing may be left armed.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const leaked = armedTimers().length - before;
  check(leaked <= 0, `${leaked} timer(s) left armed after the workload`);
  if (typeof res?.value !== "number" || !Number.isFinite(res.value)) {
    throw new Error(`workload returned no finite value: ${JSON.stringify(res)}`);
  }
  return res;
}

/**
 * The headline is the first run, in a fresh process (what the targets judge);
 * workloads short enough for JIT warm-up to weigh (WORKLOADS[].warm) run a
 * second time right after, verified the same way, and keep it as detail.warm.
 */
async function measure(fn, id) {
  const first = await runOnce(fn, id);
  const detail = first.detail ?? null;
  if (!WORKLOADS.find((w) => w.id === id)?.warm?.includes(system)) return { value: first.value, detail };
  const second = await runOnce(fn, id);
  return { value: first.value, detail: { ...detail, warm: second.value } };
}

const mod = await import(moduleUrl(system));
const { variant } = system.includes("/") ? { variant: null } : moduleOf(system);
const impl = variant === null ? mod.workloads : mod.variants?.[variant];
if (!impl) {
  console.error(`${system}: the module has no variant ${JSON.stringify(variant)}`);
  process.exit(2);
}
for (const id of list.split(",")) {
  const fn = impl[id];
  if (typeof fn !== "function") {
    report({ workload: id, status: "n/a", error: "not implemented for this system" });
    continue;
  }
  try {
    report({ workload: id, status: "ok", ...(await measure(fn, id)) });
  } catch (e) {
    if (e instanceof NotAvailable) report({ workload: id, status: "n/a", error: e.message });
    else if (e instanceof VerifyError) report({ workload: id, status: "fail", error: e.message });
    else report({ workload: id, status: "fail", error: String(e?.stack ?? e) });
  }
}
// A leaked handle must not keep the child alive: the leak was reported above.
process.exit(0);
