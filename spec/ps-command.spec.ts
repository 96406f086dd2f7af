/**
 * `rx-asyncio ps|pstree <pid>` against real child processes: the tree and the
 * table it prints, that reading leaves the program's behaviour and its
 * inspector as they were, and the refusals.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readlinkSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/cli/main.js";

const ROOT = join(__dirname, "..");
const TSX = ["--import", "tsx"];

interface Child {
  proc: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `args` with node; resolves once it printed "ready <pid>". */
function startChild(args: string[]): Promise<Child> {
  // --inspect-port=0: SIGUSR1 opens the inspector on a free port, so specs
  // running at the same time never fight over 9229.
  const proc = spawn(process.execPath, ["--inspect-port=0", ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ proc, pid: Number(m[1]), stdout: () => out, stderr: () => err, exited });
    });
    proc.on("exit", (code) => reject(new Error(`child exited (${code}) before it was ready: ${err}`)));
  });
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, (s) => (out += s + "\n"), (s) => (err += s + "\n"));
  return { code, out, err };
}

/** Listening TCP sockets of `pid` (to see the inspector closed again). */
function listeningSockets(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of require("node:fs").readdirSync(`/proc/${pid}/fd`) as string[]) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  let n = 0;
  for (const f of ["tcp", "tcp6"]) {
    const text = require("node:fs").readFileSync(`/proc/${pid}/net/${f}`, "utf8") as string;
    for (const line of text.split("\n").slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c[3] === "0A" && inodes.has(c[9]!)) n++;
    }
  }
  return n;
}

const onLinux = process.platform === "linux";
const describeLinux = onLinux ? describe : describe.skip;
if (!onLinux) console.warn("ps-command.spec: SKIPPED (reads /proc: Linux only)");

describeLinux("rx-asyncio ps / pstree <pid>", () => {
  let target: Child;

  beforeAll(async () => {
    target = await startChild([...TSX, "spec/fixtures/ps-target.ts"]);
  }, 30_000);

  afterAll(() => {
    if (target.proc.exitCode === null) target.proc.kill();
  });

  test("pstree prints who awaits whom, each task's state and where its coroutine stands", async () => {
    const { code, out, err } = await cli("pstree", String(target.pid));
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^loop 0 of pid ${target.pid} \\(real clock at [\\d.]+ ms, running\\): 5 tasks$`));
    const shape = lines.slice(1).map((l) => l.replace(/ at file:\S+/, " at <file>").replace(/sleep until .*/, "sleep until <t>"));
    expect(shape).toEqual([
      "├── (T) main  [waiting]  main() at <file>",
      "│   └── gather (2 of 2 pending)",
      "│       ├── (T) sleeper  [waiting]  sleeper() at <file>",
      "│       │   └── sleep until <t>",
      "│       └── (T) locker  [waiting]  locker() at <file>",
      "│           └── Lock.acquire",
      "├── (T) holder  [waiting]  holder() at <file>",
      "│   └── Event.wait",
      "└── (T) fetcher  [waiting]  (async function fetchUser)",
      "    └── promise",
    ]);
    // The positions are real: the line of each task's pending yield* in the fixture.
    expect(out).toMatch(/holder\(\) at file:\/\/\/\S*ps-target\.ts:\d+:\d+/);
  }, 30_000);

  test("ps prints a row per task: what it awaits and which task awaits it", async () => {
    const { code, out } = await cli("ps", String(target.pid));
    expect(code).toBe(0);
    const rows = out.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^LOOP\s+TASK ID\s+NAME\s+STATE\s+AWAITS\s+AWAITED BY\s+COROUTINE$/);
    const cells = (name: string) => {
      const row = rows.find((r) => r.split(/\s{2,}/)[2] === name);
      expect(row).toBeDefined();
      return row!.split(/\s{2,}/);
    };
    expect(cells("main").slice(2, 5)).toEqual(["main", "waiting", "gather (2 of 2 pending)"]);
    expect(cells("locker").slice(2, 6)).toEqual(["locker", "waiting", "Lock.acquire", expect.stringMatching(/^main \(\d+\)$/)]);
    expect(cells("sleeper")[4]).toMatch(/^sleep until /);
    expect(cells("holder").slice(2, 5)).toEqual(["holder", "waiting", "Event.wait"]);
    expect(cells("fetcher").slice(2, 5)).toEqual(["fetcher", "waiting", "promise"]);
    expect(cells("fetcher")[5]).toBe("(async function fetchUser)");
    expect(rows).toHaveLength(6);
  }, 30_000);

  test("--json gives the snapshot itself", async () => {
    const { code, out } = await cli("pstree", String(target.pid), "--json");
    expect(code).toBe(0);
    const snap = JSON.parse(out);
    expect(snap.pid).toBe(target.pid);
    expect(snap.loops).toHaveLength(1);
    expect(snap.loops[0].roots.map((r: { name: string }) => r.name)).toEqual(["main", "holder", "fetcher"]);
    expect(snap.positions.filter((p: unknown) => p !== null).map((p: { fn: string }) => p.fn).sort()).toEqual(["holder", "locker", "main", "sleeper"]);
  }, 30_000);

  test("the installed command (bin) prints the tree, and the program then runs on as if never read", async () => {
    const r = spawnSync(process.execPath, [...TSX, "src/cli/bin.ts", "pstree", String(target.pid)], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("(T) holder  [waiting]  holder() at file:");
    // The inspector the first read opened stayed open (one listening socket):
    // every later read used it without another signal.
    expect(listeningSockets(target.pid)).toBe(1);
    expect(target.stderr().match(/Debugger listening/g)).toHaveLength(1);
    target.proc.stdin!.write("go\n");
    expect(await target.exited).toBe(0);
    expect(target.stdout()).toContain("finished cancelled,locked,held,fetched");
  }, 40_000);
});

describeLinux("rx-asyncio ps refuses cleanly", () => {
  test("a Node process that does not use the library: refused, and left running", async () => {
    const child = await startChild(["spec/fixtures/plain-node-target.cjs"]);
    try {
      const { code, out, err } = await cli("ps", String(child.pid));
      expect(out).toBe("");
      expect(code).toBe(2);
      expect(err).toBe(`rx-asyncio ps: pid ${child.pid} does not use rx-asyncio (no task registry in the process; the library was not loaded, or it is a version before 0.2)\n`);
      child.proc.stdin!.write("x\n");
      expect(await child.exited).toBe(0);
      expect(child.stdout()).toContain("finished");
    } finally {
      child.proc.kill();
    }
  }, 30_000);

  test("a process that is not Node is never sent SIGUSR1 (it would die)", async () => {
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const { code, err } = await cli("pstree", String(sleeper.pid));
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`^rx-asyncio pstree: pid ${sleeper.pid} runs \\S*sleep, not Node.js: refusing to send it SIGUSR1`));
      expect(sleeper.exitCode).toBeNull();
      expect(sleeper.signalCode).toBeNull();
    } finally {
      sleeper.kill();
    }
  });

  test("no such process; an inspector port where nothing answers; bad usage", async () => {
    const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    const pid = Number(dead.stdout.trim());
    expect(await cli("ps", String(pid))).toEqual({ code: 2, out: "", err: `rx-asyncio ps: no process with pid ${pid}\n` });
    const r = await cli("ps", String(process.pid));
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot attach to this command itself");
    const plain = await startChild(["spec/fixtures/plain-node-target.cjs"]);
    try {
      const p = await cli("ps", String(plain.pid), "--port", "1");
      expect(p).toEqual({ code: 2, out: "", err: `rx-asyncio ps: no inspector of pid ${plain.pid} answers on 127.0.0.1:1\n` });
    } finally {
      plain.proc.kill();
    }
    for (const argv of [[], ["top", "1"], ["ps"], ["ps", "abc"], ["ps", "1", "--port"], ["ps", "1", "--bogus"]]) {
      const u = await cli(...argv);
      expect(u.code).toBe(64);
      expect(u.err).toMatch(/^rx-asyncio: .+\n\nusage: rx-asyncio ps <pid>/);
    }
  }, 30_000);
});
