// Prints a line prefixed with the running loop's time since the first line.
// Loop time, not Date.now(): under RX_ASYNCIO_CLOCK=virtual the output is the
// same on every run, which is what the demo specs compare.
import { getRunningLoop } from "rx-asyncio";

let t0: number | null = null;

/**
 * `[  1.000s] message` on the running loop's clock (virtual or real); outside
 * a running loop, pass the loop whose clock to use.
 */
export function stamp(message: string, loop: { time(): number } = getRunningLoop()): void {
  const now = loop.time();
  t0 ??= now;
  console.log(`[${((now - t0) / 1000).toFixed(3).padStart(7)}s] ${message}`);
}

/** Resets the time origin (each section of a demo starts at 0). */
export function resetStamp(): void {
  t0 = null;
}

/** Starts a section: prints its title and restarts the clock at 0 now. */
export function section(title: string): void {
  console.log(`--- ${title}`);
  t0 = getRunningLoop().time();
}
