// Where the workloads get rx-asyncio from. The orchestrator compiles src/ to a
// private CommonJS build and passes its entry in RX_BENCH_LIB (a private
// directory, so a concurrent `npm run build` or Jest run that wipes dist/ cannot
// break a measurement). RX_BENCH_LIB=src loads the TypeScript sources through
// tsx instead (the child must run with `node --import tsx`): the smoke spec
// uses that, since it needs no build and does not measure speed.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("../../", import.meta.url));

export function loadRxAsyncio() {
  const where = process.env.RX_BENCH_LIB || `${root}dist/cjs/index.js`;
  if (where === "src") return require(`${root}src/index.ts`);
  return require(where);
}
