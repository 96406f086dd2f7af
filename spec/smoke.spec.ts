import { run, sleep, type Coroutine } from "../src/index.js";

test("smoke", async () => {
  function* main(): Coroutine<number> {
    yield* sleep(10);
    return 1;
  }
  await expect(run(main, { clock: "virtual" })).resolves.toBe(1);
});
