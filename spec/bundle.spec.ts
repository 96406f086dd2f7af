/**
 * The kernel as an app bundles it (scripts/bundle-size.mjs, esbuild with
 * tree shaking): an app that never uses an executor or the trace option
 * carries no executor or trace code, and where it would need them it fails
 * loudly, saying what to do.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");
const script = join(root, "scripts", "bundle-size.mjs");

interface BundleReport {
  bytes: number;
  gzip: number;
  files: { file: string; bytes: number }[];
}

function bundle(args: string[] = []): BundleReport {
  return JSON.parse(execFileSync(process.execPath, [script, "--json", ...args], { cwd: root, encoding: "utf8" })) as BundleReport;
}

/** Source files that belong to the executor or trace layers, never to the kernel. */
const OUTSIDE_KERNEL = /(thread-pool-executor|with-executor|job-codec|node-env|worker-entry|bullmq\/|trace\/)/;

describe("the core bundle (run, sleep, createTask, gather, Queue, Lock)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rx-asyncio-bundle-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("carries no executor, thread-pool or trace code", () => {
    const b = bundle();
    const files = b.files.map((f) => f.file);
    expect(files).toContain("src/event-loop.ts");
    expect(files).toContain("src/tasks.ts");
    expect(files.filter((f) => OUTSIDE_KERNEL.test(f))).toEqual([]);
    // A guard against the executor or trace layers coming back (they took it from 22.8 KB to 13.2 KB;
    // the RxJS clock pinning and AbortSignal options of issue 14 then added about 2 KB of kernel code, and
    // issue 15's run() features every program gets (the deadlock watch 0.75 KB minified, its report's text
    // living in the trace layer; Ctrl-C 0.8 KB; nullish and reuse checks in tasks.ts 1.6 KB) about 2 KB
    // more: 18.1 KB gzipped; the executor layer alone is ~10 KB). Issue 20's third round added ~0.8 KB of
    // hot-path code (the AsyncCall coroutine of async-function tasks, the shared sleep(0), the microtask hop
    // of real-clock wake-ups, same-frame timer batching inside TestScheduler.run, the queue's no-wait path):
    // 20.2 KB gzipped.
    expect(b.gzip).toBeLessThan(21 * 1024);
  }, 60_000);

  it("an app that uses toThread() gets the thread pool it needs", () => {
    const files = bundle(["--names", "run,toThread"]).files.map((f) => f.file);
    expect(files).toContain("src/thread-pool-executor.ts");
  }, 60_000);

  it("runs, and says what to do where the executor or trace layer was left out", () => {
    const out = join(dir, "core.cjs");
    bundle(["--names", "run,sleep,getRunningLoop", "--format", "cjs", "--write", out]);
    const app = join(dir, "app.cjs");
    writeFileSync(
      app,
      `const { run, sleep, getRunningLoop } = require(${JSON.stringify(out)});
try { run(function* () {}, { trace: "x.json" }); } catch (e) { console.log(e.name + ": " + e.message); }
run(function* () {
  yield* sleep(1);
  try { getRunningLoop().runInExecutor(null, () => 1); } catch (e) { console.log(e.name + ": " + e.message); }
  return 42;
}).then((v) => console.log("result " + v));
`,
    );
    const text = execFileSync(process.execPath, [app], { encoding: "utf8", env: { ...process.env, NODE_PATH: join(root, "node_modules") } });
    const lines = text.trim().split("\n");
    expect(lines[0]).toMatch(/^RuntimeError: run\(main, options\): 'trace' is a file path, but the trace layer was not loaded/);
    expect(lines[1]).toMatch(/^RuntimeError: runInExecutor\(executor, fn, \.\.\.args\): no default executor: the thread-pool executor was not loaded/);
    expect(lines[2]).toBe("result 42");
  }, 60_000);
});
