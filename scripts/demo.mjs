// npm run demo            -> the whole tour, in order, a title line per demo
// npm run demo -- <name>  -> one demo (extra arguments go to it)
import { spawnSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tour = JSON.parse(readFileSync(join(root, "demos/tour.json"), "utf8"));
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");

function runDemo(name, args) {
  const file = join(root, "demos", `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`unknown demo "${name}"; demos: ${tour.map((d) => d.name).join(", ")}`);
    process.exit(2);
  }
  const r = spawnSync(process.execPath, [tsx, file, ...args], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

const [name, ...rest] = process.argv.slice(2);
if (name) process.exit(runDemo(name, rest));
let failed = 0;
tour.forEach((d, i) => {
  console.log(`\n=== ${i + 1}. ${d.name}: ${d.title}`);
  if (runDemo(d.name, []) !== 0) failed++;
});
process.exit(failed ? 1 : 0);
