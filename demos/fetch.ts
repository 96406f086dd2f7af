// fetch: concurrent HTTP requests with Node's own fetch, against a local server
// this demo starts on 127.0.0.1 (port 0: any free port) that answers each path
// after its own delay. Sequential vs concurrent total time; then 5 URLs with at
// most 3 requests at once, through a Semaphore and through RxJS mergeMap(..., 3);
// last, cancelling a task aborts its request, and the server sees it closed.
// Real network, so the real clock.
// Run: npm run demo -- fetch
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { from, mergeMap, toArray } from "rxjs";
import { CancelledError, Semaphore, createTask, ensureFuture, gather, getRunningLoop, run, sleep, task, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

/** What the server saw of requests the client closed before the answer: path -> ms after arrival. */
const closedByClient = new Map<string, (ms: number) => void>();

/**
 * Answers /<name>?delay=<ms> with the text "<name>" after <ms> milliseconds.
 * A request the client closes before that is reported to `closedByClient`.
 */
function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const delay = Number(url.searchParams.get("delay") ?? 0);
    const arrived = performance.now();
    const answer = setTimeout(() => res.end(url.pathname.slice(1)), delay);
    res.once("close", () => {
      if (res.writableEnded) return;
      clearTimeout(answer); // nobody to answer any more
      closedByClient.get(url.pathname)?.(performance.now() - arrived);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let inFlight = 0;
let peak = 0;

/** A time in ms as rounds of 0.4 s: the count of requests' delays it spans. */
function rounds(ms: number): string {
  const n = Math.floor(ms / 400);
  return n === 1 ? "one round" : n === 2 ? "two rounds" : `${n} rounds`;
}

/**
 * One GET. The request itself is an async function run as a task: cancelling
 * the task (or a task awaiting it) aborts its signal, which aborts the request.
 * The bookkeeping stays in the coroutine, on the loop (after an `await`, an
 * async function runs outside the loop).
 */
function* get(url: string): Coroutine<string> {
  const path = new URL(url).pathname;
  inFlight++;
  peak = Math.max(peak, inFlight);
  stamp(`GET ${path} (${inFlight} in flight)`);
  try {
    return yield* createTask(async (signal) => (await fetch(url, { signal })).text());
  } finally {
    inFlight--;
    stamp(`done ${path}`);
  }
}

function* main(): Coroutine<void> {
  const loop = getRunningLoop();
  const server = yield* ensureFuture(startServer());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = (name: string, delay: number) => `${base}/${name}?delay=${delay}`;
  try {
    stamp(`server listening on ${base}`);
    yield* get(url("warm-up", 0)); // the first fetch loads Node's HTTP client: keep it out of the timings

    const three = [url("a", 300), url("b", 600), url("c", 900)];
    section("1. one after the other (0.3 + 0.6 + 0.9 s)");
    let start = loop.time();
    const one: string[] = [];
    for (const u of three) one.push(yield* get(u));
    const sequential = loop.time() - start;
    stamp(`got ${one.join(", ")}: ${sequential >= 1800 ? "at least the sum of the delays (1.8 s)" : "less than the sum of the delays?!"}`);

    section("2. concurrently with gather");
    start = loop.time();
    const pages = yield* gather(...three.map(get));
    const concurrent = loop.time() - start;
    stamp(`got ${pages.join(", ")}: ${concurrent < sequential ? "the longest delay (0.9 s), not the sum" : "no faster than one after the other?!"}`);

    const five = ["p1", "p2", "p3", "p4", "p5"].map((n) => url(n, 400));
    section("3. five URLs (0.4 s each), at most 3 at once: Semaphore(3)");
    const sem = new Semaphore(3);
    let t0 = loop.time();
    peak = 0;
    const limited = yield* gather(...five.map((u) => sem.withPermit(() => get(u))));
    stamp(`got ${limited.join(", ")}: ${rounds(loop.time() - t0)} of 0.4 s, at most ${peak} in flight`);

    section("4. the same with RxJS mergeMap(..., 3)");
    t0 = loop.time();
    peak = 0;
    const merged = yield* ensureFuture(from(five).pipe(mergeMap((u) => task(() => get(u)), 3), toArray()));
    stamp(`got ${merged.length} pages in finishing order: ${rounds(loop.time() - t0)} of 0.4 s, at most ${peak} in flight`);

    section("5. cancelling the task aborts its request: the server sees it closed");
    const serverSaw = new Promise<number>((resolve) => closedByClient.set("/slow", resolve));
    const slow = createTask(get(url("slow", 5000)));
    yield* sleep(300);
    slow.cancel();
    try {
      yield* slow;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      stamp(`client: the task was cancelled: ${slow.cancelled()}`);
    }
    const after = yield* ensureFuture(serverSaw);
    stamp(`server: /slow was closed by the client ${(after / 1000).toFixed(1)} s after it arrived, before its 5 s answer`);
  } finally {
    server.closeAllConnections(); // fetch keeps connections alive; let the process end
    server.close();
  }
}

void run(main, { clock: "real" }); // real requests take real time
