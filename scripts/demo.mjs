// npm run demo            -> the whole tour, in order, a title line per demo
// npm run demo -- <name>  -> one demo (extra arguments go to it, e.g. --trace out.json)
// A tour entry may carry "input": [[ms, line], ...]: in the tour, that demo's
// stdin gets each line ms after its first output, so an interactive demo runs
// unattended. Run alone, it reads the
// terminal (or whatever is piped in).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tour = JSON.parse(readFileSync(join(root, "demos/tour.json"), "utf8"));
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");

function demoFile(name) {
  const file = join(root, "demos", `${name}.ts`);
  if (!existsSync(file)) {
    // The tour, plus the demos that need a system program and so stay out of it.
    const names = [...tour.map((d) => d.name), "bullmq-fleet"];
    console.error(`unknown demo "${name}"; demos: ${names.join(", ")}`);
    process.exit(2);
  }
  return file;
}

function runDemo(name, args) {
  const r = spawnSync(process.execPath, [tsx, demoFile(name), ...args], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

/** Runs a demo feeding it scripted input; resolves to its exit code. */
function runScripted(name, input) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, demoFile(name)], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
    const timers = [];
    child.stdout.once("data", () => {
      for (const [ms, line] of input) {
        timers.push(
          setTimeout(() => {
            // The demo echoes piped input after its prompt itself.
            if (child.stdin.writable) child.stdin.write(`${line}\n`);
          }, ms),
        );
      }
      timers.push(setTimeout(() => child.stdin.end(), Math.max(0, ...input.map(([ms]) => ms)) + 100));
    });
    child.stdout.pipe(process.stdout, { end: false });
    child.stdin.on("error", () => {}); // the demo may exit before all input is written
    child.on("close", (code) => {
      for (const t of timers) clearTimeout(t);
      resolve(code ?? 1);
    });
  });
}

const [name, ...rest] = process.argv.slice(2);
if (name) process.exit(runDemo(name, rest));
let failed = 0;
for (const [i, d] of tour.entries()) {
  console.log(`\n=== ${i + 1}. ${d.name}: ${d.title}`);
  const code = d.input ? await runScripted(d.name, d.input) : runDemo(d.name, []);
  if (code !== 0) failed++;
}
process.exit(failed ? 1 : 0);
