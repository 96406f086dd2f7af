/**
 * Conformance, way 2: the one shared rxLoop() across test boundaries. Marble
 * tests (every case, RxJS's frames) and real-time tests alternate in this file,
 * in both orders, with a task sleeping in real time across the marble tests and
 * a marble test that fails half-way; none may disturb the others.
 */
import { firstValueFrom, lastValueFrom, take, timer, toArray } from "rxjs";
import { rxLoop, sleep, task } from "../../src/index.js";
import { cases, coldOn, framesInTestScheduler, record, rxjsFrames, type ConformanceCase, type Frames } from "./cases.js";
import { testScheduler, withinRealMs } from "./helpers.js";

/** The values of `frames`, without their frames (real time jitters; order does not). */
const valuesOf = (frames: Frames) => frames.map((f) => f.slice(f.indexOf(":") + 1));

/** Runs `c` on rxLoop() in real time (one frame is one ms) and gives its frames. */
function realFrames(c: ConformanceCase): Promise<Frames> {
  const loop = rxLoop();
  const log: Frames = [];
  return withinRealMs(
    new Promise<Frames>((resolve) => {
      const t0 = loop.now();
      const src = c.source === undefined ? coldOn(loop, "|") : coldOn(loop, c.source);
      record(c.build(loop, src), () => Math.round(loop.now() - t0), log, () => resolve(log));
    }),
    3000,
    c.name,
  );
}

const realCases = [
  "timer(2, 3, s) take 3",
  "interval(2, s) take 4",
  "delay(3, s)",
  "observeOn(s, 2)",
  "of(1, 2, 3, s)",
  "expand with a timer(2, s) inner",
  "repeat({ count: 3, delay: () => timer(2, s) })",
].map((n) => cases.find((c) => c.name === n)!);

const marble = (c: ConformanceCase) => test(`marble: ${c.name} on rxLoop() gives RxJS's frames`, () => {
  expect(framesInTestScheduler(c, () => rxLoop())).toEqual(rxjsFrames(c));
});

const real = (c: ConformanceCase) => test(`real time: ${c.name} on rxLoop() gives RxJS's values in order`, async () => {
  expect(valuesOf(await realFrames(c))).toEqual(valuesOf(rxjsFrames(c)));
});

let longSleep: Promise<number>;
const longStart = Date.now();

test("real time first: a task on rxLoop() starts a 400 ms sleep that spans the marble tests below", async () => {
  longSleep = firstValueFrom(
    task(function* () {
      yield* sleep(400);
      return Date.now() - longStart;
    }),
  );
  await expect(withinRealMs(firstValueFrom(timer(5, rxLoop())), 2000, "timer(5, rxLoop())")).resolves.toBe(0);
});

const half = Math.ceil(cases.length / 2);
cases.slice(0, half).forEach(marble);
realCases.slice(0, 3).forEach(real);

test("a marble test that fails at frame 2 while a task on rxLoop() sleeps until frame 5", () => {
  const ts = testScheduler();
  expect(() =>
    ts.run(({ expectObservable }) => {
      expectObservable(
        task(function* () {
          yield* sleep(5);
          return "late";
        }),
      ).toBe("-----(a|)", { a: "late" });
      ts.schedule(() => {
        throw new Error("failed at frame 2");
      }, 2);
    }),
  ).toThrow("failed at frame 2");
});

realCases.slice(3).forEach(real);
cases.slice(half).forEach(marble);

test("real time last: timers and tasks on rxLoop() still run in real time", async () => {
  const ticks = await withinRealMs(lastValueFrom(timer(1, 2, rxLoop()).pipe(take(3), toArray())), 2000, "timer(1, 2, rxLoop())");
  expect(ticks).toEqual([0, 1, 2]);
  const t0 = Date.now();
  await withinRealMs(firstValueFrom(timer(20, rxLoop())), 2000, "timer(20, rxLoop())");
  expect(Date.now() - t0).toBeGreaterThanOrEqual(19);
});

test("the 400 ms sleep started before the marble tests ended after 400 real ms", async () => {
  const after = await withinRealMs(longSleep, 3000, "the long sleep");
  expect(after).toBeGreaterThanOrEqual(395);
});
