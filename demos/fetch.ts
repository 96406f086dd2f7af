// fetch: concurrent HTTP requests with Node's own fetch, against a local server
// this demo starts on 127.0.0.1 (port 0: any free port) that answers each path
// after its own delay. Sequential vs concurrent total time; then 5 URLs with at
// most 3 requests at once, through a Semaphore and through RxJS mergeMap(..., 3).
// Real network, so the real clock.
// Run: npm run demo -- fetch
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { from, mergeMap, toArray } from "rxjs";
import { Semaphore, createTask, ensureFuture, gather, run, task, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

/** Answers /<name>?delay=<ms> with the text "<name>" after <ms> milliseconds. */
function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const delay = Number(url.searchParams.get("delay") ?? 0);
    setTimeout(() => res.end(url.pathname.slice(1)), delay);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let inFlight = 0;

/**
 * One GET. The request itself is an async function run as a task: cancelling
 * the task (or a task awaiting it) aborts its signal, which aborts the request.
 * The bookkeeping stays in the coroutine, on the loop (after an `await`, an
 * async function runs outside the loop).
 */
function* get(url: string): Coroutine<string> {
  const path = new URL(url).pathname;
  inFlight++;
  stamp(`GET ${path} (${inFlight} in flight)`);
  try {
    return yield* createTask(async (signal) => (await fetch(url, { signal })).text());
  } finally {
    inFlight--;
    stamp(`done ${path}`);
  }
}

function* main(): Coroutine<void> {
  const server = yield* ensureFuture(startServer());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = (name: string, delay: number) => `${base}/${name}?delay=${delay}`;
  try {
    stamp(`server listening on ${base}`);
    yield* get(url("warm-up", 0)); // the first fetch loads Node's HTTP client: keep it out of the timings

    const three = [url("a", 300), url("b", 600), url("c", 900)];
    section("1. one after the other (0.3 + 0.6 + 0.9 s)");
    const one: string[] = [];
    for (const u of three) one.push(yield* get(u));
    stamp(`got ${one.join(", ")}: the sum of the delays`);

    section("2. concurrently with gather");
    const pages = yield* gather(...three.map(get));
    stamp(`got ${pages.join(", ")}: the longest delay`);

    const five = ["p1", "p2", "p3", "p4", "p5"].map((n) => url(n, 400));
    section("3. five URLs (0.4 s each), at most 3 at once: Semaphore(3)");
    const sem = new Semaphore(3);
    const limited = yield* gather(...five.map((u) => sem.withPermit(() => get(u))));
    stamp(`got ${limited.join(", ")}: two rounds of 0.4 s`);

    section("4. the same with RxJS mergeMap(..., 3)");
    const merged = yield* ensureFuture(from(five).pipe(mergeMap((u) => task(() => get(u)), 3), toArray()));
    stamp(`got ${merged.length} pages in finishing order: two rounds of 0.4 s`);
  } finally {
    server.closeAllConnections(); // fetch keeps connections alive; let the process end
    server.close();
  }
}

void run(main, { clock: "real" }); // real requests take real time
