// Builds the page that draws the tour's demos live (page/): one self-contained
// HTML file, dist-page/index.html, that opens from disk or any static server.
// Usage: npm run page   (prints the file's path)
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = await build({
  entryPoints: [join(root, "page/main.ts")],
  bundle: true,
  format: "iife", // a classic script: a module script would not load from file://
  platform: "browser",
  target: "es2022",
  minify: true,
  write: false,
  logLevel: "warning",
  alias: { "rx-asyncio": join(root, "src/index.ts") },
});
const js = out.outputFiles[0].text.replace(/<\/script/gi, "<\\/script");
const html = readFileSync(join(root, "page/index.html"), "utf8").replace("<!--SCRIPT-->", () => `<script>${js}</script>`);
const dest = join(root, "dist-page/index.html");
mkdirSync(dirname(dest), { recursive: true });
writeFileSync(dest, html);
console.log(`built ${dest} (${(html.length / 1024).toFixed(0)} KiB); open it in a browser`);
