// RxJS 7.8 alone: a task is an observable, gather is forkJoin, a semaphore is
// mergeMap(fn, limit), cancel is unsubscribe. Zero-delay hop: in the strongest
// form, asapScheduler (timer(0, asapScheduler) and observeOn(asapScheduler):
// a microtask, flat stack, never yields to I/O; rx-asyncio's own default host
// uses it); in the "common" variant, asyncScheduler, the default (in Node a
// 0 ms delay becomes a 1 ms setInterval, so each hop costs about 1 ms).
import { Subject, asapScheduler, asyncScheduler, defer, finalize, forkJoin, map, mergeMap, observeOn, range, reduce, timer } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { check, checkSum, lcgDelays, now, sumOf, triangle } from "../lib/workloads.mjs";
import { deepEqualOrThrow } from "../lib/marbles.mjs";

const lastValue = (obs) =>
  new Promise((resolve, reject) => {
    let v;
    obs.subscribe({ next: (x) => (v = x), error: reject, complete: () => resolve(v) });
  });

/** The workloads with `hop` as the scheduler of every zero-delay step. */
function build(hop) {
  return {
    async W1({ n }) {
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) jobs[i] = timer(0, hop).pipe(map(() => i));
      const sum = sumOf(await lastValue(forkJoin(jobs)));
      const ms = now() - t0;
      checkSum(sum, n);
      return { value: ms };
    },

    async W2({ n, maxDelay }) {
      const delays = lcgDelays(n, maxDelay);
      const longest = Math.max(...delays);
      const t0 = now();
      const jobs = new Array(n);
      for (let i = 0; i < n; i++) jobs[i] = timer(delays[i]).pipe(map(() => i));
      const sum = sumOf(await lastValue(forkJoin(jobs)));
      const ms = now() - t0;
      checkSum(sum, n);
      check(ms >= longest - 2, `finished in ${ms} ms, before the longest sleep (${longest} ms)`);
      return { value: ms - longest, detail: { wallMs: ms, longest } };
    },

    async W3({ n, limit }) {
      let running = 0;
      let peak = 0;
      let done = 0;
      const t0 = now();
      const job = (i) =>
        defer(() => {
          if (++running > peak) peak = running;
          return timer(0, hop).pipe(map(() => i));
        }).pipe(finalize(() => { running--; done++; }));
      const sum = await lastValue(
        range(0, n).pipe(
          mergeMap(job, limit),
          reduce((s, x) => s + x, 0),
        ),
      );
      const ms = now() - t0;
      checkSum(sum, n);
      check(done === n, `${done} of ${n} jobs finished`);
      check(peak === limit, `peak concurrency ${peak} != ${limit}`);
      return { value: ms, detail: { peak } };
    },

    // W5: two subjects, each hop through the scheduler (a size-1 handoff: one
    // token in flight). Synchronous subjects alone would recurse 200,000 deep.
    // On asyncScheduler each hop is a 1 ms timer: it runs fewer handoffs (a rate).
    async W5(size) {
      const handoffs = hop === asyncScheduler ? size.rxjsHandoffs : size.handoffs;
      const ab = new Subject();
      const ba = new Subject();
      const t0 = now();
      const last = await new Promise((resolve) => {
        let count = 0;
        const subB = ab.pipe(observeOn(hop)).subscribe((token) => {
          count++;
          ba.next(token + 1);
        });
        const subA = ba.pipe(observeOn(hop)).subscribe((token) => {
          count++;
          if (count === handoffs) {
            subA.unsubscribe();
            subB.unsubscribe();
            resolve(token);
          } else ab.next(token + 1);
        });
        ab.next(0);
      });
      const ms = now() - t0;
      check(last === handoffs - 1, `last token ${last} != ${handoffs - 1}`);
      return { value: handoffs / (ms / 1000), detail: { wallMs: ms, handoffs } };
    },

    async W6({ n, sleep }) {
      let finalized = 0;
      const subs = new Array(n);
      const onFinalize = () => { finalized++; };
      for (let i = 0; i < n; i++) subs[i] = timer(sleep).pipe(finalize(onFinalize)).subscribe();
      await new Promise((resolve) => setImmediate(resolve));
      const t0 = now();
      for (let i = 0; i < n; i++) subs[i].unsubscribe();
      const ms = now() - t0;
      check(finalized === n, `${finalized} of ${n} subscriptions finalized`);
      return { value: ms };
    },

    async W7({ n, sleep }, ctx) {
      const base = ctx.heap();
      const subs = new Array(n);
      for (let i = 0; i < n; i++) subs[i] = timer(sleep).subscribe();
      const bytes = (ctx.heap() - base) / n;
      for (let i = 0; i < n; i++) subs[i].unsubscribe();
      return { value: bytes };
    },

    // W10, RxJS's own figure: n timer(d) inside one TestScheduler.run.
    async W10({ n, maxDelay }) {
      const delays = lcgDelays(n, maxDelay);
      const longest = Math.max(...delays);
      const scheduler = new TestScheduler(deepEqualOrThrow);
      const t0 = now();
      scheduler.run(({ expectObservable }) => {
        const jobs = new Array(n);
        for (let i = 0; i < n; i++) jobs[i] = timer(delays[i]).pipe(map(() => i));
        expectObservable(forkJoin(jobs).pipe(map(sumOf))).toBe(`${longest}ms (a|)`, { a: triangle(n) });
      });
      const ms = now() - t0;
      return { value: ms };
    },
  };
}

export const workloads = build(asapScheduler);

export const variants = { common: build(asyncScheduler) };
