/**
 * Helpers of the trace specs: a validator for the fields of the Trace Event
 * format this library writes, and a small, strict XML parser (well-formedness
 * plus a tree to query) for the SVG timeline.
 */

/** Problems found in a Chrome trace object; empty when it is valid. */
export function validateChromeTrace(trace: unknown): string[] {
  const errs: string[] = [];
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObj(trace)) return ["trace is not an object"];
  const evs = trace.traceEvents;
  if (!Array.isArray(evs)) return ["traceEvents is not an array"];
  if (trace.displayTimeUnit !== undefined && trace.displayTimeUnit !== "ms" && trace.displayTimeUnit !== "ns") {
    errs.push(`displayTimeUnit ${String(trace.displayTimeUnit)}`);
  }
  const named = new Set<string>();
  const flows = new Map<string, { s?: Record<string, unknown>; f?: Record<string, unknown> }>();
  const slices = new Map<string, { ts: number; end: number }[]>();
  const used = new Set<string>();
  evs.forEach((e: unknown, i) => {
    const at = `event ${i}`;
    if (!isObj(e)) {
      errs.push(`${at}: not an object`);
      return;
    }
    if (typeof e.name !== "string" || e.name === "") errs.push(`${at}: name must be a non-empty string`);
    if (typeof e.ph !== "string" || !["X", "B", "E", "i", "I", "s", "t", "f", "M"].includes(e.ph)) errs.push(`${at}: bad ph ${String(e.ph)}`);
    if (typeof e.ts !== "number" || !Number.isFinite(e.ts) || e.ts < 0) errs.push(`${at}: ts must be a finite number of microseconds >= 0`);
    if (!Number.isInteger(e.pid)) errs.push(`${at}: pid must be an integer`);
    if (!Number.isInteger(e.tid)) errs.push(`${at}: tid must be an integer`);
    if (e.args !== undefined) {
      if (!isObj(e.args)) errs.push(`${at}: args must be an object`);
      else {
        try {
          JSON.stringify(e.args);
        } catch {
          errs.push(`${at}: args not serializable`);
        }
      }
    }
    if (e.cat !== undefined && typeof e.cat !== "string") errs.push(`${at}: cat must be a string`);
    const key = `${String(e.pid)}/${String(e.tid)}`;
    switch (e.ph) {
      case "X": {
        if (typeof e.dur !== "number" || !Number.isFinite(e.dur) || e.dur < 0) errs.push(`${at}: X needs dur >= 0`);
        else {
          const list = slices.get(key) ?? [];
          // In integer nanoseconds, as importers store them.
          const ts = Math.round((e.ts as number) * 1000);
          list.push({ ts, end: ts + Math.round(e.dur * 1000) });
          slices.set(key, list);
        }
        used.add(key);
        break;
      }
      case "s":
      case "f": {
        if (typeof e.id !== "number" && typeof e.id !== "string") errs.push(`${at}: flow needs an id`);
        if (typeof e.cat !== "string") errs.push(`${at}: flow needs a cat`);
        if (e.bp !== undefined && e.bp !== "e") errs.push(`${at}: bp must be "e"`);
        const fk = `${String(e.cat)}/${String(e.name)}/${String(e.id)}`;
        const pair = flows.get(fk) ?? {};
        if (pair[e.ph] !== undefined) errs.push(`${at}: duplicate flow ${e.ph} for ${fk}`);
        // Importers drop a flow end that comes before its start in the file.
        if (e.ph === "f" && pair.s === undefined) errs.push(`${at}: flow end before its start (${fk})`);
        pair[e.ph] = e;
        flows.set(fk, pair);
        used.add(key);
        break;
      }
      case "i":
        if (e.s !== undefined && !["t", "p", "g"].includes(e.s as string)) errs.push(`${at}: bad instant scope`);
        used.add(key);
        break;
      case "M":
        if (!["process_name", "thread_name", "thread_sort_index", "process_sort_index"].includes(e.name as string)) {
          errs.push(`${at}: unknown metadata ${String(e.name)}`);
        }
        if ((e.name === "thread_name" || e.name === "process_name") && !(isObj(e.args) && typeof e.args.name === "string")) {
          errs.push(`${at}: ${String(e.name)} needs args.name`);
        }
        if (e.name === "thread_name") named.add(key);
        break;
    }
  });
  for (const [fk, p] of flows) {
    if (p.s === undefined || p.f === undefined) errs.push(`flow ${fk}: needs both s and f`);
    else if ((p.f.ts as number) < (p.s.ts as number)) errs.push(`flow ${fk}: ends before it starts`);
  }
  for (const key of used) if (!named.has(key)) errs.push(`track ${key}: no thread_name metadata`);
  // Complete events on one track must nest: no partial overlap.
  for (const [key, list] of slices) {
    const sorted = list.slice().sort((a, b) => a.ts - b.ts || b.end - a.end);
    const stack: { ts: number; end: number }[] = [];
    for (const s of sorted) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= s.ts) stack.pop();
      const top = stack[stack.length - 1];
      if (top !== undefined && s.end > top.end) errs.push(`track ${key}: slices overlap at ${s.ts / 1000} µs`);
      stack.push(s);
    }
  }
  return errs;
}

/** An XML element. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

function decodeEntities(s: string, where: number): string {
  return s.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(";")) throw new Error(`XML: bare '&' near offset ${where}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (body in named) return named[body]!;
    const num = /^#(\d+)$/.exec(body) ?? /^#x([0-9a-fA-F]+)$/.exec(body);
    if (num !== null) return String.fromCodePoint(parseInt(num[1]!, body.startsWith("#x") ? 16 : 10));
    throw new Error(`XML: unknown entity &${body}; near offset ${where}`);
  });
}

/**
 * Parses a well-formed XML document (elements, attributes, text, comments, an
 * optional declaration); throws on anything malformed: unclosed or crossed
 * tags, unquoted or repeated attributes, bare `<` or `&`, content after the root.
 */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const skipWs = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const fail = (msg: string): never => {
    throw new Error(`XML: ${msg} at offset ${i}`);
  };
  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (src.startsWith("<?", i)) {
        const end = src.indexOf("?>", i);
        if (end < 0) fail("unterminated declaration");
        i = end + 2;
      } else if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment");
        if (src.slice(i + 4, end).includes("--")) fail("'--' inside a comment");
        i = end + 3;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== "<") fail("expected '<'");
    i++;
    const m = NAME.exec(src.slice(i));
    if (m === null) fail("bad element name");
    const el: XmlElement = { name: m![0], attrs: {}, children: [], text: "" };
    i += m![0].length;
    for (;;) {
      const before = i;
      skipWs();
      if (src.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (src[i] === ">") {
        i++;
        break;
      }
      if (i === before) fail("expected whitespace before an attribute");
      const a = NAME.exec(src.slice(i));
      if (a === null) fail("bad attribute name");
      i += a![0].length;
      skipWs();
      if (src[i] !== "=") fail("expected '='");
      i++;
      skipWs();
      const q = src[i];
      if (q !== '"' && q !== "'") fail("attribute value must be quoted");
      const end = src.indexOf(q!, i + 1);
      if (end < 0) fail("unterminated attribute value");
      const raw = src.slice(i + 1, end);
      if (raw.includes("<")) fail("'<' in an attribute value");
      if (a![0] in el.attrs) fail(`repeated attribute ${a![0]}`);
      el.attrs[a![0]] = decodeEntities(raw, i);
      i = end + 1;
    }
    for (;;) {
      const lt = src.indexOf("<", i);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      const text = src.slice(i, lt);
      if (text.includes(">") && text.includes("]]>")) fail("']]>' in text");
      el.text += decodeEntities(text, i);
      i = lt;
      if (src.startsWith("</", i)) {
        i += 2;
        const c = NAME.exec(src.slice(i));
        if (c === null || c[0] !== el.name) fail(`</${c?.[0] ?? "?"}> closes <${el.name}>`);
        i += c![0].length;
        skipWs();
        if (src[i] !== ">") fail("expected '>'");
        i++;
        return el;
      }
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) fail("content after the root element");
  return root;
}

/** Every element below (and including) `el` that matches. */
export function findAll(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (pred(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/** Whether an element has a class. */
export function hasClass(e: XmlElement, cls: string): boolean {
  return (e.attrs.class ?? "").split(/\s+/).includes(cls);
}

/** All text inside an element. */
export function textOf(e: XmlElement): string {
  return e.text + e.children.map(textOf).join("");
}
