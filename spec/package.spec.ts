/**
 * The published shape: `npm run build` emits CommonJS, ES modules and .d.ts,
 * the `exports` map serves each, and a finished run() leaves nothing behind, so
 * Node exits on its own.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

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
  expect(Object.keys(entry)).toEqual(["types", "import", "require"]);
  for (const p of [entry.types, entry.import, entry.require]) expect(existsSync(join(root, p))).toBe(true);
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
