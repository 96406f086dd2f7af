/**
 * A standalone SVG timeline (no external assets): a row per task, bars for
 * running steps and waits (labelled with what was awaited), dashed arrows from
 * parent to child at creation, end markers, and a time axis.
 *
 * @module
 */
import { fmtMs, fmtValue } from "./labels.js";
import { axisOrigin, checkOptionsObject, checkWidth, toTimeline, type TimelineTask, type TraceSource } from "./timeline.js";

/** Options of `svgTimeline()`. */
export interface SvgTimelineOptions {
  /** Image width in px (default 960). */
  width?: number;
  /** Row height in px (default 26). */
  rowHeight?: number;
  /** A title above the axis. */
  title?: string;
}

const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
const CHAR_W = 6.6; // width of a 11px monospace character, for fitting labels

/** Escapes text for XML content and attribute values. @internal */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/** A coordinate with at most 2 decimals. */
function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function niceTick(span: number): number {
  const raw = span / 8;
  if (raw <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function endTitle(t: TimelineTask, origin: number): string {
  const e = t.end!;
  const at = fmtMs(e.time - origin);
  if (e.outcome === "result") return `result at ${at} ms: ${fmtValue(e.value, 120)}`;
  if (e.outcome === "error") return `error at ${at} ms: ${fmtValue(e.error, 120)}`;
  return `cancelled at ${at} ms${e.message !== undefined ? `: ${e.message}` : ""}`;
}

/**
 * The trace as a standalone SVG document: `fs.writeFileSync("timeline.svg", svgTimeline(rec))`.
 *
 * @example
 * ```ts
 * const rec = new TraceRecorder();
 * await run(main, { clock: "virtual", trace: rec });
 * writeFileSync("docs/timeline.svg", svgTimeline(rec, { title: "producer / consumer" }));
 * ```
 * @throws TypeError for a bad source; RangeError for a bad width or row height
 */
export function svgTimeline(source: TraceSource, options: SvgTimelineOptions = {}): string {
  const where = "svgTimeline(source, options)";
  const tl = toTimeline(source, where);
  checkOptionsObject(where, options);
  const width = checkWidth(where, "width", options.width ?? 960, 200);
  const rowH = checkWidth(where, "rowHeight", options.rowHeight ?? 26, 10);
  const tasks = tl.tasks;
  const longest = Math.max(4, ...tasks.map((t) => t.name.length));
  const labelW = Math.min(220, 16 + CHAR_W * longest);
  const titleH = options.title !== undefined ? 22 : 0;
  const axisH = 26;
  const top = titleH + axisH + 6;
  const x0 = labelW;
  const plotW = width - labelW - 24;
  const span = tl.end - tl.start;
  const origin = axisOrigin(tl);
  const x = (t: number) => x0 + (span === 0 ? 0 : ((t - tl.start) / span) * plotW);
  const legendH = 30;
  const height = top + tasks.length * rowH + legendH;
  const rowOf = new Map<number, number>();
  tasks.forEach((t, i) => rowOf.set(t.id, i));
  const mid = (i: number) => top + i * rowH + rowH / 2;
  const barH = Math.max(6, rowH - 10);

  const o: string[] = [];
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${xmlEscape(FONT)}" font-size="11">`,
  );
  o.push(
    "<style>" +
      ".bg{fill:#fff}.name{fill:#222}.axis{stroke:#999;stroke-width:1}.grid{stroke:#eee;stroke-width:1}" +
      ".tick{fill:#666;font-size:10px}.life{stroke:#ccc;stroke-width:1}.ready{fill:#e6e6e6}" +
      ".wait{fill:#cfe3f7;stroke:#7aa7d6;stroke-width:.5}.run{fill:#2f6fb5}.label{fill:#234;font-size:10px}" +
      ".spawn{stroke:#999;stroke-width:1;stroke-dasharray:3 2;fill:none}.result{fill:#2e9d4f}" +
      ".error{fill:#c62828;font-weight:bold}.cancelled{fill:#ef6c00;font-weight:bold}.title{font-size:13px;font-weight:bold;fill:#222}" +
      "</style>",
  );
  o.push(`<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`);
  if (options.title !== undefined) o.push(`<text class="title" x="8" y="16">${xmlEscape(options.title)}</text>`);

  // Time axis with grid lines.
  const tick = niceTick(span);
  const axisY = titleH + axisH;
  o.push(`<g class="time-axis"><line class="axis" x1="${n(x0)}" y1="${axisY}" x2="${n(x0 + plotW)}" y2="${axisY}"/>`);
  const firstTick = origin + Math.ceil((tl.start - origin) / tick) * tick;
  for (let t = firstTick; t <= tl.end + 1e-9 || t === firstTick; t += tick) {
    const tx = x(t);
    o.push(`<line class="grid" x1="${n(tx)}" y1="${axisY}" x2="${n(tx)}" y2="${top + tasks.length * rowH}"/>`);
    o.push(`<text class="tick" x="${n(tx)}" y="${axisY - 6}" text-anchor="middle">${fmtMs(t - origin)} ms</text>`);
    if (span === 0) break;
  }
  o.push(`</g>`);

  // Spawn arrows first, so the bars are drawn over them.
  o.push(`<g class="spawns">`);
  for (const t of tasks) {
    const pr = t.parentId === null ? undefined : rowOf.get(t.parentId);
    if (pr === undefined) continue;
    const cr = rowOf.get(t.id)!;
    const cx = x(t.created);
    const dir = cr > pr ? 1 : -1;
    o.push(`<path class="spawn" d="M${n(cx)} ${n(mid(pr))}V${n(mid(cr) - (dir * barH) / 2)}"><title>${xmlEscape(`created ${t.name}`)}</title></path>`);
  }
  o.push(`</g>`);

  tasks.forEach((t, i) => {
    const y = top + i * rowH;
    const yBar = y + (rowH - barH) / 2;
    const yMid = mid(i);
    o.push(`<g class="track" data-task-id="${t.id}" data-task="${xmlEscape(t.name)}">`);
    o.push(`<text class="name" x="${n(x0 - 8)}" y="${n(yMid + 4)}" text-anchor="end">${xmlEscape(t.name)}</text>`);
    const endT = t.end !== null ? t.end.time : tl.end;
    o.push(`<line class="life" x1="${n(x(t.created))}" y1="${n(yMid)}" x2="${n(x(endT))}" y2="${n(yMid)}"/>`);
    for (const seg of t.segments) {
      const sx = x(seg.start);
      const w = x(seg.end) - sx;
      const range = `${fmtMs(seg.start - origin)}–${fmtMs(seg.end - origin)} ms`;
      if (seg.kind === "run") {
        const rw = Math.max(2, w);
        o.push(
          `<rect class="run" x="${n(sx - (w < 2 ? 1 : 0))}" y="${n(yBar)}" width="${n(rw)}" height="${barH}"><title>${xmlEscape(`${t.name}: running, ${range}`)}</title></rect>`,
        );
      } else if (seg.kind === "ready") {
        if (w <= 0) continue;
        o.push(
          `<rect class="ready" x="${n(sx)}" y="${n(yMid - 2)}" width="${n(w)}" height="4"><title>${xmlEscape(`${t.name}: ${seg.label === "yield" ? "ready after a yield" : "scheduled"}, ${range}`)}</title></rect>`,
        );
      } else {
        o.push(
          `<rect class="wait" x="${n(sx)}" y="${n(yBar)}" width="${n(Math.max(0, w))}" height="${barH}"><title>${xmlEscape(`${t.name}: waiting on ${seg.label}, ${range}${seg.open ? " (still waiting)" : ""}`)}</title></rect>`,
        );
        if (w >= seg.label.length * CHAR_W * 0.91 + 8) {
          o.push(`<text class="label" x="${n(sx + 4)}" y="${n(yMid + 3.5)}">${xmlEscape(seg.label)}</text>`);
        }
      }
    }
    if (t.end !== null) {
      const ex = x(t.end.time);
      const title = `<title>${xmlEscape(`${t.name}: ${endTitle(t, origin)}`)}</title>`;
      if (t.end.outcome === "result") o.push(`<circle class="result end" cx="${n(ex + 5)}" cy="${n(yMid)}" r="4">${title}</circle>`);
      else {
        const cls = t.end.outcome === "error" ? "error" : "cancelled";
        const glyph = t.end.outcome === "error" ? "#" : "X";
        o.push(`<text class="${cls} end" x="${n(ex + 2)}" y="${n(yMid + 4)}">${glyph}${title}</text>`);
      }
    }
    o.push(`</g>`);
  });

  // Legend.
  const ly = top + tasks.length * rowH + 18;
  const items: [string, string][] = [
    [`<rect class="run" x="0" y="-8" width="10" height="10"/>`, "running"],
    [`<rect class="wait" x="0" y="-8" width="16" height="10"/>`, "waiting on ..."],
    [`<rect class="ready" x="0" y="-5" width="16" height="4"/>`, "ready"],
    [`<circle class="result" cx="5" cy="-3" r="4"/>`, "result"],
    [`<text class="error" x="0" y="0">#</text>`, "error"],
    [`<text class="cancelled" x="0" y="0">X</text>`, "cancelled"],
    [`<path class="spawn" d="M0 -8V2"/>`, "created by"],
  ];
  o.push(`<g class="legend" transform="translate(${n(x0)} ${ly})">`);
  let lx = 0;
  for (const [shape, text] of items) {
    o.push(`<g transform="translate(${n(lx)} 0)">${shape}<text class="tick" x="20" y="0">${xmlEscape(text)}</text></g>`);
    lx += 30 + text.length * CHAR_W;
  }
  o.push(`<text class="tick" x="${n(lx + 10)}" y="0">(loop time, ${tl.precise ? "real clock, sub-ms" : `${tl.clock} clock`})</text>`);
  o.push(`</g>`);
  o.push(`</svg>`);
  return o.join("\n") + "\n";
}
