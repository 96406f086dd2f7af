/**
 * Conformance, way 1: a fresh EventLoop per test, running inside
 * TestScheduler.run (its wake-ups are virtual frames there), gives exactly the
 * frames RxJS gives with asyncScheduler for the same pipeline.
 */
import { EventLoop } from "../../src/index.js";
import { cases, framesInTestScheduler, rxjsFrames } from "./cases.js";

test.each(cases.map((c) => [c.name, c] as const))("%s: a fresh loop inside TestScheduler.run gives RxJS's frames", (_name, c) => {
  const expected = rxjsFrames(c);
  expect(expected.length).toBeGreaterThan(0);
  let loop: EventLoop | null = null;
  const actual = framesInTestScheduler(
    c,
    () => {
      loop = new EventLoop();
      void loop.runForever();
      return loop;
    },
    () => {
      loop!.stop();
    },
  );
  expect(actual).toEqual(expected);
});
