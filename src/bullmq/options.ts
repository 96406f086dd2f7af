/**
 * The option checks of the BullMQ layer that BullMQ itself does not make: an
 * unknown key (`{ atempts: 3 }` is ignored by a spread), a backoff type no
 * worker knows (the job would fail only when it is first retried), a
 * negative or fractional duration passed on to BullMQ's timers. Kept apart
 * from the executor and server so their entry points each call one function.
 *
 * @module
 */
import { describe } from "../coroutines.js";
import { checkOptionKeys, closestName } from "../internal/loop-checks.js";

/** The keys of `BullMQJobOptions`. */
const JOB_OPTIONS = ["attempts", "backoff", "timeout"] as const;
/** The keys of `BullMQExecutorOptions`. */
const EXECUTOR_OPTIONS = [...JOB_OPTIONS, "connection", "queue", "prefix", "jobNames", "connectionTimeout"] as const;
/** The keys of `ServeJobsOptions`. */
const SERVE_OPTIONS = [
  "connection",
  "queue",
  "jobs",
  "prefix",
  "concurrency",
  "name",
  "lockDuration",
  "stalledInterval",
  "maxStalledCount",
  "onError",
] as const;

/**
 * The backoff types a `serveJobs` worker knows: BullMQ's built-in ones (it
 * sets no `backoffStrategy` for custom types).
 */
const BACKOFF_TYPES = ["fixed", "exponential"] as const;

function checkObject(where: string, options: unknown): options is object {
  return typeof options === "object" && options !== null;
}

/** Checks the keys of job options (`withOptions`), and the backoff type. @throws TypeError / RangeError */
export function checkJobOptionKeys(where: string, options: unknown, executor = false): void {
  if (!checkObject(where, options)) return; // the caller's own check names it
  checkOptionKeys(where, options, executor ? EXECUTOR_OPTIONS : JOB_OPTIONS);
  const b = (options as { backoff?: unknown }).backoff;
  if (typeof b === "object" && b !== null) {
    checkOptionKeys(`${where}: 'backoff'`, b, ["type", "delay"]);
    const type = (b as { type?: unknown }).type;
    if (typeof type === "string" && !(BACKOFF_TYPES as readonly string[]).includes(type)) {
      const near = closestName(type, BACKOFF_TYPES);
      throw new RangeError(
        `${where}: 'backoff.type' must be "fixed" or "exponential" (the types a serveJobs worker knows), got ${describe(type)}` +
          (near === null ? "" : ` (did you mean "${near}"?)`),
      );
    }
  }
}

/** Checks the keys and the BullMQ durations of `serveJobs` options. @throws TypeError / RangeError */
export function checkServeOptions(where: string, options: unknown): void {
  if (!checkObject(where, options)) return;
  checkOptionKeys(where, options, SERVE_OPTIONS);
  const o = options as Record<string, unknown>;
  for (const key of ["lockDuration", "stalledInterval"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== "number") throw new TypeError(`${where}: '${key}' must be a number of ms, got ${describe(v)}`);
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${where}: '${key}' must be a whole number of ms > 0, got ${describe(v)}`);
  }
  const m = o.maxStalledCount;
  if (m !== undefined) {
    if (typeof m !== "number") throw new TypeError(`${where}: 'maxStalledCount' must be a number, got ${describe(m)}`);
    if (!Number.isInteger(m) || m < 0) throw new RangeError(`${where}: 'maxStalledCount' must be a whole number >= 0, got ${describe(m)}`);
  }
  if (o.name !== undefined && (typeof o.name !== "string" || o.name === "")) {
    throw new TypeError(`${where}: 'name' must be a non-empty string, got ${describe(o.name)}`);
  }
  if (o.onError !== undefined && typeof o.onError !== "function") {
    throw new TypeError(`${where}: 'onError' must be a function, got ${describe(o.onError)}`);
  }
}
