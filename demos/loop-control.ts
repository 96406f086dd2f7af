// loop-control: driving an event loop by hand instead of run(): create it,
// schedule callbacks, runUntilComplete (twice: the loop keeps its state),
// runForever until stop(), debug mode reporting a callback that blocks the
// loop, and close(), after which the loop refuses work.
// Run: npm run demo -- loop-control
import { RuntimeError, allTasks, createTask, gather, getEventLoop, newEventLoop, setEventLoop, sleep, type Coroutine } from "rx-asyncio";
import { stamp } from "./util/stamp.js";

function* compute(x: number): Coroutine<number> {
  stamp(`compute(${x}): working 0.5 s`);
  yield* sleep(500);
  return x * x;
}

/** Blocks the thread: no other callback or task can run meanwhile. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function main(): Promise<void> {
  // run() reads RX_ASYNCIO_CLOCK; a hand-made loop is told its clock (the
  // demo specs use the virtual one).
  // The tutorials' `loop = asyncio.get_event_loop()`. Since Python 3.12 that warns unless a loop
  // was set first (getEventLoop() does the same), so set one, then get it as they do.
  setEventLoop(newEventLoop({ clock: process.env.RX_ASYNCIO_CLOCK === "virtual" ? "virtual" : "real" }));
  const loop = getEventLoop();

  console.log("--- 1. callbacks and runUntilComplete");
  loop.callLater(200, () => stamp("callLater(200) ran"));
  loop.callSoon(() => stamp("callSoon ran first: scheduled callbacks run once the loop runs"));
  const a = await loop.runUntilComplete(compute(3));
  stamp(`runUntilComplete -> ${a}`, loop);
  const b = await loop.runUntilComplete(compute(4)); // the same loop again: its clock went on
  stamp(`runUntilComplete again -> ${b}; isRunning() between runs: ${loop.isRunning()}`, loop);

  console.log("--- 2. runForever until stop()");
  loop.callLater(300, () => {
    stamp("stop() from a callback");
    loop.stop();
  });
  function* ticker(): Coroutine<void> {
    for (;;) yield* sleep(1000); // still sleeping when the loop stops
  }
  loop.callSoon(() => {
    createTask(ticker(), { name: "ticker-a" });
    createTask(ticker(), { name: "ticker-b" });
  });
  await loop.runForever();
  stamp(`runForever returned; isRunning() = ${loop.isRunning()}`, loop);
  // The first-completion tutorial's clean-up: all_tasks(loop), cancel them, let them finish.
  const pending = [...allTasks(loop)];
  stamp(`allTasks(loop) after stop(): ${pending.map((t) => t.getName()).sort().join(", ")}`, loop);
  for (const t of pending) t.cancel();
  const outcomes = await loop.runUntilComplete(gather(...pending, { returnExceptions: true }));
  const cancelled = pending.filter((t) => t.cancelled()).length;
  stamp(`cancelled ${cancelled} of ${outcomes.length}; allTasks(loop) is now empty: ${allTasks(loop).size === 0}`, loop);

  console.log("--- 3. debug mode reports a slow callback");
  loop.setDebug(true);
  loop.slowCallbackDuration = 100; // ms (the default)
  loop.logger = {
    warn: (message: unknown) => stamp(`debug: ${String(message).split("\n")[0]}`), // the full report also has the creation stack
    error: console.error,
  };
  await loop.runUntilComplete(function* (): Coroutine<void> {
    loop.callSoon(function parseHugeFile() {
      blockFor(150); // a CPU-bound callback: move such work to an executor (see the executor demo)
    });
    yield* sleep(100);
  });

  console.log("--- 4. close()");
  loop.close();
  stamp(`isClosed() = ${loop.isClosed()}; getEventLoop() is still that loop: ${getEventLoop() === loop}`, loop);
  try {
    loop.callSoon(() => {});
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    stamp(`callSoon after close: RuntimeError: ${e.message}`, loop);
  }
}

void main();
