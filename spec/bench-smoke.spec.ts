/**
 * The benchmark suite works (issue 7): every implementation of every workload
 * runs at tiny sizes and verifies its own result, and the harness turns a
 * wrong result, a leaked timer or a crash into a failure. The floor probe and
 * the warm second runs verify the same way, and the report renders them from
 * the raw figures. No timing is asserted: CI runs this to prove the suite
 * works, never to judge speed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");

interface Run {
  system: string;
  workload: string;
  status: "ok" | "fail" | "n/a" | "timeout";
  round?: number;
  value?: number;
  error?: string;
  detail?: Record<string, number> | null;
}

/** The BENCH-RESULT lines of one child, by workload. */
function resultsOf(stdout: string): Record<string, Run> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .filter((l) => l.startsWith("BENCH-RESULT "))
      .map((l) => JSON.parse(l.slice("BENCH-RESULT ".length)) as Run)
      .map((x) => [x.workload, x]),
  );
}

const positive = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x > 0;

function node(args: string[], timeout = 110_000) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout });
}

/** The (system, workload) pairs the suite declares, read from bench/systems/support.mjs. */
function declaredPairs(): string[] {
  const r = node(["--input-type=module", "-e", "import { SUPPORT } from './bench/systems/support.mjs'; console.log(JSON.stringify(SUPPORT));"]);
  const support = JSON.parse(r.stdout) as Record<string, string[]>;
  return Object.entries(support).flatMap(([s, ws]) => ws.map((w) => `${s}/${w}`));
}

describe("npm run bench, smoke scale", () => {
  let out: string;
  let report: {
    runs: Run[];
    cells: Record<string, Record<string, { status: string }>>;
    machine: { node: string; cores: number };
    floors: { W2: Record<string, number> | null; W6: Record<string, number> | null; warm: Record<string, Record<string, { fresh: number; warm: number }>> };
  };
  let md: string;
  let exitStatus: number | null;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "rx-asyncio-bench-"));
    // --batch: one process per system (fast; fine since nothing is timed);
    // --lib src: rx-asyncio straight from src/ through tsx, no build needed.
    // The sections (eager rows, scaling curves) run too: a few dozen more small processes.
    const r = node(["scripts/bench.mjs", "--scale", "smoke", "--batch", "--lib", "src", "--out", out, "--timeout", "60"], 280_000);
    exitStatus = r.status;
    if (r.status !== 0) console.error(r.stdout.slice(-4000), r.stderr.slice(-4000));
    report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
    md = readFileSync(join(out, "latest.md"), "utf8");
  }, 300_000);

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
    for (const w of ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10", "W12"]) {
      expect(md).toMatch(new RegExp(`\\| ${w} [a-z-]+ \\(`));
      expect(report.cells[w]?.["rx-asyncio"]?.status).toBe("ok");
    }
    expect(md).toMatch(/\| workload \| rx-asyncio \| async\/await \| p-limit \| p-queue \| RxJS 7\.8 \| Effection 4 \| Effect 4 \|/);
    expect(md).toMatch(/## rx-asyncio targets/);
    expect(md).toMatch(/\| W6 cancel \| < 100 ms \|/);
    expect(md).toMatch(/\| W1 spawn-gather \| <= 1\.0x async\/await \(microtask hop\) \|/);
    // The common forms in a table of their own, and one line per system on its hop.
    expect(md).toMatch(/\| workload \| async\/await, setImmediate \| async\/await, AsyncLocalStorage \| p-limit, setImmediate \| p-queue, setImmediate \| RxJS, asyncScheduler \|/);
    expect(md).toMatch(/- async\/await: `await Promise\.resolve\(\)`: a microtask/);
    expect(md).toMatch(/- RxJS 7\.8: `asapScheduler`/);
    expect(md).toMatch(/W12: AsyncLocalStorage's own cost: .* took [\d.,]+ ms against [\d.,]+ ms without it/);
  });

  test("the floor probe ran beside rx-asyncio and verified, with no column of its own", () => {
    // One round, yet each floor is the median of 5 fresh processes.
    const floor = report.runs.filter((r) => r.system === "floor");
    for (const w of ["W2", "W6"]) expect(floor.filter((r) => r.workload === w).map((r) => r.status)).toEqual(Array(5).fill("ok"));
    expect(floor).toHaveLength(10);
    expect(report.floors.W2).toMatchObject({ n: 300 });
    for (const k of ["createAndStepMs", "createMs", "firstStepMs", "rxAsyncioMs", "asyncAwaitMs"]) expect(positive(report.floors.W2?.[k])).toBe(true);
    expect(report.floors.W6).toMatchObject({ n: 300 });
    for (const k of ["generatorThrowMs", "plainThrowMs", "rxAsyncioMs"]) expect(positive(report.floors.W6?.[k])).toBe(true);
    expect(md).toMatch(/## Floors/);
    expect(md).toMatch(
      /- W2 floor: creating and first-stepping 300 generators in a fresh process: [\d.]+ ms, median of 5 fresh processes, [\d.]+-[\d.]+ ms \(creating: [\d.]+ ms\); rx-asyncio W2 overhead: [\d.]+ ms, async\/await: [\d.]+ ms\./,
    );
    expect(md).toMatch(/- W6 floor: 300 generator\.throw\(\) in a fresh process: [\d.]+ ms, [\d.]+ µs each, median of 5 fresh processes, [\d.]+-[\d.]+ ms \(plain throw: [\d.]+ ms\); rx-asyncio W6: [\d.]+ ms/);
    expect(md).not.toMatch(/\| workload \|.*floor/);
  });

  test("the extra modules (bench/sections/) ran after the table: eager rows, scaling curves and their plot, the distributed row", () => {
    const sections = (report as unknown as { sections: Record<string, { title: string; data: Record<string, unknown> | null; markdown: string }> }).sections;
    expect(Object.keys(sections)).toEqual(["eager", "scaling", "distributed"]);
    // Issue 16: real worker processes on a real redis-server (or one loud line without it).
    expect(md).toMatch(/\| rx-asyncio BullMQExecutor \| \d+ \| \d+ \| \d+ \| [\d.]+% \||NOT RUN: `redis-server` is not installed/);
    expect(md).toMatch(/## Eager tasks\n\nn = 300, 1 round\(s\)/);
    expect(md).toMatch(/\| W1-half-cached \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    expect(md).toMatch(/## Scaling curves/);
    expect(md).toMatch(/\| W1 spawn-gather \| rx-asyncio \| [\d.]+ \| [\d.]+ \| - \|/);
    expect(md).toMatch(/\| asCompleted of n \| async\/await \(a then\(\) per promise\) \| [\d.]+ \| [\d.]+ \|/);
    expect(md).not.toMatch(/Points without a figure/);
    const svg = readFileSync(join(out, "scaling.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    // One line per (curve, system): 5 curves of rx-asyncio and async/await, W1 and W6 of Effect.
    expect(svg.match(/<polyline/g)).toHaveLength(12);
  });

  test("W5 and W10 kept a verified second, warm run beside the fresh one", () => {
    for (const pair of ["rx-asyncio/W5", "async-await/W5", "rx-asyncio/W10"]) {
      const r = report.runs.find((x) => `${x.system}/${x.workload}` === pair);
      expect([pair, r?.status, positive(r?.detail?.warm)]).toEqual([pair, "ok", true]);
    }
    expect(report.runs.find((x) => x.system === "rxjs" && x.workload === "W10")?.detail?.warm).toBeUndefined();
    expect(Object.keys(report.floors.warm.W5)).toEqual(["rx-asyncio", "async-await"]);
    expect(md).toMatch(/- W5 warm \(second run in the same process\): rx-asyncio [\d,]+ handoffs\/s vs async\/await [\d,]+ handoffs\/s/);
    expect(md).toMatch(/- W10 warm \(second run in the same process\): rx-asyncio [\d.,]+ ms \(first, fresh run: rx-asyncio [\d.,]+ ms\)/);
  });
});

describe("the floor probe", () => {
  test("W6 runs alone in a fresh process at smoke scale and verifies its counts", () => {
    const r = node(["bench/lib/run-one.mjs", "floor", "W6,W1", "smoke"]);
    expect(r.status).toBe(0);
    const got = resultsOf(r.stdout);
    expect(got.W6).toMatchObject({ system: "floor", status: "ok", detail: { n: 300 } });
    expect(positive(got.W6.value) && positive(got.W6.detail?.plainThrowMs)).toBe(true);
    expect(got.W1).toMatchObject({ status: "n/a" });
  });

  test("W2 runs alone in a fresh process at smoke scale, verifies, and reports creating plus first-stepping", () => {
    const r = node(["bench/lib/run-one.mjs", "floor", "W2", "smoke"]);
    expect(r.status).toBe(0);
    const { W2 } = resultsOf(r.stdout);
    expect(W2).toMatchObject({ system: "floor", status: "ok", detail: { n: 300 } });
    const { createMs, firstStepMs } = W2.detail ?? {};
    expect(positive(createMs) && positive(firstStepMs)).toBe(true);
    expect(W2.value).toBeCloseTo(createMs + firstStepMs, 9);
  });
});

/** A saved run of 3 rounds, as --rerender reads it: only the raw figures matter. */
function savedRun(runs: Run[]) {
  return {
    machine: { date: "2026-01-01T00:00:00.000Z", cpu: "test", cores: 2, node: "v20", platform: "linux-x64", loadStart: [0, 0, 0], loadEnd: [0, 0, 0] },
    versions: {},
    config: { scale: "full", rounds: 3, only: ["W5", "W6", "W10"], systems: ["rx-asyncio", "async-await"], lib: "build", batch: false, notes: [] },
    runs,
  };
}

/** Three rounds of one (system, workload): values and, per round, a detail. */
function rounds(system: string, workload: string, values: number[], detail: (i: number) => Record<string, number> = () => ({})): Run[] {
  return values.map((value, i): Run => ({ system, workload, round: i + 1, status: "ok", value, detail: detail(i) }));
}

function rerender(runs: Run[]) {
  const dir = mkdtempSync(join(tmpdir(), "rx-asyncio-bench-rerender-"));
  try {
    writeFileSync(join(dir, "saved.json"), JSON.stringify(savedRun(runs)));
    const r = node(["scripts/bench.mjs", "--rerender", join(dir, "saved.json"), "--out", dir]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    return { md: readFileSync(join(dir, "latest.md"), "utf8"), json: JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the report's Floors section, rebuilt from raw figures (--rerender)", () => {
  const plain = [60, 38, 50];
  const create = [48, 70, 55];
  const firstStep = [14, 18, 16];
  const w2Floor = (values: number[]) => rounds("floor", "W2", values, (i) => ({ n: 100_000, createMs: create[i], firstStepMs: firstStep[i] }));
  const w6Floor = (values: number[]) => rounds("floor", "W6", values, (i) => ({ n: 100_000, plainThrowMs: plain[i] }));
  const base = [
    ...rounds("rx-asyncio", "W2", [355, 330, 440], (i) => ({ wallMs: 200 + [355, 330, 440][i], longest: 200 })),
    ...rounds("async-await", "W2", [388, 352, 416], (i) => ({ wallMs: 200 + [388, 352, 416][i], longest: 200 })),
    ...rounds("rx-asyncio", "W6", [600, 575, 590]),
    ...rounds("async-await", "W6", [2000, 2100, 1900]),
    ...rounds("rx-asyncio", "W5", [1_700_000, 1_800_000, 1_750_000], (i) => ({ wallMs: 1, warm: [2_100_000, 2_300_000, 2_200_000][i] })),
    ...rounds("async-await", "W5", [2_000_000, 2_100_000, 1_900_000], (i) => ({ wallMs: 1, warm: [2_500_000, 2_400_000, 2_600_000][i] })),
    ...rounds("rx-asyncio", "W10", [215, 220, 210], (i) => ({ warm: [120, 130, 110][i] })),
  ];

  test("medians of the floor, the plain throws and the warm runs, beside rx-asyncio's fresh figures", () => {
    const { md, json } = rerender([...base, ...w2Floor([62, 88, 71]), ...w6Floor([150, 90, 120])]);
    expect(md).toContain(
      "- W2 floor: creating and first-stepping 100,000 generators in a fresh process: 71.0 ms, median of 3 fresh processes, 62.0-88.0 ms (creating: 55.0 ms); " +
        "rx-asyncio W2 overhead: 355 ms, async/await: 388 ms. ",
    );
    expect(md.indexOf("- W2 floor:")).toBeLessThan(md.indexOf("- W6 floor:"));
    expect(md).toContain(
      "- W6 floor: 100,000 generator.throw() in a fresh process: 120 ms, 1.20 µs each, median of 3 fresh processes, 90.0-150 ms (plain throw: 50.0 ms); rx-asyncio W6: 590 ms, 5.90 µs a task.",
    );
    expect(md).toContain(
      "- W5 warm (second run in the same process): rx-asyncio 2,200,000 handoffs/s vs async/await 2,500,000 handoffs/s " +
        "(first, fresh run: rx-asyncio 1,750,000 handoffs/s vs async/await 2,000,000 handoffs/s).",
    );
    expect(md).toContain("- W10 warm (second run in the same process): rx-asyncio 120 ms (first, fresh run: rx-asyncio 215 ms).");
    expect(md).toContain("| W6 cancel (ms) | 590 (0.29x) | 2,000 |\n"); // the probe has no column
    expect(json.floors).toEqual({
      W2: { n: 100_000, createAndStepMs: 71, createMs: 55, firstStepMs: 16, rxAsyncioMs: 355, asyncAwaitMs: 388, processes: 3, min: 62, max: 88 },
      W6: { n: 100_000, generatorThrowMs: 120, plainThrowMs: 50, rxAsyncioMs: 590, processes: 3, min: 90, max: 150 },
      warm: {
        W5: { "rx-asyncio": { fresh: 1_750_000, warm: 2_200_000 }, "async-await": { fresh: 2_000_000, warm: 2_500_000 } },
        W10: { "rx-asyncio": { fresh: 215, warm: 120 } },
      },
    });
    expect(json.cells.W6.floor.ratio).toBeNull();
    expect(json.cells.W2.floor.ratio).toBeNull();
    expect(md).toContain("| W2 timers (overhead ms) | 355 (0.91x) | 388 |\n");
  });

  test("a failed floor round is a failure, never a floor; a run without probes has no floor line", () => {
    const failed: Run = { system: "floor", workload: "W6", round: 2, status: "fail", error: "verification failed: 299 of 300 generators done" };
    const { md, json } = rerender([...base, ...w6Floor([150, 120]), failed]);
    expect(json.floors.W6).toBeNull();
    expect(md).not.toMatch(/W6 floor: [\d,]+ generator/);
    expect(md).toContain("- W6 floor: round 2: fail: verification failed: 299 of 300 generators done");
    const old = rerender(rounds("rx-asyncio", "W6", [600, 575, 590]));
    expect(old.md).not.toMatch(/## Floors/);
    expect(old.json.floors).toEqual({ W2: null, W6: null, warm: {} });
  });

  test("W2's floor: a failed round fails it; a run saved before it existed has none; missing systems are left out", () => {
    const failed: Run = {
      system: "floor", workload: "W2", round: 3, status: "fail",
      error: "verification failed: 299 of 300 generators suspended after their first step",
    };
    const broken = rerender([...base, ...w2Floor([62, 88]), failed, ...w6Floor([150, 90, 120])]);
    expect(broken.json.floors.W2).toBeNull();
    expect(broken.md).not.toMatch(/W2 floor: creating/);
    expect(broken.md).toContain("- W2 floor: round 3: fail: verification failed: 299 of 300 generators suspended after their first step");
    expect(broken.md).toContain("- W6 floor: 100,000 generator.throw()");
    const before = rerender([...base, ...w6Floor([150, 90, 120])]);
    expect(before.json.floors.W2).toBeNull();
    expect(before.md).not.toMatch(/W2 floor/);
    expect(before.md).toContain("- W6 floor: 100,000 generator.throw()");
    const floorOnly = rerender(w2Floor([62, 88, 71]));
    expect(floorOnly.json.floors.W2).toEqual({
      n: 100_000, createAndStepMs: 71, createMs: 55, firstStepMs: 16, rxAsyncioMs: null, asyncAwaitMs: null, processes: 3, min: 62, max: 88,
    });
    expect(floorOnly.md).toContain(
      "- W2 floor: creating and first-stepping 100,000 generators in a fresh process: 71.0 ms, median of 3 fresh processes, 62.0-88.0 ms (creating: 55.0 ms). Each",
    );
    const noRx = rerender([...base.filter((r) => r.system !== "rx-asyncio"), ...w2Floor([62, 88, 71])]);
    expect(noRx.md).toContain("(creating: 55.0 ms); async/await W2 overhead: 388 ms. Each");
  });
});

describe("the harness catches a bad implementation", () => {
  test("a wrong sum, a leaked timer and a crash fail; n/a and a good result pass through", () => {
    const r = node(["bench/lib/run-one.mjs", "spec/fixtures/bench-broken-system.mjs", "W1,W2,W3,W4,W5,W6", "smoke"]);
    expect(r.status).toBe(0);
    const got = resultsOf(r.stdout);
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

/**
 * The harness's pure parts (the docs generator, the scaling section's render
 * and plot, W11's compile step, the progress lines), run on fixed inputs in a
 * child by spec/fixtures/bench-docs-fixture.mjs (the harness is ES modules;
 * this spec is compiled to CommonJS), which prints what each gave as JSON.
 */
interface Generated {
  readme: string;
  benchmarks: string;
  again: { readme: string; benchmarks: string };
  noMarkers: string;
  svg: string;
  w11: { entry: string; code: string };
  progress: string[];
  durations: string[];
  badTotal: string;
}

describe("the docs generator (bench/lib/docs.mjs) and the harness's other parts, on a fixed run", () => {
  let g: Generated;
  beforeAll(() => {
    const r = node(["spec/fixtures/bench-docs-fixture.mjs"]);
    if (r.status !== 0) throw new Error(r.stderr);
    g = JSON.parse(r.stdout) as Generated;
  });

  test("README's targets table and docs/benchmarks.md's results are written between their markers, and nothing else changes", () => {
    expect(g.readme.startsWith("# x\n\nbefore\n<!-- bench:readme:start -->\nTargets of the last full run (2026-12-04, test cpu × 2 cores")).toBe(true);
    expect(g.readme.endsWith("<!-- bench:readme:end -->\nafter\n")).toBe(true);
    expect(g.readme).not.toContain("\\nold\\n");
    expect(g.readme).toContain("1 of 2 workload targets hold");
    expect(g.readme).toContain("| W1 spawn-gather | <= 1.0x async/await (microtask hop) | 1.03x | **no** |");
    expect(g.readme).toContain("| W6 cancel | < 100 ms | 95.0 ms | yes |");
    // Scaling: W1 at 1M costs 4 µs a task against 3 at 10k (1.33x: holds); W6 5 against 2 (2.50x: misses).
    expect(g.readme).toContain("| scaling: W1 spawn-gather | per task at 1M <= 1.5x per task at 10k | 1.33x | yes |");
    expect(g.readme).toContain("| scaling: W6 cancel (from the first cancel) | per task at 1M <= 1.5x per task at 10k | 2.50x | **no** |");
    expect(g.benchmarks.startsWith("# b\n\nprose\n\n<!-- bench:results:start -->\n## Results of the last full run\n")).toBe(true);
    expect(g.benchmarks).toContain("| W1 spawn-gather (wall ms) | 310 (1.03x) | 300 |");
    expect(g.benchmarks).toContain("| W1 spawn-gather (wall ms) | 510 (1.70x) |"); // the common form's own table
    expect(g.benchmarks).toContain("### rx-asyncio targets");
    expect(g.benchmarks).toContain("### Scaling curves");
    expect(g.benchmarks).toContain("![Cost per task against n, log-log, rx-asyncio and its peers](benchmarks-scaling.svg)");
    expect(g.benchmarks).toContain("| W1 spawn-gather | rx-asyncio | 4.00 | 3.00 | 3.00 | 4.00 | 1.33x |");
    // Generating again from the same run changes nothing.
    expect(g.again).toEqual({ readme: g.readme, benchmarks: g.benchmarks });
  });

  test("a page without its markers is an error that names the file and the markers", () => {
    expect(g.noMarkers).toBe("README.md: no <!-- bench:readme:start --> ... <!-- bench:readme:end --> block to write the benchmark figures into");
  });

  test("the scaling plot: one panel per curve, one line per system, every panel on the same log axes", () => {
    expect(g.svg.match(/<polyline/g)).toHaveLength(3);
    expect(g.svg.match(/font-size="12">[^<]+</g)).toEqual(
      ["W1 spawn-gather", "W6 cancel (from the first cancel)", "TaskGroup of n", "wait of n", "asCompleted of n"].map((t) => `font-size="12">${t}<`),
    );
    for (const tick of [">1k<", ">10k<", ">100k<", ">1M<", ">1<", ">10<"]) expect(g.svg).toContain(tick);
  });

  test("W11's script is compiled against the benchmark build, not loaded from src/", () => {
    expect(g.w11.code).toContain(`require(${JSON.stringify(g.w11.entry)})`);
    expect(g.w11.code).not.toContain("../src/index.js");
    expect(g.w11.code).toContain("checkResult(");
  });

  test("progress when piped: one plain line per step with done/total, percent and the time left", () => {
    expect(g.progress).toEqual(["bench [1/4 25% ETA 1m30s] r1 W1 rx-asyncio: 300 ms\n", "bench [2/4 50% ETA 1m00s]\n"]);
    expect(g.durations).toEqual(["5s", "1h02m"]);
    expect(g.badTotal).toBe("createProgress: 'total' must be a whole number >= 0, got -1");
  });
});
