/**
 * Bug 5: events in one frame come in the order RxJS gives for the same
 * subscriptions with asyncScheduler: a timer scheduled earlier for a frame
 * runs before a cold observable's emission scheduled later for that frame.
 */
import { asyncScheduler, bufferTime, map, merge, mergeMap, timer, toArray, windowTime, type Observable, type SchedulerLike } from "rxjs";
import { rxLoop } from "../../src/index.js";
import { testScheduler } from "./helpers.js";

test("merge(timer(1, s), timer(3, s), cold('---c')): t1@1 t3@3 c@3, as with asyncScheduler", () => {
  const run = (use: "async" | "loop") => {
    const ts = testScheduler();
    const log: string[] = [];
    ts.run(({ cold }) => {
      const s = use === "async" ? asyncScheduler : rxLoop();
      merge(timer(1, s).pipe(map(() => "t1")), timer(3, s).pipe(map(() => "t3")), cold("---c")).subscribe((v) => log.push(`${v}@${ts.now()}`));
    });
    return log;
  };
  expect(run("async")).toEqual(["t1@1", "t3@3", "c@3"]);
  expect(run("loop")).toEqual(["t1@1", "t3@3", "c@3"]);
});

test.each(["windowTime", "bufferTime"])("%s(3, 2, 2) on cold('-a-b-c-d|'): a window closing at 3 does not take b@3", (op) => {
  const make = (s: SchedulerLike) => (src: Observable<string>): Observable<string> =>
    op === "windowTime"
      ? src.pipe(
          windowTime(3, 2, 2, s),
          mergeMap((w) => w.pipe(toArray(), map((xs) => xs.join("")))),
        )
      : src.pipe(bufferTime(3, 2, 2, s), map((xs) => xs.join("")));
  const run = (use: "async" | "loop") => {
    const ts = testScheduler();
    const log: string[] = [];
    ts.run(({ cold }) => {
      const s = use === "async" ? asyncScheduler : rxLoop();
      cold("-a-b-c-d|").pipe(make(s)).subscribe({ next: (v) => log.push(`${v}@${ts.now()}`), complete: () => log.push(`|@${ts.now()}`) });
    });
    return log;
  };
  expect(run("async")).toEqual(["a@3", "bc@5", "cd@7", "d@8", "|@8"]);
  expect(run("loop")).toEqual(["a@3", "bc@5", "cd@7", "d@8", "|@8"]);
});
