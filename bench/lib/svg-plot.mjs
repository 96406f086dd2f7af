// A small log-log line plot as SVG text, with no dependency: one panel per
// curve, every panel on the same axes (so curves compare across panels too),
// one colour per system, a shared legend. Used by bench/sections/scaling.mjs.

const COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const PANEL_W = 300;
const PANEL_H = 220;
const MARGIN = { left: 52, right: 12, top: 28, bottom: 36 };
const COLUMNS = 3;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const decade = (v) => 10 ** v;
const fmtTick = (v) => (v >= 1_000_000 ? `${v / 1_000_000}M` : v >= 1_000 ? `${v / 1_000}k` : v >= 1 ? String(v) : String(Number(v.toPrecision(1))));

/** The decades [lo, hi] (powers of ten) that hold every value of `xs`. */
function decades(xs) {
  const lo = Math.floor(Math.log10(Math.min(...xs)));
  let hi = Math.ceil(Math.log10(Math.max(...xs)));
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

/**
 * @param {{ title: string, panels: { title: string, series: { label: string, points: [number, number][] }[] }[] }} spec
 * @returns {string} the SVG document
 */
export function logLogPanels({ title, panels, xLabel = "n (tasks)", yLabel = "µs per task" }) {
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const labels = [...new Set(panels.flatMap((p) => p.series.map((s) => s.label)))];
  const colour = (label) => COLOURS[labels.indexOf(label) % COLOURS.length];
  const rows = Math.ceil(panels.length / COLUMNS);
  const width = COLUMNS * PANEL_W;
  const legendH = 28;
  const height = 30 + legendH + rows * PANEL_H;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  labels.forEach((label, i) => {
    const x = 20 + i * 150;
    out.push(`<line x1="${x}" y1="${38}" x2="${x + 24}" y2="${38}" stroke="${colour(label)}" stroke-width="2"/>`);
    out.push(`<text x="${x + 30}" y="${42}">${esc(label)}</text>`);
  });
  if (all.length === 0) {
    out.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>`);
    return out.join("\n");
  }
  const [x0, x1] = decades(all.map((p) => p[0]));
  const [y0, y1] = decades(all.map((p) => p[1]));
  panels.forEach((panel, k) => {
    const ox = (k % COLUMNS) * PANEL_W;
    const oy = 30 + legendH + Math.floor(k / COLUMNS) * PANEL_H;
    const w = PANEL_W - MARGIN.left - MARGIN.right;
    const h = PANEL_H - MARGIN.top - MARGIN.bottom;
    const px = (x) => ox + MARGIN.left + ((Math.log10(x) - x0) / (x1 - x0)) * w;
    const py = (y) => oy + MARGIN.top + h - ((Math.log10(y) - y0) / (y1 - y0)) * h;
    out.push(`<g>`);
    out.push(`<text x="${ox + MARGIN.left + w / 2}" y="${oy + 16}" text-anchor="middle" font-size="12">${esc(panel.title)}</text>`);
    out.push(`<rect x="${ox + MARGIN.left}" y="${oy + MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
    for (let d = x0; d <= x1; d++) {
      const x = px(decade(d));
      out.push(`<line x1="${x}" y1="${oy + MARGIN.top}" x2="${x}" y2="${oy + MARGIN.top + h}" stroke="#eee"/>`);
      out.push(`<text x="${x}" y="${oy + MARGIN.top + h + 14}" text-anchor="middle">${fmtTick(decade(d))}</text>`);
    }
    for (let d = y0; d <= y1; d++) {
      const y = py(decade(d));
      out.push(`<line x1="${ox + MARGIN.left}" y1="${y}" x2="${ox + MARGIN.left + w}" y2="${y}" stroke="#eee"/>`);
      out.push(`<text x="${ox + MARGIN.left - 4}" y="${y + 4}" text-anchor="end">${fmtTick(decade(d))}</text>`);
    }
    out.push(`<text x="${ox + MARGIN.left + w / 2}" y="${oy + PANEL_H - 6}" text-anchor="middle" fill="#555">${esc(xLabel)}</text>`);
    out.push(`<text transform="translate(${ox + 12},${oy + MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#555">${esc(yLabel)}</text>`);
    for (const s of panel.series) {
      if (s.points.length === 0) continue;
      const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`);
      out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${colour(s.label)}" stroke-width="2"><title>${esc(s.label)}</title></polyline>`);
      for (const p of pts) {
        const [cx, cy] = p.split(",");
        out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${colour(s.label)}"/>`);
      }
    }
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}
