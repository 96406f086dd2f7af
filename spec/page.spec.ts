/**
 * The demo page (`npm run page`) in real Chromium: lanes appear as the tasks
 * run, the cancel button cancels the chosen task, the virtual clock gives the
 * same program at once, and a screenshot of the lanes has the right shape:
 * one lane per task, in order, each label left of its bars, with the right
 * end marker (compared by layout, not by pixels).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openPage, root, type BrowserSession } from "./browser-helpers";
import { CHROMIUM, describeWithSystem } from "./system-deps";

interface PageState {
  state: string;
  demo: string;
  outcome: string;
  lines: string[];
  frames: number;
}

interface Lane {
  name: string;
  end: string | null;
  labelRight: number;
  barsLeft: number;
  top: number;
  bottom: number;
}

describeWithSystem(CHROMIUM, "the demo page in Chromium", () => {
  let s: BrowserSession;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, "scripts/build-page.mjs")], { cwd: root, stdio: "pipe" });
    s = await openPage({ "/index.html": readFileSync(join(root, "dist-page/index.html"), "utf8") });
    await s.page.waitForSelector("#demo option", { state: "attached" });
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  afterEach(() => {
    expect(s.errors).toEqual([]);
  });

  const state = () => s.page.evaluate(() => (window as unknown as { rxPage: PageState }).rxPage);
  const lanes = () =>
    s.page.evaluate(() =>
      Array.from(document.querySelectorAll("#lanes g.track")).map((g) => {
        const label = g.querySelector("text.name")!.getBoundingClientRect();
        const bars = Array.from(g.querySelectorAll("rect.wait, rect.run")).map((r) => r.getBoundingClientRect());
        const end = g.querySelector(".end");
        return {
          name: g.getAttribute("data-task")!,
          end: end === null ? null : end.classList.contains("result") ? "result" : end.classList.contains("cancelled") ? "cancelled" : "error",
          labelRight: label.right,
          barsLeft: Math.min(...bars.map((b) => b.left)),
          top: Math.min(label.top, ...bars.map((b) => b.top)),
          bottom: Math.max(label.bottom, ...bars.map((b) => b.bottom)),
        };
      }),
    ) as Promise<Lane[]>;

  async function start(demo: string, clock: "real" | "virtual"): Promise<void> {
    await s.page.selectOption("#demo", demo);
    await s.page.check(`input[name="clock"][value="${clock}"]`);
    await s.page.click("#run");
  }

  const finished = () => s.page.waitForFunction(() => (window as unknown as { rxPage: PageState }).rxPage.state !== "running", undefined, { timeout: 20_000 });

  test("the demo list offers the tour's demos", async () => {
    const names = await s.page.$$eval("#demo option", (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toEqual(["first-completion", "gather", "cancellation", "limited", "producer-consumer", "lock", "event"]);
  });

  test("first-completion on the real clock: lanes appear while it runs, then the winner and two cancelled losers", async () => {
    await start("first-completion", "real");
    // While the mirrors still sleep, their lanes are already drawn, with no end marker yet.
    const during = await (
      await s.page.waitForFunction(() => {
        const tracks = Array.from(document.querySelectorAll("#lanes g.track"));
        if (tracks.length < 4) return null;
        return {
          state: (window as unknown as { rxPage: PageState }).rxPage.state,
          lanes: tracks.map((g) => [g.getAttribute("data-task"), g.querySelector(".end") === null ? "pending" : "ended"]),
        };
      })
    ).jsonValue();
    expect(during!.state).toBe("running");
    expect(during!.lanes).toEqual([
      ["main", "pending"],
      ["eu", "pending"],
      ["us", "pending"],
      ["asia", "pending"],
    ]);
    await finished();
    const st = await state();
    expect(st.state).toBe("done");
    expect(st.frames).toBeGreaterThan(5); // redrawn live, frame after frame
    expect(st.lines.at(-1)).toMatch(/winner: us -> "data from us"$/);
    expect(st.lines.filter((l) => /cancelled \("another mirror won"\), cleaning up/.test(l))).toHaveLength(2);
    const after = await lanes();
    expect(after.map((l) => [l.name, l.end])).toEqual([
      ["main", "result"],
      ["eu", "cancelled"],
      ["us", "result"],
      ["asia", "cancelled"],
    ]);
  });

  test("the cancel button cancels the chosen running task: it cleans up, its lane ends cancelled, the others finish", async () => {
    await start("limited", "real");
    await s.page.waitForFunction(() => Array.from((document.getElementById("victim") as HTMLSelectElement).options).some((o) => o.value === "job 3"));
    await s.page.selectOption("#victim", "job 3");
    await s.page.click("#cancel");
    await finished();
    const st = await state();
    expect(st.state).toBe("done");
    expect(st.lines).toContainEqual(expect.stringMatching(/\(page\) cancel\(\) on task 'job 3'$/));
    expect(st.lines).toContainEqual(expect.stringMatching(/job 3: cancelled \("cancelled from the page"\), cleaning up$/));
    expect(st.lines.some((l) => /job 3 ends$/.test(l))).toBe(false);
    expect(st.lines.at(-1)).toMatch(/all 10 done; most at once: 3$/);
    const ends = Object.fromEntries((await lanes()).map((l) => [l.name, l.end]));
    expect(ends["job 3"]).toBe("cancelled");
    for (const n of [1, 2, 4, 5, 6, 7, 8, 9, 10]) expect(ends[`job ${n}`]).toBe("result");
  });

  test("a task chosen for cancelling that ends first is not replaced by another: a late click cancels nothing", async () => {
    await start("limited", "real");
    await s.page.waitForFunction(() => Array.from((document.getElementById("victim") as HTMLSelectElement).options).some((o) => o.value === "job 2"));
    await s.page.selectOption("#victim", "job 2");
    await s.page.waitForFunction(() => (window as unknown as { rxPage: PageState }).rxPage.lines.some((l) => /job 2 ends$/.test(l)));
    await s.page.waitForFunction(() => (document.getElementById("victim") as HTMLSelectElement).value === "");
    await s.page.click("#cancel");
    await finished();
    const st = await state();
    expect(st.lines).toContainEqual("(page) pick a running task first");
    expect(st.lines.filter((l) => l.includes("cancelled"))).toEqual([]);
    expect((await lanes()).every((l) => l.end === "result")).toBe(true);
  });

  test("the virtual clock: producer-consumer runs at once, with its virtual timeline and stamps", async () => {
    await start("producer-consumer", "virtual");
    await finished();
    const st = await state();
    expect(st.state).toBe("done");
    expect(st.lines.at(-1)).toBe("[  1.700s] sum of the items: 21");
    expect(st.lines[0]).toBe("[  0.000s] producer: put 1 (size 1)");
    const svg = await s.page.$eval("#lanes svg", (e) => e.outerHTML);
    expect(svg).toContain("virtual clock");
    expect((await lanes()).map((l) => l.name)).toEqual(["main", "producer", "consumer A", "consumer B"]);
  });

  test("a screenshot of the lanes has the right shape: one lane per task, stacked in order, labels left of their bars", async () => {
    await start("lock", "virtual");
    await finished();
    const shot = await s.page.locator("#lanes svg").screenshot();
    expect(shot.subarray(1, 4).toString("latin1")).toBe("PNG");
    const box = (await s.page.locator("#lanes svg").boundingBox())!;
    const ls = await lanes();
    expect(ls.map((l) => [l.name, l.end])).toEqual([
      ["main", "result"],
      ["A", "result"],
      ["B", "result"],
      ["C", "result"],
    ]);
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      expect(l.labelRight).toBeLessThanOrEqual(l.barsLeft + 1); // the label is left of the lane's bars
      expect(l.top).toBeGreaterThanOrEqual(box.y);
      expect(l.bottom).toBeLessThanOrEqual(box.y + box.height); // inside the screenshot
      if (i > 0) expect(l.top).toBeGreaterThanOrEqual(ls[i - 1]!.bottom - 1); // stacked, not overlapping
    }
    // The critical section: B's "printing" starts where A's ends, C's where B's ends.
    const printing = await s.page.evaluate(() =>
      Array.from(document.querySelectorAll("#lanes g.track"))
        .slice(1)
        .map((g) => Array.from(g.querySelectorAll("rect.wait")).map((r) => r.querySelector("title")!.textContent!)),
    );
    expect(printing.map((titles) => titles.filter((t) => /waiting on sleep 1000 ms/.test(t)).length)).toEqual([1, 1, 1]);
  });
});
