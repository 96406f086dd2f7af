// The job functions the bullmq-fleet demo's workers serve (worker-cli --jobs).
// Each is called as fn(ctx, ...args); ctx.worker names the worker process.
import { createHash } from "node:crypto";
import type { JobContext } from "rx-asyncio/bullmq";

/**
 * A stand-in for real work (fetch a page, render a thumbnail): 60 ms of
 * waiting plus a little hashing. Honours its signal, so cancelling stops it.
 */
export async function thumbnail(ctx: JobContext, page: number): Promise<{ page: number; digest: string; worker: string }> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, 60);
    ctx.signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(ctx.signal.reason);
    });
  });
  let h = `page-${page}`;
  for (let i = 0; i < 2000; i++) h = createHash("sha256").update(h).digest("hex");
  return { page, digest: h.slice(0, 8), worker: ctx.worker };
}
