// Child process: runs workloads of one system and prints one result line each:
//   BENCH-RESULT {"system","workload","status":"ok"|"n/a"|"fail","value","detail","error"}
// Usage: node [--expose-gc] bench/lib/run-one.mjs <system | path/to/system.mjs> <W1,W2,...> <scale>
// The orchestrator (scripts/bench.mjs) starts one per (system, workload, round).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { NotAvailable, sizeOf } from "./workloads.mjs";

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

// A system is a module in bench/systems/, or (for the harness's own tests) a path to one.
const mod = await import(
  system.includes("/") ? pathToFileURL(resolve(system)).href : new URL(`../systems/${system}.mjs`, import.meta.url).href
);
for (const id of list.split(",")) {
  const fn = mod.workloads[id];
  if (typeof fn !== "function") {
    report({ workload: id, status: "n/a", error: "not implemented for this system" });
    continue;
  }
  try {
    const before = armedTimers().length;
    const res = await fn(sizeOf(id, scale), { heap, scale });
    // Let callbacks already due run, then nothing may be left armed.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const leaked = armedTimers().length - before;
    if (leaked > 0) {
      report({ workload: id, status: "fail", error: `verification failed: ${leaked} timer(s) left armed after the workload` });
      continue;
    }
    if (typeof res?.value !== "number" || !Number.isFinite(res.value)) {
      throw new Error(`workload returned no finite value: ${JSON.stringify(res)}`);
    }
    report({ workload: id, status: "ok", value: res.value, detail: res.detail ?? null });
  } catch (e) {
    if (e instanceof NotAvailable) report({ workload: id, status: "n/a", error: e.message });
    else report({ workload: id, status: "fail", error: String(e?.stack ?? e) });
  }
}
// A leaked handle must not keep the child alive: the leak was reported above.
process.exit(0);
