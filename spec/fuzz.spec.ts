/**
 * Property-based fuzzing (issue 8): random programs of up to 50 tasks using
 * every primitive and composition function, cancelling one another at random
 * moments on the virtual clock. After each program the interpreter checks the
 * invariants (see spec/fuzz/interpreter.ts); each program also runs twice and
 * must give the same trace.
 *
 * Budget: in CI (no FUZZ_RUNS) 3000 programs with a fixed seed, cut short
 * after 45 s on a slow machine (the count run is printed); `npm run fuzz --
 * --runs N` runs more with a random seed. Replay a failure with FUZZ_SEED and
 * FUZZ_PATH as printed (`npm run fuzz -- --seed S --path P`).
 */
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { runProgram } from "./fuzz/interpreter.js";
import { printProgram, programArb, type Program } from "./fuzz/program.js";

const CI_BUDGET = process.env.FUZZ_RUNS === undefined;
const RUNS = CI_BUDGET ? 3000 : Number(process.env.FUZZ_RUNS);
const SEED = process.env.FUZZ_SEED === undefined ? 20260308 : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;
/** `npm run fuzz` reads how far the run is from this file (scripts/fuzz.mjs shows it as progress). */
const PROGRESS_FILE = process.env.FUZZ_PROGRESS_FILE;
/** Wall-clock guard for CI only: it bounds the time, the checks stay the same. */
const TIME_LIMIT_MS = 45_000;

describe("fuzz: random programs under random cancellation", () => {
  let rejections: unknown[] = [];
  const onRejection = (e: unknown) => {
    rejections.push(e);
  };
  beforeAll(() => process.on("unhandledRejection", onRejection));
  afterAll(() => {
    process.off("unhandledRejection", onRejection);
  });

  it(`holds every invariant and is deterministic (${RUNS} programs, seed ${SEED})`, async () => {
    let programs = 0;
    let tasks = 0;
    const property = fc.asyncProperty(programArb(), async (prog: Program) => {
      programs++;
      tasks += prog.tasks.length;
      if (PROGRESS_FILE !== undefined && programs % 50 === 0) writeFileSync(PROGRESS_FILE, String(programs));
      rejections = [];
      const a = await runProgram(prog);
      const b = await runProgram(prog);
      // Let any stray promise rejection surface before judging.
      await new Promise<void>((r) => setImmediate(r));
      const problems = [...a.violations];
      if (rejections.length > 0) problems.push(`unhandledRejection: ${rejections.map(String).join("; ")}`);
      if (a.violations.length === 0 && JSON.stringify(a.trace) !== JSON.stringify(b.trace)) {
        const i = a.trace.findIndex((x, k) => x !== b.trace[k]);
        problems.push(`not deterministic: traces differ at event ${i}: ${a.trace[i]} / ${b.trace[i]}`);
      }
      if (problems.length > 0) throw new Error(problems.slice(0, 12).join("\n"));
    });
    await fc.assert(property, {
      numRuns: RUNS,
      seed: SEED,
      ...(PATH !== undefined ? { path: PATH } : {}),
      ...(CI_BUDGET ? { interruptAfterTimeLimit: TIME_LIMIT_MS } : {}),
      endOnFailure: false,
    });
    console.log(`fuzz: ${programs} programs (each run twice), ${tasks} top-level tasks, seed ${SEED}`);
    // Even a slow machine must get through a real share of the budget.
    expect(programs).toBeGreaterThanOrEqual(Math.min(RUNS, 300));
  }, 120_000 + RUNS * 50);

  it("prints programs readably", () => {
    const [p] = fc.sample(programArb(3), { numRuns: 1, seed: 42 });
    const text = printProgram(p!);
    expect(text).toMatch(/^program \(\d+ tasks, horizon \d+ ms/);
    expect(text).toMatch(/\n  T\d+: start after \d+/);
  });
});
