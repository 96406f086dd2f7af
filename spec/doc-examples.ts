/**
 * The TypeScript examples of README.md and docs/*.md, as the doc-examples spec
 * checks them. A fenced `ts` block is a complete program unless the comment
 * line right before it marks it:
 *
 *   <!-- fragment: why it cannot run on its own -->   not run (say why)
 *   <!-- example: real-clock -->                      run on the real clock (default: virtual)
 *   <!-- example: jest -->                            a spec file: its tests run inside the doc-examples spec
 *
 * A ```text block right after a program, marked `<!-- output -->`, is what the
 * program must print, line for line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const root = join(__dirname, "..");

export interface DocExample {
  /** "README.md:123" (the line of the opening fence). */
  where: string;
  /** A file-name-safe id, e.g. "README-123". */
  id: string;
  code: string;
  kind: "program" | "jest" | "fragment";
  /** The reason given for a fragment. */
  reason?: string;
  clock: "virtual" | "real";
  /** The output the text claims, when it claims one. */
  output?: string;
}

export function docFiles(): string[] {
  return ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
}

/** The examples of one Markdown file; throws on a marker it does not know or a fragment without a reason. */
export function examplesOf(file: string): DocExample[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const out: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```ts") continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    const where = `${file}:${start + 1}`;
    const marker = (lines[start - 1] ?? "").trim();
    const ex: DocExample = {
      where,
      id: `${file.replace(/^docs\//, "").replace(/\.md$/, "")}-${start + 1}`,
      code: body.join("\n") + "\n",
      kind: "program",
      clock: "virtual",
    };
    const m = /^<!--\s*(fragment|example):\s*(.*?)\s*-->$/.exec(marker);
    if (m) {
      if (m[1] === "fragment") {
        if (m[2]!.length < 10) throw new Error(`${where}: a fragment marker says why the block cannot run on its own`);
        ex.kind = "fragment";
        ex.reason = m[2]!;
      } else {
        for (const opt of m[2]!.split(/\s*,\s*/)) {
          if (opt === "real-clock") ex.clock = "real";
          else if (opt === "jest") ex.kind = "jest";
          else throw new Error(`${where}: unknown example option ${JSON.stringify(opt)}`);
        }
      }
    } else if (marker.startsWith("<!--")) {
      throw new Error(`${where}: unknown marker ${marker}`);
    }
    // An <!-- output --> marker and a text block right after the program (blank lines allowed).
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === "") j++;
    if (lines[j]?.trim() === "<!-- output -->" && lines[j + 1] === "```text") {
      const text: string[] = [];
      for (j += 2; j < lines.length && lines[j] !== "```"; j++) text.push(lines[j]!);
      ex.output = text.join("\n");
    }
    out.push(ex);
  }
  return out;
}
