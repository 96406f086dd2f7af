/**
 * getEventLoop()/setEventLoop() as CPython 3.12's get_event_loop()/set_event_loop():
 * the running loop inside one; outside, the current loop, or a new one with a
 * DeprecationWarning when none was set.
 */
import { EventLoop, getEventLoop, getRunningLoop, newEventLoop, run, setEventLoop, sleep, type Coroutine } from "../src/index";

afterEach(() => setEventLoop(null));

test("inside a running loop it is the running loop", async () => {
  const same = await run(function* (): Coroutine<boolean> {
    yield* sleep(1);
    return getEventLoop() === getRunningLoop();
  }, { clock: "virtual" });
  expect(same).toBe(true);
});

test("outside a running loop it is the loop given to setEventLoop", async () => {
  const loop = newEventLoop({ clock: "virtual" });
  setEventLoop(loop);
  expect(getEventLoop()).toBe(loop);
  expect(await loop.runUntilComplete(function* (): Coroutine<boolean> { return getEventLoop() === loop; })).toBe(true);
  loop.close();
  expect(getEventLoop()).toBe(loop); // like CPython's policy: a closed loop is still the current one
});

test("with none set it creates one, warns with a DeprecationWarning (CPython 3.12), and keeps returning it", () => {
  const warn = jest.spyOn(process, "emitWarning").mockImplementation(() => {});
  try {
    const a = getEventLoop();
    expect(a).toBeInstanceOf(EventLoop);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toBe("DeprecationWarning");
    expect(String(warn.mock.calls[0]![0])).toMatch(/There is no current event loop/);
    expect(getEventLoop()).toBe(a);
    expect(warn).toHaveBeenCalledTimes(1);
    a.close();
  } finally {
    warn.mockRestore();
  }
});

test("setEventLoop refuses what is not a loop", () => {
  expect(() => setEventLoop({} as EventLoop)).toThrow(new TypeError("setEventLoop(loop): 'loop' must be an EventLoop or null, got a Object"));
});
