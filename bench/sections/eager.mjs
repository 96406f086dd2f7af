// The eager-task rows (issue 21): W1 (n tasks, gather) where each task waits
// one tick, and a "half cached" variant where every other task returns
// without suspending (a cache hit), each in three forms, in the same run:
//   rx plain   gatherAll(coros)                    (tasks scheduled, first step on the loop)
//   rx eager   gatherAll(coros, { eager: true })   (first step inside gatherAll)
//   async      Promise.all of async functions      (W1's strongest async/await form: await Promise.resolve())
// Each (form, variant, round) runs in a fresh process; rounds are interleaved.
// A section of `npm run bench` (bench/sections/index.mjs); alone:
//   npm run bench -- --sections eager [--rounds N] [--quick]
//   node bench/sections/eager.mjs child <form> <variant> <n>      (one measurement)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { checkSum, now, sumOf } from "../lib/workloads.mjs";
import { tsxArgs } from "./node-args.mjs";

const FORMS = ["rx-plain", "rx-eager", "async-await"];
const VARIANTS = ["W1", "W1-half-cached"];
const SIZES = { full: 100_000, quick: 5_000, smoke: 300 };

async function measure(form, variant, n) {
  const cached = (i) => variant === "W1-half-cached" && i % 2 === 0;
  if (form === "async-await") {
    const t0 = now();
    const jobs = new Array(n);
    for (let i = 0; i < n; i++) {
      jobs[i] = cached(i)
        ? (async () => i)()
        : (async () => {
            await Promise.resolve();
            return i;
          })();
    }
    const sum = sumOf(await Promise.all(jobs));
    checkSum(sum, n);
    return now() - t0;
  }
  const { loadRxAsyncio } = await import("../lib/load-rx-asyncio.mjs");
  const { gatherAll, run, sleep } = loadRxAsyncio();
  function* job(i) {
    if (cached(i)) return i;
    yield* sleep(0);
    return i;
  }
  const eager = form === "rx-eager";
  const t0 = now();
  const sum = await run(function* () {
    const coros = new Array(n);
    for (let i = 0; i < n; i++) coros[i] = job(i);
    return sumOf(yield* (eager ? gatherAll(coros, { eager: true }) : gatherAll(coros)));
  });
  checkSum(sum, n);
  return now() - t0;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runChild(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const m = /EAGER-RESULT (\S+)/.exec(out);
      if (code !== 0 || !m) reject(new Error(`bench/sections/eager.mjs ${args.slice(-3).join(" ")} failed: ${err || out}`));
      else resolve(Number(m[1]));
    });
  });
}

/** The markdown table from the medians of `figures` ({ "W1 rx-plain": [ms, ...], ... }). */
export function render({ n, rounds, figures }) {
  const rows = [
    `n = ${n.toLocaleString("en-US")}, ${rounds} round(s), medians; wall ms, lower is better. "async/await" is W1's strongest form (\`await Promise.resolve()\`).`,
    "",
    "| workload | rx plain | rx eager | async/await | eager / plain | eager / async-await |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const variant of VARIANTS) {
    const [p, e, a] = FORMS.map((f) => median(figures[`${variant} ${f}`]));
    rows.push(`| ${variant} | ${p.toFixed(1)} | ${e.toFixed(1)} | ${a.toFixed(1)} | ${(e / p).toFixed(2)} | ${(e / a).toFixed(2)} |`);
  }
  return rows.join("\n");
}

export default {
  id: "eager",
  title: "Eager tasks",
  units({ rounds }) {
    return rounds * VARIANTS.length * FORMS.length;
  },
  async run({ scale, rounds, env, tick }) {
    const self = fileURLToPath(import.meta.url);
    const n = SIZES[scale];
    const figures = {};
    for (let r = 0; r < rounds; r++) {
      for (const variant of VARIANTS) {
        for (const form of FORMS) {
          const ms = await runChild([...tsxArgs(env), self, "child", form, variant, String(n)], env);
          (figures[`${variant} ${form}`] ??= []).push(ms);
          tick(`eager r${r + 1} ${variant} ${form}: ${ms.toFixed(1)} ms`);
        }
      }
    }
    const data = { n, rounds, figures };
    return { data, markdown: render(data) };
  },
  render: (data) => ({ data, markdown: render(data) }),
};

if (process.argv[2] === "child") {
  const [, , , form, variant, n] = process.argv;
  if (!FORMS.includes(form) || !VARIANTS.includes(variant)) {
    console.error(`usage: node bench/sections/eager.mjs child <${FORMS.join("|")}> <${VARIANTS.join("|")}> <n>`);
    process.exit(2);
  }
  measure(form, variant, Number(n)).then((ms) => console.log(`EAGER-RESULT ${ms}`));
}
