/**
 * The published shape: `npm run build` emits CommonJS, ES modules and .d.ts,
 * the `exports` map serves each, and a finished run() leaves nothing behind, so
 * Node exits on its own.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPage } from "./browser-helpers";
import { CHROMIUM, describeWithSystem } from "./system-deps";

const root = join(__dirname, "..");

function node(args: string[], input?: string) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", input, timeout: 20_000 });
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, stdio: "pipe" });
}, 120_000);

test("the build emits ESM, CommonJS and type declarations behind an exports map", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const entry = pkg.exports["."];
  expect(Object.keys(entry)).toEqual(["types", "browser", "import", "require"]);
  for (const p of [entry.types, entry.browser, entry.import, entry.require]) expect(existsSync(join(root, p))).toBe(true);
  expect(readFileSync(join(root, entry.types), "utf8")).toMatch(/export \{ EventLoop \}/);
  expect(pkg.peerDependencies.rxjs).toMatch(/\^7\.8/);
});

const program = `
  function* main() {
    const { createTask, sleep, getRunningLoop } = lib;
    createTask(function* () { yield* sleep(3_600_000); });   // left over: run() cancels it
    getRunningLoop().callLater(10_000_000, () => {});          // a far timer: close() drops it
    yield* sleep(20);
    return "main done";
  }
  lib.run(main).then((r) => console.log(r, lib.Future.name));
`;

test("require('rx-asyncio') works, and the process exits on its own after run()", () => {
  const r = node(["-e", `const lib = require("rx-asyncio");\n${program}`]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.signal).toBeNull();
  expect(r.stdout.trim()).toBe("main done Future");
});

test("import from 'rx-asyncio' works as an ES module, and the process exits on its own", () => {
  const r = node(["--input-type=module", "-e", `import * as lib from "rx-asyncio";\n${program}`]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe("main done Future");
});

test("rx-asyncio/bullmq is its own entry: require and import both work, and the core does not load BullMQ", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  expect(Object.keys(pkg.exports["./bullmq"])).toEqual(["types", "import", "require"]);
  expect(pkg.peerDependenciesMeta.bullmq.optional).toBe(true);
  const cjs = node(["-e", `const b = require("rx-asyncio/bullmq"); console.log(typeof b.BullMQExecutor, typeof b.serveJobs)`]);
  expect(cjs.stderr).toBe("");
  expect(cjs.stdout.trim()).toBe("function function");
  const esm = node(["--input-type=module", "-e", `import { BullMQExecutor, serveJobs } from "rx-asyncio/bullmq"; console.log(typeof BullMQExecutor, typeof serveJobs)`]);
  expect(esm.stderr).toBe("");
  expect(esm.stdout.trim()).toBe("function function");
  const core = node(["-e", `require("rx-asyncio"); console.log(Object.keys(require.cache).some((f) => f.includes("node_modules/bullmq")))`]);
  expect(core.stdout.trim()).toBe("false");
});

/** Bundles `source` for a browser from a project that has rx-asyncio installed (a symlink to this package). */
async function bundleAsAUser(source: string): Promise<{ text: string; inputs: string[] }> {
  const esbuild = (await import("esbuild")) as typeof import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "rx-asyncio-user-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "rx-asyncio"), "dir");
    const out = await esbuild.build({
      stdin: { contents: source, resolveDir: dir, loader: "js" },
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "silent",
      nodePaths: [join(root, "node_modules")],
    });
    return { text: out.outputFiles[0]!.text, inputs: Object.keys(out.metafile.inputs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a bundler targeting browsers resolves 'rx-asyncio' to the ES module build through the 'browser' condition, with no Node built-ins", async () => {
  const { text, inputs } = await bundleAsAUser(`import { run, sleep, gather } from "rx-asyncio"; export { run, sleep, gather };`);
  expect(inputs.some((f) => f.includes("dist/esm/index.js"))).toBe(true);
  expect(inputs.filter((f) => f.includes("dist/cjs/"))).toEqual([]);
  expect(inputs.filter((f) => f.includes("piscina") || f.startsWith("node:"))).toEqual([]);
  expect(text).not.toMatch(/\bfrom\s*["']node:/);
  // Code written with require() (CommonJS apps bundled for the web) gets the same build, not dist/cjs.
  const viaRequire = await bundleAsAUser(`const { run } = require("rx-asyncio"); module.exports = run;`);
  expect(viaRequire.inputs.some((f) => f.includes("dist/esm/index.js"))).toBe(true);
  expect(viaRequire.inputs.filter((f) => f.includes("dist/cjs/"))).toEqual([]);
});

describeWithSystem(CHROMIUM, "the ES module build in Chromium", () => {
  test("import { run, sleep, gather } from 'rx-asyncio' through an import map, unbundled", async () => {
    // RxJS's own ESM files import without extensions, so it is served as one file, as CDNs do.
    // The loop also reads RxJS's four time providers (to follow TestScheduler.run), so they are
    // mapped too, each to the same RxJS instance: docs/browser.md shows the same import map.
    const providers = ["dateTimestampProvider", "immediateProvider", "intervalProvider", "timeoutProvider"];
    const rxjs = (
      await bundleAsAUser(
        `export * from "rxjs";\n` + providers.map((p) => `export { ${p} } from "rxjs/internal/scheduler/${p}";`).join("\n"),
      )
    ).text;
    const shims = Object.fromEntries(providers.map((p) => [`/rxjs-${p}.js`, `export { ${p} } from "/rxjs.js";`]));
    const imports: Record<string, string> = { rxjs: "/rxjs.js", "rx-asyncio": "/dist/esm/index.js" };
    for (const p of providers) imports[`rxjs/internal/scheduler/${p}`] = `/rxjs-${p}.js`;
    const page = `<!doctype html><meta charset="utf-8"><script type="importmap">${JSON.stringify({
      imports,
    })}</script><script type="module">
      import { run, sleep, gather, getRunningLoop } from "rx-asyncio";
      function* after(ms, v) { yield* sleep(ms); return v; }
      window.result = run(function* () {
        const t0 = getRunningLoop().time();
        const r = yield* gather(after(30, "a"), after(10, "b"));
        return { r, elapsed: getRunningLoop().time() - t0 };
      });
    </script>`;
    const s = await openPage({ "/index.html": page, "/rxjs.js": rxjs, ...shims }, "/index.html", root);
    try {
      const r = await s.page.evaluate(() => (window as unknown as { result: Promise<{ r: string[]; elapsed: number }> }).result);
      expect(r.r).toEqual(["a", "b"]);
      expect(r.elapsed).toBeGreaterThanOrEqual(29);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  }, 60_000);
});
describe("the packed tarball, as a consumer installs it (issue 17)", () => {
  let dir = "";
  let files: { path: string; size: number }[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rx-asyncio-consumer-"));
    const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    files = packed[0].files;
    const app = join(dir, "app");
    mkdirSync(join(app, "node_modules", "rx-asyncio"), { recursive: true });
    execFileSync("tar", ["-xzf", join(dir, packed[0].filename), "-C", join(app, "node_modules", "rx-asyncio"), "--strip-components", "1"]);
    // The consumer's own installs: the peer dependencies and @types/node.
    mkdirSync(join(app, "node_modules", "@types"));
    for (const p of ["rxjs", "piscina", "bullmq", "ioredis", "tslib", "@types/node"]) {
      if (existsSync(join(root, "node_modules", p))) symlinkSync(join(root, "node_modules", p), join(app, "node_modules", p));
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("no source maps pointing at files that are not shipped, and repository/homepage/bugs are set", () => {
    expect(files.filter((f) => f.path.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => f.path.startsWith("src/") || f.path.startsWith("spec/"))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
  });

  test("the README's links work inside the installed package: every link is absolute or an anchor", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const relative = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!).filter((l) => !/^(https?:|#)/.test(l));
    expect(relative).toEqual([]);
    // The install line, and what a project that lists its "types" must add (the .d.ts use Node's types).
    expect(readme).toContain("npm install rx-asyncio rxjs");
    expect(readme).toMatch(/lists `"node"` there \(`npm install -D @types\/node`\)/);
  });

  test("a strict consumer's tsc (skipLibCheck: false, types: [\"node\"] as the install line says) is clean on both entry points", () => {
    const app = join(dir, "app");
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "ES2022", skipLibCheck: false, types: ["node"] }, files: ["main.ts"] }),
    );
    writeFileSync(
      join(app, "main.ts"),
      [
        'import { run, sleep, ExceptionGroup, type Coroutine } from "rx-asyncio";',
        'import { BullMQExecutor } from "rx-asyncio/bullmq";',
        "function* main(): Coroutine<number> { yield* sleep(1); return 1; }",
        "const n: Promise<number> = run(main);",
        "const first: Error | undefined = new ExceptionGroup('x', [new TypeError('t')]).errors[0];",
        "void n; void first; void BullMQExecutor;",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", app], { cwd: app, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);
});

test("both builds loaded in one process: 'no running event loop' says two copies are loaded and what to do", () => {
  const r = node([
    "--input-type=module",
    "-e",
    `import { createRequire } from "node:module";
     import * as esm from "rx-asyncio";
     const cjs = createRequire(process.cwd() + "/x.js")("rx-asyncio");
     await esm.run(function* () {
       try { cjs.getRunningLoop(); } catch (e) { console.log(e.message); }
     });`,
  ]);
  expect(r.stderr).toBe("");
  expect(r.stdout).toMatch(/^no running event loop \(2 copies of rx-asyncio are loaded in this process, e\.g\. both its ESM and its CommonJS build/);
});

test("worker-cli --help prints the usage only, and exits 0", () => {
  const r = node([join(root, "dist/cjs/bullmq/worker-cli.js"), "--help"]);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe("");
  expect(r.stdout.trim()).toMatch(/^usage: worker-cli --queue <name> --jobs <module>/);
  expect(r.stdout.trim().split("\n")).toHaveLength(1);
});

test("npm run demo with an unknown name lists every demo, bullmq-fleet included", () => {
  const r = node([join(root, "scripts/demo.mjs"), "no-such-demo"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown demo "no-such-demo"; demos: hello, .*, bullmq-fleet/);
});
