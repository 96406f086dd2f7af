/**
 * `rx-asyncio ps <pid>` and `rx-asyncio pstree <pid>`: the live tasks of
 * another Node process that uses the library (asyncio 3.14's
 * `python -m asyncio ps|pstree PID`).
 *
 * Exit status: 0 printed, 2 refused (with a message saying why), 64 bad usage.
 *
 * @module
 */
import { AttachError, attachAndRead } from "./attach.js";
import { formatPs, formatPstree } from "./format.js";

const USAGE = `usage: rx-asyncio ps <pid> [--port N] [--timeout MS] [--json]
       rx-asyncio pstree <pid> [--port N] [--timeout MS] [--json]

Prints the rx-asyncio tasks of a running Node process: each task's name,
state, what it awaits, and where its coroutine is suspended. The process's
inspector is opened with SIGUSR1 unless it is already open (it then stays
open on 127.0.0.1, as after kill -USR1); --port names the port of an
inspector that is already open.`;

class UsageError extends Error {}

interface Args {
  command: "ps" | "pstree";
  pid: number;
  port?: number;
  timeoutMs?: number;
  json: boolean;
}

function intArg(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${name} must be an integer >= ${min}, got ${v === undefined ? "nothing" : JSON.stringify(v)}`);
  }
  return n;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== "ps" && command !== "pstree") throw new UsageError(command === undefined ? "missing command" : `unknown command ${JSON.stringify(command)}`);
  const args: Partial<Args> & { json: boolean } = { command, json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--port") args.port = intArg("--port", rest[++i], 1);
    else if (a === "--timeout") args.timeoutMs = intArg("--timeout", rest[++i], 1);
    else if (a === "--json") args.json = true;
    else if (args.pid === undefined && !a.startsWith("-")) args.pid = intArg("<pid>", a, 1);
    else throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
  }
  if (args.pid === undefined) throw new UsageError("missing <pid>");
  return args as Args;
}

/** Runs the command; resolves with the exit status. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`rx-asyncio: ${e.message}\n\n${USAGE}`);
    return 64;
  }
  try {
    const snap = await attachAndRead(args.pid, {
      ...(args.port !== undefined ? { port: args.port } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    });
    out(args.json ? JSON.stringify(snap, null, 2) : args.command === "ps" ? formatPs(snap) : formatPstree(snap));
    return 0;
  } catch (e) {
    if (e instanceof AttachError) {
      err(`rx-asyncio ${args.command}: ${e.message}`);
      return 2;
    }
    err(`rx-asyncio ${args.command}: could not read pid ${args.pid}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}
