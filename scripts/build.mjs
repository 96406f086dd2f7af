// Builds dist/cjs (CommonJS), dist/esm (ES modules) and dist/types (.d.ts) from src/.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
rmSync(join(root, "dist"), { recursive: true, force: true });
for (const cfg of ["tsconfig.build.json", "tsconfig.build.esm.json"]) {
  execFileSync(process.execPath, [tsc, "-p", join(root, cfg)], { stdio: "inherit", cwd: root });
}
writeFileSync(join(root, "dist/cjs/package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
writeFileSync(join(root, "dist/esm/package.json"), JSON.stringify({ type: "module" }) + "\n");

// Plain JavaScript assets under src/ (e.g. worker entry files) are copied as they are.
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) copyAssets(p);
    else if (/\.(c|m)?js$/.test(name)) {
      const rel = relative(join(root, "src"), p);
      for (const out of ["dist/cjs", "dist/esm"]) {
        const dest = join(root, out, rel);
        mkdirSync(dirname(dest), { recursive: true });
        cpSync(p, dest);
      }
    }
  }
}
if (existsSync(join(root, "src"))) copyAssets(join(root, "src"));
console.log("built dist/cjs, dist/esm, dist/types");
