// Takes docs/page.png: the page (dist-page/index.html, build it first with
// `npm run page`) running the "limited" demo on the real clock, job 3 cancelled
// with the page's button, caught mid-run. Needs Debian's chromium and playwright-core.
// Usage: node scripts/page-screenshot.mjs
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const profile = mkdtempSync(join(tmpdir(), "rx-asyncio-shot-"));
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args, viewport: { width: 1280, height: 560 } });
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(pathToFileURL(join(root, "dist-page/index.html")).href);
  await page.selectOption("#demo", "limited");
  await page.click("#run");
  const line = (re) => page.waitForFunction((src) => window.rxPage.lines.some((l) => new RegExp(src).test(l)), re.source);
  await line(/job 2 ends/);
  await page.selectOption("#victim", "job 3");
  await page.click("#cancel");
  await line(/job 7 starts/);
  await page.screenshot({ path: join(root, "docs/page.png") });
  await page.waitForFunction(() => window.rxPage.state !== "running", undefined, { timeout: 20_000 });
  console.log("wrote docs/page.png");
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
