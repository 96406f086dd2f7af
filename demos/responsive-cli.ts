// responsive-cli: the asyncio tutorials' responsive command line. A background
// worker prints "Working..." every 2 s while the main task reads commands with a
// *blocking* read moved off the loop, as the tutorials' Python does:
//     cmd = await loop.run_in_executor(None, input, "Enter command: ")
// Here: yield* loop.runInExecutor(null, readLine). `quit` (or the end of the
// input, Ctrl+D at a terminal) cancels the worker, which says so, and ends.
// Ctrl-C cancels the main task, as asyncio.run does: its cleanup stops the
// worker, run() rejects with KeyboardInterrupt and the exit code is 130. (A
// thread blocked in a read stops once the read returns: press Enter, or
// Ctrl-C again to exit at once. Python's version waits for Enter too.)
// Works at a terminal and with piped input:
//   npm run demo -- responsive-cli
//   printf 'status\nquit\n' | npm run demo -- responsive-cli
import { isatty } from "node:tty";
import { CancelledError, KeyboardInterrupt, createTask, getRunningLoop, run, sleep, type Coroutine, type Task } from "rx-asyncio";
import { stamp } from "./util/stamp.js";

let ticks = 0;

function* backgroundWorker(): Coroutine<never> {
  try {
    for (;;) {
      ticks++;
      stamp("Working...");
      yield* sleep(2000);
    }
  } catch (e) {
    if (e instanceof CancelledError) stamp(`Background worker cancelled (in round ${ticks})`);
    throw e;
  }
}

/**
 * Python's `input()` without the prompt: a blocking read of one line from
 * standard input, or `null` at its end. It runs on a worker thread (so it is
 * self-contained) and reads one byte at a time, so that nothing after the line
 * is consumed and lost for the next call.
 */
function readLine(): string | null {
  const fs = process.getBuiltinModule("node:fs");
  const one = new Uint8Array(1);
  const bytes: number[] = [];
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, one, 0, 1, null);
    } catch (e) {
      // A non-blocking stdin (some pipes) has nothing yet: wait a little, as a blocking read would.
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      continue;
    }
    if (n === 0) return bytes.length > 0 ? new TextDecoder().decode(new Uint8Array(bytes)) : null;
    if (one[0] === 10) return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
    bytes.push(one[0]!);
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
      stamp(`You entered: ${command} (commands: status, help, quit)`);
  }
}

function* main(): Coroutine<void> {
  const loop = getRunningLoop();
  const typed = isatty(0); // at a terminal the user's Enter ends the prompt line; piped input is echoed
  const worker = createTask(backgroundWorker(), { name: "background worker" });
  try {
    for (;;) {
      process.stdout.write("Enter command: ");
      // The blocking read runs on a worker thread: the loop (and the background worker) go on.
      const line = yield* loop.runInExecutor(null, readLine);
      if (!typed) process.stdout.write(line === null ? "\n" : `${line}\n`);
      if (line === null) {
        stamp("end of input: quitting");
        break;
      }
      const command = line.trim();
      if (command === "quit") break;
      handle(command, worker);
    }
  } catch (e) {
    // Ctrl-C: run() cancelled this task at its pending yield*, which cancelled the read's job.
    if (e instanceof CancelledError) stamp(`Ctrl-C: main cancelled (${e.message}); cleaning up`);
    throw e;
  } finally {
    worker.cancel();
    try {
      yield* worker;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    }
    stamp(`worker cancelled: ${worker.cancelled()}; bye`);
  }
}

// A read in an executor job is work outside the loop, and the virtual clock never
// jumps while such work is pending: the worker could not tick while the program
// waits for input. So this demo needs the real clock, whatever RX_ASYNCIO_CLOCK says.
run(main, { clock: "real" }).catch((e: unknown) => {
  if (!(e instanceof KeyboardInterrupt)) throw e;
  console.log(`run() rejected with ${e.name}: the exit code is ${String(process.exitCode)}`);
});
