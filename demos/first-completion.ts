// first-completion: several tasks run; the moment the first one finishes, the
// others are cancelled and the program ends. Three ways: a done callback that
// cancels the rest (the asyncio way), RxJS `race` of task observables, and
// `raceTasks`, which also waits for the losers' cleanup.
// Run: npm run demo -- first-completion [--trace out.json | out.svg | out.txt]
import { race } from "rxjs";
import {
  CancelledError,
  createTask,
  ensureFuture,
  gather,
  raceTasks,
  run,
  sleep,
  task,
  traceFromArgv,
  type Coroutine,
  type Future,
} from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

/** Downloads from one mirror: each mirror takes its own time. */
function* download(mirror: string, ms: number): Coroutine<string> {
  stamp(`${mirror}: started (needs ${ms / 1000} s)`);
  try {
    yield* sleep(ms);
  } catch (e) {
    if (e instanceof CancelledError) {
      stamp(`${mirror}: cancelled, closing its connection`);
      yield* sleep(200); // cleanup may take time, and may itself yield*
      stamp(`${mirror}: connection closed`);
    }
    throw e; // never swallow a cancellation
  }
  stamp(`${mirror}: finished`);
  return `data from ${mirror}`;
}

const mirrors: [string, number][] = [
  ["eu", 3000],
  ["us", 1000],
  ["asia", 2000],
];

function* withDoneCallback(): Coroutine<void> {
  section("1. a done callback cancels the others");
  const tasks = mirrors.map(([name, ms]) => createTask(download(name, ms), { name }));
  const cancelTheRest = (finished: Future<string>) => {
    for (const t of tasks) if (t !== finished) t.cancel();
  };
  for (const t of tasks) t.addDoneCallback(cancelTheRest);

  yield* gather(...tasks, { returnExceptions: true }); // wait until all are done or cancelled
  const winner = tasks.find((t) => !t.cancelled())!;
  const losers = tasks.filter((t) => t.cancelled()).map((t) => t.getName());
  stamp(`winner: ${winner.getName()} -> "${winner.result()}"; cancelled: ${losers.join(", ")}`);
}

function* withRxRace(): Coroutine<void> {
  section("2. RxJS race: the first task observable to emit wins, the others are unsubscribed (cancelled)");
  const result = yield* ensureFuture(race(mirrors.map(([name, ms]) => task(() => download(name, ms), { name }))));
  stamp(`race -> "${result}" (race did not wait for the losers' cleanup)`);
  yield* sleep(300); // let that cleanup finish before the next section starts
}

function* withRaceTasks(): Coroutine<void> {
  section("3. raceTasks: the same, but the result comes after the losers' cleanup");
  const result = yield* ensureFuture(raceTasks(...mirrors.map(([name, ms]) => () => download(name, ms))));
  stamp(`raceTasks -> "${result}"`);
}

function* main(): Coroutine<void> {
  yield* withDoneCallback();
  yield* withRxRace();
  yield* withRaceTasks();
}

void run(main, traceFromArgv(process.argv));
