/**
 * Ctrl-C cancels the main task, as asyncio.run does (issue 15): the first
 * SIGINT cancels main, whose catch/finally run and may wait, including the
 * cancellation of an executor job and of a BullMQ job; run() then rejects
 * with KeyboardInterrupt and the process exits with 130. A second SIGINT
 * exits at once; `handleSigint: false` leaves SIGINT to Node. Each program is
 * a real process (spec/fixtures/sigint.ts) sent a real SIGINT.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Job, Queue } from "bullmq";
import { run, sleep } from "../src/index.js";
import { poll, startRedis, startWorker, stopAll, type RedisServer } from "./bullmq-helpers.js";
import { REDIS, describeWithSystem } from "./system-deps.js";

const root = join(__dirname, "..");

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stderr: string;
}

/** Runs the fixture, sends SIGINT at each "ready" line (`times` of them, 100 ms apart), collects what it printed. */
function interrupt(args: string[], times = 1): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.RX_ASYNCIO_CLOCK;
    delete env.RX_ASYNCIO_DEBUG;
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "spec/fixtures/sigint.ts"), ...args], { cwd: root, env });
    let out = "";
    let stderr = "";
    let sent = false;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
      if (!sent && /^ready/m.test(out)) {
        sent = true;
        for (let i = 0; i < times; i++) setTimeout(() => child.kill("SIGINT"), 100 * (i + 1));
      }
    });
    child.stderr.on("data", (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 40_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, lines: out.split("\n").filter((l) => l !== ""), stderr });
    });
  });
}

test("the first SIGINT cancels main: its cleanup waits, the executor job is cancelled, run() rejects with KeyboardInterrupt, exit 130", async () => {
  const r = await interrupt(["executor"]);
  expect(r.lines).toEqual([
    "ready",
    "main caught CancelledError: SIGINT (Ctrl-C)",
    "cleanup waited 50 ms",
    "executor job cancelled: true",
    "finally ran",
    "SIGINT listeners after run(): 0",
  ]);
  // run()'s rejection was left unhandled: still 130, with the error on stderr.
  expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
  expect(r.stderr).toMatch(/^KeyboardInterrupt: run\(\) was interrupted by SIGINT \(Ctrl-C\)/m);
});

test("a second SIGINT exits at once, during main's cleanup", async () => {
  const r = await interrupt(["twice"], 2);
  expect(r.lines).toEqual(["ready", "main caught the first SIGINT; its cleanup takes a minute"]);
  expect(r.code).toBe(130);
});

test("a main task that swallows the cancellation returns normally, as with asyncio", async () => {
  const r = await interrupt(["swallow"]);
  expect(r.lines).toEqual(["ready", "main swallowed the cancellation", "run() resolved: returned normally; SIGINT listeners: 0"]);
  expect(r.code).toBe(0);
});

test("handleSigint: false leaves SIGINT to Node: the process dies at once, no cleanup", async () => {
  const r = await interrupt(["optout"]);
  expect(r.lines).toEqual(["ready"]);
  expect({ code: r.code, signal: r.signal }).toEqual({ code: null, signal: "SIGINT" });
});

describe("in this process", () => {
  test("run() installs its SIGINT handler only when nobody else listens, and removes it when it ends", async () => {
    const mine = () => undefined;
    const before = process.listenerCount("SIGINT");
    if (before === 0) {
      let during = -1;
      await run(function* () {
        yield* sleep(1);
        during = process.listenerCount("SIGINT");
      }, { clock: "virtual" });
      expect(during).toBe(1);
      expect(process.listenerCount("SIGINT")).toBe(0);
    }
    process.on("SIGINT", mine);
    try {
      let during = -1;
      await run(function* () {
        yield* sleep(1);
        during = process.listenerCount("SIGINT");
      }, { clock: "virtual" });
      expect(during).toBe(before + 1); // only the program's own
    } finally {
      process.off("SIGINT", mine);
    }
  });

  test.each([["yes"], [1], [null]])("handleSigint must be a boolean: %p is a TypeError", (bad) => {
    expect(() => run(function* () {}, { handleSigint: bad as never })).toThrow(
      new TypeError(`run(main, options): 'handleSigint' must be a boolean, got ${bad === "yes" ? '"yes"' : String(bad)}`),
    );
  });
});

describeWithSystem(REDIS, "Ctrl-C with a BullMQ job running (real redis-server)", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
    await startWorker(redis.port, "main", "w1", ["--lock-duration", "2000", "--stalled-interval", "1000"]);
  }, 30_000);
  afterAll(() => stopAll(), 20_000);

  test("the first SIGINT cancels the BullMQ job: the worker's signal is aborted and the job fails as cancelled", async () => {
    const r = await interrupt(["bullmq", String(redis.port)]);
    const id = /^ready (\S+)$/m.exec(r.lines.join("\n"))?.[1];
    expect(id).toBeDefined();
    expect(r.lines.slice(1)).toEqual([
      "main caught CancelledError: SIGINT (Ctrl-C)",
      "cleanup waited 50 ms",
      "bullmq job cancelled: true",
      "finally ran",
      expect.stringMatching(/^run\(\) rejected: KeyboardInterrupt: run\(\) was interrupted by SIGINT .*; SIGINT listeners: 0$/),
    ]);
    expect(r.code).toBe(130);
    const q = new Queue("main", { connection: redis.connection });
    try {
      expect(await poll(() => q.getJobState(id!), (s) => s === "failed")).toBe("failed");
      expect((await Job.fromId(q, id!))!.failedReason).toMatch(/was cancelled/);
      const { logs } = await q.getJobLogs(id!);
      expect(logs).toEqual(["started", expect.stringMatching(/^aborted: CancelledError: job .* was cancelled$/)]);
    } finally {
      await q.close();
    }
  });
});
