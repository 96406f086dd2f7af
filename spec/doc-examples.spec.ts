/**
 * Every TypeScript example of README.md and docs/*.md is type-checked and run
 * (issue 17): a program runs in its own process, the way a user runs it
 * (node + tsx, "rx-asyncio" resolved to src/ through tsconfig paths), on the
 * virtual clock unless it is marked real-clock, and must exit 0; where the
 * text claims an output, the program prints exactly that. A block marked as a
 * spec file has its tests run here. Blocks that are only fragments are marked
 * so, with the reason (see spec/doc-examples.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { docFiles, examplesOf, root, type DocExample } from "./doc-examples";

const dir = join(root, ".doc-examples");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

const all: DocExample[] = docFiles().flatMap(examplesOf);
const checked = all.filter((e) => e.kind !== "fragment");
const programs = all.filter((e) => e.kind === "program");
const specs = all.filter((e) => e.kind === "jest");

// Written when this file is loaded, so that the spec-file examples can be required below.
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (const e of checked) writeFileSync(join(dir, `${e.id}.ts`), `// ${e.where}\n${e.code}`);
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify({ extends: "../tsconfig.json", compilerOptions: { noEmit: true, rootDir: ".." }, include: ["./*.ts"] }, null, 2),
);

test("the docs have examples, and every one that is not marked as a fragment imports from rx-asyncio", () => {
  expect(programs.length).toBeGreaterThanOrEqual(12); // guards the parser: it must find the programs
  for (const e of checked) expect([e.where, /from "rx-asyncio(\/bullmq)?"/.test(e.code)]).toEqual([e.where, true]);
  for (const e of all.filter((x) => x.kind === "fragment")) expect(e.reason!.length).toBeGreaterThan(10);
  // A program that defines a main coroutine runs it (or it would "pass" without running anything).
  for (const e of programs.filter((x) => /function\* main\b/.test(x.code))) {
    expect([e.where, /\b(run|runUntilComplete)\(/.test(e.code)]).toEqual([e.where, true]);
  }
});

describe("type-check (tsc, strict)", () => {
  let diagnostics = "";
  beforeAll(() => {
    const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json"), "--pretty", "false"], { cwd: root, encoding: "utf8" });
    diagnostics = r.stdout + r.stderr;
  }, 120_000);

  test.each(checked.map((e) => [e.where, e] as const))("%s type-checks", (_where, e) => {
    const mine = diagnostics.split("\n").filter((l) => l.startsWith(`.doc-examples/${e.id}.ts`));
    expect(mine).toEqual([]);
  });

  test("no diagnostics outside the examples either", () => {
    expect(diagnostics.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(".doc-examples/"))).toEqual([]);
  });
});

/** At most two example processes at a time: the machine running the suite may have two cores. */
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runExample(e: DocExample): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.RX_ASYNCIO_DEBUG;
  delete env.RX_ASYNCIO_TRACE;
  if (e.clock === "virtual") env.RX_ASYNCIO_CLOCK = "virtual";
  else delete env.RX_ASYNCIO_CLOCK;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, join(dir, `${e.id}.ts`)], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${e.where} did not end in 40 s:\n${stdout}\n${stderr}`));
    }, 40_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("run", () => {
  test.concurrent.each(programs.map((e) => [e.where, e] as const))(
    "%s runs and exits 0 (and prints what the text says it prints)",
    async (_where, e) => {
      const r = await limited(() => runExample(e));
      expect({ where: e.where, code: r.code, stderr: r.stderr }).toEqual({ where: e.where, code: 0, stderr: "" });
      if (e.output !== undefined) expect(r.stdout.trimEnd()).toBe(e.output.trimEnd());
    },
    60_000,
  );
});

for (const e of specs) {
  describe(`spec example ${e.where}`, () => {
    require(join(dir, `${e.id}.ts`));
  });
}
