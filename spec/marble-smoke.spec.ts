import { TestScheduler } from "rxjs/testing";
import { forkJoin, race, timer, map, delay, of } from "rxjs";
import { sleep, task, type Coroutine, EventLoop } from "../src/index.js";

function* fetchData(): Coroutine<string> {
  yield* sleep(2);
  return "Data";
}
function ts() {
  return new TestScheduler((a, b) => expect(a).toEqual(b));
}
test("task observable in marbles", () => {
  ts().run(({ expectObservable }) => {
    expectObservable(task(fetchData)).toBe("--(a|)", { a: "Data" });
  });
});
test("race cancels losers", () => {
  const log: string[] = [];
  function* slow(): Coroutine<string> {
    try { yield* sleep(10); return "slow"; } finally { log.push("slow finally"); }
  }
  ts().run(({ expectObservable }) => {
    expectObservable(race(task(fetchData), task(slow))).toBe("--(a|)", { a: "Data" });
  });
  expect(log).toEqual(["slow finally"]);
});
test("forkJoin", () => {
  function* f(n: number): Coroutine<number> { yield* sleep(n); return n; }
  ts().run(({ expectObservable }) => {
    expectObservable(forkJoin([task(() => f(3)), task(() => f(5))])).toBe("-----(a|)", { a: [3, 5] });
  });
});
