// The distributed section (issue 16): BullMQExecutor against plain BullMQ,
// 2 worker processes on a local redis-server. The measuring is in
// bench/distributed.mjs; this is its hook into the harness.
import { spawnSync } from "node:child_process";
import { renderDistributed, runDistributedBench } from "../distributed.mjs";

const SIZES = { full: 20_000, quick: 5_000, smoke: 500 };

function hasRedis() {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export default {
  id: "distributed",
  title: "Distributed: BullMQExecutor vs plain BullMQ",
  units({ rounds }) {
    return rounds * 2;
  },
  async run({ scale, rounds, env, tick, log }) {
    if (!hasRedis()) {
      for (let i = 0; i < rounds * 2; i++) tick("skipped");
      return { data: null, markdown: "NOT RUN: `redis-server` is not installed (apt-get install -y redis-server); no figures." };
    }
    return runDistributedBench({ rounds, n: SIZES[scale], env, log, tick });
  },
  render(data) {
    return data === null ? { data, markdown: "NOT RUN: `redis-server` was not installed." } : { data, markdown: renderDistributed(data) };
  },
};
