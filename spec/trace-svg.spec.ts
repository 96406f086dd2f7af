import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTask, currentTask, run, sleep, svgTimeline, TraceRecorder, type Coroutine } from "../src/index.js";
import { exampleRenderings } from "../scripts/trace-example.js";
import { findAll, hasClass, parseXml, textOf } from "./trace-helpers.js";

async function traced(main: () => Coroutine<unknown>): Promise<TraceRecorder> {
  const rec = new TraceRecorder();
  await run(main, { clock: "virtual", trace: rec });
  return rec;
}

function* program(): Coroutine<string> {
  currentTask()!.setName("main");
  const a = createTask(sleep(40, "a"), { name: "fetch <a> & \"b\"" });
  const b = createTask(function* () {
    yield* sleep(10);
    throw new Error("x < y");
  }, { name: "failing" });
  const c = createTask(sleep(100), { name: "cancelled" });
  yield* sleep(20);
  c.cancel("stop");
  try {
    yield* b;
  } catch {
    /* seen */
  }
  return yield* a;
}

describe("svgTimeline", () => {
  test("well-formed standalone SVG with one track per task, bars labelled with what was awaited", async () => {
    const svg = svgTimeline(await traced(program), { width: 800, title: "a <small> program" });
    const root = parseXml(svg);
    expect(root.name).toBe("svg");
    expect(root.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(root.attrs.width).toBe("800");
    // Standalone: no external references (no href, no url(), no @import).
    expect(svg).not.toMatch(/href|url\(|@import/);
    const tracks = findAll(root, (e) => e.name === "g" && hasClass(e, "track"));
    expect(tracks.map((t) => t.attrs["data-task"])).toEqual(["main", 'fetch <a> & "b"', "failing", "cancelled"]);
    const byName = new Map(tracks.map((t) => [t.attrs["data-task"]!, t]));
    const titles = (name: string) => findAll(byName.get(name)!, (e) => e.name === "title").map(textOf);
    expect(titles("main")).toEqual([
      "main: running, 0–0 ms",
      "main: waiting on sleep 20 ms, 0–20 ms",
      "main: running, 20–20 ms", // 'failing' is done by then: yield* on it does not suspend
      "main: waiting on task 'fetch <a> & \"b\"', 20–40 ms",
      "main: running, 40–40 ms",
      'main: result at 40 ms: "a"',
    ]);
    expect(titles("failing").at(-1)).toBe("failing: error at 10 ms: Error: x < y");
    expect(titles("cancelled").at(-1)).toBe("cancelled: cancelled at 20 ms: stop");
    // Wide enough waits carry their label as text on the bar.
    const labels = findAll(root, (e) => e.name === "text" && hasClass(e, "label")).map(textOf);
    expect(labels).toEqual(expect.arrayContaining(["sleep 40 ms", "sleep 100 ms"]));
    // End marks: a result dot, an error '#', a cancel 'X'.
    expect(findAll(root, (e) => hasClass(e, "result") && hasClass(e, "end"))).toHaveLength(2);
    expect(findAll(root, (e) => hasClass(e, "error") && hasClass(e, "end")).map((e) => e.text)).toEqual(["#"]);
    expect(findAll(root, (e) => hasClass(e, "cancelled") && hasClass(e, "end")).map((e) => e.text)).toEqual(["X"]);
    // A time axis with ticks, and a dashed spawn line from main to each child.
    const ticks = findAll(root, (e) => e.name === "text" && hasClass(e, "tick")).map(textOf);
    expect(ticks.slice(0, 3)).toEqual(["0 ms", "5 ms", "10 ms"]); // about 8 ticks: 40 ms / 8
    expect(findAll(root, (e) => e.name === "path" && hasClass(e, "spawn") && e.attrs.d!.startsWith("M"))).toHaveLength(4); // 3 + legend
    expect(textOf(findAll(root, (e) => hasClass(e, "title"))[0]!)).toBe("a <small> program");
  });

  test("the XML checker refuses what is not well-formed", () => {
    expect(() => parseXml("<svg><g></svg>")).toThrow(/closes <g>/);
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow(/repeated attribute/);
    expect(() => parseXml("<svg>a & b</svg>")).toThrow(/bare '&'/);
    expect(() => parseXml("<svg>a < b</svg>")).toThrow();
    expect(() => parseXml("<svg a=1/>")).toThrow(/quoted/);
    expect(() => parseXml("<svg/><svg/>")).toThrow(/after the root/);
    expect(parseXml('<?xml version="1.0"?><svg a="&lt;&#65;"><!-- c --></svg>').attrs.a).toBe("<A");
  });

  test("an empty trace and a single instant still make a valid image", async () => {
    expect(findAll(parseXml(svgTimeline(new TraceRecorder())), (e) => hasClass(e, "track"))).toHaveLength(0);
    const rec = await traced(function* () {
      return 1;
    });
    const root = parseXml(svgTimeline(rec));
    expect(findAll(root, (e) => hasClass(e, "track"))).toHaveLength(1);
  });

  test("bad options throw at once, naming them", () => {
    expect(() => svgTimeline(new TraceRecorder(), { width: 10 })).toThrow(/'width' must be an integer >= 200, got 10/);
    expect(() => svgTimeline(new TraceRecorder(), { rowHeight: 2.5 })).toThrow(/'rowHeight'/);
    expect(() => svgTimeline("x" as never)).toThrow(TypeError);
  });
});

describe("the README's trace section is up to date (regenerate: npx tsx scripts/trace-example.ts)", () => {
  test("docs/timeline.svg and the text in docs/tracing.md match the example's trace", async () => {
    const { text, svg } = await exampleRenderings();
    const docs = join(__dirname, "..", "docs");
    expect(readFileSync(join(docs, "timeline.svg"), "utf8")).toBe(svg);
    expect(readFileSync(join(docs, "tracing.md"), "utf8")).toContain("```text\n" + text + "\n```");
    expect(findAll(parseXml(svg), (e) => hasClass(e, "track"))).toHaveLength(5);
  });
});
