/**
 * The soak's workload (issue 8): many short tasks using every primitive and
 * composition function, a share of them cancelled at random moments, in waves.
 * Between waves every task is done, so a heap sample taken there holds only
 * what outlives tasks: a leak shows up as growth from wave to wave.
 *
 * Used by `npm run soak` (scripts/soak.ts) and by the soak smoke spec.
 */
import {
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  PriorityQueue,
  Queue,
  TimeoutError,
  asCompleted,
  createTask,
  gather,
  getRunningLoop,
  run,
  shield,
  sleep,
  taskGroup,
  timeout,
  wait,
  waitFor,
  FIRST_COMPLETED,
  type Coroutine,
  type EventLoop,
  type Future,
  type Task,
} from "../../src/index.js";

/** A small seeded PRNG (mulberry32): the same seed gives the same virtual run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SoakOptions {
  clock: "virtual" | "real";
  /** Stop after this many tasks (virtual phase)... */
  tasks: number;
  /** ...or after this much real time (ms; real phase). */
  durationMs?: number;
  /** Tasks alive at once. */
  concurrency: number;
  /** Tasks per wave; a heap sample is taken after each wave. */
  wave: number;
  seed: number;
  /** Called between waves, when no task of the workload is alive (take a heap sample here). */
  onWave?: (tasksSoFar: number) => void;
}

export interface SoakResult {
  created: number;
  done: number;
  ok: number;
  cancelled: number;
  failed: number;
  /** Problems found (wrong counts, state left behind, unexpected failures, error reports). */
  problems: string[];
  /** Reports that reached the loop's exception handler (should be none). */
  reports: number;
  /** Loop time at the end (virtual ms for the virtual clock). */
  loopTime: number;
}

interface Shared {
  rnd: () => number;
  locks: Lock[];
  sem: BoundedSemaphore;
  queue: Queue<number>;
  pq: PriorityQueue<number>;
  event: Event;
  cond: Condition;
  condValue: number;
  recent: (Task<unknown> | undefined)[];
  nextRecent: number;
}

function pick(s: Shared, n: number): number {
  return Math.floor(s.rnd() * n);
}

function* expectTimeout<T>(co: Coroutine<T>): Coroutine<void> {
  try {
    yield* co;
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
  }
}

/** One task's work: a random operation, sometimes cancelling another task. */
function* worker(s: Shared, kind: number, ms: number): Coroutine<void> {
  switch (kind) {
    case 0:
      yield* sleep(ms);
      return;
    case 1:
      yield* s.locks[ms % s.locks.length]!.withLock(() => sleep(ms));
      return;
    case 2:
      yield* s.sem.withPermit(() => sleep(ms));
      return;
    case 3:
      yield* expectTimeout(waitFor(s.queue.put(ms), 3));
      return;
    case 4:
      yield* expectTimeout(waitFor(s.queue.get(), 3));
      return;
    case 5:
      yield* expectTimeout(timeout(2, () => sleep(ms)));
      return;
    case 6:
      yield* gather(sleep(ms), sleep(1), { returnExceptions: true });
      return;
    case 7:
      yield* taskGroup(function* (tg) {
        tg.createTask(sleep(ms));
        tg.createTask(sleep(1));
      });
      return;
    case 8:
      if (ms === 0) s.event.set();
      else if (ms === 1) s.event.clear();
      yield* expectTimeout(waitFor(s.event.wait(), 2));
      return;
    case 9: {
      const inner = createTask(sleep(ms));
      try {
        yield* shield(inner);
      } finally {
        if (!inner.done()) inner.cancel();
      }
      return;
    }
    case 10: {
      const c = s.cond;
      yield* expectTimeout(
        waitFor(
          c.withLock(function* () {
            if (ms < 2) {
              s.condValue++;
              c.notifyAll();
            } else {
              const want = s.condValue + 1;
              yield* c.waitFor(() => s.condValue >= want);
            }
          }),
          3,
        ),
      );
      return;
    }
    case 11: {
      for (const next of asCompleted([sleep(ms), sleep(1)])) yield* next;
      return;
    }
    case 12: {
      const [, pending] = yield* wait([createTask(sleep(ms)), createTask(sleep(2))], { returnWhen: FIRST_COMPLETED });
      for (const p of pending) p.cancel();
      return;
    }
    case 13:
      try {
        s.pq.putNowait(ms);
      } catch {
        /* full */
      }
      yield* expectTimeout(waitFor(s.pq.get(), 2));
      return;
    default: {
      // Cancel a recent task (maybe done already, maybe this one).
      const victim = s.recent[pick(s, s.recent.length)];
      victim?.cancel();
      yield* sleep(ms);
      return;
    }
  }
}

const KINDS = 15;

/**
 * Runs the workload on a new loop with `run()` and checks the counts and
 * what is left on the loop and in the primitives at the end.
 */
export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const res: SoakResult = { created: 0, done: 0, ok: 0, cancelled: 0, failed: 0, problems: [], reports: 0, loopTime: 0 };
  const s: Shared = {
    rnd: prng(opts.seed),
    locks: [new Lock(), new Lock()],
    sem: new BoundedSemaphore(3),
    queue: new Queue<number>(8),
    pq: new PriorityQueue<number>(8),
    event: new Event(),
    cond: new Condition(),
    condValue: 0,
    recent: new Array<Task<unknown> | undefined>(64).fill(undefined),
    nextRecent: 0,
  };
  let live = 0;
  let loop: EventLoop | null = null;
  const onDone = (t: Future<void>) => {
    live--;
    res.done++;
    if (t.cancelled()) res.cancelled++;
    else {
      const e = t.exception();
      if (e === null) res.ok++;
      else {
        res.failed++;
        if (res.problems.length < 10) res.problems.push(`task failed: ${String(e)}`);
      }
    }
  };
  const started = Date.now();
  const finished = () =>
    opts.durationMs !== undefined ? Date.now() - started >= opts.durationMs : res.created >= opts.tasks;

  function* main(): Coroutine<void> {
    loop = getRunningLoop();
    // Nothing should ever reach the exception handler: no fault, no unretrieved exception.
    loop.setExceptionHandler((_l, c) => {
      res.reports++;
      if (res.problems.length < 10) res.problems.push(`exception handler: ${c.message}: ${String(c.exception)}`);
    });
    let waveLeft = opts.wave;
    while (!finished()) {
      while (live < opts.concurrency && waveLeft > 0) {
        const kind = pick(s, KINDS);
        const ms = pick(s, 4);
        const t = createTask(worker(s, kind, ms));
        res.created++;
        live++;
        waveLeft--;
        t.addDoneCallback(onDone);
        s.recent[s.nextRecent++ & 63] = t;
        // Cancel some tasks at once, before they start.
        if (s.rnd() < 0.03) t.cancel();
      }
      // Random cancellations of running tasks from outside.
      for (let i = 0; i < 4; i++) if (s.rnd() < 0.5) s.recent[pick(s, 64)]?.cancel();
      yield* sleep(opts.clock === "virtual" ? 1 : 0);
      if (waveLeft === 0) {
        // End of a wave: let every task finish, then the caller samples the heap.
        while (live > 0) yield* sleep(1);
        s.recent.fill(undefined);
        opts.onWave?.(res.created);
        waveLeft = opts.wave;
      }
    }
    while (live > 0) yield* sleep(1);
    s.recent.fill(undefined);
  }

  await run(main, { clock: opts.clock });
  const l = loop as EventLoop | null;
  if (l === null) throw new Error("the soak's loop never ran");
  res.loopTime = l.time();
  if (res.done !== res.created) res.problems.push(`tasks done ${res.done} != tasks created ${res.created}`);
  if (l._tasks.size !== 0) res.problems.push(`${l._tasks.size} tasks left on the loop`);
  for (const [i, lock] of s.locks.entries()) {
    if (lock.locked() || lock._lot.size > 0) res.problems.push(`lock ${i} left ${String(lock)}`);
  }
  if (s.sem._value !== 3 || s.sem._lot.size > 0) res.problems.push(`semaphore left ${String(s.sem)}`);
  if (s.queue._getters.size + s.queue._putters.size > 0) res.problems.push(`queue left waiters: ${String(s.queue)}`);
  if (s.cond._lot.size > 0 || s.cond.locked()) res.problems.push(`condition left ${String(s.cond)}`);
  if (s.event._lot.size > 0) res.problems.push(`event left waiters`);
  return res;
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
