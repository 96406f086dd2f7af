/**
 * Bad input everywhere (issue 8): one table calling every export with wrong
 * arguments. Each call must throw at once (not later, not from a task), with
 * the right error type (TypeError for a wrong type, RangeError for a number
 * out of range, RuntimeError for a wrong state), and a message that names the
 * argument and shows the value. A last test checks that every runtime export
 * appears in the table or in the list of exports that take no argument to check.
 */
import { of } from "rxjs";
import * as api from "../src/index.js";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  EventLoop,
  ExceptionGroup,
  Future,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  RuntimeError,
  Semaphore,
  Task,
  TaskGroup,
  ThreadPoolExecutor,
  WebWorkerExecutor,
  TraceRecorder,
  allTasks,
  asCompleted,
  buildTimeline,
  captureTaskTree,
  chromeTrace,
  createTask,
  currentTask,
  defaultCompare,
  ensureFuture,
  firstCompleted,
  formatTaskTree,
  fromQueue,
  gather,
  getRunningLoop,
  mapTask,
  switchMapTask,
  concatMapTask,
  exhaustMapTask,
  marbleTimeline,
  moduleFunction,
  newEventLoop,
  setEventLoop,
  printTaskTree,
  raceTasks,
  run,
  shield,
  sleep,
  svgTimeline,
  task,
  taskGroup,
  timeout,
  timeoutAt,
  toThread,
  traceFromArgv,
  transfer,
  wait,
  waitFor,
  withExecutor,
  writeTrace,
  type Coroutine,
} from "../src/index.js";
import { BullMQExecutor, serveJobs } from "../src/bullmq/index.js";

type ErrorClass = new (...args: never[]) => Error;

/** What a row's call may use: made fresh inside a running virtual loop. */
interface Fixture {
  loop: EventLoop;
  fut: Future<number>;
  rec: TraceRecorder;
  co: () => Coroutine<void>;
}

/**
 * [export, the call, the thunk, error type, what the message must contain:
 * the argument's name and the value as shown].
 */
type Row = [string, string, (x: Fixture) => unknown, ErrorClass, string[]];

const never = undefined as never;
const gen = function* (): Coroutine<void> {};

const rows: Row[] = [
  // ---- errors -------------------------------------------------------------------
  ["ExceptionGroup", "new ExceptionGroup(5, [e])", () => new ExceptionGroup(5 as never, [new Error()]), TypeError, ["'message'", "5"]],
  ["ExceptionGroup", "new ExceptionGroup('m', 5)", () => new ExceptionGroup("m", 5 as never), TypeError, ["'errors'", "5"]],
  ["ExceptionGroup", "new ExceptionGroup('m', [])", () => new ExceptionGroup("m", []), TypeError, ["'errors'", "empty"]],

  // ---- asyncio 3.12-3.14 parity (issue 21) ----------------------------------------------
  ["ContextVar", "new ContextVar(5)", () => new api.ContextVar(5 as never), TypeError, ["'name'", "5"]],
  ["ContextVar", "cv.reset(5)", () => new api.ContextVar("v").reset(5 as never), TypeError, ["'token'", "5"]],
  ["Context", "new Context().run(5)", () => new api.Context().run(5 as never), TypeError, ["'fn'", "5"]],
  ["createEagerTaskFactory", "createEagerTaskFactory(1)", () => api.createEagerTaskFactory(1 as never), TypeError, ["'TaskClass'", "1"]],
  ["eagerTaskFactory", "eagerTaskFactory(loop, 5, {})", (x) => api.eagerTaskFactory(x.loop, 5 as never, {}), TypeError, ["'coro'", "5"]],
  ["createTask", "createTask(gen, { eager: 'yes' })", () => api.createTask(gen, { eager: "yes" as never }), TypeError, ["'eager'", '"yes"']],
  ["createTask", "createTask(gen, { context: 5 })", () => api.createTask(gen, { context: 5 as never }), TypeError, ["'context'", "5"]],
  ["EventLoop", "loop.setTaskFactory(5)", (x) => x.loop.setTaskFactory(5 as never), TypeError, ["'factory'", "5"]],
  ["captureCallGraph", "captureCallGraph(5)", () => api.captureCallGraph(5 as never), TypeError, ["'future'", "5"]],
  ["formatCallGraph", "formatCallGraph(5)", () => api.formatCallGraph(5 as never), TypeError, ["'graph'", "5"]],
  ["printCallGraph", "printCallGraph(fut, { write: 5 })", (x) => api.printCallGraph(x.fut, { write: 5 as never }), TypeError, ["'write'", "5"]],

  // ---- the loop -------------------------------------------------------------------
  ["EventLoop", "new EventLoop(5)", () => new EventLoop(5 as never), TypeError, ["'options'", "5"]],
  ["EventLoop", "new EventLoop({ clock: 'fast' })", () => new EventLoop({ clock: "fast" as never }), RangeError, ["'clock'", '"fast"']],
  ["EventLoop", "new EventLoop({ host: 5 })", () => new EventLoop({ host: 5 as never }), TypeError, ["'host'", "5"]],
  ["EventLoop", "new EventLoop({ debug: 'yes' })", () => new EventLoop({ debug: "yes" as never }), TypeError, ["'debug'", '"yes"']],
  ["EventLoop", "loop.callSoon(42)", (x) => x.loop.callSoon(42 as never), TypeError, ["'fn'", "42"]],
  ["EventLoop", "loop.callLater(-1, fn)", (x) => x.loop.callLater(-1, () => {}), RangeError, ["'delay'", "-1"]],
  ["EventLoop", "loop.callLater('1', fn)", (x) => x.loop.callLater("1" as never, () => {}), TypeError, ["'delay'", '"1"']],
  ["EventLoop", "loop.callAt('1', fn)", (x) => x.loop.callAt("1" as never, () => {}), TypeError, ["'when'", '"1"']],
  ["EventLoop", "loop.callLater(1, 'x')", (x) => x.loop.callLater(1, "x" as never), TypeError, ["'fn'", '"x"']],
  ["EventLoop", "loop.callAt(Infinity, fn)", (x) => x.loop.callAt(Infinity, () => {}), RangeError, ["'when'", "Infinity"]],
  ["EventLoop", "loop.schedule(5)", (x) => x.loop.schedule(5 as never), TypeError, ["'work'", "5"]],
  ["EventLoop", "loop.schedule(work, 'x')", (x) => x.loop.schedule(() => {}, "x" as never), TypeError, ["'delay'", '"x"']],
  // ---- issue 15: values that used to pass silently ----
  ["EventLoop", "loop.schedule(work, Infinity)", (x) => x.loop.schedule(() => {}, Infinity), RangeError, ["'delay'", "Infinity"]],
  ["EventLoop", "loop.callLater(Infinity, fn)", (x) => x.loop.callLater(Infinity, () => {}), RangeError, ["'delay'", "Infinity"]],
  ["EventLoop", "new EventLoop({ clok: 'virtual' })", () => new EventLoop({ clok: "virtual" } as never), TypeError, ["'clok'", "did you mean 'clock'?"]],
  ["EventLoop", "loop.createTask(12)", (x) => x.loop.createTask(12 as never), TypeError, ["coro", "12"]],
  ["EventLoop", "loop.createTask(coro, 5)", (x) => x.loop.createTask(x.co(), 5 as never), TypeError, ["'options'", "5"]],
  ["EventLoop", "new loop: runUntilComplete(5)", () => new EventLoop().runUntilComplete(5 as never), TypeError, ["runUntilComplete(aw)", "5"]],
  ["EventLoop", "loop.setExceptionHandler(5)", (x) => x.loop.setExceptionHandler(5 as never), TypeError, ["'handler'", "5"]],
  ["EventLoop", "loop.callExceptionHandler(5)", (x) => x.loop.callExceptionHandler(5 as never), TypeError, ["'context'", "5"]],
  ["EventLoop", "loop.setTrace(5)", (x) => x.loop.setTrace(5 as never), TypeError, ["'tracer'", "5"]],
  ["EventLoop", "loop.runInExecutor(5, fn)", (x) => x.loop.runInExecutor(5 as never, () => 1), TypeError, ["'executor'", "5"]],
  ["EventLoop", "loop.runInExecutor(null, 5)", (x) => x.loop.runInExecutor(null, 5 as never), TypeError, ["'fn'", "5"]],
  ["EventLoop", "loop.setDefaultExecutor(5)", (x) => x.loop.setDefaultExecutor(5 as never), TypeError, ["'executor'", "5"]],
  ["EventLoop", "loop.shutdownDefaultExecutor(-1)", (x) => x.loop.shutdownDefaultExecutor(-1), RangeError, ["'timeout'", "-1"]],
  ["newEventLoop", "newEventLoop(5)", () => newEventLoop(5 as never), TypeError, ["'options'", "5"]],
  ["run", "run(5) (outside a loop)", () => run(5 as never), TypeError, ["'main'", "5"]],
  ["run", "run(main, 5)", () => run(gen, 5 as never), TypeError, ["'options'", "5"]],
  ["run", "run(main, { clock: 'x' })", () => run(gen, { clock: "x" as never }), RangeError, ["'clock'", '"x"']],
  ["run", "run(main, { trace: 5 })", () => run(gen, { trace: 5 as never }), TypeError, ["'trace'", "5"]],
  ["run", "run(main, { signal: 5 })", () => run(gen, { signal: 5 as never }), TypeError, ["'signal'", "5"]],
  ["run", "run(main, { clok: 'virtual' })", () => run(gen, { clok: "virtual" } as never), TypeError, ["'clok'", "did you mean 'clock'?"]],
  ["run", "run(main, { tarce: 'x.json' })", () => run(gen, { tarce: "x.json" } as never), TypeError, ["'tarce'", "did you mean 'trace'?"]],

  // ---- futures and tasks --------------------------------------------------------------
  ["Future", "new Future(5)", () => new Future(5 as never), TypeError, ["'loop'", "5"]],
  ["Future", "fut.addDoneCallback(5)", (x) => x.fut.addDoneCallback(5 as never), TypeError, ["'fn'", "5"]],
  ["Future", "fut.setException(undefined)", (x) => x.fut.setException(undefined), TypeError, ["'exception'", "undefined"]],
  ["Future", "fut.setException(null)", (x) => x.fut.setException(null), TypeError, ["'exception'", "null"]],
  ["Task", "new Task(5)", () => new Task(5 as never), TypeError, ["'coro'", "5"]],
  ["Task", "new Task(coro, { loop: 5 })", (x) => new Task(x.co(), { loop: 5 as never }), TypeError, ["'loop'", "5"]],
  ["createTask", "createTask(5)", () => createTask(5 as never), TypeError, ["coro", "5"]],
  ["createTask", "createTask(coro, 5)", (x) => createTask(x.co(), 5 as never), TypeError, ["'options'", "5"]],
  ["createTask", "createTask(coro, { loop: 5 })", (x) => createTask(x.co(), { loop: 5 as never }), TypeError, ["'loop'", "5"]],
  ["createTask", "createTask(coro, { signal: 5 })", (x) => createTask(x.co(), { signal: 5 as never }), TypeError, ["'signal'", "5"]],
  ["createTask", "createTask(coro, { nmae: 'x' })", (x) => createTask(x.co(), { nmae: "x" } as never), TypeError, ["'nmae'", "did you mean 'name'?"]],
  ["createTask", "createTask(coro, { eagre: true })", (x) => createTask(x.co(), { eagre: true } as never), TypeError, ["'eagre'", "did you mean 'eager'?"]],
  ["EventLoop", "loop.createTask(coro, { nam: 'x' })", (x) => x.loop.createTask(x.co(), { nam: "x" } as never), TypeError, ["'nam'", "did you mean 'name'?"]],
  ["currentTask", "currentTask(5)", () => currentTask(5 as never), TypeError, ["'loop'", "5"]],
  ["allTasks", "allTasks(5)", () => allTasks(5 as never), TypeError, ["'loop'", "5"]],
  ["setEventLoop", "setEventLoop(5)", () => setEventLoop(5 as never), TypeError, ["'loop'", "5"]],
  ["ensureFuture", "ensureFuture(5)", () => ensureFuture(5 as never), TypeError, ["'x'", "5"]],
  ["ensureFuture", "ensureFuture(fn)", () => ensureFuture(gen as never), TypeError, ["'x'", "function gen", "fn()"]],
  ["ensureFuture", "ensureFuture(promise, 5)", () => ensureFuture(Promise.resolve(1), 5 as never), TypeError, ["'options'", "5"]],
  ["ensureFuture", "ensureFuture(promise, { loop: 5 })", () => ensureFuture(Promise.resolve(1), { loop: 5 as never }), TypeError, ["'loop'", "5"]],
  ["sleep", "sleep(-1)", () => sleep(-1), RangeError, ["'ms'", "-1"]],
  ["sleep", "sleep(NaN)", () => sleep(Number.NaN), RangeError, ["'ms'", "NaN"]],
  ["sleep", "sleep('1')", () => sleep("1" as never), TypeError, ["'ms'", '"1"']],
  ["task", "task(5)", () => task(5 as never), TypeError, ["'coroFn'", "5"]],
  ["task", "task(fn, 5)", () => task(gen, 5 as never), TypeError, ["'options'", "5"]],
  ["task", "task(fn, { loop: 5 })", () => task(gen, { loop: 5 as never }), TypeError, ["'loop'", "5"]],
  ["task", "task(fn, { signal: 5 })", () => task(gen, { signal: 5 as never }), TypeError, ["'signal'", "5"]],
  ["task", "task(fn, { sigal: s })", () => task(gen, { sigal: 1 } as never), TypeError, ["'sigal'", "did you mean 'signal'?"]],
  ["ensureFuture", "ensureFuture(promise, { lop: loop })", () => ensureFuture(Promise.resolve(1), { lop: 1 } as never), TypeError, ["'lop'", "did you mean 'loop'?"]],

  // ---- composing ----------------------------------------------------------------------
  ["gather", "gather(5)", () => gather(5 as never), TypeError, ["aws[0]", "5"]],
  ["gather", "gather(co, fn)", (x) => gather(x.co(), gen as never), TypeError, ["aws[1]", "function gen"]],
  ["gather", "gather(co, { returnExceptions: 1 })", (x) => gather(x.co(), { returnExceptions: 1 as never }), TypeError, ["'returnExceptions'", "1"]],
  ["gatherAll", "gatherAll(5)", () => api.gatherAll(5 as never), TypeError, ["'aws'", "5"]],
  ["gatherAll", "gatherAll([5])", () => api.gatherAll([5 as never]), TypeError, ["aws[0]", "5"]],
  ["gatherAll", "gatherAll([], { returnExceptions: 1 })", () => api.gatherAll([], { returnExceptions: 1 as never }), TypeError, ["'returnExceptions'", "1"]],
  ["gather", "gather(co, { bogus: 1 })", (x) => gather(x.co(), { bogus: 1 } as never), TypeError, ["'bogus'"]],
  ["wait", "wait(5)", () => wait(5 as never), TypeError, ["'aws'", "5"]],
  ["wait", "wait([])", () => wait([]), RangeError, ["'aws'", "empty"]],
  ["wait", "wait([5])", () => wait([5 as never]), TypeError, ["aws[0]", "5"]],
  ["wait", "wait([f], 5)", (x) => wait([x.fut], 5 as never), TypeError, ["'options'", "5"]],
  ["wait", "wait([f], { timeout: -1 })", (x) => wait([x.fut], { timeout: -1 }), RangeError, ["'timeout'", "-1"]],
  ["wait", "wait([f], { timeout: 'x' })", (x) => wait([x.fut], { timeout: "x" as never }), TypeError, ["'timeout'", '"x"']],
  ["wait", "wait([f], { returnWhen: 'x' })", (x) => wait([x.fut], { returnWhen: "x" as never }), RangeError, ["'returnWhen'", '"x"']],
  ["wait", "wait([f], { retrunWhen: x })", (x) => wait([x.fut], { retrunWhen: 1 } as never), TypeError, ["'retrunWhen'", "did you mean 'returnWhen'?"]],
  ["waitFor", "waitFor(5, 1)", () => waitFor(5 as never, 1), TypeError, ["'aw'", "5"]],
  ["waitFor", "waitFor(co, -1)", (x) => waitFor(x.co(), -1), RangeError, ["'timeout'", "-1"]],
  ["waitFor", "waitFor(co, 'x')", (x) => waitFor(x.co(), "x" as never), TypeError, ["'timeout'", '"x"']],
  ["waitFor", "waitFor(co) (no timeout)", (x) => (waitFor as (a: unknown) => unknown)(x.co()), TypeError, ["'timeout'", "undefined"]],
  ["timeout", "timeout(-1, body)", (x) => timeout(-1, x.co), RangeError, ["'delay'", "-1"]],
  ["timeout", "timeout('x', body)", (x) => timeout("x" as never, x.co), TypeError, ["'delay'", '"x"']],
  ["timeout", "timeout(1, 5)", () => timeout(1, 5 as never), TypeError, ["'body'", "5"]],
  ["timeoutAt", "timeoutAt('x', body)", (x) => timeoutAt("x" as never, x.co), TypeError, ["'when'", '"x"']],
  ["timeoutAt", "timeoutAt(NaN, body)", (x) => timeoutAt(Number.NaN, x.co), TypeError, ["'when'", "NaN"]],
  ["timeoutAt", "timeoutAt(1, 5)", () => timeoutAt(1, 5 as never), TypeError, ["'body'", "5"]],
  ["shield", "shield(5)", () => shield(5 as never), TypeError, ["'aw'", "5"]],
  ["asCompleted", "asCompleted(5)", () => asCompleted(5 as never), TypeError, ["'aws'", "5"]],
  ["asCompleted", "asCompleted([5])", () => asCompleted([5 as never]), TypeError, ["aws[0]", "5"]],
  ["asCompleted", "asCompleted([f], 5)", (x) => asCompleted([x.fut], 5 as never), TypeError, ["'options'", "5"]],
  ["asCompleted", "asCompleted([f], { timeout: -1 })", (x) => asCompleted([x.fut], { timeout: -1 }), RangeError, ["'timeout'", "-1"]],
  ["TaskGroup", "new TaskGroup().run(5)", () => new TaskGroup().run(5 as never), TypeError, ["'body'", "5"]],
  ["taskGroup", "taskGroup(5)", () => taskGroup(5 as never), TypeError, ["'body'", "5"]],

  // ---- rx operators ---------------------------------------------------------------------
  ["mapTask", "mapTask(5)", () => mapTask(5 as never), TypeError, ["'project'", "5"]],
  ["switchMapTask", "switchMapTask(5)", () => switchMapTask(5 as never), TypeError, ["'project'", "5"]],
  ["concatMapTask", "concatMapTask(5)", () => concatMapTask(5 as never), TypeError, ["'project'", "5"]],
  ["exhaustMapTask", "exhaustMapTask(5)", () => exhaustMapTask(5 as never), TypeError, ["'project'", "5"]],
  ["mapTask", "mapTask(fn, 0)", () => mapTask(gen, 0), RangeError, ["'concurrency'", "0"]],
  ["mapTask", "mapTask(fn, 1.5)", () => mapTask(gen, 1.5), RangeError, ["'concurrency'", "1.5"]],
  ["mapTask", "mapTask(fn, 'x')", () => mapTask(gen, "x" as never), TypeError, ["'concurrency'", '"x"']],
  ["firstCompleted", "firstCompleted(5)", () => firstCompleted(5 as never), TypeError, ["'project'", "5"]],
  ["firstCompleted", "firstCompleted(fn, 5)", () => firstCompleted(gen, 5 as never), TypeError, ["'options'", "5"]],
  ["firstCompleted", "firstCompleted(fn, { ignoreErrors: 1 })", () => firstCompleted(gen, { ignoreErrors: 1 as never }), TypeError, ["'ignoreErrors'", "1"]],
  ["raceTasks", "raceTasks()", () => raceTasks(), TypeError, ["coroFns", "at least one"]],
  ["raceTasks", "raceTasks(5)", () => raceTasks(5 as never), TypeError, ["coroFns[0]", "5"]],
  ["fromQueue", "fromQueue(5)", () => fromQueue(5 as never), TypeError, ["'queue'", "5"]],
  ["fromQueue", "fromQueue(q, 5)", () => fromQueue(new Queue(), 5 as never), TypeError, ["'options'", "5"]],
  ["fromQueue", "fromQueue(q, { taskDone: 1 })", () => fromQueue(new Queue(), { taskDone: 1 as never }), TypeError, ["'taskDone'", "1"]],
  ["fromQueue", "fromQueue(q, { loop: 5 })", () => fromQueue(new Queue(), { loop: 5 as never }), TypeError, ["'loop'", "5"]],

  // ---- synchronization and queues ---------------------------------------------------------
  ["Lock", "lock.withLock(5)", () => new Lock().withLock(5 as never), TypeError, ["'body'", "5"]],
  ["Condition", "new Condition(5)", () => new Condition(5 as never), TypeError, ["'lock'", "5"]],
  ["Condition", "cond.withLock(5)", () => new Condition().withLock(5 as never), TypeError, ["'body'", "5"]],
  ["Condition", "cond.waitFor(5)", () => new Condition().waitFor(5 as never), TypeError, ["'predicate'", "5"]],
  ["Condition", "cond.notify(-1)", () => new Condition().notify(-1), RangeError, ["'n'", "-1"]],
  ["Condition", "cond.notify('x')", () => new Condition().notify("x" as never), TypeError, ["'n'", '"x"']],
  ["Semaphore", "new Semaphore(-1)", () => new Semaphore(-1), RangeError, ["'value'", "-1"]],
  ["Semaphore", "new Semaphore(1.5)", () => new Semaphore(1.5), RangeError, ["'value'", "1.5"]],
  ["Semaphore", "new Semaphore('x')", () => new Semaphore("x" as never), TypeError, ["'value'", '"x"']],
  ["Semaphore", "sem.withPermit(5)", () => new Semaphore().withPermit(5 as never), TypeError, ["'body'", "5"]],
  ["BoundedSemaphore", "new BoundedSemaphore(-1)", () => new BoundedSemaphore(-1), RangeError, ["'value'", "-1"]],
  ["BoundedSemaphore", "new BoundedSemaphore('x')", () => new BoundedSemaphore("x" as never), TypeError, ["'value'", '"x"']],
  ["Barrier", "new Barrier(0)", () => new Barrier(0), RangeError, ["'parties'", "0"]],
  ["Barrier", "new Barrier('x')", () => new Barrier("x" as never), TypeError, ["'parties'", '"x"']],
  ["Queue", "new Queue('3')", () => new Queue("3" as never), TypeError, ["'maxsize'", '"3"']],
  ["Queue", "new Queue(NaN)", () => new Queue(Number.NaN), RangeError, ["'maxsize'", "NaN"]],
  ["Queue", "new Queue(1.5)", () => new Queue(1.5), RangeError, ["'maxsize'", "1.5"]],
  ["PriorityQueue", "new PriorityQueue(2.5)", () => new PriorityQueue(2.5), RangeError, ["'maxsize'", "2.5"]],
  ["Queue", "q.shutdown('yes')", () => new Queue().shutdown("yes" as never), TypeError, ["'immediate'", '"yes"']],
  ["Queue", "q.consume(5)", () => new Queue().consume(5 as never), TypeError, ["'body'", "5"]],
  ["LifoQueue", "new LifoQueue('3')", () => new LifoQueue("3" as never), TypeError, ["'maxsize'", '"3"']],
  ["PriorityQueue", "new PriorityQueue(NaN)", () => new PriorityQueue(Number.NaN), RangeError, ["'maxsize'", "NaN"]],
  ["PriorityQueue", "new PriorityQueue(0, 5)", () => new PriorityQueue(0, 5 as never), TypeError, ["'options'", "5"]],
  ["PriorityQueue", "new PriorityQueue(0, { key: 5 })", () => new PriorityQueue(0, { key: 5 as never }), TypeError, ["'key'", "5"]],
  ["PriorityQueue", "new PriorityQueue(0, { compare: 5 })", () => new PriorityQueue(0, { compare: 5 as never }), TypeError, ["'compare'", "5"]],
  ["PriorityQueue", "new PriorityQueue(0, { keys: fn })", () => new PriorityQueue(0, { keys: () => 1 } as never), TypeError, ["'keys'"]],
  ["PriorityQueue", "pq.putNowait({})", () => new PriorityQueue().putNowait({ job: 1 } as never), TypeError, ["(item)", "a Object"]],
  ["PriorityQueue", "pq.put({}) (checked at once)", () => new PriorityQueue().put({ job: 1 } as never), TypeError, ["(item)", "a Object"]],
  ["defaultCompare", "defaultCompare({}, 1)", () => defaultCompare({}, 1), TypeError, ["'a'", "a Object"]],
  ["defaultCompare", "defaultCompare(1, null)", () => defaultCompare(1, null), TypeError, ["'b'", "null"]],
  ["defaultCompare", "defaultCompare(1, 'a')", () => defaultCompare(1, "a"), TypeError, ["1", '"a"']],

  // ---- executors -------------------------------------------------------------------------
  ["ThreadPoolExecutor", "new ThreadPoolExecutor(5)", () => new ThreadPoolExecutor(5 as never), TypeError, ["'options'", "5"]],
  ["ThreadPoolExecutor", "new ThreadPoolExecutor({ maxWorkers: 0 })", () => new ThreadPoolExecutor({ maxWorkers: 0 }), RangeError, ["'maxWorkers'", "0"]],
  ["ThreadPoolExecutor", "new ThreadPoolExecutor({ maxWorkers: 'x' })", () => new ThreadPoolExecutor({ maxWorkers: "x" as never }), TypeError, ["'maxWorkers'", '"x"']],
  ["WebWorkerExecutor", "new WebWorkerExecutor(5)", () => new WebWorkerExecutor(5 as never), TypeError, ["'options'", "5"]],
  ["WebWorkerExecutor", "new WebWorkerExecutor({ maxWorkers: 0 })", () => new WebWorkerExecutor({ maxWorkers: 0 }), RangeError, ["'maxWorkers'", "0"]],
  ["WebWorkerExecutor", "new WebWorkerExecutor({ idleTimeout: -1 })", () => new WebWorkerExecutor({ idleTimeout: -1 }), RangeError, ["'idleTimeout'", "-1"]],
  ["toThread", "toThread(5)", () => toThread(5 as never), TypeError, ["'fn'", "5"]],
  ["withExecutor", "withExecutor(5)", () => withExecutor(5 as never), TypeError, ["'body'", "5"]],
  ["transfer", "transfer(x, 5)", () => transfer(new ArrayBuffer(1), 5 as never), TypeError, ["'list'", "5"]],
  ["moduleFunction", "moduleFunction(5, 'f')", () => moduleFunction(5 as never, "f"), TypeError, ["'module'", "5"]],
  ["moduleFunction", "moduleFunction('/abs.js', 5)", () => moduleFunction("/abs.js" as never, 5 as never), TypeError, ["'export'", "5"]],

  // ---- BullMQ (rx-asyncio/bullmq; checked before any connection) ----------------------
  ["BullMQExecutor", "new BullMQExecutor({ ..., atempts: 3 })", () => new BullMQExecutor({ connection: {}, queue: "q", atempts: 3 } as never), TypeError, ["'atempts'", "did you mean 'attempts'?"]],
  ["BullMQExecutor", "new BullMQExecutor({ ..., backoff: { type: 'exponental' } })", () => new BullMQExecutor({ connection: {}, queue: "q", backoff: { type: "exponental", delay: 5 } }), RangeError, ["'backoff.type'", '"exponental"', 'did you mean "exponential"?']],
  ["BullMQExecutor", "new BullMQExecutor({ ..., backoff: { type: 'fixed', dealy: 5 } })", () => new BullMQExecutor({ connection: {}, queue: "q", backoff: { type: "fixed", dealy: 5 } as never }), TypeError, ["'dealy'", "did you mean 'delay'?"]],
  ["serveJobs", "serveJobs({ ..., lockDuration: -5 })", () => serveJobs({ connection: {}, queue: "q", jobs: {}, lockDuration: -5 }), RangeError, ["'lockDuration'", "-5"]],
  ["serveJobs", "serveJobs({ ..., stalledInterval: 1.5 })", () => serveJobs({ connection: {}, queue: "q", jobs: {}, stalledInterval: 1.5 }), RangeError, ["'stalledInterval'", "1.5"]],
  ["serveJobs", "serveJobs({ ..., concurency: 4 })", () => serveJobs({ connection: {}, queue: "q", jobs: {}, concurency: 4 } as never), TypeError, ["'concurency'", "did you mean 'concurrency'?"]],

  // ---- tracing ----------------------------------------------------------------------------
  ["TraceRecorder", "new TraceRecorder(5)", () => new TraceRecorder(5 as never), TypeError, ["'options'", "5"]],
  ["TraceRecorder", "new TraceRecorder({ clock: 'x' })", () => new TraceRecorder({ clock: "x" as never }), RangeError, ["'clock'", '"x"']],
  ["buildTimeline", "buildTimeline(5)", () => buildTimeline(5 as never), TypeError, ["'rec'", "5"]],
  ["chromeTrace", "chromeTrace(5)", () => chromeTrace(5 as never), TypeError, ["'source'", "5"]],
  ["marbleTimeline", "marbleTimeline(5)", () => marbleTimeline(5 as never), TypeError, ["'source'", "5"]],
  ["marbleTimeline", "marbleTimeline(rec, 5)", (x) => marbleTimeline(x.rec, 5 as never), TypeError, ["'options'", "5"]],
  ["marbleTimeline", "marbleTimeline(rec, { width: 5 })", (x) => marbleTimeline(x.rec, { width: 5 }), RangeError, ["'width'", "5"]],
  ["marbleTimeline", "marbleTimeline(rec, { msPerChar: 'x' })", (x) => marbleTimeline(x.rec, { msPerChar: "x" as never }), TypeError, ["'msPerChar'", '"x"']],
  ["svgTimeline", "svgTimeline(5)", () => svgTimeline(5 as never), TypeError, ["'source'", "5"]],
  ["svgTimeline", "svgTimeline(rec, 5)", (x) => svgTimeline(x.rec, 5 as never), TypeError, ["'options'", "5"]],
  ["svgTimeline", "svgTimeline(rec, { width: 'x' })", (x) => svgTimeline(x.rec, { width: "x" as never }), TypeError, ["'width'", '"x"']],
  ["svgTimeline", "svgTimeline(rec, { width: 10 })", (x) => svgTimeline(x.rec, { width: 10 }), RangeError, ["'width'", "10"]],
  ["writeTrace", "writeTrace(5, 'x.json')", () => writeTrace(5 as never, "x.json"), TypeError, ["writeTrace", "'source'", "5"]],
  ["writeTrace", "writeTrace(rec, 5)", (x) => writeTrace(x.rec, 5 as never), TypeError, ["'path'", "5"]],
  ["traceFromArgv", "traceFromArgv(5)", () => traceFromArgv(5 as never), TypeError, ["'argv'", "5"]],
  ["captureTaskTree", "captureTaskTree(5)", () => captureTaskTree(5 as never), TypeError, ["'options'", "5"]],
  ["captureTaskTree", "captureTaskTree({ loop: 5 })", () => captureTaskTree({ loop: 5 as never }), TypeError, ["'loop'", "5"]],
  ["formatTaskTree", "formatTaskTree(5)", () => formatTaskTree(5 as never), TypeError, ["'tree'", "5"]],
  ["printTaskTree", "printTaskTree(5)", () => printTaskTree(5 as never), TypeError, ["'options'", "5"]],
];

/** Calls that must be made outside a running loop. */
const OUTSIDE = new Set([
  "run(5) (outside a loop)",
  "run(main, 5)",
  "run(main, { clock: 'x' })",
  "run(main, { trace: 5 })",
  "run(main, { signal: 5 })",
  "run(main, { clok: 'virtual' })",
  "run(main, { tarce: 'x.json' })",
]);

function check(row: Row, fixture: Fixture): void {
  const [, call, thunk, type, parts] = row;
  let thrown: unknown = null;
  let result: unknown;
  try {
    result = thunk(fixture);
  } catch (e) {
    thrown = e;
  }
  if (thrown === null) {
    // A promise that rejects or a coroutine that throws later is not "at once".
    if (result instanceof Promise) result.catch(() => {});
    throw new Error(`${call} did not throw at once (returned ${String(result)})`);
  }
  expect(thrown).toBeInstanceOf(type);
  const message = (thrown as Error).message;
  for (const p of parts) {
    if (!message.includes(p)) throw new Error(`${call}: the message should contain ${JSON.stringify(p)}: ${message}`);
  }
}

function* makeFixture(): Generator<never, Fixture, unknown> {
  const loop = getRunningLoop();
  return { loop, fut: loop.createFuture<number>(), rec: new TraceRecorder(), co: gen };
}

describe("bad input: every export refuses wrong arguments at once, naming the argument and the value", () => {
  test.each(rows)("%s: %s", async (...row) => {
    const r = row as unknown as Row;
    if (OUTSIDE.has(r[1])) {
      check(r, { loop: null as never, fut: null as never, rec: new TraceRecorder(), co: gen });
      return;
    }
    await run(function* () {
      const fixture = yield* makeFixture();
      check(r, fixture);
      fixture.fut.cancel();
    }, { clock: "virtual" });
  });

  test("TaskGroup.createTask: a non-coroutine inside an entered group; any call before entering is RuntimeError", async () => {
    expect(() => new TaskGroup().createTask(gen())).toThrow(RuntimeError);
    expect(() => new TaskGroup().createTask(gen())).toThrow(/has not been entered/);
    const msg = await run(function* (): Coroutine<string> {
      let m = "";
      yield* taskGroup(function* (tg) {
        try {
          tg.createTask(7 as never);
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
          m = (e as Error).message;
        }
      });
      return m;
    }, { clock: "virtual" });
    expect(msg).toMatch(/createTask\(coro\).*got 7/);
  });

  test("Timeout.reschedule(when): a non-number 'when' is a TypeError; outside the scope a RuntimeError", async () => {
    const msgs = await run(function* (): Coroutine<string[]> {
      const out: string[] = [];
      let kept: api.Timeout | null = null;
      yield* timeout(100, function* (scope) {
        kept = scope;
        try {
          scope.reschedule("soon" as never);
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
          out.push((e as Error).message);
        }
      });
      try {
        kept!.reschedule(5);
      } catch (e) {
        expect(e).toBeInstanceOf(RuntimeError);
        out.push((e as Error).message);
      }
      return out;
    }, { clock: "virtual" });
    expect(msgs[0]).toMatch(/reschedule\(when\): 'when' must be .* got "soon"/);
    expect(msgs[1]).toMatch(/Cannot change state of finished Timeout/);
  });

  test("getRunningLoop() and run() in the wrong place throw RuntimeError", async () => {
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    await run(function* () {
      expect(() => run(gen)).toThrow(RuntimeError);
      expect(() => run(gen)).toThrow(/cannot be called from a running event loop/);
    }, { clock: "virtual" });
  });

  test("predicates never throw, whatever they are given", () => {
    const odd: unknown[] = [undefined, null, 0, "x", {}, [], () => {}, Symbol("s"), of(1), Promise.resolve(1)];
    for (const x of odd) {
      for (const p of [api.isCoroutine, api.isCoroutineFunction, api.isFuture, api.isTask, api.isExecutor, api.isTransfer]) {
        expect(typeof p(x)).toBe("boolean");
      }
    }
  });

  test("every runtime export is in the table or has no argument to check", () => {
    const covered = new Set(rows.map((r) => r[0]));
    // Exports that take no argument to validate, and why.
    const noArguments: Record<string, string> = {
      ALL_COMPLETED: "a constant",
      FIRST_COMPLETED: "a constant",
      FIRST_EXCEPTION: "a constant",
      TRANSFER: "a symbol",
      AsCompleted: "made by asCompleted()",
      Handle: "made by callSoon()",
      TimerHandle: "made by callLater()/callAt()",
      Held: "made by hold()",
      Timeout: "made by timeout()/timeoutAt(); reschedule() is tested above",
      Event: "no arguments anywhere",
      BrokenBarrierError: "an Error: any message",
      BrokenWorkerError: "an Error: any message",
      CancelledError: "an Error: any message",
      InvalidStateError: "an Error: any message",
      QueueEmpty: "an Error: any message",
      QueueFull: "an Error: any message",
      QueueShutDown: "an Error: any message",
      RuntimeError: "an Error: any message",
      TimeoutError: "an Error: any message",
      DeadlockError: "an Error: any message and the task tree's text",
      KeyboardInterrupt: "an Error: any message",
      getRunningLoop: "no arguments (tested above)",
      getEventLoop: "no arguments (spec/get-event-loop.spec.ts)",
      rxLoop: "no arguments",
      globalThisHost: "a host object",
      rxjsHost: "a host object",
      isCoroutine: "a predicate (tested above)",
      isCoroutineFunction: "a predicate (tested above)",
      isExecutor: "a predicate (tested above)",
      isFuture: "a predicate (tested above)",
      isTask: "a predicate (tested above)",
      isTransfer: "a predicate (tested above)",
      LookupError: "an Error: any message",
      Token: "made by ContextVar.set()",
      copyContext: "no arguments",
    };
    const missing = Object.keys(api).filter((k) => !covered.has(k) && !(k in noArguments));
    expect(missing).toEqual([]);
  });
});
