// A private CommonJS build of src/ for the benchmarks, in
// node_modules/.cache/rx-asyncio-bench/cjs: the same compiler options as
// `npm run build` (tsconfig.build.json), without declarations or source maps.
// It is private so that a concurrent `npm run build` or Jest run, which wipes
// dist/, cannot pull the library from under a measurement. Rebuilt only when a
// file under src/ or a tsconfig is newer than the last build.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

function copyAssets(srcDir, outDir, dir = srcDir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) copyAssets(srcDir, outDir, p);
    else if (/\.(c|m)?js$/.test(name)) {
      const dest = join(outDir, relative(srcDir, p));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(p, dest);
    }
  }
}

/**
 * Builds (if stale) and returns `{ entry, rebuilt, warnings }`; `entry` is the
 * CommonJS index to load. Type errors elsewhere in src/ (other work in
 * progress) do not stop the emit; they are returned as `warnings`.
 * @throws Error when no index.js was emitted
 */
export function buildForBench(root, { force = false, log = () => {} } = {}) {
  const cache = join(root, "node_modules", ".cache", "rx-asyncio-bench");
  const outDir = join(cache, "cjs");
  const entry = join(outDir, "index.js");
  const stampFile = join(cache, "stamp.json");
  const srcDir = join(root, "src");
  const newest = Math.max(
    newestMtime(srcDir),
    ...["tsconfig.json", "tsconfig.build.json"].map((f) => statSync(join(root, f)).mtimeMs),
  );
  if (!force && existsSync(entry) && existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
    if (stamp.newest === newest) return { entry, rebuilt: false, warnings: "" };
  }
  log("compiling src/ for the benchmarks ...");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const tsconfig = join(cache, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(root, "tsconfig.build.json"),
      compilerOptions: {
        rootDir: srcDir,
        outDir,
        declaration: false,
        declarationMap: false,
        declarationDir: null,
        sourceMap: false,
        inlineSources: false,
      },
      include: [srcDir],
    }),
  );
  let warnings = "";
  try {
    execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], {
      cwd: root,
      stdio: "pipe",
      encoding: "utf8",
    });
  } catch (e) {
    warnings = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() || String(e);
  }
  if (!existsSync(entry)) throw new Error(`the benchmark build emitted no index.js:\n${warnings}`);
  writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
  copyAssets(srcDir, outDir);
  writeFileSync(stampFile, JSON.stringify({ newest }));
  return { entry, rebuilt: true, warnings };
}
