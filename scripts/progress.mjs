// Progress for the long runs (`npm run bench`, `fuzz`, `soak`): how much is
// done of how much, and an estimate of the time left. On a terminal it is a
// cli-progress bar (a dev dependency, so the library itself gains nothing)
// with the log lines printed above it; when the output is piped or in CI it is
// plain lines, one per step, each led by "[done/total pct ETA]" so that a log
// file says the same thing.
import cliProgress from "cli-progress";

/** "1h02m", "4m05s", "12s". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * The time left after `done` of `total` steps in `elapsedMs`, assuming the
 * steps left cost what the steps done did on average (null before the first).
 */
export function etaMs(done, total, elapsedMs) {
  if (done <= 0) return null;
  return (elapsedMs / done) * Math.max(0, total - done);
}

/** "[12/340 3% ETA 4m05s]" */
export function progressPrefix(done, total, elapsedMs) {
  const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
  const eta = etaMs(done, total, elapsedMs);
  return `[${done}/${total} ${pct}% ETA ${eta === null ? "?" : formatDuration(eta)}]`;
}

/**
 * @param {{ label: string, total: number, stream?: NodeJS.WriteStream, tty?: boolean, now?: () => number }} options
 * `tty` defaults to whether `stream` is a terminal (and CI is not set).
 */
export function createProgress({ label, total, stream = process.stderr, tty, now = () => Date.now() }) {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`createProgress: 'total' must be a whole number >= 0, got ${total}`);
  const useBar = tty ?? (Boolean(stream.isTTY) && !process.env.CI);
  const started = now();
  let done = 0;
  let bar = null;
  let multi = null;
  if (useBar) {
    multi = new cliProgress.MultiBar(
      {
        stream,
        format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {note}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar = multi.create(total, 0, { note: "" });
  }
  return {
    /** Marks `steps` more done; `note` says what (printed above the bar, or on the plain line). */
    tick(note = "", steps = 1) {
      done += steps;
      if (bar) {
        if (note) multi.log(`${note}\n`);
        bar.update(done, { note: note.slice(0, 40) });
      } else stream.write(`${label} ${progressPrefix(done, total, now() - started)}${note ? ` ${note}` : ""}\n`);
    },
    /** A line that is not a step. */
    log(line) {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    /** More (or fewer) steps than planned. */
    setTotal(n) {
      total = n;
      if (bar) bar.setTotal(n);
    },
    get done() {
      return done;
    },
    stop() {
      if (multi) multi.stop();
    },
  };
}
