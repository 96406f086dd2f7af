#!/usr/bin/env node
// The size of the kernel as an app bundles it: esbuild bundles
// `import { run, sleep, createTask, gather, Queue, Lock } from "rx-asyncio"`
// (minified, rxjs external, tree-shaken as package.json's `sideEffects: false`
// allows) and reports its size, gzipped size, and what costs what (esbuild's
// metafile: bytes of output per source file).
//
//   node scripts/bundle-size.mjs            a table
//   node scripts/bundle-size.mjs --json     the figures as JSON
//   node scripts/bundle-size.mjs --names run,sleep --format cjs --write out.cjs
//                                           another import list, format, and the bundle written out
//
// `coreBundle()` is what bench/ and spec/bundle.spec.ts call.
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** What the measured app imports. */
export const CORE_IMPORTS = ["run", "sleep", "createTask", "gather", "Queue", "Lock"];

/** Target for the gzipped core bundle (issue 19). */
export const CORE_TARGET_GZIP = 12 * 1024;

/**
 * Bundles an app importing `names` from src/index.ts; returns the code, its
 * sizes, and the bytes each source file contributes (largest first).
 */
export async function coreBundle(names = CORE_IMPORTS, { minify = true, format = "esm" } = {}) {
  const contents = `import { ${names.join(", ")} } from "./src/index.ts";\nexport { ${names.join(", ")} };\n`;
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: "app.mjs", loader: "js" },
    bundle: true,
    minify,
    format,
    platform: "neutral",
    mainFields: ["module", "main"],
    external: ["rxjs", "rxjs/*", "piscina", "node:*"],
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const out = result.outputFiles[0];
  const code = out.text;
  const [output] = Object.values(result.metafile.outputs);
  const files = Object.entries(output.inputs)
    .map(([file, v]) => ({ file: relative(root, join(root, file)), bytes: v.bytesInOutput }))
    .filter((f) => f.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { code, bytes: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, files };
}

/** One line for the bench report's notes: the sizes and the largest files. */
export function bundleNote(b, top = 6) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const largest = b.files.slice(0, top).map((f) => `${f.file.replace(/^src\//, "")} ${kb(f.bytes)}`).join(", ");
  return `Core bundle (import { ${CORE_IMPORTS.join(", ")} }; esbuild, minified, rxjs external): ${kb(b.bytes)}, ${kb(b.gzip)} gzipped (target < ${kb(CORE_TARGET_GZIP)}); largest: ${largest} (node scripts/bundle-size.mjs for all).`;
}

/** A table for the terminal. */
export function formatBundle(b, top = 12) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const lines = [
    `core bundle (import { ${CORE_IMPORTS.join(", ")} }; esbuild, minified, rxjs external): ${kb(b.bytes)}, ${kb(b.gzip)} gzipped (target < ${kb(CORE_TARGET_GZIP)})`,
  ];
  for (const f of b.files.slice(0, top)) lines.push(`  ${f.file.padEnd(36)} ${String(f.bytes).padStart(7)} B  ${((100 * f.bytes) / b.bytes).toFixed(1).padStart(5)}%`);
  if (b.files.length > top) {
    const rest = b.files.slice(top).reduce((s, f) => s + f.bytes, 0);
    lines.push(`  ${`(${b.files.length - top} more files)`.padEnd(36)} ${String(rest).padStart(7)} B`);
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const names = opt("--names")?.split(",").filter(Boolean) ?? CORE_IMPORTS;
  const b = await coreBundle(names, { format: opt("--format") ?? "esm" });
  const out = opt("--write");
  if (out !== undefined) writeFileSync(out, b.code);
  if (process.argv.includes("--json")) console.log(JSON.stringify({ bytes: b.bytes, gzip: b.gzip, files: b.files }, null, 2));
  else console.log(formatBundle(b, 40));
}
