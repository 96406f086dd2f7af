/**
 * The operators and creators that take a scheduler, as cases the conformance
 * specs run three ways. Each case is a pipeline written once against "the
 * scheduler" `s`; its expected frames are what RxJS itself records for the
 * same pipeline with `asyncScheduler` inside `TestScheduler.run` (observed
 * behaviour, computed in the spec, never typed in by hand).
 */
import {
  asyncScheduler,
  auditTime,
  bufferTime,
  debounceTime,
  delay,
  EMPTY,
  expand,
  from,
  interval,
  map,
  mergeMap,
  Observable,
  observeOn,
  of,
  range,
  repeat,
  sampleTime,
  scheduled,
  Subscription,
  subscribeOn,
  take,
  throttleTime,
  timeInterval,
  timeout,
  timeoutWith,
  timer,
  timestamp,
  toArray,
  windowTime,
  type SchedulerLike,
} from "rxjs";
import { TestScheduler } from "rxjs/testing";

/** One pipeline: `source` marbles (cold, or none for creators) and what is built on them. */
export interface ConformanceCase {
  name: string;
  source?: string;
  build(s: SchedulerLike, source: Observable<string>): Observable<unknown>;
}

const joined = map((xs: unknown[]) => xs.join(""));

export const cases: ConformanceCase[] = [
  { name: "timer(3, s)", build: (s) => timer(3, s) },
  { name: "timer(2, 3, s) take 3", build: (s) => timer(2, 3, s).pipe(take(3)) },
  { name: "interval(2, s) take 4", build: (s) => interval(2, s).pipe(take(4)) },
  { name: "delay(3, s)", source: "a-b-c|", build: (s, src) => src.pipe(delay(3, s)) },
  { name: "debounceTime(2, s)", source: "ab--c---d-e|", build: (s, src) => src.pipe(debounceTime(2, s)) },
  { name: "throttleTime(3, s)", source: "a-b-c---d-e---|", build: (s, src) => src.pipe(throttleTime(3, s)) },
  {
    name: "throttleTime(3, s, leading+trailing)",
    source: "a-b-c---d-e---|",
    build: (s, src) => src.pipe(throttleTime(3, s, { leading: true, trailing: true })),
  },
  { name: "bufferTime(3, s)", source: "a-b-c-d-e|", build: (s, src) => src.pipe(bufferTime(3, s), joined) },
  { name: "bufferTime(3, 2, 2, s)", source: "-a-b-c-d|", build: (s, src) => src.pipe(bufferTime(3, 2, 2, s), joined) },
  { name: "observeOn(s)", source: "a-(bc)-d|", build: (s, src) => src.pipe(observeOn(s)) },
  { name: "observeOn(s, 2)", source: "a-b-c|", build: (s, src) => src.pipe(observeOn(s, 2)) },
  { name: "subscribeOn(s, 2)", source: "a-b-c|", build: (s, src) => src.pipe(subscribeOn(s, 2)) },
  { name: "timeout({ each: 3 }) errors", source: "a-b-----c|", build: (s, src) => src.pipe(timeout({ each: 3, scheduler: s })) },
  { name: "timeout({ first: 2 }) passes", source: "-a-----b|", build: (s, src) => src.pipe(timeout({ first: 2, scheduler: s })) },
  { name: "timeoutWith(3, of('x'), s)", source: "a-b-----c|", build: (s, src) => src.pipe(timeoutWith(3, of("x"), s)) },
  { name: "auditTime(3, s)", source: "a-b-c---d-e---|", build: (s, src) => src.pipe(auditTime(3, s)) },
  { name: "sampleTime(3, s)", source: "a-b-c---d-e---|", build: (s, src) => src.pipe(sampleTime(3, s)) },
  { name: "of(1, 2, 3, s)", build: (s) => of(1, 2, 3, s) },
  { name: "from([1, 2, 3], s)", build: (s) => from([1, 2, 3], s) },
  { name: "range(1, 3, s)", build: (s) => range(1, 3, s) },
  { name: "scheduled([1, 2, 3], s) after a timer", build: (s) => timer(2, s).pipe(mergeMap(() => scheduled([1, 2, 3], s))) },
  {
    name: "expand(..., Infinity, s)",
    build: (s) => of(1).pipe(expand((x) => (x < 8 ? of(x * 2) : EMPTY), Infinity, s)),
  },
  {
    name: "expand with a timer(2, s) inner",
    build: (s) =>
      of(0).pipe(
        expand((x) => timer(2, s).pipe(map(() => x + 1))),
        take(4),
      ),
  },
  {
    name: "repeat({ count: 3, delay: () => timer(2, s) })",
    build: (s) => timer(1, s).pipe(repeat({ count: 3, delay: () => timer(2, s) })),
  },
  {
    name: "windowTime(3, s)",
    source: "a-b-c-d-e|",
    build: (s, src) =>
      src.pipe(
        windowTime(3, s),
        mergeMap((w) => w.pipe(toArray(), joined)),
      ),
  },
  {
    name: "windowTime(3, 2, 2, s)",
    source: "-a-b-c-d|",
    build: (s, src) =>
      src.pipe(
        windowTime(3, 2, 2, s),
        mergeMap((w) => w.pipe(toArray(), joined)),
      ),
  },
  { name: "timeInterval(s)", source: "a--b-c|", build: (s, src) => src.pipe(timeInterval(s), map((x) => `${x.value}+${x.interval}`)) },
  { name: "timestamp(s)", source: "-a--b-c|", build: (s, src) => src.pipe(timestamp(s), map((x) => `${x.value}@${x.timestamp}`)) },
];

/** What a subscription saw, one `frame:event` string per event, in order. */
export type Frames = string[];

/** Subscribes `obs` and logs each event with `now()` in frames. */
export function record(obs: Observable<unknown>, now: () => number, log: Frames, onEnd?: () => void): Subscription {
  return obs.subscribe({
    next: (v) => log.push(`${now()}:${String(v)}`),
    error: (e: unknown) => {
      log.push(`${now()}:#${e instanceof Error ? e.name : String(e)}`);
      onEnd?.();
    },
    complete: () => {
      log.push(`${now()}:|`);
      onEnd?.();
    },
  });
}

/** Runs `c` inside `TestScheduler.run` with the scheduler `pick()` gives there; its frames. */
export function framesInTestScheduler(c: ConformanceCase, pick: () => SchedulerLike, after?: () => void): Frames {
  const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
  const log: Frames = [];
  ts.run(({ cold }) => {
    const src = c.source === undefined ? (EMPTY as Observable<string>) : cold<string>(c.source);
    record(c.build(pick(), src), () => ts.now(), log);
  });
  after?.();
  return log;
}

/** RxJS's own frames for `c`: the pipeline on `asyncScheduler` inside `TestScheduler.run`. */
export function rxjsFrames(c: ConformanceCase): Frames {
  return framesInTestScheduler(c, () => asyncScheduler);
}

/**
 * A cold observable of `marbles` whose emissions are scheduled on `s` (one
 * frame is one ms), relative to subscription, as TestScheduler's `cold()` does.
 */
export function coldOn(s: SchedulerLike, marbles: string): Observable<string> {
  // Outside run() a marble character is `frameTimeFactor` frames; here it is one ms.
  const unit = TestScheduler.frameTimeFactor;
  const messages = TestScheduler.parseMarbles(marbles, undefined, undefined, undefined, true);
  return new Observable<string>((subscriber) => {
    const subs = new Subscription();
    for (const m of messages) {
      subs.add(
        s.schedule(() => {
          const n = m.notification;
          if (n.kind === "N") subscriber.next(n.value as string);
          else if (n.kind === "E") subscriber.error(n.error);
          else subscriber.complete();
        }, m.frame / unit),
      );
    }
    return subs;
  });
}
