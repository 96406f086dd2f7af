/**
 * Property-based fuzzing (issue 8): random programs of up to 50 tasks using
 * every primitive and composition function, cancelling one another at random
 * moments on the virtual clock. After each program the interpreter checks the
 * invariants (see spec/fuzz/interpreter.ts); each program also runs twice and
 * must give the same trace.
 *
 * Budget: FUZZ_RUNS programs (default below, about 30 s here); replay a
 * failure with FUZZ_SEED (and FUZZ_PATH) as printed. `npm run fuzz -- --runs N`.
 */
import fc from "fast-check";
import { runProgram } from "./fuzz/interpreter.js";
import { printProgram, programArb, type Program } from "./fuzz/program.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;

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
      endOnFailure: false,
    });
    // Tells the runner how much was explored (read by scripts/fuzz.mjs).
    console.log(`fuzz: ${programs} programs, ${tasks} top-level tasks, seed ${SEED}`);
  }, 600_000);

  it("prints programs readably", () => {
    const [p] = fc.sample(programArb(3), { numRuns: 1, seed: 42 });
    const text = printProgram(p!);
    expect(text).toMatch(/^program \(\d+ tasks, horizon \d+ ms/);
    expect(text).toContain("T0: start after");
  });
});
