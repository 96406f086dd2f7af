// The "floor" pseudo-system: what the JavaScript engine alone costs for the
// work a workload cannot avoid, measured in a fresh child process like every
// other figure, so the report can show, from the same run, why a target is out
// of reach. Run as `node bench/lib/run-one.mjs floor W2|W6 <scale>`.
//
// W2: a generator-based system must create one generator per task and keep it
// alive until its sleep ends, and each task's first step must at least enter
// `yield*` of its sleep. In a fresh process that alone is dear: every
// long-lived object survives the young generation's scavenges, which copy it.
// The probe times n generators of the exact shape of rx-asyncio's W2 task
// (created first, as the workload creates its coroutines before any runs),
// then one next() on each, which parks it in `yield*` of a hand-written
// operation; nothing is scheduled.
//
// W6: asyncio's cancel must run the task's catch/finally blocks, so rx-asyncio
// delivers CancelledError with generator.throw(). That cost is paid once per
// task whatever the library does around it; the probe times n of them on
// generators of the exact shape a cancelled rx-asyncio task has (parked in
// `yield*` of a hand-written operation whose throw() rethrows, catching
// nothing), and n plain throws for comparison.
import { check, lcgDelays, now } from "./workloads.mjs";

/** How many times an operation's next() and throw() were entered: proves yield* delegated to it. */
const entered = { next: 0, throw: 0 };

/**
 * A parked operation, shaped like rx-asyncio's SleepOp (it holds its delay):
 * stays suspended on every next(), rethrows what is thrown in.
 */
class ParkedOp {
  constructor(ms) {
    this.ms = ms;
  }

  next() {
    entered.next++;
    return { done: false, value: undefined };
  }

  throw(e) {
    entered.throw++;
    throw e;
  }

  return(value) {
    return { done: true, value };
  }

  [Symbol.iterator]() {
    return this;
  }
}

/** rx-asyncio's W2 task, `yield* sleep(ms)` made a bare operation. */
function* valueAfter(ms, i) {
  yield* new ParkedOp(ms);
  return i;
}

function* parkedTask(op) {
  yield* op;
}

/**
 * Steps every generator once, which parks it inside its `yield*`, and checks
 * that each did park there; returns the ms the n first steps took.
 */
function firstStepAll(gens) {
  const n = gens.length;
  entered.next = 0;
  let suspended = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) if (gens[i].next().done === false) suspended++;
  const ms = now() - t0;
  check(suspended === n, `${suspended} of ${n} generators suspended after their first step`);
  check(entered.next === n, `${entered.next} of ${n} first steps reached the parked operation`);
  return ms;
}

/** Times one generator.throw() per generator; returns ms and how many throws came back out. */
function throwIntoAll(gens, err) {
  let caught = 0;
  const t0 = now();
  for (let i = 0; i < gens.length; i++) {
    try {
      gens[i].throw(err);
    } catch (e) {
      if (e === err) caught++;
    }
  }
  return { ms: now() - t0, caught };
}

function rethrow(e) {
  throw e;
}

/** Times n plain throws of `err` across one function call. */
function plainThrows(n, err) {
  let caught = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    try {
      rethrow(err);
    } catch (e) {
      if (e === err) caught++;
    }
  }
  return { ms: now() - t0, caught };
}

export const workloads = {
  async W2({ n, maxDelay }) {
    const delays = lcgDelays(n, maxDelay);
    const t0 = now();
    const gens = new Array(n);
    for (let i = 0; i < n; i++) gens[i] = valueAfter(delays[i], i);
    const createMs = now() - t0;
    const firstStepMs = firstStepAll(gens);
    return { value: createMs + firstStepMs, detail: { n, createMs, firstStepMs } };
  },

  async W6({ n, sleep }) {
    const err = new Error("cancelled (floor probe)");
    const gens = new Array(n);
    for (let i = 0; i < n; i++) gens[i] = parkedTask(new ParkedOp(sleep));
    firstStepAll(gens);
    entered.throw = 0;
    // The generator figure first, so that, like rx-asyncio's W6, it is the
    // first time this process throws into a generator.
    const gen = throwIntoAll(gens, err);
    check(gen.caught === n, `${gen.caught} of ${n} generator.throw() came back out`);
    check(entered.throw === n, `${entered.throw} of ${n} throws reached the parked operation`);
    let done = 0;
    for (const g of gens) if (g.next().done === true) done++;
    check(done === n, `${done} of ${n} generators done after the throw`);
    const plain = plainThrows(n, err);
    check(plain.caught === n, `${plain.caught} of ${n} plain throws caught`);
    return { value: gen.ms, detail: { n, plainThrowMs: plain.ms } };
  },
};
