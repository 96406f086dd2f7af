/**
 * docs/executors.md: a module's export written in TypeScript runs on a worker
 * thread. Node 20 does not carry the main thread's tsx loader into workers, so
 * the worker registers tsx itself (issue 17: the claim was false before).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { moduleFunction, run, toThread, type Coroutine } from "../src/index";
import type * as Work from "./fixtures/executor-work-ts";

const TS = join(__dirname, "fixtures", "executor-work-ts.ts");

test("a .ts module's exports run on the worker threads (path and file: URL), typed through moduleFunction", async () => {
  const fib = moduleFunction<typeof Work.fib>(TS, "fib");
  const typed = moduleFunction<typeof Work.typed>(pathToFileURL(TS), "typed");
  const r = await run(function* (): Coroutine<[number, string]> {
    const a: number = yield* toThread(fib, 20);
    const b: string = yield* toThread(typed, "hello");
    return [a, b];
  });
  expect(r).toEqual([6765, "HELLO from a .ts module"]);
}, 60_000);
