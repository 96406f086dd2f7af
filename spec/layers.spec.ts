/**
 * The layer rules of .dependency-cruiser.cjs, checked on src/ by the suite:
 * imports go host -> loop -> futures -> tasks -> composition -> rx, the kernel
 * never imports the executor, bullmq or trace layers, and no run-time import
 * cycle exists. A fixture proves each kind of bad import is caught.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = join(__dirname, "..");
const depcruise = join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Cruises `dir`/src with the project's config; the violations found. */
function cruise(dir: string): Violation[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [depcruise, "src", "--config", join(root, ".dependency-cruiser.cjs"), "--output-type", "json"], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    // It exits non-zero when it finds violations; the report is still on stdout.
    out = (e as { stdout: string }).stdout;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

describe("layer rules (dependency-cruiser)", () => {
  it("src/ has no violations (its type-only cycles, such as futures.ts <-> event-loop.ts, are not run-time ones)", () => {
    expect(cruise(root).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 120_000);

  describe("a fixture with bad imports", () => {
    let dir: string;
    let found: string[];
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "rx-asyncio-layers-"));
      copyFileSync(join(root, "tsconfig.json"), join(dir, "tsconfig.json"));
      // futures (low) importing the rx layer (high) at run time: caught.
      write("src/futures.ts", 'import { rxLoop } from "./rx/internals.js";\nexport const x = rxLoop;\n');
      write("src/rx/internals.ts", "export function rxLoop(): number { return 1; }\n");
      // tasks importing composition for its type only: allowed (no run-time edge).
      write("src/tasks.ts", 'import type { G } from "./gather.js";\nexport type T = G;\n');
      // the loop importing the executor layer: caught.
      write("src/event-loop.ts", 'import { pool } from "./thread-pool-executor.js";\nexport const p = pool;\n');
      write("src/thread-pool-executor.ts", "export const pool = 1;\n");
      // a run-time cycle inside one layer: caught.
      write("src/gather.ts", 'import { w } from "./wait.js";\nexport type G = number;\nexport const g = () => w;\n');
      write("src/wait.ts", 'import { g } from "./gather.js";\nexport const w = () => g;\n');
      // a file placed in no layer: caught.
      write("src/stray.ts", 'import { w } from "./wait.js";\nexport const s = w;\n');
      found = cruise(dir).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    }, 120_000);

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("catches a low layer importing a high one", () => {
      expect(found).toContain("layer-futures: src/futures.ts -> src/rx/internals.ts");
    });

    it("catches the kernel importing the executor layer", () => {
      expect(found).toContain("loop-builds-only: src/event-loop.ts -> src/thread-pool-executor.ts");
    });

    it("catches a run-time cycle", () => {
      // Reported once, at the first edge of the cycle.
      expect(found.filter((v) => v.startsWith("no-runtime-cycles:"))).toEqual(["no-runtime-cycles: src/gather.ts -> src/wait.ts"]);
    });

    it("catches a file in no layer", () => {
      expect(found).toContain("in-a-layer: src/stray.ts -> src/wait.ts");
    });

    it("lets a type-only import go upward", () => {
      expect(found.filter((v) => v.includes("src/tasks.ts"))).toEqual([]);
    });
  });
});

/**
 * Value re-exports (`export { X } from "./y.js"`) outside the entry points.
 * TypeScript's CommonJS output makes each one a getter on `exports`, so every
 * read of X through that module is a call until V8 optimizes the reader: one
 * re-export of DONE_VOID in internal/wait-op.ts cost W4 (a million put()s)
 * 23% of its instructions. dependency-cruiser cannot see this (it merges a
 * module's import and re-export of the same file into one edge).
 */
function valueReexports(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".ts") || /(^|\/)index\.ts$/.test(entry) || entry === "executor.ts") continue;
    const text = readFileSync(join(dir, entry), "utf8");
    for (const m of text.matchAll(/^export\s+(\{[^}]*\}|\*(\s+as\s+\w+)?)\s+from\s+["']([^"']+)["']/gm)) {
      const names = m[1]!.startsWith("{") ? m[1]!.slice(1, -1).split(",").map((n) => n.trim()).filter((n) => n !== "" && !n.startsWith("type ")) : ["*"];
      if (names.length > 0) found.push(`${entry}: ${names.join(", ")} from ${m[3]}`);
    }
  }
  return found;
}

describe("no value re-exports outside the entry points", () => {
  it("src/ imports each name from the module that defines it", () => {
    expect(valueReexports(join(root, "src"))).toEqual([]);
  });

  it("catches one (a fixture)", () => {
    const dir = mkdtempSync(join(tmpdir(), "rx-asyncio-reexport-"));
    try {
      mkdirSync(join(dir, "internal"));
      writeFileSync(join(dir, "internal", "wait-op.ts"), 'export type { Suspend } from "../coroutines.js";\nexport { DONE_VOID, type X } from "./suspend-result.js";\n');
      writeFileSync(join(dir, "index.ts"), 'export { Queue } from "./queues.js";\n');
      expect(valueReexports(dir)).toEqual(["internal/wait-op.ts: DONE_VOID from ./suspend-result.js"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
