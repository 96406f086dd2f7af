/**
 * The demo tour, part 3: input and output. resource, loop-control and
 * responsive-cli (piped input) run on the virtual clock with exact output;
 * fetch (a real local HTTP server), executor (worker threads) and the
 * interactive responsive-cli run on the real clock, so their checks are about
 * order and bounds, never about how fast the machine is.
 */
import { expectClean, lines, runDemo, secondsOf, startDemos, type DemoRun } from "./demo-helpers.js";

jest.setTimeout(90_000);

const demo = startDemos(["resource", "loop-control"]);

/** The lines of one `--- n. title` section (without the title line). */
function sectionOf(run: DemoRun, n: number): string[] {
  const start = run.lines.findIndex((l) => l.startsWith(`--- ${n}.`));
  if (start < 0) throw new Error(`no section ${n} in:\n${run.stdout}`);
  const end = run.lines.findIndex((l, i) => i > start && l.startsWith("--- "));
  return run.lines.slice(start + 1, end < 0 ? undefined : end);
}

const text = (l: string) => l.replace(/\[\s*\d+\.\d{3}s\] /g, "");

describe("demos: files, loop control, standard input", () => {
  test("resource: the file handle is closed on success, on error and on cancellation", async () => {
    const run = await demo("resource");
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        --- 1. success
        [  0.000s] ok.txt: opened
        [  1.500s] ok.txt: closed after 3 lines
        [  1.500s] returned 3; the file has 3 lines
        --- 2. error
        [  0.000s] bad.txt: opened
        [  0.500s] bad.txt: closed after 1 line
        [  0.500s] caught "bad line 2"; the file has 1 line
        --- 3. cancellation after 1.2 s
        [  0.000s] cancelled.txt: opened
        [  1.200s] cancelled.txt: closed after 3 lines
        [  1.200s] the task was cancelled; the file has 3 lines
      `),
    );
  });

  test("loop-control: getEventLoop() as the tutorials, runUntilComplete twice, allTasks(loop) after stop(), runForever/stop, a slow callback reported in debug mode, close", async () => {
    const run = await demo("loop-control");
    expectClean(run);
    // The slow callback's duration is real time: check it, then compare the rest exactly.
    const slow = run.lines.filter((l) => l.includes("parseHugeFile"));
    expect(slow).toHaveLength(1);
    const took = Number(/took (\d+\.\d) ms$/.exec(slow[0]!)?.[1]);
    expect(took).toBeGreaterThanOrEqual(150);
    // On a loaded machine another step may also take > 100 ms and be reported: ignore those.
    const rest = run.lines.filter((l) => !/\] debug: /.test(l) || l.includes("parseHugeFile"));
    expect(rest.map((l) => l.replace(/took \d+\.\d ms$/, "took N ms"))).toEqual(
      lines(`
        --- 1. callbacks and runUntilComplete
        [  0.000s] callSoon ran first: scheduled callbacks run once the loop runs
        [  0.000s] compute(3): working 0.5 s
        [  0.200s] callLater(200) ran
        [  0.500s] runUntilComplete -> 9
        [  0.500s] compute(4): working 0.5 s
        [  1.000s] runUntilComplete again -> 16; isRunning() between runs: false
        --- 2. runForever until stop()
        [  1.300s] stop() from a callback
        [  1.300s] runForever returned; isRunning() = false
        [  1.300s] allTasks(loop) after stop(): ticker-a, ticker-b
        [  1.300s] cancelled 2 of 2; allTasks(loop) is now empty: true
        --- 3. debug mode reports a slow callback
        [  1.300s] debug: Executing callback parseHugeFile took 150.2 ms
        --- 4. close()
        [  1.400s] isClosed() = true; getEventLoop() is still that loop: true
        [  1.400s] callSoon after close: RuntimeError: Event loop is closed
      `).map((l) => l.replace(/took \d+\.\d ms$/, "took N ms")),
    );
  });

  // responsive-cli reads with loop.runInExecutor(null, readLine), a blocking read on a worker
  // thread, so it runs on the real clock whatever RX_ASYNCIO_CLOCK says: these check order, not time.
  test("responsive-cli with piped commands: the tutorial's prompt, quit cancels the worker, later input is not read", async () => {
    const run = await runDemo("responsive-cli", { input: "status\nfoo\n\nhelp\nquit\nstatus\n" });
    expectClean(run);
    expect(run.lines.map(text)).toEqual([
      "Enter command: Working...",
      "status",
      "worker running (round 1)",
      "Enter command: foo",
      "You entered: foo (commands: status, help, quit)",
      "Enter command: ",
      "Enter command: help",
      "commands: status, help, quit",
      "Enter command: quit",
      "Background worker cancelled (in round 1)",
      "worker cancelled: true; bye",
    ]);
  });

  test("responsive-cli: the end of the input counts as quit, and the program ends cleanly", async () => {
    const run = await runDemo("responsive-cli", { input: "status" });
    expectClean(run);
    expect(run.lines.map(text)).toEqual([
      "Enter command: Working...",
      "status",
      "worker running (round 1)",
      "Enter command: ",
      "end of input: quitting",
      "Background worker cancelled (in round 1)",
      "worker cancelled: true; bye",
    ]);
  });

  test("responsive-cli under RX_ASYNCIO_CLOCK=virtual still ticks: it runs on the real clock", async () => {
    let working = 0;
    const run = await runDemo("responsive-cli", {
      keepStdin: true,
      onLine: (line, stdin) => {
        if (line.endsWith("Working...") && ++working === 2) stdin.write("quit\n");
      },
    });
    expectClean(run);
    expect(run.lines.filter((l) => l.endsWith("Working..."))).toHaveLength(2);
    expect(secondsOf(run.lines.filter((l) => l.endsWith("Working..."))[1]!.replace(/^Enter command: /, ""))).toBeGreaterThanOrEqual(1.99);
    expect(run.lines.map(text).slice(-2)).toEqual(["Background worker cancelled (in round 2)", "worker cancelled: true; bye"]);
  });

  test("responsive-cli, Ctrl-C at the prompt: main's cleanup stops the worker, run() rejects with KeyboardInterrupt, exit 130", async () => {
    const run = await runDemo("responsive-cli", {
      clock: "default",
      keepStdin: true,
      onLine: (line, stdin, signal) => {
        if (line.endsWith("Working...")) stdin.write("status\n");
        if (line.endsWith("worker running (round 1)")) setTimeout(() => signal("SIGINT"), 100);
        // The read blocked on its worker thread stops once it returns: end the input, as Enter would.
        if (line.endsWith("cleaning up")) stdin.end();
      },
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 130, stderr: "" });
    expect(run.lines.map(text)).toEqual([
      "Enter command: Working...",
      "status",
      "worker running (round 1)",
      "Enter command: Ctrl-C: main cancelled (SIGINT (Ctrl-C)); cleaning up",
      "Background worker cancelled (in round 1)",
      "worker cancelled: true; bye",
      "run() rejected with KeyboardInterrupt: the exit code is 130",
    ]);
  });

  test("responsive-cli, real clock, driven line by line: the worker ticks every 2 s while commands are answered", async () => {
    let working = 0;
    const run = await runDemo("responsive-cli", {
      clock: "default",
      keepStdin: true,
      onLine: (line, stdin) => {
        if (line.endsWith("Working...") && ++working === 2) stdin.write("status\n");
        if (line.endsWith("worker running (round 2)")) stdin.write("quit\n");
      },
    });
    expectClean(run);
    const t = run.lines.map(text);
    expect(t).toEqual([
      "Enter command: Working...",
      "Working...",
      "status",
      "worker running (round 2)",
      "Enter command: quit",
      "Background worker cancelled (in round 2)",
      "worker cancelled: true; bye",
    ]);
    const second = secondsOf(run.lines[1]!);
    expect(second).toBeGreaterThanOrEqual(1.99); // a 2 s sleep never ends early
    expect(secondsOf(run.lines[6]!)).toBeLessThan(second + 2); // quit came before the third round
  });
});

describe("demos on the real clock", () => {
  test("fetch: sequential = the sum of the delays, concurrent = the longest, never more than 3 in flight, cancelling aborts the request", async () => {
    const run = await runDemo("fetch", { clock: "default" });
    expectClean(run);
    expect(run.lines[0]).toMatch(/^\[\s*0\.\d{3}s\] server listening on http:\/\/127\.0\.0\.1:\d+$/);

    const seq = sectionOf(run, 1);
    expect(seq.map(text)).toEqual([
      "GET /a (1 in flight)",
      "done /a",
      "GET /b (1 in flight)",
      "done /b",
      "GET /c (1 in flight)",
      "done /c",
      "got a, b, c: at least the sum of the delays (1.8 s)",
    ]);
    const sequential = secondsOf(seq[6]!);
    expect(sequential).toBeGreaterThanOrEqual(1.8);

    const conc = sectionOf(run, 2);
    expect(conc.slice(0, 3).map(text)).toEqual(["GET /a (1 in flight)", "GET /b (2 in flight)", "GET /c (3 in flight)"]);
    expect(conc.slice(3, 6).map(text).sort()).toEqual(["done /a", "done /b", "done /c"]);
    expect(text(conc[6]!)).toBe("got a, b, c: the longest delay (0.9 s), not the sum");
    const concurrent = secondsOf(conc[6]!);
    expect(concurrent).toBeGreaterThanOrEqual(0.9);
    expect(concurrent).toBeLessThan(sequential);

    for (const n of [3, 4]) {
      const part = sectionOf(run, n);
      const inFlight = part.flatMap((l) => /\((\d) in flight\)/.exec(l)?.[1] ?? []).map(Number);
      expect(inFlight).toHaveLength(5);
      expect(Math.max(...inFlight)).toBe(3);
      const gets = part.filter((l) => text(l).startsWith("GET ")).map(text);
      expect(gets.map((g) => g.split(" ")[1])).toEqual(["/p1", "/p2", "/p3", "/p4", "/p5"]);
      // /p4 waits for a free slot: it starts only after one of the first three is done
      const firstDone = part.findIndex((l) => text(l).startsWith("done "));
      expect(part.findIndex((l) => text(l).startsWith("GET /p4"))).toBeGreaterThan(firstDone);
      expect(secondsOf(part[part.length - 1]!)).toBeGreaterThanOrEqual(0.8); // two rounds of 0.4 s
    }
    // The summary is computed from what happened: its count of rounds matches the section's time.
    const words: Record<string, number> = { one: 1, two: 2 };
    for (const [n, head] of [[3, "got p1, p2, p3, p4, p5"], [4, "got 5 pages in finishing order"]] as const) {
      const last = sectionOf(run, n).at(-1)!;
      const m = new RegExp(`^${head}: (\\w+) rounds? of 0\\.4 s, at most 3 in flight$`).exec(text(last));
      expect(m).not.toBeNull();
      expect(words[m![1]!] ?? Number(m![1])).toBe(Math.floor(secondsOf(last) / 0.4));
    }

    // Cancelling the task aborts the request: the server sees the request closed before its answer.
    expect(sectionOf(run, 5).map(text)).toEqual([
      "GET /slow (1 in flight)",
      "done /slow",
      "client: the task was cancelled: true",
      expect.stringMatching(/^server: \/slow was closed by the client 0\.\d s after it arrived, before its 5 s answer$/),
    ]);
  });

  test("executor: the heartbeat ticks while a worker computes; results, cancellation and errors come back", async () => {
    const run = await runDemo("executor", { clock: "default" });
    expectClean(run);
    const t = run.lines.map(text);
    const at = (s: string) => {
      const i = t.findIndex((l) => l.includes(s));
      if (i < 0) throw new Error(`"${s}" not in:\n${run.stdout}`);
      return i;
    };
    const start = at("1. fib(39) on a worker thread");
    const workerDone = at("worker says fib(39) = 63245986");
    // The loop stayed free while the worker computed: a beat every 0.2 s, so
    // at least one per 0.4 s of the job however loaded the machine is (and
    // none at all if the job had blocked the loop).
    const beats = t.slice(start, workerDone).filter((l) => /^\s*heartbeat \d+$/.test(l)).length;
    const jobSeconds = secondsOf(run.lines[workerDone]!) - secondsOf(run.lines[start]!);
    expect(beats).toBeGreaterThanOrEqual(Math.floor(jobSeconds / 0.4));
    expect(at("2. fib(37) on the loop itself")).toBeGreaterThan(workerDone);
    expect(at("loop says fib(37) = 24157817")).toBeGreaterThan(workerDone);
    expect(at("job cancelled: true")).toBeGreaterThan(at("3. cancelling a running job"));
    // The id comes from the cancelled job itself (issue 17), and the next job runs elsewhere.
    const cancelledOn = /job cancelled: true; it ran on worker (\d+)$/.exec(t[at("job cancelled: true")]!)?.[1];
    const nextOn = /the next job runs on worker (\d+), not the stopped one$/.exec(t[at("the next job runs on worker")]!)?.[1];
    expect(Number(cancelledOn)).toBeGreaterThan(0);
    expect(Number(nextOn)).toBeGreaterThan(0);
    expect(nextOn).not.toBe(cancelledOn);
    expect(at("caught ValidationError: x must be >= 0, got -1")).toBeGreaterThan(at("4. a job's exception"));
    expect(t[t.length - 1]).toBe("done: run() shut the default executor down");
  });
});
