/**
 * The fuzzer's programs: plain data (so fast-check can generate and shrink
 * them), a generator for them, and a printer that shows one as readable
 * pseudo-code. `interpreter.ts` runs them.
 */
import fc from "fast-check";

/** How a lock or semaphore is held: `withLock`/`withPermit`, `hold()`, or acquire + try/finally release. */
export type HoldStyle = "with" | "hold" | "manual";

export type Op =
  | { k: "sleep"; ms: number }
  | { k: "lock"; r: number; style: HoldStyle; body: Op[] }
  | { k: "sem"; r: number; style: HoldStyle; body: Op[] }
  | { k: "put"; q: number; nowait: boolean; prio: number }
  | { k: "get"; q: number; nowait: boolean; done: boolean }
  | { k: "join"; q: number }
  | { k: "shutdown"; q: number; immediate: boolean }
  | { k: "evWait"; e: number }
  | { k: "evSet"; e: number }
  | { k: "evClear"; e: number }
  | { k: "condWait"; target: number }
  | { k: "condBump"; n: number }
  | { k: "barrier" }
  | { k: "barrierReset"; abort: boolean }
  | { k: "waitFor"; ms: number; body: Op[] }
  | { k: "timeout"; ms: number; resched: number | null; body: Op[] }
  | { k: "shield"; body: Op[] }
  | { k: "gather"; re: boolean; bodies: Op[][] }
  | { k: "wait"; when: 0 | 1 | 2; timeout: number | null; asTasks: boolean; cancelPending: boolean; bodies: Op[][] }
  | { k: "group"; cancelAfter: number | null; rethrow: boolean; inline: Op[]; bodies: Op[][] }
  | { k: "asCompleted"; timeout: number | null; asTasks: boolean; bodies: Op[][] }
  | { k: "race"; bodies: Op[][] }
  | { k: "mapTask"; concurrency: number; bodies: Op[][] }
  | { k: "fromQueue"; q: number; take: number }
  | { k: "spawn"; body: Op[] }
  | { k: "selfCancel" }
  | { k: "fail"; what: FailKind }
  | { k: "reuse"; how: "sleep" | "task" }
  | { k: "cancel"; target: number };

/**
 * What a `fail` op throws: the Boom error, or a value that is no Error at all
 * (issue 15: `throw null` used to count as a success in gather, wait and task
 * groups).
 */
export type FailKind = "boom" | "null" | "undefined" | "string";

/** Task ids (and cancel targets) are drawn from 0 .. MAX_ID: stable under shrinking. */
export const MAX_ID = 63;

export interface TaskSpec {
  /** The task's name is `T<id>`; `cancel` ops name their target by id (a missing id cancels nobody). */
  id: number;
  /** Start delay (ms) before the task's block. */
  start: number;
  /** A `finally` of the task's block sleeps this long (cleanup that awaits). */
  cleanup: number;
  ops: Op[];
}

export interface Resources {
  semCaps: [number, number];
  semBounded: [boolean, boolean];
  /** maxsize of Q0 (Queue), Q1 (LifoQueue), Q2 (PriorityQueue). */
  qmax: [number, number, number];
  /** Whether the Condition is built over L0 (shared with plain lock users) or its own lock. */
  condOnL0: boolean;
  parties: number;
}

export interface Program {
  res: Resources;
  tasks: TaskSpec[];
  /** Cancels main schedules: at loop time `at`, cancel the task with id `target` (if there is one). */
  cancels: { at: number; target: number }[];
  /** How main ends: leave the rest to run(), or cancel everything and gather. */
  end: "leave" | "cancel";
}

export const WAIT_WHEN = ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"] as const;
export const QUEUE_KINDS = ["Queue", "LifoQueue", "PriorityQueue"] as const;

// ---- generation -------------------------------------------------------------

const ms = fc.constantFrom(0, 1, 2, 3, 5, 10);
const small = (max: number) => fc.integer({ min: 0, max });

/** The arbitrary of whole programs. */
export function programArb(maxTasks = 50): fc.Arbitrary<Program> {
  const depth = fc.createDepthIdentifier();
  const { op } = fc.letrec<{ op: Op; block: Op[]; blocks: Op[][] }>((tie) => ({
    op: fc.oneof(
      { depthIdentifier: depth, maxDepth: 3, depthSize: "small", withCrossShrink: true },
      // The first one is what deep levels fall back to: a leaf.
      { weight: 6, arbitrary: fc.record({ k: fc.constant("sleep" as const), ms }) },
      { weight: 4, arbitrary: fc.record({ k: fc.constant("put" as const), q: small(2), nowait: fc.boolean(), prio: small(2) }) },
      { weight: 4, arbitrary: fc.record({ k: fc.constant("get" as const), q: small(2), nowait: fc.boolean(), done: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("join" as const), q: small(2) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("shutdown" as const), q: small(2), immediate: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("evWait" as const), e: small(1) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("evSet" as const), e: small(1) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("evClear" as const), e: small(1) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("condWait" as const), target: fc.integer({ min: 1, max: 4 }) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("condBump" as const), n: small(2) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("barrier" as const) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("barrierReset" as const), abort: fc.boolean() }) },
      {
        weight: 2,
        arbitrary: fc.record({ k: fc.constant("fail" as const), what: fc.constantFrom<FailKind>("boom", "null", "undefined", "string") }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("reuse" as const), how: fc.constantFrom<"sleep" | "task">("sleep", "task") }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("selfCancel" as const) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("fromQueue" as const), q: small(2), take: fc.integer({ min: 1, max: 3 }) }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant("cancel" as const), target: small(MAX_ID) }) },
      {
        weight: 4,
        arbitrary: fc.record({
          k: fc.constant("lock" as const),
          r: small(1),
          style: fc.constantFrom<HoldStyle>("with", "hold", "manual"),
          body: tie("block"),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          k: fc.constant("sem" as const),
          r: small(1),
          style: fc.constantFrom<HoldStyle>("with", "hold", "manual"),
          body: tie("block"),
        }),
      },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("waitFor" as const), ms, body: tie("block") }) },
      {
        weight: 2,
        arbitrary: fc.record({ k: fc.constant("timeout" as const), ms, resched: fc.option(ms, { nil: null }), body: tie("block") }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("shield" as const), body: tie("block") }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("gather" as const), re: fc.boolean(), bodies: tie("blocks") }) },
      {
        weight: 2,
        arbitrary: fc.record({
          k: fc.constant("wait" as const),
          when: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
          timeout: fc.option(ms, { nil: null }),
          asTasks: fc.boolean(),
          cancelPending: fc.boolean(),
          bodies: tie("blocks"),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          k: fc.constant("group" as const),
          cancelAfter: fc.option(ms, { nil: null, freq: 3 }),
          rethrow: fc.boolean(),
          inline: tie("block"),
          bodies: tie("blocks"),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          k: fc.constant("asCompleted" as const),
          timeout: fc.option(ms, { nil: null }),
          asTasks: fc.boolean(),
          bodies: tie("blocks"),
        }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("race" as const), bodies: tie("blocks") }) },
      {
        weight: 1,
        arbitrary: fc.record({ k: fc.constant("mapTask" as const), concurrency: fc.integer({ min: 1, max: 2 }), bodies: tie("blocks") }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("spawn" as const), body: tie("block") }) },
    ) as fc.Arbitrary<Op>,
    block: fc.array(tie("op"), { maxLength: 4, depthIdentifier: depth }) as fc.Arbitrary<Op[]>,
    blocks: fc.array(tie("block"), { minLength: 1, maxLength: 3, depthIdentifier: depth }) as fc.Arbitrary<Op[][]>,
  }));
  const task: fc.Arbitrary<TaskSpec> = fc.record({
    id: small(MAX_ID),
    start: ms,
    cleanup: fc.constantFrom(0, 0, 0, 1, 3),
    ops: fc.array(op, { maxLength: 6 }),
  });
  const res: fc.Arbitrary<Resources> = fc.record({
    semCaps: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    semBounded: fc.tuple(fc.boolean(), fc.boolean()),
    qmax: fc.tuple(small(3), small(3), small(3)),
    condOnL0: fc.boolean(),
    parties: fc.integer({ min: 1, max: 4 }),
  });
  return fc
    .record({
      res,
      // Unique ids, so removing a task while shrinking leaves the others' targets alone.
      tasks: fc.uniqueArray(task, { minLength: 1, maxLength: maxTasks, size: "medium", selector: (t) => t.id }),
      cancels: fc.array(fc.record({ at: fc.integer({ min: 0, max: 30 }), target: small(MAX_ID) }), { maxLength: 8 }),
      end: fc.constantFrom<"leave" | "cancel">("leave", "cancel"),
    })
    .map((p) => withPrinter(p));
}

// ---- the horizon --------------------------------------------------------------

/**
 * A loop time no event of the program can reach: time only moves when a timer
 * fires, every op starts at most one timer, so the sum of all durations bounds
 * every deadline. At the horizon every task is done or blocked for good.
 */
export function horizon(p: Program): number {
  let sum = 0;
  const block = (ops: Op[]): void => {
    for (const op of ops) {
      switch (op.k) {
        case "sleep":
          sum += op.ms;
          break;
        case "lock":
        case "sem":
        case "shield":
          block(op.body);
          break;
        case "waitFor":
          sum += op.ms;
          block(op.body);
          break;
        case "timeout":
          sum += op.ms + (op.resched ?? 0);
          block(op.body);
          break;
        case "gather":
        case "race":
        case "mapTask":
          op.bodies.forEach(block);
          break;
        case "asCompleted":
          sum += op.timeout ?? 0;
          op.bodies.forEach(block);
          break;
        case "spawn":
          block(op.body);
          break;
        case "wait":
          sum += op.timeout ?? 0;
          op.bodies.forEach(block);
          break;
        case "group":
          sum += op.cancelAfter ?? 0;
          block(op.inline);
          op.bodies.forEach(block);
          break;
        default:
          break;
      }
    }
  };
  for (const t of p.tasks) {
    sum += t.start + t.cleanup;
    block(t.ops);
  }
  for (const c of p.cancels) sum += c.at;
  return sum + 1;
}

// ---- printing -------------------------------------------------------------------

function holdName(kind: "lock" | "sem", style: HoldStyle, r: number): string {
  const name = kind === "lock" ? `L${r}` : `S${r}`;
  if (style === "with") return kind === "lock" ? `${name}.withLock` : `${name}.withPermit`;
  if (style === "hold") return `using ${name}.hold()`;
  return `${name}.acquire() try/finally release`;
}

function printBlock(ops: Op[], indent: string, out: string[]): void {
  if (ops.length === 0) out.push(`${indent}(nothing)`);
  for (const op of ops) printOp(op, indent, out);
}

function printBodies(bodies: Op[][], indent: string, out: string[]): void {
  bodies.forEach((b, i) => {
    out.push(`${indent}child ${i}:`);
    printBlock(b, indent + "  ", out);
  });
}

function printOp(op: Op, ind: string, out: string[]): void {
  const inner = ind + "  ";
  switch (op.k) {
    case "sleep":
      out.push(`${ind}sleep(${op.ms})`);
      return;
    case "lock":
    case "sem":
      out.push(`${ind}${holdName(op.k, op.style, op.r)} {`);
      printBlock(op.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "put":
      out.push(`${ind}${op.nowait ? "putNowait" : "put"}(Q${op.q}${op.q === 2 ? `, prio ${op.prio}` : ""})`);
      return;
    case "get":
      out.push(`${ind}${op.nowait ? "getNowait" : "get"}(Q${op.q})${op.done ? " + taskDone()" : ""}`);
      return;
    case "join":
      out.push(`${ind}Q${op.q}.join()`);
      return;
    case "shutdown":
      out.push(`${ind}Q${op.q}.shutdown(${op.immediate})`);
      return;
    case "evWait":
      out.push(`${ind}E${op.e}.wait()`);
      return;
    case "evSet":
      out.push(`${ind}E${op.e}.set()`);
      return;
    case "evClear":
      out.push(`${ind}E${op.e}.clear()`);
      return;
    case "condWait":
      out.push(`${ind}C0.withLock { while (count < ${op.target}) C0.wait() }`);
      return;
    case "condBump":
      out.push(`${ind}C0.withLock { count++; ${op.n === 0 ? "notifyAll()" : `notify(${op.n})`} }`);
      return;
    case "barrier":
      out.push(`${ind}B0.wait()`);
      return;
    case "barrierReset":
      out.push(`${ind}B0.${op.abort ? "abort" : "reset"}()`);
      return;
    case "waitFor":
      out.push(`${ind}waitFor(${op.ms}) {`);
      printBlock(op.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "timeout":
      out.push(`${ind}timeout(${op.ms}${op.resched === null ? "" : `, then reschedule(now + ${op.resched})`}) {`);
      printBlock(op.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "shield":
      out.push(`${ind}shield(createTask {`);
      printBlock(op.body, inner, out);
      out.push(`${ind}})`);
      return;
    case "gather":
      out.push(`${ind}gather(returnExceptions: ${op.re}) {`);
      printBodies(op.bodies, inner, out);
      out.push(`${ind}}`);
      return;
    case "wait":
      out.push(
        `${ind}wait(${WAIT_WHEN[op.when]}, timeout ${op.timeout}, ${op.asTasks ? "tasks" : "coroutines"}` +
          `${op.cancelPending ? ", then cancel and wait for the pending" : ""}) {`,
      );
      printBodies(op.bodies, inner, out);
      out.push(`${ind}}`);
      return;
    case "group":
      out.push(
        `${ind}taskGroup(${op.cancelAfter === null ? "" : `tg.cancel() after ${op.cancelAfter}; `}` +
          `ExceptionGroup ${op.rethrow ? "re-thrown" : "caught"}) {`,
      );
      printBodies(op.bodies, inner, out);
      out.push(`${inner}body:`);
      printBlock(op.inline, inner + "  ", out);
      out.push(`${ind}}`);
      return;
    case "asCompleted":
      out.push(`${ind}for (next of asCompleted(${op.asTasks ? "tasks" : "coroutines"}, timeout ${op.timeout})) yield* next {`);
      printBodies(op.bodies, inner, out);
      out.push(`${ind}}`);
      return;
    case "race":
      out.push(`${ind}ensureFuture(raceTasks(...)) {`);
      printBodies(op.bodies, inner, out);
      out.push(`${ind}}`);
      return;
    case "mapTask":
      out.push(`${ind}ensureFuture(from(children).pipe(mapTask(run child, ${op.concurrency}), toArray())) {`);
      printBodies(op.bodies, inner, out);
      out.push(`${ind}}`);
      return;
    case "fromQueue":
      out.push(`${ind}ensureFuture(fromQueue(Q${op.q}).pipe(take(${op.take}), toArray()))`);
      return;
    case "spawn":
      out.push(`${ind}createTask (detached) {`);
      printBlock(op.body, inner, out);
      out.push(`${ind}}`);
      return;
    case "selfCancel":
      out.push(`${ind}currentTask().cancel()`);
      return;
    case "fail":
      out.push(`${ind}throw ${op.what === "boom" ? "Boom" : op.what === "string" ? '"boom in ..."' : op.what}`);
      return;
    case "reuse":
      out.push(op.how === "sleep" ? `${ind}s = sleep(1); yield* s; yield* s  // must throw RuntimeError` : `${ind}createTask(g); createTask(g)  // the second must throw RuntimeError`);
      return;
    case "cancel":
      out.push(`${ind}cancel(T${op.target})`);
      return;
  }
}

/** The program as readable pseudo-code. */
export function printProgram(p: Program): string {
  const r = p.res;
  const sem = (i: 0 | 1) => `S${i}=${r.semBounded[i] ? "BoundedSemaphore" : "Semaphore"}(${r.semCaps[i]})`;
  const out = [
    `program (${p.tasks.length} tasks, horizon ${horizon(p)} ms, end: ${p.end})`,
    `  L0 L1 = Lock; ${sem(0)} ${sem(1)}; Q0=Queue(${r.qmax[0]}) Q1=LifoQueue(${r.qmax[1]}) Q2=PriorityQueue(${r.qmax[2]});` +
      ` E0 E1 = Event; C0 = Condition(${r.condOnL0 ? "L0" : "new Lock"}); B0 = Barrier(${r.parties})`,
  ];
  const ids = new Set(p.tasks.map((t) => t.id));
  p.tasks.forEach((t) => {
    out.push(`  T${t.id}: start after ${t.start}${t.cleanup > 0 ? `, finally sleeps ${t.cleanup}` : ""}`);
    printBlock(t.ops, "    ", out);
  });
  for (const c of p.cancels) {
    out.push(`  main: at ${c.at} cancel T${c.target}${ids.has(c.target) ? "" : " (no such task: does nothing)"}`);
  }
  return out.join("\n");
}

/** Gives `p` a fast-check printer (non-enumerable, so it is not part of the data). */
export function withPrinter(p: Program): Program {
  Object.defineProperty(p, fc.toStringMethod, { value: () => "\n" + printProgram(p), enumerable: false });
  return p;
}
