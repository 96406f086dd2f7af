// Prints a line prefixed with the running loop's time since the first line.
import { getRunningLoop } from "rx-asyncio";

let t0: number | null = null;

/** `[  1.000s] message` on the running loop's clock (virtual or real). */
export function stamp(message: string): void {
  const now = getRunningLoop().time();
  t0 ??= now;
  console.log(`[${((now - t0) / 1000).toFixed(3).padStart(7)}s] ${message}`);
}

/** Resets the time origin (each section of a demo starts at 0). */
export function resetStamp(): void {
  t0 = null;
}
