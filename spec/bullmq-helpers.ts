/**
 * Real components for the BullMQ specs: a redis-server on a free port of
 * 127.0.0.1 and worker processes running src/bullmq/worker-cli.ts (through
 * tsx). Everything started here is stopped by `stopAll()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const root = join(__dirname, "..");
const children = new Set<ChildProcess>();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns `cmd` and resolves once a line of its stdout matches `ready`. */
function startUntil(cmd: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess & { output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start in 15 s:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(Object.assign(child, { output: () => out }));
      }
    };
    // A program that cannot be started (ENOENT, EACCES) fails at once with the real cause,
    // not after the 15 s readiness wait with empty output.
    child.once("error", (err) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`could not start ${cmd}: ${err.message}`, { cause: err }));
    });
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code, signal) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

export interface RedisServer {
  port: number;
  connection: { host: string; port: number; maxRetriesPerRequest: null };
  proc: ChildProcess;
}

/**
 * A redis-server on `port` (default: a free one), without persistence, or
 * with its append-only file in `aofDir` (a restart on the same port and
 * directory has the data back).
 */
export async function startRedis(port?: number, aofDir?: string): Promise<RedisServer> {
  port ??= await freePort();
  const persistence = aofDir === undefined ? ["--appendonly", "no"] : ["--appendonly", "yes", "--dir", aofDir];
  const proc = await startUntil(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--daemonize", "no"],
    /Ready to accept connections/,
  );
  return { port, connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, proc };
}

export function startWorker(
  port: number,
  queue: string,
  name: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess & { output: () => string }> {
  return startUntil(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "src/bullmq/worker-cli.ts"),
      "--redis",
      `redis://127.0.0.1:${port}`,
      "--queue",
      queue,
      "--jobs",
      join(root, "spec/fixtures/bullmq-jobs.ts"),
      "--name",
      name,
      ...extra,
    ],
    /^ready /m,
    env,
  );
}

/** Kills a process and waits for it to be gone. */
export function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => kill(c)));
  children.clear();
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Polls `probe` every 50 ms until `until` holds (at most `ms`), resolving to the last value. */
export async function poll<T>(probe: () => Promise<T>, until: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (until(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
