/**
 * The fresh-machine path: a missing system program is reported at once with
 * its real cause, and describeWithSystem finds programs on PATH.
 */
import { startRedis } from "./bullmq-helpers";
import { findProgram, missingLine, REDIS } from "./system-deps";

test("startRedis without redis-server on PATH rejects at once with the spawn error (ENOENT), not after the 15 s wait", async () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent-dir";
  const t0 = Date.now();
  try {
    await expect(startRedis(1)).rejects.toThrow(/could not start redis-server: spawn redis-server ENOENT/);
  } finally {
    process.env.PATH = path;
  }
  expect(Date.now() - t0).toBeLessThan(5000);
});

test("findProgram looks a command up on PATH; the skip line names the package and its install command", () => {
  expect(findProgram(process.execPath)).toBe(process.execPath);
  expect(findProgram("no-such-program-rx-asyncio")).toBeUndefined();
  expect(missingLine(REDIS)).toMatch(/'redis-server' is not installed.*apt-get install -y redis-server/);
});
