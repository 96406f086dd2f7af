// monitor: (1) a monitor polls done() every 0.5 s while a task runs;
// (2) a watchdog watches a long-running service through its heartbeat and
// restarts it when it stops responding.
// Run: npm run demo -- monitor
import { CancelledError, createTask, getRunningLoop, run, sleep, type Coroutine, type Task } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

function* report(): Coroutine<string> {
  yield* sleep(1800);
  return "report ready";
}

function* pollUntilDone(): Coroutine<void> {
  section("1. polling done() every 0.5 s");
  const t = createTask(report(), { name: "report" });
  while (!t.done()) {
    stamp(`monitor: ${t.getName()} still running`);
    yield* sleep(500);
  }
  stamp(`monitor: ${t.getName()} done -> "${t.result()}"`);
}

// ---- heartbeat ----------------------------------------------------------------

const items = 6;
let nextItem = 1; // progress survives a restart
let lastBeat = 0;

/** Handles the items one by one, beating after each. Its first run hangs at item 3. */
function* service(attempt: number): Coroutine<void> {
  const loop = getRunningLoop();
  try {
    while (nextItem <= items) {
      if (attempt === 1 && nextItem === 3) {
        stamp(`service #${attempt}: stuck on item ${nextItem} (no more heartbeats)`);
        yield* loop.createFuture<never>(); // waits forever, until cancelled
      }
      yield* sleep(400);
      stamp(`service #${attempt}: item ${nextItem} done, beat`);
      nextItem++;
      lastBeat = loop.time();
    }
  } catch (e) {
    if (e instanceof CancelledError) stamp(`service #${attempt}: cancelled`);
    throw e;
  }
}

/** Checks the heartbeat every 0.5 s; more than 1 s without one means stuck. */
function* watchdog(): Coroutine<void> {
  section("2. a watchdog restarts a service that stops beating");
  const loop = getRunningLoop();
  let attempt = 1;
  lastBeat = loop.time();
  let svc: Task<void> = createTask(service(attempt));
  while (!svc.done()) {
    yield* sleep(500);
    const silent = loop.time() - lastBeat;
    if (svc.done() || silent <= 1000) continue;
    stamp(`watchdog: no heartbeat for ${(silent / 1000).toFixed(1)} s, restarting the service`);
    svc.cancel();
    try {
      yield* svc;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    }
    lastBeat = loop.time();
    svc = createTask(service(++attempt));
  }
  yield* svc; // rethrows if the service failed
  stamp(`watchdog: service finished all ${items} items after ${attempt} attempts`);
}

function* main(): Coroutine<void> {
  yield* pollUntilDone();
  yield* watchdog();
}

void run(main);
