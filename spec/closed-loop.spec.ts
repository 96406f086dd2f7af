/**
 * A closed loop runs nothing again (issue 15): a future of a closed loop
 * that is settled, given a callback or awaited says so at once, instead of
 * dropping the callback and leaving an `await` that never settles.
 */
import { EventLoop, RuntimeError } from "../src/index.js";

describe("a future of a closed loop", () => {
  let loop: EventLoop;
  beforeEach(() => {
    loop = new EventLoop({ clock: "virtual" });
  });
  afterEach(() => loop.close());

  test("setResult() and setException() throw 'Event loop is closed' and leave the future pending", () => {
    const a = loop.createFuture<number>();
    const b = loop.createFuture<number>();
    loop.close();
    expect(() => a.setResult(1)).toThrow(RuntimeError);
    expect(() => a.setResult(1)).toThrow(/Event loop is closed: setResult\(\)/);
    expect(() => b.setException(new Error("x"))).toThrow(/Event loop is closed: setException\(\)/);
    expect(a.done()).toBe(false);
    expect(b.done()).toBe(false);
  });

  test("addDoneCallback() throws, for a pending and for a done future (the callback could never run)", () => {
    const pending = loop.createFuture<number>();
    const done = loop.createFuture<number>();
    done.setResult(2);
    loop.close();
    expect(() => pending.addDoneCallback(() => undefined)).toThrow(/Event loop is closed: addDoneCallback\(\)/);
    expect(() => done.addDoneCallback(() => undefined)).toThrow(RuntimeError);
  });

  test("awaiting a pending future of a closed loop rejects at once; a done one still gives its result", async () => {
    const pending = loop.createFuture<number>();
    const done = loop.createFuture<number>();
    done.setResult(3);
    loop.close();
    await expect(pending).rejects.toThrow(/Event loop is closed: awaiting a pending future/);
    await expect(done).resolves.toBe(3);
  });

  test("an open loop's futures are unaffected: callbacks run, awaits settle", async () => {
    const f = loop.createFuture<number>();
    const seen: number[] = [];
    f.addDoneCallback((x) => seen.push(x.result()));
    const p = loop.runUntilComplete(f);
    loop.callSoon(() => f.setResult(4));
    await expect(p).resolves.toBe(4);
    expect(seen).toEqual([4]);
  });
});
