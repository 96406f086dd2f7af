// resource: a task writes a file with fs/promises; `finally` closes the file
// handle whether the task succeeds, fails or is cancelled (and the cleanup
// itself awaits the close). Promises are awaited through ensureFuture.
// Run: npm run demo -- resource
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CancelledError, createTask, ensureFuture, run, sleep, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

let dir = "";

const lines = (n: number) => `${n} line${n === 1 ? "" : "s"}`;

/** Writes `text` to `name`, one every 0.5 s; throws on a line "BOOM". */
function* writeReport(name: string, text: string[]): Coroutine<number> {
  const fh = yield* ensureFuture(open(join(dir, name), "w"));
  stamp(`${name}: opened`);
  let written = 0;
  try {
    for (const line of text) {
      if (line === "BOOM") throw new Error(`bad line ${written + 1}`);
      yield* ensureFuture(fh.write(`${line}\n`));
      written++;
      yield* sleep(500);
    }
    return written;
  } finally {
    yield* ensureFuture(fh.close()); // runs on return, on error and on cancellation
    stamp(`${name}: closed after ${lines(written)}`);
  }
}

function* linesIn(name: string): Coroutine<string> {
  const text = yield* ensureFuture(readFile(join(dir, name), "utf8"));
  return lines(text.split("\n").filter(Boolean).length);
}

function* main(): Coroutine<void> {
  dir = yield* ensureFuture(mkdtemp(join(tmpdir(), "rx-asyncio-demo-")));
  try {
    section("1. success");
    const n = yield* writeReport("ok.txt", ["a", "b", "c"]);
    stamp(`returned ${n}; the file has ${yield* linesIn("ok.txt")}`);

    section("2. error");
    try {
      yield* writeReport("bad.txt", ["a", "BOOM", "c"]);
    } catch (e) {
      stamp(`caught "${(e as Error).message}"; the file has ${yield* linesIn("bad.txt")}`);
    }

    section("3. cancellation after 1.2 s");
    const t = createTask(writeReport("cancelled.txt", ["a", "b", "c", "d", "e"]));
    yield* sleep(1200);
    t.cancel();
    try {
      yield* t;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      stamp(`the task was cancelled; the file has ${yield* linesIn("cancelled.txt")}`);
    }
  } finally {
    yield* ensureFuture(rm(dir, { recursive: true, force: true }));
  }
}

void run(main);
