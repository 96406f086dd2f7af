// The eager-task rows (issue 21): W1 (n tasks, gather) where each task waits
// one tick, and a "half cached" variant where every other task returns
// without suspending (a cache hit), each in four forms, in the same run:
//   rx plain   gather(...coros)                    (tasks scheduled, first step on the loop)
//   rx eager   gather(...coros, { eager: true })   (first step inside gather)
//   async      Promise.all of async functions      (W1's async/await form: await a setImmediate tick)
// Each (form, variant, round) runs in a fresh process; rounds are interleaved.
//
//   npm run bench -- --eager [--rounds N] [--scale quick]
//   node bench/eager.mjs child <form> <variant> <n>      (one measurement)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { checkSum, now, sumOf } from "./lib/workloads.mjs";

const FORMS = ["rx-plain", "rx-eager", "async-await"];
const VARIANTS = ["W1", "W1-half-cached"];

async function measure(form, variant, n) {
  const cached = (i) => variant === "W1-half-cached" && i % 2 === 0;
  if (form === "async-await") {
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const t0 = now();
    const jobs = new Array(n);
    for (let i = 0; i < n; i++) {
      jobs[i] = cached(i)
        ? (async () => i)()
        : (async () => {
            await tick();
            return i;
          })();
    }
    const sum = sumOf(await Promise.all(jobs));
    checkSum(sum, n);
    return now() - t0;
  }
  const { loadRxAsyncio } = await import("./lib/load-rx-asyncio.mjs");
  const { gather, run, sleep } = loadRxAsyncio();
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
    return sumOf(yield* (eager ? gather(...coros, { eager: true }) : gather(...coros)));
  });
  checkSum(sum, n);
  return now() - t0;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs every (form, variant) `rounds` times, interleaved; returns the markdown table. */
export function runEagerBench({ rounds = 5, n = 100_000, env = process.env, log = () => {} } = {}) {
  const self = fileURLToPath(import.meta.url);
  const figures = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const variant of VARIANTS) {
      for (const form of FORMS) {
        const p = spawnSync(process.execPath, [self, "child", form, variant, String(n)], { env, encoding: "utf8" });
        const m = /EAGER-RESULT (\S+)/.exec(p.stdout);
        if (p.status !== 0 || !m) throw new Error(`bench/eager.mjs ${form} ${variant} failed: ${p.stderr || p.stdout}`);
        const key = `${variant} ${form}`;
        figures.set(key, [...(figures.get(key) ?? []), Number(m[1])]);
        log(`round ${r + 1}/${rounds} ${key}: ${Number(m[1]).toFixed(1)} ms`);
      }
    }
  }
  const rows = [`Eager tasks (n = ${n}, ${rounds} rounds, medians; wall ms, lower is better)`, "", "| workload | rx plain | rx eager | async/await | eager / plain | eager / async-await |", "|---|---|---|---|---|---|"];
  for (const variant of VARIANTS) {
    const [p, e, a] = FORMS.map((f) => median(figures.get(`${variant} ${f}`)));
    rows.push(`| ${variant} | ${p.toFixed(1)} | ${e.toFixed(1)} | ${a.toFixed(1)} | ${(e / p).toFixed(2)} | ${(e / a).toFixed(2)} |`);
  }
  return rows.join("\n");
}

if (process.argv[2] === "child") {
  const [, , , form, variant, n] = process.argv;
  if (!FORMS.includes(form) || !VARIANTS.includes(variant)) {
    console.error(`usage: node bench/eager.mjs child <${FORMS.join("|")}> <${VARIANTS.join("|")}> <n>`);
    process.exit(2);
  }
  measure(form, variant, Number(n)).then((ms) => console.log(`EAGER-RESULT ${ms}`));
}
