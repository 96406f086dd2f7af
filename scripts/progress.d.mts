// Types for scripts/progress.mjs (used by scripts/soak.ts).
export declare function formatDuration(ms: number): string;
export declare function etaMs(done: number, total: number, elapsedMs: number): number | null;
export declare function progressPrefix(done: number, total: number, elapsedMs: number): string;
export interface Progress {
  tick(note?: string, steps?: number): void;
  log(line: string): void;
  setTotal(n: number): void;
  readonly done: number;
  stop(): void;
}
export declare function createProgress(options: {
  label: string;
  total: number;
  stream?: NodeJS.WriteStream;
  tty?: boolean;
  now?: () => number;
}): Progress;
