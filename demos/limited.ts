// limited: 10 jobs, at most 3 at a time. A Semaphore(3) guards the work; the
// timeline shows a job starting only when another one ends, never more than 3
// running. The same limit with RxJS mergeMap(..., 3) over task observables.
// Run: npm run demo -- limited
import { from, mergeMap, toArray } from "rxjs";
import { Semaphore, ensureFuture, gather, run, sleep, task, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

const durations = [1000, 500, 1500, 700, 300, 1200, 800, 400, 1000, 600];
let running = 0;
let mostAtOnce = 0;

/** One job: counts how many run at the same time, and prints the timeline if asked. */
function* job(n: number, print: boolean): Coroutine<number> {
  const show = (what: string) => {
    if (print) stamp(`job ${String(n).padStart(2)} ${what.padEnd(6)} running: ${running} ${"#".repeat(running)}`.trimEnd());
  };
  running++;
  mostAtOnce = Math.max(mostAtOnce, running);
  show("starts");
  try {
    yield* sleep(durations[n - 1]!);
  } finally {
    running--;
  }
  show("ends");
  return n;
}

function* main(): Coroutine<void> {
  section("1. Semaphore(3): each job holds a permit while it runs");
  const sem = new Semaphore(3);
  const limited = (n: number) => sem.withPermit(() => job(n, true)); // waits for a permit, releases it however job ends
  const done = yield* gather(...durations.map((_, i) => limited(i + 1)));
  stamp(`all ${done.length} done; most at once: ${mostAtOnce}`);

  section("2. RxJS mergeMap(..., 3): the same limit and the same timeline (not printed again)");
  mostAtOnce = 0;
  const order = yield* ensureFuture(
    from(durations.map((_, i) => i + 1)).pipe(
      mergeMap((n) => task(() => job(n, false)), 3),
      toArray(),
    ),
  );
  stamp(`results in finishing order: ${order.join(", ")}; most at once: ${mostAtOnce}`);
}

void run(main);
