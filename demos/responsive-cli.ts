// responsive-cli: a background worker prints "Working..." every 2 s while the
// program reads commands from standard input. `quit` (or the end of the input,
// Ctrl+D at a terminal) stops the program; the worker is cancelled cleanly.
// Works at a terminal and with piped input:
//   npm run demo -- responsive-cli
//   printf 'status\nquit\n' | npm run demo -- responsive-cli
import { createInterface } from "node:readline";
import { CancelledError, createTask, ensureFuture, run, sleep, type Coroutine, type Task } from "rx-asyncio";
import { stamp } from "./util/stamp.js";

let ticks = 0;

function* worker(): Coroutine<never> {
  try {
    for (;;) {
      ticks++;
      stamp("Working...");
      yield* sleep(2000);
    }
  } finally {
    stamp(`worker: cancelled in round ${ticks}, cleaned up`);
  }
}

function handle(command: string, w: Task<never>): void {
  switch (command) {
    case "":
      return;
    case "help":
      stamp("commands: status, help, quit");
      return;
    case "status":
      stamp(`worker ${w.done() ? "stopped" : "running"} (round ${ticks})`);
      return;
    default:
      stamp(`unknown command "${command}" (try: help)`);
  }
}

function* main(): Coroutine<void> {
  // No `output`: readline only splits the input into lines, so piped input works too.
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const lines = rl[Symbol.asyncIterator]();
  const w = createTask(worker(), { name: "worker" });
  stamp("type a command (status, help, quit) and press Enter");
  try {
    for (;;) {
      // Reading is a promise: the task waits here while the loop runs the worker.
      const next = yield* ensureFuture(lines.next());
      if (next.done) {
        stamp("end of input: quitting");
        break;
      }
      const command = next.value.trim();
      if (command === "quit") {
        stamp("quit: stopping the worker");
        break;
      }
      handle(command, w);
    }
  } finally {
    rl.close(); // lets the process exit: nothing reads stdin any more
  }
  w.cancel();
  try {
    yield* w;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
  }
  stamp(`worker cancelled: ${w.cancelled()}; bye`);
}

void run(main);
