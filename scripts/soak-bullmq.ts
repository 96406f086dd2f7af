// `npm run soak:bullmq [-- --jobs N]`: issue 16's fault run at full size (50 000 jobs by default)
// against a real redis-server (append-only file) and 2 real worker processes, with random
// cancellations, one worker SIGKILLed and Redis restarted mid-run. Prints the figures; exits 1
// unless every future settled, the counts add up and every re-run is one docs/scaling-out.md allows.
import { faultRun, faultRunHolds } from "../spec/bullmq-fault-run";

const at = process.argv.indexOf("--jobs");
const jobs = at >= 0 ? Number(process.argv[at + 1]) : 50_000;
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`soak:bullmq: --jobs must be a positive integer, got ${process.argv[at + 1]}`);
  process.exit(2);
}
faultRun({ jobs, log: (l) => console.log(`  ${l}`) }).then(
  (r) => {
    console.log(`fault run: ${r.jobs} jobs in ${r.seconds.toFixed(1)} s through 2 workers (w1 SIGKILLed at ${r.killedAtS.toFixed(1)} s and replaced by w3; redis-server stopped at ${r.redisDownAtS.toFixed(1)} s, back at ${r.redisBackAtS.toFixed(1)} s)`);
    console.log(`  completed ${r.completed}, failed ${r.failed}${r.failed > 0 ? ` ${JSON.stringify(r.failures)}` : ""}, cancelled ${r.cancelled}, unsettled ${r.unsettled} (sum ${r.completed + r.failed + r.cancelled + r.unsettled})`);
    console.log(`  re-runs ${r.reRuns} (${r.jobsRunTwice} jobs ran more than once), unexplained ${r.unexplainedReRuns.length}, wrong results ${r.wrongResults}`);
    for (const u of r.unexplainedReRuns.slice(0, 10)) console.log(`  unexplained: ${u} (ms from the start)`);
    const ok = faultRunHolds(r);
    console.log(ok ? "OK" : "FAILED");
    process.exit(ok ? 0 : 1);
  },
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
