/**
 * The benchmark suite works (issue 7): every implementation of every workload
 * runs at tiny sizes and verifies its own result, and the harness turns a
 * wrong result, a leaked timer or a crash into a failure. No timing is
 * asserted: CI runs this to prove the suite works, never to judge speed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");

interface Run {
  system: string;
  workload: string;
  status: "ok" | "fail" | "n/a" | "timeout";
  value?: number;
  error?: string;
}

function node(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 110_000 });
}

/** The (system, workload) pairs the suite declares, read from bench/systems/support.mjs. */
function declaredPairs(): string[] {
  const r = node(["--input-type=module", "-e", "import { SUPPORT } from './bench/systems/support.mjs'; console.log(JSON.stringify(SUPPORT));"]);
  const support = JSON.parse(r.stdout) as Record<string, string[]>;
  return Object.entries(support).flatMap(([s, ws]) => ws.map((w) => `${s}/${w}`));
}

describe("npm run bench, smoke scale", () => {
  let out: string;
  let report: { runs: Run[]; cells: Record<string, Record<string, { status: string }>>; machine: { node: string; cores: number } };
  let md: string;
  let exitStatus: number | null;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "rx-asyncio-bench-"));
    // --batch: one process per system (fast; fine since nothing is timed);
    // --lib src: rx-asyncio straight from src/ through tsx, no build needed.
    const r = node(["scripts/bench.mjs", "--scale", "smoke", "--batch", "--lib", "src", "--out", out, "--timeout", "60"]);
    exitStatus = r.status;
    if (r.status !== 0) console.error(r.stdout.slice(-4000), r.stderr.slice(-4000));
    report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
    md = readFileSync(join(out, "latest.md"), "utf8");
  }, 120_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test("every declared implementation ran and verified its result (W11 may be n/a)", () => {
    const seen = new Map(report.runs.map((r) => [`${r.system}/${r.workload}`, r]));
    const problems: string[] = [];
    for (const pair of declaredPairs()) {
      const r = seen.get(pair);
      if (r === undefined) problems.push(`${pair}: did not run`);
      else if (r.status === "n/a" && pair === "rx-asyncio/W11") continue; // its script may not exist yet
      else if (r.status !== "ok") problems.push(`${pair}: ${r.status}: ${String(r.error).split("\n")[0]}`);
      else if (typeof r.value !== "number" || !Number.isFinite(r.value)) problems.push(`${pair}: no figure`);
    }
    expect(problems).toEqual([]);
    expect(exitStatus).toBe(0);
  });

  test("the report has the machine, the table and the targets", () => {
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.cores).toBeGreaterThan(0);
    for (const w of ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10"]) {
      expect(md).toMatch(new RegExp(`\\| ${w} [a-z-]+ \\(`));
      expect(report.cells[w]?.["rx-asyncio"]?.status).toBe("ok");
    }
    expect(md).toMatch(/\| workload \| rx-asyncio \| async\/await \| p-limit \| p-queue \| RxJS 7\.8 \| Effection 4 \| Effect 4 \|/);
    expect(md).toMatch(/## rx-asyncio targets/);
    expect(md).toMatch(/\| W6 cancel \| < 100 ms \|/);
  });
});

describe("the harness catches a bad implementation", () => {
  test("a wrong sum, a leaked timer and a crash fail; n/a and a good result pass through", () => {
    const r = node(["bench/lib/run-one.mjs", "spec/fixtures/bench-broken-system.mjs", "W1,W2,W3,W4,W5,W6", "smoke"]);
    expect(r.status).toBe(0);
    const got = Object.fromEntries(
      r.stdout
        .split("\n")
        .filter((l) => l.startsWith("BENCH-RESULT "))
        .map((l) => JSON.parse(l.slice("BENCH-RESULT ".length)) as Run)
        .map((x) => [x.workload, x]),
    );
    expect(got.W1).toMatchObject({ status: "fail" });
    expect(got.W1.error).toMatch(/verification failed: sum 44849 != 44850/);
    expect(got.W2).toMatchObject({ status: "fail" });
    expect(got.W2.error).toMatch(/1 timer\(s\) left armed/);
    expect(got.W3).toMatchObject({ status: "fail" });
    expect(got.W3.error).toMatch(/TypeError: boom/);
    expect(got.W4).toMatchObject({ status: "n/a" });
    expect(got.W5).toMatchObject({ status: "ok", value: 42 });
    expect(got.W6).toMatchObject({ status: "n/a" });
  });

  test("the orchestrator rejects unknown flags and workloads with a clear message", () => {
    const a = node(["scripts/bench.mjs", "--only", "W99"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--only: unknown "W99"/);
    const b = node(["scripts/bench.mjs", "--rounds", "0", "--no-build"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--rounds must be a positive integer, got 0/);
    expect(existsSync(join(root, "scripts", "bench.mjs"))).toBe(true);
  });
});
