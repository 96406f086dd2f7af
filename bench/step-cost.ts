// What one task step costs: a task resumed N times through sleep(0), and the
// same spread over many tasks, and a cancel-wake cycle. Real clock, wall time.
import { createTask, run, sleep, type Coroutine, type Task } from "rx-asyncio";

function* spinner(n: number): Coroutine<number> {
  for (let i = 0; i < n; i++) yield* sleep(0);
  return n;
}

async function measure(label: string, steps: number, main: () => Coroutine<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run(main);
  const ns = Number(process.hrtime.bigint() - t0) / steps;
  console.log(`${label.padEnd(48)} ${ns.toFixed(1).padStart(8)} ns/step`);
  return ns;
}

async function main() {
  const json = process.argv.includes("--json");
  const N = 1_000_000;
  const results: Record<string, number> = {};
  // Warm-up so the JIT has compiled the hot paths.
  await run(() => spinner(100_000));
  results.oneTask = await measure("1 task, 1,000,000 steps (sleep(0))", N, () => spinner(N));
  results.manyTasks = await measure("1,000 tasks x 1,000 steps each", N, function* () {
    const ts: Task<number>[] = [];
    for (let i = 0; i < 1000; i++) ts.push(createTask(spinner(1000)));
    for (const t of ts) yield* t;
  });
  results.spawn = await measure("100,000 tasks spawned, 2 steps each", 200_000, function* () {
    const ts: Task<number>[] = [];
    for (let i = 0; i < 100_000; i++) ts.push(createTask(spinner(1)));
    for (const t of ts) yield* t;
  });
  results.timer = await measure("100,000 tasks, one 1 ms timer each", 200_000, function* () {
    const ts: Task<void>[] = [];
    for (let i = 0; i < 100_000; i++) ts.push(createTask(sleep(1)));
    for (const t of ts) yield* t;
  });
  if (json) console.log(JSON.stringify(results));
}

void main();
