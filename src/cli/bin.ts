#!/usr/bin/env node
/** The `rx-asyncio` command (package.json `bin`); the work is in main.ts. */
import { main } from "./main.js";

main(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
