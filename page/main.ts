/**
 * The page: pick a demo, press run, watch each task as a lane of the SVG
 * timeline (src/trace), redrawn on every animation frame from a live
 * TraceRecorder, with the demo's printed lines beside it and a button that
 * cancels a running task. `npm run page` builds it into one HTML file.
 */
import {
  TraceRecorder,
  allTasks,
  buildTimeline,
  currentTask,
  getRunningLoop,
  run,
  svgTimeline,
  type ClockKind,
  type Coroutine,
  type EventLoop,
  type Task,
  type Timeline,
} from "rx-asyncio";
import { PAGE_DEMOS, type PageDemo } from "./demos.js";

/** What specs read: the page's state. */
interface PageState {
  state: "idle" | "running" | "done" | "failed";
  demo: string;
  clock: ClockKind;
  outcome: string;
  lines: string[];
  frames: number;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

const demoSelect = $<HTMLSelectElement>("demo");
const runButton = $<HTMLButtonElement>("run");
const victimSelect = $<HTMLSelectElement>("victim");
const cancelButton = $<HTMLButtonElement>("cancel");
const lanes = $<HTMLDivElement>("lanes");
const output = $<HTMLPreElement>("out");
const status = $<HTMLSpanElement>("status");
const title = $<HTMLParagraphElement>("title");

const page: PageState = { state: "idle", demo: "", clock: "real", outcome: "", lines: [], frames: 0 };
(window as unknown as { rxPage: PageState }).rxPage = page;

for (const d of PAGE_DEMOS) demoSelect.add(new Option(d.name, d.name));
const showTitle = () => (title.textContent = PAGE_DEMOS.find((d) => d.name === demoSelect.value)?.title ?? "");
demoSelect.addEventListener("change", showTitle);
showTitle();

let live: { loop: EventLoop; rec: TraceRecorder; main: Task<unknown> } | null = null;

/** The timeline so far, stretched to the loop's "now": open waits grow while they last. */
function timelineNow(rec: TraceRecorder, loop: EventLoop | null): Timeline {
  const tl = buildTimeline(rec);
  if (loop === null || loop.isClosed()) return tl;
  const now = loop.time();
  if (now > tl.end) tl.end = now;
  for (const t of tl.tasks) {
    const last = t.segments[t.segments.length - 1];
    if (t.end === null && last !== undefined && last.end < now) last.end = now;
  }
  return tl;
}

function draw(rec: TraceRecorder, loop: EventLoop | null): void {
  const width = Math.max(480, Math.floor(lanes.clientWidth) - 4);
  lanes.innerHTML = svgTimeline(timelineNow(rec, loop), { width, rowHeight: 28 });
  page.frames++;
}

/**
 * The pending tasks, for the cancel button. The choice stays on the task the
 * person picked; when that task ends the choice goes back to none, so a late
 * click never cancels some other task.
 */
function refreshVictims(): void {
  const pending = live === null ? [] : Array.from(allTasks(live.loop)).filter((t) => !t.done());
  const names = ["", ...pending.map((t) => t.getName())];
  const current = Array.from(victimSelect.options).map((o) => o.value);
  if (names.join("\u0000") !== current.join("\u0000")) {
    const keep = victimSelect.value;
    victimSelect.replaceChildren(...names.map((n) => new Option(n === "" ? "(pick a task)" : n, n)));
    victimSelect.value = names.includes(keep) ? keep : "";
  }
  cancelButton.disabled = pending.length === 0;
}

function frame(): void {
  if (live === null) return;
  draw(live.rec, live.loop);
  refreshVictims();
  requestAnimationFrame(frame);
}

function print(line: string): void {
  page.lines.push(line);
  output.textContent += line + "\n";
  output.scrollTop = output.scrollHeight;
}

function* runDemo(demo: PageDemo, rec: TraceRecorder): Coroutine<void> {
  const loop = getRunningLoop();
  const t0 = loop.time();
  const main = currentTask()!;
  main.setName("main");
  live = { loop, rec, main };
  requestAnimationFrame(frame);
  const out = (line: string) => print(`[${((loop.time() - t0) / 1000).toFixed(3).padStart(7)}s] ${line}`);
  yield* demo.main(out);
}

async function start(): Promise<void> {
  const demo = PAGE_DEMOS.find((d) => d.name === demoSelect.value)!;
  const clock = (document.querySelector<HTMLInputElement>('input[name="clock"]:checked')?.value ?? "real") as ClockKind;
  Object.assign(page, { state: "running", demo: demo.name, clock, outcome: "", lines: [], frames: 0 });
  output.textContent = "";
  runButton.disabled = true;
  status.textContent = `running ${demo.name} on the ${clock} clock`;
  const rec = new TraceRecorder({ clock: "loop" });
  try {
    await run(() => runDemo(demo, rec), { clock, trace: rec });
    page.outcome = "done";
    page.state = "done";
  } catch (e) {
    page.outcome = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    page.state = "failed";
    print(`main ended with ${page.outcome}`);
  } finally {
    live = null;
    draw(rec, null);
    refreshVictims();
    runButton.disabled = false;
    status.textContent = `${demo.name}: ${page.outcome}`;
  }
}

runButton.addEventListener("click", () => void start());
cancelButton.addEventListener("click", () => {
  if (live === null) return;
  const t = Array.from(allTasks(live.loop)).find((x) => x.getName() === victimSelect.value && !x.done());
  if (t === undefined) {
    print("(page) pick a running task first");
    return;
  }
  print(`(page) cancel() on task '${t.getName()}'`);
  t.cancel("cancelled from the page");
});
cancelButton.disabled = true;
