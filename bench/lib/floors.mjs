// The "floor" pseudo-system: what the JavaScript engine alone costs for the
// work a workload cannot avoid, measured in a fresh child process like every
// other figure, so the report can show, from the same run, why a target is out
// of reach. Run as `node bench/lib/run-one.mjs floor W6 <scale>`.
//
// W6: asyncio's cancel must run the task's catch/finally blocks, so rx-asyncio
// delivers CancelledError with generator.throw(). That cost is paid once per
// task whatever the library does around it; the probe times n of them on
// generators of the exact shape a cancelled rx-asyncio task has (parked in
// `yield*` of a hand-written operation whose throw() rethrows, catching
// nothing), and n plain throws for comparison.
import { check, now } from "./workloads.mjs";

/** How many times an operation's throw() was entered: proves yield* delegated to it. */
let delegated = 0;

/** A parked operation, shaped like rx-asyncio's SleepOp: yields once, rethrows what is thrown in. */
class ParkedOp {
  next() {
    return { done: false, value: undefined };
  }

  throw(e) {
    delegated++;
    throw e;
  }

  return(value) {
    return { done: true, value };
  }

  [Symbol.iterator]() {
    return this;
  }
}

function* parkedTask(op) {
  yield* op;
}

/** n generators, each already suspended inside `yield* op`. */
function parkedGenerators(n) {
  const gens = new Array(n);
  for (let i = 0; i < n; i++) {
    const g = parkedTask(new ParkedOp());
    g.next();
    gens[i] = g;
  }
  return gens;
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
  async W6({ n }) {
    const err = new Error("cancelled (floor probe)");
    const gens = parkedGenerators(n);
    delegated = 0;
    // The generator figure first, so that, like rx-asyncio's W6, it is the
    // first time this process throws into a generator.
    const gen = throwIntoAll(gens, err);
    check(gen.caught === n, `${gen.caught} of ${n} generator.throw() came back out`);
    check(delegated === n, `${delegated} of ${n} throws reached the parked operation`);
    let done = 0;
    for (const g of gens) if (g.next().done === true) done++;
    check(done === n, `${done} of ${n} generators done after the throw`);
    const plain = plainThrows(n, err);
    check(plain.caught === n, `${plain.caught} of ${n} plain throws caught`);
    return { value: gen.ms, detail: { n, plainThrowMs: plain.ms } };
  },
};
