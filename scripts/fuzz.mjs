#!/usr/bin/env node
// `npm run fuzz`: the property-based fuzzer of spec/fuzz.spec.ts with a bigger
// budget than CI's (issue 8). Random programs of up to 50 tasks using every
// primitive, cancelling one another at random moments; each program runs twice
// (determinism) and is checked for the library's invariants. A failure prints
// the shrunk program and the seed/path to replay it.
//
//   npm run fuzz                       10000 programs, a random seed
//   npm run fuzz -- --runs 50000       more programs
//   npm run fuzz -- --seed 42          a given seed
//   npm run fuzz -- --seed 42 --path "1628:0:0"   replay one failure exactly
// Progress (programs done of the budget, and the time left) comes from a file
// the spec rewrites every 50 programs: a bar on a terminal, plain lines when piped.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProgress } from "./progress.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, FUZZ_RUNS: "10000", FUZZ_SEED: String((Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0) };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  const value = argv[i + 1];
  if (flag === "--help" || flag === "-h") {
    console.log("npm run fuzz -- [--runs N] [--seed S] [--path P]");
    process.exit(0);
  }
  if (value === undefined) {
    console.error(`${flag} needs a value`);
    process.exit(2);
  }
  if (flag === "--runs" || flag === "--seed") {
    if (!/^\d+$/.test(value)) {
      console.error(`${flag} needs a whole number, got ${value}`);
      process.exit(2);
    }
    env[flag === "--runs" ? "FUZZ_RUNS" : "FUZZ_SEED"] = value;
  } else if (flag === "--path") env.FUZZ_PATH = value;
  else {
    console.error(`unknown flag ${flag} (--runs N, --seed S, --path P)`);
    process.exit(2);
  }
  i++;
}
console.log(`fuzz: ${env.FUZZ_RUNS} programs, seed ${env.FUZZ_SEED}${env.FUZZ_PATH ? `, path ${env.FUZZ_PATH}` : ""}`);
const jest = join(root, "node_modules", "jest", "bin", "jest.js");
const dir = mkdtempSync(join(tmpdir(), "rx-asyncio-fuzz-"));
env.FUZZ_PROGRESS_FILE = join(dir, "programs");
const total = Number(env.FUZZ_RUNS);
const progress = createProgress({ label: "fuzz", total });
let shown = 0;
function poll() {
  let done = 0;
  try {
    done = Number(readFileSync(env.FUZZ_PROGRESS_FILE, "utf8")) || 0;
  } catch {
    return; // not written yet
  }
  if (done > shown) {
    progress.tick(`${done} programs`, done - shown);
    shown = done;
  }
}
const timer = setInterval(poll, 2000);
const child = spawn(process.execPath, [jest, "spec/fuzz.spec.ts", "-t", "invariant"], { cwd: root, env, stdio: "inherit" });
child.on("close", (code) => {
  clearInterval(timer);
  poll();
  progress.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 1);
});
