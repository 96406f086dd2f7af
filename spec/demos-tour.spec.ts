/**
 * The tour itself: demos/tour.json lists the 16 demos in order, each is a
 * script written as a user would write it, and `npm run demo -- <name>` runs
 * one (passing its arguments on) while an unknown name is refused.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expectClean, lines, root, runDemo } from "./demo-helpers.js";

jest.setTimeout(90_000);

interface TourEntry {
  name: string;
  title: string;
  input?: [number, string][];
}

const tour = JSON.parse(readFileSync(join(root, "demos", "tour.json"), "utf8")) as TourEntry[];

describe("the demo tour", () => {
  test("tour.json lists the 16 demos of issue 6, in order, each with a one-line title", () => {
    expect(tour.map((d) => d.name)).toEqual([
      "hello",
      "first-completion",
      "gather",
      "errors",
      "fetch",
      "cancellation",
      "responsive-cli",
      "limited",
      "monitor",
      "lock",
      "event",
      "producer-consumer",
      "dependent",
      "resource",
      "loop-control",
      "executor",
    ]);
    for (const d of tour) {
      expect(d.title).toMatch(/^[^\n]{10,120}$/);
      expect(existsSync(join(root, "demos", `${d.name}.ts`))).toBe(true);
    }
  });

  test("each demo is written as a user would: imports from \"rx-asyncio\", never from the sources", () => {
    for (const d of tour) {
      const src = readFileSync(join(root, "demos", `${d.name}.ts`), "utf8");
      expect({ demo: d.name, usesPackage: /from "rx-asyncio"/.test(src) }).toEqual({ demo: d.name, usesPackage: true });
      expect({ demo: d.name, usesSources: /from "\.\.\/src/.test(src) }).toEqual({ demo: d.name, usesSources: false });
      expect(src.startsWith(`// ${d.name}: `)).toBe(true); // what it teaches, first line
    }
  });

  test("scripted input for the tour is well-formed (times ascending, ends with quit)", () => {
    const scripted = tour.filter((d) => d.input !== undefined);
    expect(scripted.map((d) => d.name)).toEqual(["responsive-cli"]);
    const input = scripted[0]!.input!;
    const times = input.map(([ms]) => ms);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(input[input.length - 1]![1]).toBe("quit");
  });

  test("npm run demo -- hello runs one demo through scripts/demo.mjs", async () => {
    const run = await runDemo("hello", { script: "scripts/demo.mjs" });
    expectClean(run);
    expect(run.lines).toEqual(
      lines(`
        [  0.000s] Hello
        [  1.000s] World
      `),
    );
  });

  test("an unknown demo name is refused with the list of demos", async () => {
    const run = await runDemo("no-such-demo", { script: "scripts/demo.mjs" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown demo "no-such-demo"; demos: hello, first-completion, gather');
  });
});
