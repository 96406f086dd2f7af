/**
 * Conformance, way 3: the same pipelines inside run(main, { clock: "virtual" }),
 * the loop as their scheduler and the source's marbles scheduled on the loop,
 * give RxJS's frames in the loop's virtual milliseconds.
 */
import { getRunningLoop, run, type Coroutine } from "../../src/index.js";
import { EMPTY, type Observable } from "rxjs";
import { cases, coldOn, record, rxjsFrames, type Frames } from "./cases.js";
import { withinRealMs } from "./helpers.js";

test.each(cases.map((c) => [c.name, c] as const))("%s: run(main, { clock: 'virtual' }) gives RxJS's frames", async (_name, c) => {
  const expected = rxjsFrames(c);
  const actual = await withinRealMs(
    run(
      function* (): Coroutine<Frames> {
        const loop = getRunningLoop();
        const log: Frames = [];
        const ended = loop.createFuture<void>();
        const src = c.source === undefined ? (EMPTY as Observable<string>) : coldOn(loop, c.source);
        record(c.build(loop, src), () => loop.time(), log, () => ended.setResult(undefined));
        yield* ended;
        return log;
      },
      { clock: "virtual" },
    ),
    3000,
    c.name,
  );
  expect(actual).toEqual(expected);
});
