/**
 * Removing finished jobs whose outcome the coordinator has read, many in
 * one Redis call. The coordinator keeps finished jobs until it has read them
 * (see `dispatcher.ts`), so every job costs one removal, and at volume the
 * removal was the executor's largest cost beside BullMQ's own work:
 * `Queue.remove(id)` is one script call per job, and it is built for any job
 * in any state: it checks the job's lock and its children (a flow parent),
 * looks in every state's list and set, and writes a `removed` event to the
 * events stream, which every coordinator then reads and parses. Measured on
 * the distributed benchmark, that was about 15 Redis commands and one event
 * per job.
 *
 * A job the coordinator has read is in one known place: its queue's
 * `completed` or `failed` set, with no lock and no children (the executor
 * adds no flows). Removing it there is what BullMQ's own `removeOnComplete`
 * / `removeOnFail` do when they drop a finished job (its `removeJobKeys`):
 * take it off the set, delete its hash and side keys, write no event. This
 * does that for a batch of ids in one script. A job that is not in either
 * set any more (BullMQ's age limit removed it, or a user moved it with
 * BullMQ's tools) is left alone.
 *
 * @module
 */

/** The ioredis command used here (BullMQ's default client has it). @internal */
export interface EvalClient {
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

/** Ids removed by one call at most: the script runs atomically, so it must stay short. @internal */
export const REMOVE_CHUNK = 1000;

/**
 * KEYS: the completed set, the failed set. ARGV[1]: the job keys' prefix
 * (`bull:<queue>:`); the rest: job ids. The side keys are those BullMQ
 * deletes with a job (`removeJobKeys` in its scripts). Returns how many
 * jobs it removed.
 */
const SCRIPT = `
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call("ZREM", KEYS[1], id) == 1 or redis.call("ZREM", KEYS[2], id) == 1 then
    local k = ARGV[1] .. id
    redis.call("DEL", k, k .. ":logs", k .. ":dependencies", k .. ":processed", k .. ":failed", k .. ":unsuccessful")
    n = n + 1
  end
end
return n
`;

/**
 * Removes the finished jobs `ids` (at most {@link REMOVE_CHUNK}) from a
 * queue whose finished sets are `completedKey` and `failedKey` and whose job
 * keys are `jobKeyPrefix + id`. Resolves with how many were removed.
 * @internal
 */
export async function removeFinished(client: EvalClient, completedKey: string, failedKey: string, jobKeyPrefix: string, ids: readonly string[]): Promise<number> {
  if (ids.length > REMOVE_CHUNK) throw new RangeError(`removeFinished: at most ${REMOVE_CHUNK} ids at once, got ${ids.length}`);
  if (ids.length === 0) return 0;
  return Number(await client.eval(SCRIPT, 2, completedKey, failedKey, jobKeyPrefix, ...ids));
}
