// The traced example of the README's "See what the tasks did" section.
//   npx tsx scripts/trace-example.ts   rewrites docs/timeline.svg and prints the marble timeline
// spec/trace-svg.spec.ts checks that docs/timeline.svg and docs/tracing.md are up to date.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTask, currentTask, marbleTimeline, Queue, run, sleep, svgTimeline, TraceRecorder, type Coroutine } from "../src/index.js";

function* producer(q: Queue<number>): Coroutine<number> {
  for (let i = 1; i <= 3; i++) {
    yield* sleep(30);
    yield* q.put(i);
  }
  return 3;
}

function* consumer(q: Queue<number>, ms: number): Coroutine<void> {
  for (;;) {
    yield* q.get();
    yield* sleep(ms);
    q.taskDone();
  }
}

function* flaky(): Coroutine<string> {
  yield* sleep(45);
  throw new Error("connection reset");
}

/** A producer, two consumers on a queue of 1, and a request that fails. */
export function* example(): Coroutine<number> {
  currentTask()!.setName("main");
  const q = new Queue<number>(1);
  const consumers = [createTask(consumer(q, 40), { name: "consumer-1" }), createTask(consumer(q, 25), { name: "consumer-2" })];
  const prod = createTask(producer(q), { name: "producer" });
  const request = createTask(flaky(), { name: "request" });
  const n = yield* prod;
  yield* q.join();
  for (const c of consumers) c.cancel("queue drained");
  try {
    yield* request;
  } catch {
    /* shown in the trace */
  }
  return n;
}

/** Runs the example on the virtual clock and returns its trace. */
export async function traceExample(): Promise<TraceRecorder> {
  const rec = new TraceRecorder();
  await run(example, { clock: "virtual", trace: rec });
  return rec;
}

/** The two renderings the docs show. */
export async function exampleRenderings(): Promise<{ text: string; svg: string }> {
  const rec = await traceExample();
  return {
    text: marbleTimeline(rec, { width: 72 }),
    svg: svgTimeline(rec, { width: 860, title: "producer / consumers / a failing request (virtual clock)" }),
  };
}

if (require.main === module) {
  void exampleRenderings().then(({ text, svg }) => {
    writeFileSync(join(__dirname, "..", "docs", "timeline.svg"), svg);
    console.log(text);
  });
}
