/**
 * Reading a job's outcome from its stored state, for the coordinator's
 * reconciliation. The events stream is the fast path, but it is not a
 * record: BullMQ trims it to about 10 000 entries (several per job), so a
 * coordinator that reads it late (a burst of thousands of jobs, its event
 * loop busy, a reconnect) silently skips the completions trimmed before it
 * got to them, and nothing in the stream says so (trimming does not even
 * move Redis's `max-deleted-entry-id`). The job itself is the record: jobs
 * are kept after they finish until the coordinator has read them (see
 * `dispatcher.ts`), BullMQ's finished sets are ordered by when, and this
 * module reads them back, in pipelined batches of plain reads.
 *
 * @module
 */

/** What Redis holds of a job the coordinator waits on. @internal */
export type StoredOutcome =
  | { kind: "running" }
  | { kind: "gone" }
  | { kind: "completed"; value: unknown }
  | { kind: "failed"; failedReason: string };

/** The ioredis commands used here (BullMQ's default client has them). @internal */
export interface ReadClient {
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  zrangebyscore(key: string, min: string, max: number, ws: "WITHSCORES", l: "LIMIT", offset: number, count: number): Promise<string[]>;
}

/**
 * The outcome of each job of `ids` (job keys made by `keyOf`). A job hash
 * always has `timestamp`; `finishedOn` is written only when the job finished
 * for good (a failed try that will be retried does not set it), together
 * with `returnvalue` when it completed, and `failedReason` when it failed.
 * @internal
 */
export async function readOutcomes(client: ReadClient, keyOf: (id: string) => string, ids: readonly string[]): Promise<StoredOutcome[]> {
  const rows = await Promise.all(ids.map((id) => client.hmget(keyOf(id), "timestamp", "finishedOn", "returnvalue", "failedReason")));
  return rows.map(([timestamp, finishedOn, returnvalue, failedReason]): StoredOutcome => {
    if (timestamp === null || timestamp === undefined) return { kind: "gone" };
    if (finishedOn === null || finishedOn === undefined) return { kind: "running" };
    if (returnvalue !== null && returnvalue !== undefined) return { kind: "completed", value: JSON.parse(returnvalue) as unknown };
    return { kind: "failed", failedReason: failedReason ?? "" };
  });
}

/**
 * The jobs of a finished set (BullMQ's `completed` or `failed`, scored by
 * `finishedOn`) that finished in `(from, to]`, at most `limit`, and the
 * highest score read (`from` when none).
 * @internal
 */
export async function finishedBetween(client: ReadClient, key: string, from: number, to: number, limit: number): Promise<{ ids: string[]; last: number }> {
  const flat = await client.zrangebyscore(key, `(${from}`, to, "WITHSCORES", "LIMIT", 0, limit);
  const ids: string[] = [];
  let last = from;
  for (let i = 0; i < flat.length; i += 2) {
    ids.push(flat[i]!);
    last = Math.max(last, Number(flat[i + 1]));
  }
  return { ids, last };
}
