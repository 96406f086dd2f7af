// Effect 4: fibers. gather = Effect.forEach(..., { concurrency: "unbounded" }),
// a concurrency limit = forEach with { concurrency: 100 } (BENCH.md's "with
// forEach"), queues = Queue.bounded, lock = Semaphore.make(1).withPermits(1),
// cancel = Fiber.interruptAll. Zero-delay sleep = Effect.yieldNow.
import { Effect, Fiber, Queue, Semaphore } from "effect";
import { check, checkSum, CriticalSection, lcgDelays, limitedFigure, now, sumOf } from "../lib/workloads.mjs";

const range = (n) => Array.from({ length: n }, (_, i) => i);

export const workloads = {
  async W1({ n }) {
    const t0 = now();
    const results = await Effect.runPromise(
      Effect.forEach(range(n), (i) => Effect.as(Effect.yieldNow, i), { concurrency: "unbounded" }),
    );
    const ms = now() - t0;
    const sum = sumOf(results);
    checkSum(sum, n);
    return { value: ms };
  },

  async W2({ n, maxDelay }) {
    const delays = lcgDelays(n, maxDelay);
    const longest = Math.max(...delays);
    const t0 = now();
    const results = await Effect.runPromise(
      Effect.forEach(range(n), (i) => Effect.as(Effect.sleep(delays[i]), i), { concurrency: "unbounded" }),
    );
    const ms = now() - t0;
    const sum = sumOf(results);
    checkSum(sum, n);
    check(ms >= longest - 2, `finished in ${ms} ms, before the longest sleep (${longest} ms)`);
    return { value: ms - longest, detail: { wallMs: ms, longest } };
  },

  async W3({ n, limit }) {
    let running = 0;
    let peak = 0;
    const job = (i) =>
      Effect.gen(function* () {
        if (++running > peak) peak = running;
        yield* Effect.yieldNow;
        running--;
        return i;
      });
    const t0 = now();
    return limitedFigure(t0, await Effect.runPromise(Effect.forEach(range(n), job, { concurrency: limit })), n, peak, limit);
  },

  async W4({ n, maxsize }) {
    const t0 = now();
    const sum = await Effect.runPromise(
      Effect.gen(function* () {
        const q = yield* Queue.bounded(maxsize);
        const producer = yield* Effect.forkChild(
          Effect.gen(function* () {
            for (let i = 0; i < n; i++) yield* Queue.offer(q, i);
          }),
        );
        let s = 0;
        for (let i = 0; i < n; i++) s += yield* Queue.take(q);
        yield* Fiber.join(producer);
        return s;
      }),
    );
    const ms = now() - t0;
    checkSum(sum, n);
    return { value: ms };
  },

  async W5({ handoffs }) {
    const half = handoffs / 2;
    const t0 = now();
    const last = await Effect.runPromise(
      Effect.gen(function* () {
        const ab = yield* Queue.bounded(1);
        const ba = yield* Queue.bounded(1);
        const b = yield* Effect.forkChild(
          Effect.gen(function* () {
            for (let i = 0; i < half; i++) {
              const token = yield* Queue.take(ab);
              yield* Queue.offer(ba, token + 1);
            }
          }),
        );
        let token = 0;
        yield* Queue.offer(ab, token);
        for (let i = 0; i < half; i++) {
          token = yield* Queue.take(ba);
          if (i < half - 1) yield* Queue.offer(ab, token + 1);
        }
        yield* Fiber.join(b);
        return token;
      }),
    );
    const ms = now() - t0;
    check(last === handoffs - 1, `last token ${last} != ${handoffs - 1}`);
    return { value: handoffs / (ms / 1000), detail: { wallMs: ms } };
  },

  async W6({ n, sleep }) {
    let interrupted = 0;
    let started = 0;
    const sleeper = Effect.onInterrupt(
      Effect.flatMap(Effect.sync(() => { started++; }), () => Effect.sleep(sleep)),
      () => Effect.sync(() => { interrupted++; }),
    );
    const elapsed = await Effect.runPromise(
      Effect.gen(function* () {
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(sleeper);
        while (started < n) yield* Effect.sleep(1); // every fiber is asleep
        const t0 = now();
        yield* Fiber.interruptAll(fibers);
        return now() - t0;
      }),
    );
    check(interrupted === n, `${interrupted} of ${n} fibers interrupted`);
    return { value: elapsed };
  },

  async W7({ n, sleep }, ctx) {
    const bytes = await Effect.runPromise(
      Effect.gen(function* () {
        let started = 0;
        const sleeper = Effect.flatMap(Effect.sync(() => { started++; }), () => Effect.sleep(sleep));
        const base = ctx.heap();
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(sleeper);
        while (started < n) yield* Effect.sleep(1); // every fiber is asleep
        const perTask = (ctx.heap() - base) / n;
        yield* Fiber.interruptAll(fibers);
        return perTask;
      }),
    );
    return { value: bytes };
  },

  async W8({ tasks, rounds }) {
    const cs = new CriticalSection();
    const t0 = now();
    await Effect.runPromise(
      Effect.gen(function* () {
        const lock = yield* Semaphore.make(1);
        const critical = lock.withPermits(1)(
          Effect.gen(function* () {
            const v = cs.enter();
            yield* Effect.yieldNow;
            cs.leave(v);
          }),
        );
        const worker = Effect.gen(function* () {
          for (let r = 0; r < rounds; r++) yield* critical;
        });
        yield* Effect.forEach(range(tasks), () => worker, { concurrency: "unbounded", discard: true });
      }),
    );
    const ms = now() - t0;
    cs.verify(tasks * rounds);
    return { value: ms };
  },
};
