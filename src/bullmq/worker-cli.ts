#!/usr/bin/env node
/**
 * A BullMQ worker process serving the job functions a module exports:
 *
 *   node node_modules/rx-asyncio/dist/cjs/bullmq/worker-cli.js --queue work --jobs ./jobs.js \
 *     [--redis redis://127.0.0.1:6379] [--concurrency 4] [--name w1] [--prefix bull] \
 *     [--lock-duration ms] [--stalled-interval ms] [--max-stalled-count n]
 *
 * The module's exports (or its default export, when that is an object) that
 * are functions are the jobs, each called as `fn(ctx, ...args)`. Prints
 * `ready <name>` once it takes jobs; SIGINT/SIGTERM close it, letting running
 * jobs finish (a second signal exits at once).
 *
 * @module
 */
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { serveJobs, type JobHandler } from "./serve.js";

const USAGE = "usage: worker-cli --queue <name> --jobs <module> [--redis redis://host:port] [--concurrency n] [--name s] [--prefix s] [--lock-duration ms] [--stalled-interval ms] [--max-stalled-count n]";

function fail(msg: string): never {
  console.error(`worker-cli: ${msg}\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]): Map<string, string> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!;
    const v = argv[i + 1];
    if (!k.startsWith("--") || v === undefined) fail(`bad argument ${JSON.stringify(k)}`);
    out.set(k.slice(2), v);
  }
  return out;
}

function int(args: Map<string, string>, key: string): number | undefined {
  const v = args.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`--${key} must be an integer >= 0, got ${JSON.stringify(v)}`);
  return n;
}

async function load(spec: string): Promise<Record<string, unknown>> {
  const file = isAbsolute(spec) ? spec : resolve(process.cwd(), spec);
  try {
    // createRequire, not require: this file is also built as an ES module.
    return createRequire(join(process.cwd(), "worker-cli.js"))(file) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_REQUIRE_ESM") throw e;
    // An ES module on a Node without require(esm): a real dynamic import, which a CommonJS build would rewrite.
    const dynamicImport = new Function("u", "return import(u)") as (u: string) => Promise<Record<string, unknown>>;
    return dynamicImport(pathToFileURL(file).href);
  }
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const queue = args.get("queue") ?? fail("--queue is required");
  const jobsPath = args.get("jobs") ?? fail("--jobs is required");
  const url = new URL(args.get("redis") ?? "redis://127.0.0.1:6379");
  const mod = await load(jobsPath);
  const source = typeof mod.default === "object" && mod.default !== null ? (mod.default as Record<string, unknown>) : mod;
  const jobs: Record<string, JobHandler> = {};
  for (const [k, v] of Object.entries(source)) if (typeof v === "function") jobs[k] = v as JobHandler;
  if (Object.keys(jobs).length === 0) fail(`${jobsPath} exports no functions`);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    maxRetriesPerRequest: null,
  };
  const server = serveJobs({
    connection,
    queue,
    jobs,
    prefix: args.get("prefix") ?? "bull",
    concurrency: int(args, "concurrency") ?? 1,
    ...(args.has("name") ? { name: args.get("name")! } : {}),
    ...(args.has("lock-duration") ? { lockDuration: int(args, "lock-duration")! } : {}),
    ...(args.has("stalled-interval") ? { stalledInterval: int(args, "stalled-interval")! } : {}),
    ...(args.has("max-stalled-count") ? { maxStalledCount: int(args, "max-stalled-count")! } : {}),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await server.ready;
  console.log(`ready ${server.name} (queue ${queue}, jobs: ${Object.keys(jobs).join(", ")})`);
}

main().catch((e: unknown) => {
  console.error(`worker-cli: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
