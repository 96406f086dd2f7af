/**
 * Runs the demos as scripts, the way `npm run demo -- <name>` does (node + tsx,
 * "rx-asyncio" resolved through tsconfig paths), and collects their output.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const root = join(__dirname, "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");

export interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the trailing empty one. */
  lines: string[];
}

export interface DemoOptions {
  /** Extra command-line arguments. */
  args?: string[];
  /** "virtual" sets RX_ASYNCIO_CLOCK=virtual; "default" leaves the clock to the demo (real). */
  clock?: "virtual" | "default";
  /** Written to stdin, then stdin is closed (unless `keepStdin`). */
  input?: string;
  /** Leave stdin open; drive it through `onLine`. */
  keepStdin?: boolean;
  /** Sees each stdout line as it arrives, with the child's stdin and a way to signal it. */
  onLine?: (line: string, stdin: NodeJS.WritableStream, signal: (s: NodeJS.Signals) => void) => void;
  /** Kill the child after this many ms (default 45 s). */
  killAfter?: number;
  /** Run this script instead of a demo (relative to the root), e.g. scripts/demo.mjs. */
  script?: string;
}

/** Runs `demos/<name>.ts` and resolves when it exits. */
export function runDemo(name: string, options: DemoOptions = {}): Promise<DemoRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.RX_ASYNCIO_CLOCK;
  delete env.RX_ASYNCIO_DEBUG;
  delete env.RX_ASYNCIO_TRACE;
  if ((options.clock ?? "virtual") === "virtual") env.RX_ASYNCIO_CLOCK = "virtual";
  const argv = options.script
    ? [join(root, options.script), ...(name === "" ? [] : [name]), ...(options.args ?? [])]
    : [tsx, join(root, "demos", `${name}.ts`), ...(options.args ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (options.onLine === undefined) return;
      partial += chunk;
      const parts = partial.split("\n");
      partial = parts.pop()!;
      for (const line of parts) options.onLine(line, child.stdin, (s) => child.kill(s));
    });
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.stdin.on("error", () => {}); // the demo may be gone before its input is written
    if (options.input !== undefined) child.stdin.write(options.input);
    if (!options.keepStdin) child.stdin.end();
    const killer = setTimeout(() => child.kill("SIGKILL"), options.killAfter ?? 45_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      const lines = stdout.split("\n");
      if (lines[lines.length - 1] === "") lines.pop();
      resolve({ code, signal, stdout, stderr, lines });
    });
  });
}

/**
 * Starts several demos now, at most `parallel` at a time, and gives each
 * one's run by name: tests then await their own, so the suite pays for tsx's
 * start-up on both cores instead of one demo after another.
 */
export function startDemos(names: string[], parallel = 2, options: DemoOptions = {}): (name: string) => Promise<DemoRun> {
  const runs = new Map<string, Promise<DemoRun>>();
  let slots = parallel;
  const waiting: (() => void)[] = [];
  const slot = (): Promise<void> =>
    slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve));
  const free = () => {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  };
  for (const name of names) runs.set(name, slot().then(() => runDemo(name, options).finally(free)));
  return (name) => {
    const r = runs.get(name);
    if (r === undefined) throw new Error(`demo ${name} was not started`);
    return r;
  };
}

/** The expected lines of a template literal: leading/trailing blank lines and common indentation removed. */
export function lines(text: string): string[] {
  const all = text.split("\n");
  while (all.length > 0 && all[0]!.trim() === "") all.shift();
  while (all.length > 0 && all[all.length - 1]!.trim() === "") all.pop();
  const indent = Math.min(...all.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return all.map((l) => l.slice(indent));
}

/** A clean exit: code 0 and nothing on stderr (the loop reports unretrieved errors there). */
export function expectClean(run: DemoRun): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
}

/** Seconds from a `[  1.234s] ...` line. */
export function secondsOf(line: string): number {
  const m = /^\[\s*(\d+\.\d{3})s\]/.exec(line);
  if (!m) throw new Error(`not a stamped line: ${line}`);
  return Number(m[1]);
}
