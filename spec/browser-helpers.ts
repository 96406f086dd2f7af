/**
 * Real Chromium for specs: a page script bundled with esbuild (`rx-asyncio`
 * resolved to src/, RxJS from node_modules, as a bundler would for a browser),
 * served with its page from a tiny HTTP server on 127.0.0.1, and the system's
 * Chromium (Debian's `chromium`) driven by playwright-core. No browser is
 * downloaded. One browser per spec file: open it in `beforeAll`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { CHROMIUM, findProgram } from "./system-deps";

export const root = join(__dirname, "..");

/** Chromium's flags: nothing that reaches the network or needs a GPU or a sandbox. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Bundles `entry` (a file) for the browser: ESM, `rx-asyncio` from src/. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const esbuild = (await import("esbuild")) as typeof import("esbuild");
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: { "rx-asyncio": join(root, "src/index.ts") },
    tsconfigRaw: { compilerOptions: { target: "es2022", useDefineForClassFields: true } },
  });
  return out.outputFiles[0]!.text;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

/** Serves `files` (URL path -> body) and, for other paths, files under `dir`. */
export async function serve(files: Record<string, string>, dir?: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let body: string | Buffer | undefined = path === "/favicon.ico" ? "" : files[path];
    if (body === undefined && dir !== undefined && !path.includes("..")) {
      try {
        body = readFileSync(join(dir, path));
      } catch {
        body = undefined;
      }
    }
    if (body === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

export interface BrowserSession {
  page: import("playwright-core").Page;
  url: string;
  /** Messages the page logged with console.error, and errors it did not catch. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches Chromium on a fresh profile, opens `url + path`, collects page errors. */
export async function openPage(files: Record<string, string>, path = "/index.html", dir?: string): Promise<BrowserSession> {
  const { chromium } = (await import("playwright-core")) as typeof import("playwright-core");
  const { url, server } = await serve(files, dir);
  const profile = mkdtempSync(join(tmpdir(), "rx-asyncio-chromium-"));
  const exe = findProgram(CHROMIUM.command);
  if (exe === undefined) throw new Error(`${CHROMIUM.command} is not installed (apt-get install -y ${CHROMIUM.debianPackage})`);
  const context = await chromium.launchPersistentContext(profile, { executablePath: exe, headless: true, args: CHROMIUM_ARGS });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(url + path);
  return {
    page,
    url,
    errors,
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that runs `script` as a module. */
export function modulePage(script = "/main.js"): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>rx-asyncio</title></head><body><script type="module" src="${script}"></script></body></html>`;
}
