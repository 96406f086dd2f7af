/**
 * Bug 3: on the virtual clock, promise code that waits on loop work must not
 * hold the clock still. Every form runs on both clocks with the same result;
 * the virtual run also ends at the virtual time the sleeps add up to.
 */
import { firstValueFrom, lastValueFrom, timer } from "rxjs";
import { createTask, ensureFuture, getRunningLoop, run, sleep, task, type ClockKind, type EventLoop, type TaskInput } from "../../src/index.js";
import { withinRealMs } from "./helpers.js";

/** The loop of the latest run, captured by each form's first step. */
let loop: EventLoop | null = null;

function* sleepy<T>(ms: number, v: T) {
  yield* sleep(ms);
  return v;
}

const forms: [string, TaskInput<unknown>][] = [
  [
    "run(async () => { await ensureFuture(sleep(5)) })",
    async () => {
      loop = getRunningLoop();
      await ensureFuture(sleep(5));
      return "slept";
    },
  ],
  [
    "yield* ensureFuture(firstValueFrom(task(...)))",
    function* () {
      loop = getRunningLoop();
      return yield* ensureFuture(firstValueFrom(task(() => sleepy(5, "slept"))));
    },
  ],
  [
    "yield* ensureFuture(lastValueFrom(task(...)))",
    function* () {
      loop = getRunningLoop();
      return yield* ensureFuture(lastValueFrom(task(() => sleepy(5, "slept"))));
    },
  ],
  [
    "firstValueFrom(timer(3, loop)) awaited in a task",
    function* () {
      loop = getRunningLoop();
      yield* ensureFuture(firstValueFrom(timer(3, getRunningLoop())));
      yield* sleep(2);
      return "slept";
    },
  ],
  [
    "createTask(async () => await t)",
    function* () {
      loop = getRunningLoop();
      const t = createTask(() => sleepy(5, "slept"));
      return yield* createTask(async () => await t);
    },
  ],
  [
    "ensureFuture((async () => await t)())",
    function* () {
      loop = getRunningLoop();
      const t = createTask(() => sleepy(5, "slept"));
      return yield* ensureFuture((async () => await t)());
    },
  ],
  [
    "an async main awaiting two loop sleeps in turn",
    async () => {
      loop = getRunningLoop();
      await ensureFuture(sleep(2));
      await ensureFuture(sleep(3));
      return "slept";
    },
  ],
];

describe.each<ClockKind>(["real", "virtual"])("on the %s clock", (clock) => {
  test.each(forms)("%s settles with the same result", async (name, main) => {
    loop = null;
    const t0 = Date.now();
    await expect(withinRealMs(run(main, { clock }), 1500, name)).resolves.toBe("slept");
    // The virtual clock moved exactly as far as the sleeps add up to.
    if (clock === "virtual") expect(loop!.time()).toBe(5);
    else expect(Date.now() - t0).toBeGreaterThanOrEqual(4);
  });
});
