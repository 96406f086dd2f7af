// Adds the platform-specific optional packages that npm (11.x here, npm/cli#4828)
// leaves out of package-lock.json, so `npm ci` accepts the lock on any machine.
// Usage: node scripts/fix-lock-optional.mjs   (after any `npm install`)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const pkgs = lock.packages;

function present(parentPath, name) {
  // Node's lookup: the parent's own node_modules, then each ancestor's, then the root.
  let base = parentPath;
  for (;;) {
    if (pkgs[`${base ? base + "/" : ""}node_modules/${name}`]) return true;
    const i = base.lastIndexOf("/node_modules/");
    if (base === "") return false;
    base = i < 0 ? "" : base.slice(0, i);
  }
}

function view(spec) {
  try {
    const meta = JSON.parse(execFileSync("npm", ["view", spec, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    return Array.isArray(meta) ? meta[meta.length - 1] : meta;
  } catch {
    return null;
  }
}

let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (present(path, name)) continue;
    // The registry this runs against may not serve every platform build of the
    // exact version; then the platform fields come from its newest version (the
    // same for every version of a platform package) and no integrity is written:
    // such a package is skipped on other platforms, never fetched.
    let m = view(`${name}@${range}`);
    let exact = m !== null;
    if (m === null) m = view(name);
    if (m === null) throw new Error(`${name}: not in the registry`);
    const rec = exact ? { version: m.version, integrity: m.dist.integrity } : { version: range };
    for (const k of ["cpu", "os", "libc"]) if (m[k]) rec[k] = m[k];
    if (m.license) rec.license = m.license;
    if (m.engines) rec.engines = m.engines;
    if (entry.dev) rec.dev = true;
    rec.optional = true;
    pkgs[`node_modules/${name}`] = rec;
    added++;
    console.log(`added ${name}@${rec.version}${exact ? "" : " (platform fields only)"}`);
  }
}
// Keep the packages sorted as npm writes them.
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`${added} package(s) added to package-lock.json`);
