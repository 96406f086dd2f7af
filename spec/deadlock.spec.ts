/**
 * A stuck program says why (issue 15): when the process is about to exit with
 * run()'s main task pending and nothing left that could wake it, run()
 * rejects with DeadlockError, stderr gets the task tree, the exit code is 1.
 * A program that waits on a real timer or a socket is not stuck. Each program
 * runs in its own process (spec/fixtures/deadlock.ts): only a real process
 * exit shows what Node does.
 */
import { DeadlockError, EventLoop, sleep } from "../src/index.js";
import { runDemo, type DemoRun } from "./demo-helpers.js";

type Clock = "virtual" | "default";

// Ten child processes, two at a time, on a shared machine: a test may wait for the ones started before it.
jest.setTimeout(120_000);

/** Runs up to two fixtures at once (2 cores), each started on first use. */
const started = new Map<string, Promise<DemoRun>>();
let slots = 2;
const queue: (() => void)[] = [];
function fixture(scenario: string, clock: Clock, debug = false): Promise<DemoRun> {
  const key = `${scenario}/${clock}/${debug}`;
  let p = started.get(key);
  if (p === undefined) {
    const slot = slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((r) => queue.push(r));
    p = slot.then(() =>
      runDemo("../spec/fixtures/deadlock", { clock, args: debug ? [scenario, "debug"] : [scenario], killAfter: 30_000 }).finally(() => {
        const next = queue.shift();
        if (next) next();
        else slots++;
      }),
    );
    started.set(key, p);
  }
  return p;
}

const CASES: [string, Clock, boolean][] = [
  ["event", "default", false],
  ["event", "virtual", false],
  ["queue", "default", false],
  ["queue", "virtual", false],
  ["mutual", "default", false],
  ["lock", "virtual", false],
  ["promise", "virtual", false],
  ["lock", "default", true],
  ["timer", "default", false],
  ["socket", "default", false],
  ["timer", "virtual", false],
];
beforeAll(() => {
  for (const [s, c, d] of CASES) void fixture(s, c, d).catch(() => undefined);
});

function expectDeadlock(r: DemoRun, waitsOn: string): void {
  expect(r.code).toBe(1);
  expect(r.lines).toContain("run() rejected: DeadlockError");
  expect(r.stderr).toMatch(/^rx-asyncio: deadlock: the task 'Task-1' given to run\(\)\/runUntilComplete\(\) waits on /);
  expect(r.stderr).toMatch(/nothing can ever wake it/);
  expect(r.stderr).toContain(`(T) Task-1  [waiting]`);
  expect(r.stderr).toContain(waitsOn);
}

describe("a program that can never finish is reported", () => {
  test.each(["default", "virtual"] as const)("main waits on an Event nobody sets (%s clock); main's finally still runs", async (clock) => {
    const r = await fixture("event", clock);
    expectDeadlock(r, "    └── Event.wait");
    expect(r.stderr).toContain(clock === "virtual" ? "no virtual timer is left" : "no timer is armed");
    // run() cancels the stuck tasks before it rejects: cleanup runs.
    expect(r.lines).toEqual(["main's finally ran", "run() rejected: DeadlockError"]);
  });

  test.each(["default", "virtual"] as const)("main waits on get() of an empty Queue (%s clock)", async (clock) => {
    expectDeadlock(await fixture("queue", clock), "    └── Queue.get");
  });

  test("two tasks each wait for the other's Event: both are in the tree, under main's gather", async () => {
    const r = await fixture("mutual", "default");
    expectDeadlock(r, "gather (2 of 2 pending)");
    expect(r.stderr).toContain("3 pending tasks");
    // Two different Events: numbered, so the report says they are not the same one.
    expect(r.stderr).toMatch(/├── \(T\) first  \[waiting\]\n.*└── Event\.wait #1\n.*└── \(T\) second  \[waiting\]\n.*└── Event\.wait #2\n/);
  });

  test("a Lock whose holder finished without releasing it (virtual clock)", async () => {
    expectDeadlock(await fixture("lock", "virtual"), "    └── Lock.acquire");
  });

  test("a promise nothing will settle holds the virtual clock, so a timer is left but never comes", async () => {
    const r = await fixture("promise", "virtual");
    expectDeadlock(r, "│   └── promise");
    expect(r.stderr).toContain("the virtual clock may not jump to its next timer while outside work (a promise, a job) is pending");
    expect(r.stderr).toMatch(/\(T\) sleeper  \[waiting\]\n\s+└── sleep until 1000 ms \(1000 ms left\)/);
  });

  test("in debug mode the report says where each pending task was created", async () => {
    const r = await fixture("lock", "default", true);
    expectDeadlock(r, "    └── Lock.acquire");
    expect(r.stderr).toMatch(/task 'Task-1' was created at:\n(.*\n)*.*spec\/fixtures\/deadlock\.ts:\d+/);
    expect(r.stderr).not.toContain("RX_ASYNCIO_DEBUG=1 to see");
  });
});

describe("a program that is only waiting is not reported", () => {
  test.each([
    ["timer", "default", "slept"],
    ["timer", "virtual", "slept"],
    ["socket", "default", "got data"],
  ] as const)("%s (%s clock)", async (scenario, clock, result) => {
    const r = await fixture(scenario, clock);
    expect({ code: r.code, stderr: r.stderr, lines: r.lines }).toEqual({ code: 0, stderr: "", lines: [`run() resolved: ${result}`] });
  });
});

describe("runUntilComplete, in this process (Node's beforeExit emitted by hand)", () => {
  let exitCode: typeof process.exitCode;
  let logged: string[];
  beforeEach(() => {
    exitCode = process.exitCode;
    logged = [];
  });
  // The report sets exit code 1: this process must not keep it.
  afterEach(() => {
    process.exitCode = exitCode;
  });

  function quietLoop(clock: "real" | "virtual"): EventLoop {
    const loop = new EventLoop({ clock });
    loop.logger = { ...console, error: (...a: unknown[]) => logged.push(a.join(" ")) };
    return loop;
  }

  test("a plain future nobody will set: rejects with DeadlockError, its taskTree, exit code 1", async () => {
    const loop = quietLoop("virtual");
    const fut = loop.createFuture<number>();
    const done = loop.runUntilComplete(fut);
    await new Promise((r) => setImmediate(r));
    process.emit("beforeExit", 0);
    const err = await done.catch((e: unknown) => e);
    loop.close();
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).message).toMatch(/^deadlock: the future given to run\(\)\/runUntilComplete\(\) is pending and nothing can ever wake it/);
    expect((err as DeadlockError).taskTree).toContain("(no pending tasks)");
    expect(logged).toEqual([`rx-asyncio: ${(err as Error).message}\n${(err as DeadlockError).taskTree}`]);
    expect(process.exitCode).toBe(1);
  });

  test.each(["real", "virtual"] as const)("a loop with a timer still to fire is not stuck (%s clock)", async (clock) => {
    const loop = quietLoop(clock);
    const done = loop.runUntilComplete(function* () {
      yield* sleep(50);
      return "woke";
    });
    process.emit("beforeExit", 0);
    await expect(done).resolves.toBe("woke");
    loop.close();
    expect(logged).toEqual([]);
    expect(process.exitCode).toBe(exitCode);
  });
});
