/**
 * Runs a fuzz `Program` on a virtual-clock loop under `run()` and checks the
 * library's invariants while it runs and after `run()` resolves. Returns the
 * event trace (for the determinism check) and every violation found.
 */
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  CancelledError,
  Condition,
  Event,
  ExceptionGroup,
  Future,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  Semaphore,
  Task,
  TimeoutError,
  allTasks,
  asCompleted,
  createTask,
  currentTask,
  ensureFuture,
  fromQueue,
  gather,
  mapTask,
  raceTasks,
  getRunningLoop,
  run,
  shield,
  RuntimeError,
  sleep,
  taskGroup,
  timeout,
  wait,
  waitFor,
  type Coroutine,
  type EventLoop,
  type ExceptionContext,
} from "../../src/index.js";
import { DRAINING, FILLING, RESETTING } from "../../src/barrier.js";
import { CANCELLED } from "../../src/internal/future-state.js";
import { from, take, tap, toArray } from "rxjs";
import { horizon, WAIT_WHEN, type HoldStyle, type Op, type Program, type TaskSpec } from "./program.js";

/** The error a program's `fail` op throws: the only failure a program may produce. */
export class Boom extends Error {
  constructor(who: string) {
    super(`boom in ${who}`);
    this.name = "Boom";
  }
}

/** A queue item: an id (and, for the PriorityQueue, a priority before it). */
type Item = { id: number } | [number, { id: number }];

interface Counter {
  inside: number;
  cap: number;
  name: string;
}

interface Ctx {
  prog: Program;
  loop: EventLoop | null;
  trace: string[];
  violations: string[];
  tasks: Task<unknown>[];
  /** Top-level tasks by program id. */
  byId: Map<number, Task<unknown>>;
  /** Every future the interpreter made or was handed, checked after run(). */
  futures: { who: string; fut: Future<unknown> }[];
  /** How many blocks ran under each name, and how many of them threw (not a cancellation). */
  blockRuns: Map<string, number>;
  blockThrew: Map<string, number>;
  locks: [Lock, Lock];
  sems: [Semaphore, Semaphore];
  queues: [Queue<Item>, Queue<Item>, Queue<Item>];
  events: [Event, Event];
  evGen: [number, number];
  cond: Condition;
  condCount: number;
  barrier: Barrier;
  held: Map<object, Counter>;
  nextItem: number;
  put: Set<number>[];
  got: Set<number>[];
  dropped: Set<number>[];
  blocksEntered: number;
  finallies: number[];
  handlerCalls: ExceptionContext[];
  closeSnapshot: string | null;
  /** FIFO tickets: who is waiting in a waiting operation, per primitive and direction. */
  lines: Map<object, Ticket[]>;
  nextTicket: number;
  /** Order in which items went into each queue (for the order checks). */
  insertSeq: Map<number, number>;
  nextInsert: number;
  /** How many cancel() calls returned true, per top-level task. */
  cancelsTaken: Map<Task<unknown>, number>;
}

/** A task in line in a waiting operation (acquire, get, put). */
interface Ticket {
  seq: number;
  who: string;
  task: Task<unknown>;
}

export interface RunOutcome {
  trace: string[];
  violations: string[];
}

function itemId(x: Item): number {
  return Array.isArray(x) ? x[1].id : x.id;
}

function log(ctx: Ctx, who: string, msg: string): void {
  ctx.trace.push(`${ctx.loop!.time()} ${who} ${msg}`);
}

function violate(ctx: Ctx, msg: string): void {
  ctx.violations.push(ctx.loop === null || ctx.loop.isClosed() ? msg : `t=${ctx.loop.time()}: ${msg}`);
}

/**
 * Whether `e` is a failure a program may legitimately end with: a Boom, a
 * cancellation, or a `fail` op's non-Error value, as thrown (inside one
 * coroutine) or as the Error a task makes of null / undefined.
 */
export function expectedFailure(e: unknown): boolean {
  if (e instanceof Boom || e instanceof CancelledError) return true;
  if (e === null || e === undefined || (typeof e === "string" && e.startsWith("boom in "))) return true;
  if (e instanceof RuntimeError && /^coroutine threw (null|undefined)$/.test(e.message)) return true;
  if (e instanceof ExceptionGroup) return e.errors.every((x) => expectedFailure(x));
  return false;
}

function errName(e: unknown): string {
  if (e instanceof ExceptionGroup) return `ExceptionGroup[${e.errors.map(errName).join(",")}]`;
  return e instanceof Error ? e.name : String(e);
}

// ---- blocks and ops ---------------------------------------------------------------

/** Filled with a block's id when it starts (to check later that its finally ran). */
interface Entered {
  id: number;
}

function* block(ctx: Ctx, who: string, ops: Op[], cleanup = 0, entered?: Entered): Coroutine<void> {
  const id = ctx.blocksEntered++;
  if (entered !== undefined) entered.id = id;
  ctx.finallies.push(0);
  log(ctx, who, "enter");
  ctx.blockRuns.set(who, (ctx.blockRuns.get(who) ?? 0) + 1);
  try {
    for (let i = 0; i < ops.length; i++) yield* runOp(ctx, `${who}.${i}`, ops[i]!);
  } catch (e) {
    if (!(e instanceof CancelledError)) ctx.blockThrew.set(who, (ctx.blockThrew.get(who) ?? 0) + 1);
    throw e;
  } finally {
    ctx.finallies[id]!++;
    log(ctx, who, "finally");
    if (cleanup > 0) yield* sleep(cleanup);
  }
}

/** The critical section: counts holders and checks the bound. */
function* critical(ctx: Ctx, who: string, c: Counter, body: Op[]): Coroutine<void> {
  c.inside++;
  if (c.inside > c.cap) violate(ctx, `${who}: ${c.inside} holders of ${c.name} (at most ${c.cap})`);
  try {
    yield* block(ctx, who, body);
  } finally {
    c.inside--;
  }
}

function* holding(
  ctx: Ctx,
  who: string,
  prim: Lock | Semaphore,
  style: HoldStyle,
  body: Op[],
): Coroutine<void> {
  const c = ctx.held.get(prim)!;
  const ticket = joinLine(ctx, prim, who);
  let served = false;
  const inner = () => {
    served = true;
    leaveLine(ctx, prim, ticket, true, c.name);
    return critical(ctx, who, c, body);
  };
  try {
    yield* hold(prim, style, inner);
  } finally {
    if (!served) leaveLine(ctx, prim, ticket, false, c.name);
  }
}

function* hold(prim: Lock | Semaphore, style: HoldStyle, inner: () => Coroutine<void>): Coroutine<void> {
  if (style === "with") {
    if (prim instanceof Lock) yield* prim.withLock(inner);
    else yield* prim.withPermit(inner);
  } else if (style === "hold") {
    const h = yield* prim.hold();
    try {
      yield* inner();
    } finally {
      h.release();
    }
  } else {
    yield* prim.acquire();
    try {
      yield* inner();
    } finally {
      prim.release();
    }
  }
}

function* condWait(ctx: Ctx, who: string, target: number): Coroutine<void> {
  const cond = ctx.cond;
  const c = ctx.held.get(cond._lock)!;
  yield* cond.withLock(function* () {
    c.inside++;
    if (c.inside > 1) violate(ctx, `${who}: ${c.inside} holders of the condition's lock`);
    try {
      while (ctx.condCount < target) {
        c.inside--;
        try {
          yield* cond.wait();
        } finally {
          // wait() holds the lock again however it ends (gh-77022).
          if (!cond.locked()) violate(ctx, `${who}: Condition.wait() ended without the lock`);
          c.inside++;
          if (c.inside > 1) violate(ctx, `${who}: ${c.inside} holders of the condition's lock after wait()`);
        }
      }
      log(ctx, who, `cond reached ${target}`);
    } finally {
      c.inside--;
    }
  });
}

function* condBump(ctx: Ctx, who: string, n: number): Coroutine<void> {
  const cond = ctx.cond;
  const c = ctx.held.get(cond._lock)!;
  yield* cond.withLock(function* () {
    c.inside++;
    if (c.inside > 1) violate(ctx, `${who}: ${c.inside} holders of the condition's lock`);
    ctx.condCount++;
    if (n === 0) cond.notifyAll();
    else cond.notify(n);
    c.inside--;
    log(ctx, who, `cond bump to ${ctx.condCount}`);
  });
}

/** Joins the line of `key` (a primitive, or a queue's getters or putters). */
function joinLine(ctx: Ctx, key: object, who: string): Ticket {
  let line = ctx.lines.get(key);
  if (line === undefined) ctx.lines.set(key, (line = []));
  const t = { seq: ctx.nextTicket++, who, task: currentTask()! };
  line.push(t);
  return t;
}

/**
 * Leaves the line; `served`: it got what it waited for, so nobody who joined
 * earlier and is still waiting may be left behind (first come, first served).
 */
function leaveLine(ctx: Ctx, key: object, t: Ticket, served: boolean, what: string): void {
  const line = ctx.lines.get(key)!;
  const i = line.indexOf(t);
  if (i < 0) return;
  line.splice(i, 1);
  if (!served) return;
  for (let k = 0; k < i; k++) {
    // A waiter whose cancellation is on its way (its wait already cancelled) is out of line.
    const w = line[k]!.task;
    if (w._mustCancel || (w._futWaiter !== null && w._futWaiter._state === CANCELLED)) continue;
    violate(ctx, `${t.who} overtook ${line[k]!.who} (waiting since earlier) in ${what}`);
    return;
  }
}

function cancelTask(ctx: Ctx, t: Task<unknown>): boolean {
  const r = t.cancel();
  if (r && ctx.cancelsTaken.has(t)) ctx.cancelsTaken.set(t, ctx.cancelsTaken.get(t)! + 1);
  return r;
}

/** After a get: the item is the one the queue's order says comes out next. */
function checkOrder(ctx: Ctx, who: string, qi: number, id: number, prio: number): void {
  const q = ctx.queues[qi as 0 | 1 | 2];
  const mine = ctx.insertSeq.get(id)!;
  for (const x of q._store.toArray()) {
    const other = ctx.insertSeq.get(itemId(x))!;
    let wrong = false;
    if (qi === 0) wrong = other < mine;
    else if (qi === 1) wrong = other > mine;
    else {
      const p = (x as [number, { id: number }])[0];
      wrong = p < prio || (p === prio && other < mine);
    }
    if (wrong) violate(ctx, `${who}: got #${id} from ${q.constructor.name} Q${qi} before #${itemId(x)}`);
  }
}

function itemPrio(x: Item): number {
  return Array.isArray(x) ? x[0] : 0;
}

function track(ctx: Ctx, who: string, fut: Future<unknown>): void {
  ctx.futures.push({ who, fut });
}

/** Looks at a finished child's outcome (retrieving it) and checks its kind. */
function outcome(ctx: Ctx, who: string, f: Future<unknown>): string {
  if (f.cancelled()) return "cancelled";
  const e = f.exception();
  if (e === null) return "ok";
  if (!expectedFailure(e)) violate(ctx, `${who}: unexpected failure ${errName(e)}: ${String(e)}`);
  return errName(e);
}

function* runOp(ctx: Ctx, who: string, op: Op): Coroutine<void> {
  switch (op.k) {
    case "sleep":
      yield* sleep(op.ms);
      return;
    case "lock":
      yield* holding(ctx, who, ctx.locks[op.r as 0 | 1], op.style, op.body);
      return;
    case "sem":
      yield* holding(ctx, who, ctx.sems[op.r as 0 | 1], op.style, op.body);
      return;
    case "put": {
      const q = ctx.queues[op.q as 0 | 1 | 2];
      const id = ctx.nextItem++;
      const item: Item = op.q === 2 ? [op.prio, { id }] : { id };
      const ticket = op.nowait ? null : joinLine(ctx, q._putters, who);
      try {
        if (op.nowait) q.putNowait(item);
        else yield* q.put(item);
        if (ticket !== null) leaveLine(ctx, q._putters, ticket, true, `Q${op.q}.put()`);
        ctx.put[op.q]!.add(id);
        ctx.insertSeq.set(id, ctx.nextInsert++);
        if (q.maxsize > 0 && q.qsize() > q.maxsize) violate(ctx, `${who}: Q${op.q} holds ${q.qsize()} items, maxsize ${q.maxsize}`);
        log(ctx, who, `put #${id} in Q${op.q}`);
      } catch (e) {
        if (ticket !== null) leaveLine(ctx, q._putters, ticket, false, `Q${op.q}.put()`);
        if (!(e instanceof QueueShutDown || (op.nowait && e instanceof QueueFull))) throw e;
        log(ctx, who, `put #${id}: ${errName(e)}`);
      }
      return;
    }
    case "get": {
      const q = ctx.queues[op.q as 0 | 1 | 2];
      let item: Item;
      const ticket = op.nowait ? null : joinLine(ctx, q._getters, who);
      try {
        item = op.nowait ? q.getNowait() : yield* q.get();
      } catch (e) {
        if (ticket !== null) leaveLine(ctx, q._getters, ticket, false, `Q${op.q}.get()`);
        if (!(e instanceof QueueShutDown || (op.nowait && e instanceof QueueEmpty))) throw e;
        log(ctx, who, `get Q${op.q}: ${errName(e)}`);
        return;
      }
      if (ticket !== null) leaveLine(ctx, q._getters, ticket, true, `Q${op.q}.get()`);
      const id = itemId(item);
      checkOrder(ctx, who, op.q, id, itemPrio(item));
      const got = ctx.got[op.q]!;
      if (got.has(id)) violate(ctx, `${who}: item #${id} got twice from Q${op.q}`);
      got.add(id);
      log(ctx, who, `got #${id} from Q${op.q}`);
      if (op.done) q.taskDone();
      return;
    }
    case "join":
      yield* ctx.queues[op.q as 0 | 1 | 2].join();
      log(ctx, who, `joined Q${op.q}`);
      return;
    case "shutdown": {
      const q = ctx.queues[op.q as 0 | 1 | 2];
      if (op.immediate) for (const x of q._store.toArray()) ctx.dropped[op.q]!.add(itemId(x));
      q.shutdown(op.immediate);
      log(ctx, who, `shutdown Q${op.q}`);
      return;
    }
    case "evWait": {
      const ev = ctx.events[op.e as 0 | 1];
      const wasSet = ev.isSet();
      const gen = ctx.evGen[op.e as 0 | 1];
      yield* ev.wait();
      if (!wasSet && ctx.evGen[op.e as 0 | 1] === gen) violate(ctx, `${who}: E${op.e}.wait() returned but the event was never set`);
      log(ctx, who, `E${op.e} passed`);
      return;
    }
    case "evSet": {
      const ev = ctx.events[op.e as 0 | 1];
      if (!ev.isSet()) ctx.evGen[op.e as 0 | 1]++;
      ev.set();
      return;
    }
    case "evClear":
      ctx.events[op.e as 0 | 1].clear();
      return;
    case "condWait":
      yield* condWait(ctx, who, op.target);
      return;
    case "condBump":
      yield* condBump(ctx, who, op.n);
      return;
    case "barrier": {
      try {
        const i = yield* ctx.barrier.wait();
        if (!(i >= 0 && i < ctx.barrier.parties)) violate(ctx, `${who}: barrier index ${i}`);
        log(ctx, who, `barrier passed as ${i}`);
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        log(ctx, who, "barrier broken");
      }
      return;
    }
    case "barrierReset":
      if (op.abort) yield* ctx.barrier.abort();
      else yield* ctx.barrier.reset();
      return;
    case "waitFor": {
      const start = ctx.loop!.time();
      const entered: Entered = { id: -1 };
      try {
        yield* waitFor(block(ctx, `${who}/wf`, op.body, 0, entered), op.ms);
        log(ctx, who, "waitFor ok");
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        if (ctx.loop!.time() < start + op.ms) violate(ctx, `${who}: waitFor(${op.ms}) timed out early, ${ctx.loop!.time() - start} ms after it started`);
        log(ctx, who, "waitFor timed out");
      }
      // Whether it returned or timed out, the awaitable has finished (bpo-32751).
      if (entered.id >= 0 && ctx.finallies[entered.id] !== 1) violate(ctx, `${who}: waitFor ended before its body finished`);
      return;
    }
    case "timeout": {
      const start = ctx.loop!.time();
      const deadline = start + (op.resched ?? op.ms);
      const entered: Entered = { id: -1 };
      try {
        yield* timeout(op.ms, function* (scope) {
          if (op.resched !== null) scope.reschedule(getRunningLoop().time() + op.resched);
          yield* block(ctx, `${who}/to`, op.body, 0, entered);
        });
        log(ctx, who, "timeout ok");
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        if (ctx.loop!.time() < deadline) violate(ctx, `${who}: timeout scope expired early at ${ctx.loop!.time()}, deadline ${deadline}`);
        log(ctx, who, "timed out");
      }
      if (entered.id >= 0 && ctx.finallies[entered.id] !== 1) violate(ctx, `${who}: timeout scope ended before its body finished`);
      return;
    }
    case "shield": {
      const inner = createTask(block(ctx, `${who}/sh`, op.body));
      track(ctx, `${who}/sh`, inner);
      try {
        yield* shield(inner);
      } catch (e) {
        if (e instanceof CancelledError) log(ctx, who, "shield cancelled");
        throw e;
      }
      log(ctx, who, "shield ok");
      return;
    }
    case "gather": {
      const kids = op.bodies.map((b, i) => block(ctx, `${who}/g${i}`, b));
      const g = op.re ? gather(...kids, { returnExceptions: true }) : gather(...kids);
      track(ctx, `${who}/gather`, g);
      const r = yield* g;
      if ((g as unknown as { _children: Future<unknown>[] })._children.some((c) => !c.done())) violate(ctx, `${who}: gather resolved with children still running`);
      if (r.length !== kids.length) violate(ctx, `${who}: gather gave ${r.length} results for ${kids.length}`);
      for (const x of r) if (x !== undefined && !expectedFailure(x)) violate(ctx, `${who}: gather result ${errName(x)}`);
      log(ctx, who, `gather ${r.map((x) => (x === undefined ? "ok" : errName(x))).join(",")}`);
      return;
    }
    case "wait": {
      let aws: unknown[];
      if (op.asTasks) {
        aws = op.bodies.map((b, i) => {
          const t = createTask(block(ctx, `${who}/w${i}`, b));
          track(ctx, `${who}/w${i}`, t);
          return t;
        });
      } else aws = op.bodies.map((b, i) => block(ctx, `${who}/w${i}`, b));
      const start = ctx.loop!.time();
      const [done, pending] = yield* wait(aws as Coroutine<void>[], {
        returnWhen: WAIT_WHEN[op.when],
        timeout: op.timeout,
      });
      const outs = [...done].map((f) => outcome(ctx, who, f));
      if (done.size + pending.size !== op.bodies.length) violate(ctx, `${who}: wait gave ${done.size}+${pending.size} futures`);
      if (op.timeout === null && op.when === 2 && pending.size > 0) violate(ctx, `${who}: ALL_COMPLETED left ${pending.size} pending`);
      if (op.timeout === null && done.size === 0) violate(ctx, `${who}: wait returned with nothing done and no timeout`);
      const early = op.timeout === null || ctx.loop!.time() < start + op.timeout;
      const failedOne = [...done].some((f) => !f.cancelled() && f.exception() !== null);
      if (early && pending.size > 0 && (op.when === 2 || (op.when === 0 && done.size === 0) || (op.when === 1 && !failedOne))) {
        violate(ctx, `${who}: wait(${WAIT_WHEN[op.when]}) returned early with ${done.size} done, ${pending.size} pending`);
      }
      for (const f of pending) track(ctx, `${who}/pending`, f);
      log(ctx, who, `wait done ${outs.join(",")} pending ${pending.size}`);
      if (op.cancelPending && pending.size > 0) {
        for (const f of pending) f.cancel();
        yield* wait(pending);
        log(ctx, who, "pending cancelled");
      }
      return;
    }
    case "group": {
      const kids: Task<void>[] = [];
      try {
        yield* taskGroup(function* (tg) {
          op.bodies.forEach((b, i) => {
            const t = tg.createTask(block(ctx, `${who}/tg${i}`, b));
            kids.push(t);
            track(ctx, `${who}/tg${i}`, t);
          });
          if (op.cancelAfter !== null) {
            const after = op.cancelAfter;
            getRunningLoop().callLater(after, () => tg.cancel());
          }
          yield* block(ctx, `${who}/tgb`, op.inline);
        });
        log(ctx, who, "group ok");
      } catch (e) {
        if (!(e instanceof ExceptionGroup)) throw e;
        if (!expectedFailure(e)) violate(ctx, `${who}: group failed with ${errName(e)}`);
        log(ctx, who, `group failed ${errName(e)}`);
        if (op.rethrow) throw e;
      } finally {
        // Structured concurrency: however the group ends, its tasks are done.
        if (kids.some((t) => !t.done())) violate(ctx, `${who}: the task group ended with tasks still running`);
      }
      return;
    }
    case "asCompleted": {
      const aws = op.bodies.map((b, i) => {
        if (!op.asTasks) return block(ctx, `${who}/ac${i}`, b);
        const t = createTask(block(ctx, `${who}/ac${i}`, b));
        track(ctx, `${who}/ac${i}`, t);
        return t;
      });
      const outs: string[] = [];
      for (const next of asCompleted(aws as Coroutine<void>[], { timeout: op.timeout })) {
        try {
          yield* next;
          outs.push("ok");
        } catch (e) {
          if (!(e instanceof TimeoutError || e instanceof Boom)) throw e;
          outs.push(errName(e));
        }
      }
      if (outs.length !== op.bodies.length) violate(ctx, `${who}: asCompleted gave ${outs.length} of ${op.bodies.length}`);
      log(ctx, who, `asCompleted ${outs.join(",")}`);
      return;
    }
    case "race":
      yield* ensureFuture(raceTasks(...op.bodies.map((b, i) => () => block(ctx, `${who}/r${i}`, b))));
      log(ctx, who, "race ok");
      return;
    case "mapTask": {
      const r = yield* ensureFuture(
        from(op.bodies.map((b, i) => [b, i] as const)).pipe(
          mapTask(([b, i]) => block(ctx, `${who}/m${i}`, b), op.concurrency),
          toArray(),
        ),
      );
      if (r.length !== op.bodies.length) violate(ctx, `${who}: mapTask gave ${r.length} results for ${op.bodies.length}`);
      log(ctx, who, "mapTask ok");
      return;
    }
    case "fromQueue": {
      const q = ctx.queues[op.q as 0 | 1 | 2];
      const got = ctx.got[op.q]!;
      const items = yield* ensureFuture(
        fromQueue(q).pipe(
          tap((item) => {
            const id = itemId(item);
            if (got.has(id)) violate(ctx, `${who}: item #${id} got twice from Q${op.q} (fromQueue)`);
            got.add(id);
            checkOrder(ctx, who, op.q, id, itemPrio(item));
            log(ctx, who, `fromQueue got #${id} from Q${op.q}`);
          }),
          take(op.take),
          toArray(),
        ),
      );
      log(ctx, who, `fromQueue took ${items.length}`);
      return;
    }
    case "spawn": {
      const t = createTask(block(ctx, `${who}/sp`, op.body));
      track(ctx, `${who}/sp`, t);
      return;
    }
    case "selfCancel":
      log(ctx, who, `self-cancel ${cancelTask(ctx, currentTask()!)}`);
      return;
    case "fail":
      log(ctx, who, `fail ${op.what}`);
      if (op.what === "boom") throw new Boom(who);
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw op.what === "null" ? null : op.what === "undefined" ? undefined : `boom in ${who}`;
    case "reuse": {
      // A coroutine runs once: the second use must be refused, never give undefined.
      let refused = "";
      if (op.how === "sleep") {
        const s = sleep(1, "v");
        yield* s;
        try {
          yield* s;
        } catch (e) {
          refused = errName(e);
          if (!(e instanceof RuntimeError && /cannot reuse already awaited coroutine/.test(e.message))) throw e;
        }
      } else {
        const g = block(ctx, `${who}/ru`, [{ k: "sleep", ms: 1 }]);
        const t = createTask(g);
        track(ctx, `${who}/ru`, t);
        try {
          createTask(g);
        } catch (e) {
          refused = errName(e);
          if (!(e instanceof RuntimeError && /cannot reuse already awaited coroutine/.test(e.message))) throw e;
        }
        yield* t;
      }
      if (refused === "") violate(ctx, `${who}: a reused coroutine (${op.how}) was not refused`);
      log(ctx, who, `reuse ${op.how}: ${refused}`);
      return;
    }
    case "cancel": {
      const t = ctx.byId.get(op.target);
      const r = t === undefined ? "no such task" : cancelTask(ctx, t);
      log(ctx, who, `cancel T${op.target}: ${r}`);
      return;
    }
  }
}

// ---- the quiescence check ---------------------------------------------------------

/**
 * At the horizon nothing can move any more except main: every parked waiter
 * must wait for a reason. A waiter parked while what it waits for is there is
 * a lost wake-up.
 */
function idleCheck(ctx: Ctx): void {
  const loop = ctx.loop!;
  if (loop._ready.length !== 0) violate(ctx, `horizon: ${loop._ready.length} callbacks still ready`);
  ctx.locks.forEach((l, i) => {
    if (l._woken) violate(ctx, `horizon: L${i} has a woken waiter that never ran`);
    if (l._lot.size > 0 && !l._locked) violate(ctx, `horizon: L${i} is free but ${l._lot.size} tasks wait for it (lost wake-up)`);
  });
  if (ctx.cond._lock !== ctx.locks[0]) {
    const l = ctx.cond._lock;
    if (l._woken || (l._lot.size > 0 && !l._locked)) violate(ctx, `horizon: the condition's lock is free but tasks wait for it`);
  }
  ctx.sems.forEach((s, i) => {
    if (s._woken !== 0) violate(ctx, `horizon: S${i} has ${s._woken} woken waiters that never ran`);
    if (s._lot.size > 0 && s._value > 0) violate(ctx, `horizon: S${i} has ${s._value} free permits but ${s._lot.size} waiters (lost wake-up)`);
    const c = ctx.held.get(s)!;
    const bound = ctx.prog.res.semCaps[i]!;
    if (s._value + c.inside !== bound) violate(ctx, `horizon: S${i} value ${s._value} + holders ${c.inside} != ${bound} (leaked or over-granted permit)`);
  });
  ctx.locks.forEach((l, i) => {
    const c = ctx.held.get(l)!;
    if (c.inside === 0 && l._locked && !(l === ctx.cond._lock)) {
      violate(ctx, `horizon: L${i} is locked but nobody holds it (leaked lock)`);
    }
  });
  ctx.queues.forEach((q, i) => {
    if (q._getReserved !== 0 || q._putReserved !== 0) violate(ctx, `horizon: Q${i} has woken waiters that never ran`);
    if (q._getters.size > 0 && q._store.length > 0) violate(ctx, `horizon: Q${i} holds ${q._store.length} items but ${q._getters.size} getters wait (lost wake-up)`);
    if (q._getters.size > 0 && q._isShutdown) violate(ctx, `horizon: Q${i} is shut down but ${q._getters.size} getters wait`);
    if (q._putters.size > 0 && (q._isShutdown || !q.full())) violate(ctx, `horizon: Q${i} has room but ${q._putters.size} putters wait (lost wake-up)`);
    if (q._joiners.size > 0 && q._unfinished === 0) violate(ctx, `horizon: Q${i} is finished but ${q._joiners.size} joiners wait`);
  });
  ctx.events.forEach((e, i) => {
    if (e._lot.size > 0 && e.isSet()) violate(ctx, `horizon: E${i} is set but ${e._lot.size} tasks wait on it`);
  });
  const b = ctx.barrier;
  if (b._blocked.size > 0) violate(ctx, `horizon: ${b._blocked.size} tasks blocked outside the barrier (${b})`);
  if (b._state === DRAINING || b._state === RESETTING) violate(ctx, `horizon: barrier stuck ${b} with count ${b._count}`);
  if (b._state === FILLING && (b._filling.size !== b._count || b._count >= b.parties)) {
    violate(ctx, `horizon: barrier filling with count ${b._count} but ${b._filling.size} parked (parties ${b.parties})`);
  }
}

// ---- running ------------------------------------------------------------------------

function makeCtx(prog: Program): Ctx {
  const r = prog.res;
  const locks: [Lock, Lock] = [new Lock(), new Lock()];
  const sems: [Semaphore, Semaphore] = [0, 1].map((i) =>
    r.semBounded[i] ? new BoundedSemaphore(r.semCaps[i]) : new Semaphore(r.semCaps[i]),
  ) as [Semaphore, Semaphore];
  const cond = new Condition(r.condOnL0 ? locks[0] : new Lock());
  const held = new Map<object, Counter>();
  locks.forEach((l, i) => held.set(l, { inside: 0, cap: 1, name: `L${i}` }));
  sems.forEach((s, i) => held.set(s, { inside: 0, cap: r.semCaps[i]!, name: `S${i}` }));
  if (!held.has(cond._lock)) held.set(cond._lock, { inside: 0, cap: 1, name: "C0.lock" });
  return {
    prog,
    loop: null,
    trace: [],
    violations: [],
    tasks: [],
    byId: new Map(),
    futures: [],
    blockRuns: new Map(),
    blockThrew: new Map(),
    locks,
    sems,
    queues: [new Queue<Item>(r.qmax[0]), new LifoQueue<Item>(r.qmax[1]), new PriorityQueue<Item>(r.qmax[2])],
    events: [new Event(), new Event()],
    evGen: [0, 0],
    cond,
    condCount: 0,
    barrier: new Barrier(r.parties),
    held,
    nextItem: 0,
    put: [new Set(), new Set(), new Set()],
    got: [new Set(), new Set(), new Set()],
    dropped: [new Set(), new Set(), new Set()],
    blocksEntered: 0,
    finallies: [],
    handlerCalls: [],
    closeSnapshot: null,
    lines: new Map(),
    nextTicket: 0,
    insertSeq: new Map(),
    nextInsert: 0,
    cancelsTaken: new Map(),
  };
}

function* topTask(ctx: Ctx, spec: TaskSpec): Coroutine<void> {
  if (spec.start > 0) yield* sleep(spec.start);
  yield* block(ctx, `T${spec.id}`, spec.ops, spec.cleanup);
}

function* main(ctx: Ctx): Coroutine<void> {
  const loop = getRunningLoop();
  ctx.loop = loop;
  loop.setExceptionHandler((_l, c) => {
    ctx.handlerCalls.push(c);
  });
  // What the loop holds just before run() closes it.
  const close = loop.close.bind(loop);
  loop.close = () => {
    ctx.closeSnapshot =
      `tasks ${loop._tasks.size}, live timers ${loop._timers.liveCount}, ready ${loop._ready.length}, ` +
      `external ${loop._external}, loopWaits ${loop._loopWaits}`;
    close();
  };
  for (const spec of ctx.prog.tasks) {
    const t = createTask(topTask(ctx, spec), { name: `T${spec.id}` });
    ctx.tasks.push(t);
    ctx.byId.set(spec.id, t);
    ctx.cancelsTaken.set(t, 0);
  }
  for (const c of ctx.prog.cancels) {
    const t = ctx.byId.get(c.target);
    if (t === undefined) continue;
    loop.callLater(c.at, () => {
      log(ctx, "main", `cancel T${c.target}: ${cancelTask(ctx, t)}`);
    });
  }
  const h = horizon(ctx.prog);
  yield* sleep(h);
  if (loop.time() !== h) violate(ctx, `main woke at ${loop.time()}, not at the horizon ${h}`);
  idleCheck(ctx);
  if (ctx.prog.end === "cancel") {
    // Every task, as run() would: a program may deadlock itself (a task taking
    // L0 twice), and only cancelling the task that holds the lock frees it.
    const me = currentTask();
    for (const t of allTasks()) if (t !== me) cancelTask(ctx, t);
    const r = yield* gather(...ctx.tasks, { returnExceptions: true });
    log(ctx, "main", `gathered ${r.map((x) => (x === undefined ? "ok" : errName(x))).join(",")}`);
  }
}

/** Checks made after run() resolved. */
function finalChecks(ctx: Ctx): void {
  const expect = "tasks 0, live timers 0, ready 0, external 0, loopWaits 0";
  if (ctx.closeSnapshot === null) violate(ctx, "run() never closed the loop");
  else if (ctx.closeSnapshot !== expect) violate(ctx, `left on the loop at close: ${ctx.closeSnapshot}`);
  for (const t of ctx.tasks) {
    if (!t.done()) violate(ctx, `${t.getName()} not done after run()`);
    else if (outcome(ctx, t.getName(), t) === "ok" && ctx.cancelsTaken.get(t)! > 0) {
      // Nothing in a program swallows CancelledError: a cancel that was accepted must end the task.
      violate(ctx, `${t.getName()} was cancelled (${ctx.cancelsTaken.get(t)} times) but returned normally: a cancellation was swallowed`);
    }
  }
  for (const { who, fut } of ctx.futures) {
    if (!fut.done()) violate(ctx, `${who}: future not done after run()`);
    else if (outcome(ctx, who, fut) === "ok" && ctx.blockRuns.get(who) === 1 && ctx.blockThrew.get(who) === 1) {
      // Its only block threw (a Boom, null, undefined or a string): the task must not count as a success.
      violate(ctx, `${who}: its coroutine threw, yet the task finished with a result`);
    }
  }
  ctx.finallies.forEach((n, id) => {
    if (n !== 1) violate(ctx, `block #${id}: finally ran ${n} times`);
  });
  ctx.queues.forEach((q, i) => {
    const left = q._store.toArray().map(itemId);
    const seen = new Set<number>();
    for (const id of [...ctx.got[i]!, ...left, ...ctx.dropped[i]!]) {
      if (seen.has(id)) violate(ctx, `Q${i}: item #${id} accounted for twice (got / still queued / dropped)`);
      seen.add(id);
      if (!ctx.put[i]!.has(id)) violate(ctx, `Q${i}: item #${id} was never put (a cancelled put added it?)`);
    }
    for (const id of ctx.put[i]!) if (!seen.has(id)) violate(ctx, `Q${i}: item #${id} was put but is lost`);
  });
  for (const c of ctx.handlerCalls) {
    // Only a program's own failures may go unretrieved (a detached task's, an
    // orphan's); a CancelledError never should: whoever awaits a future sees it.
    const ok =
      /exception was never retrieved|unhandled exception during run\(\) shutdown/.test(c.message) &&
      expectedFailure(c.exception) &&
      !(c.exception instanceof CancelledError);
    if (!ok) violate(ctx, `exception handler: ${c.message}: ${errName(c.exception)} ${String(c.exception)}`);
  }
}

/**
 * Runs `prog` once. A run that hangs (the loop idle, main not done) is
 * reported as a violation rather than waited on forever.
 */
export async function runProgram(prog: Program): Promise<RunOutcome> {
  const ctx = makeCtx(prog);
  let hung = false;
  const p = run(() => main(ctx), { clock: "virtual" }).then(
    () => undefined,
    (e: unknown) => violate(ctx, `run() rejected: ${errName(e)} ${String(e)}\n${e instanceof Error ? e.stack : ""}`),
  );
  // Deadlock watchdog: the loop has nothing ready or timed, yet run() has not resolved.
  let settled = false;
  void p.then(() => (settled = true));
  let idleRounds = 0;
  while (!settled) {
    await new Promise<void>((r) => setImmediate(r));
    const loop = ctx.loop;
    if (settled || loop === null || loop.isClosed()) continue;
    if (loop._ready.length === 0 && loop._timers.liveCount === 0 && loop._external === 0) {
      if (++idleRounds > 20) {
        hung = true;
        break;
      }
    } else idleRounds = 0;
  }
  if (hung) {
    violate(ctx, `run() hangs: nothing ready or timed at t=${ctx.loop!.time()}, ${ctx.loop!._tasks.size} tasks pending`);
    return { trace: ctx.trace, violations: ctx.violations };
  }
  await p;
  finalChecks(ctx);
  return { trace: ctx.trace, violations: ctx.violations };
}
