// errors: one of the gathered tasks raises. The caller catches it; gather does
// not cancel the others. Then returnExceptions (every outcome, in order), a done
// callback that reports success or failure, and RxJS forkJoin, which cancels
// the others on the first error.
// Run: npm run demo -- errors
import { forkJoin } from "rxjs";
import {
  CancelledError,
  createTask,
  ensureFuture,
  gather,
  run,
  sleep,
  task,
  type Coroutine,
  type Future,
} from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

class PaymentError extends Error {
  override name = "PaymentError";
}

function* sendEmail(to: string): Coroutine<string> {
  try {
    yield* sleep(2000);
  } catch (e) {
    if (e instanceof CancelledError) stamp(`sendEmail: cancelled`);
    throw e;
  }
  stamp(`sendEmail: sent to ${to}`);
  return `mail to ${to}`;
}

function* chargeCard(amount: number): Coroutine<string> {
  yield* sleep(1000);
  if (amount > 100) {
    stamp(`chargeCard: raising PaymentError`);
    throw new PaymentError(`card declined for ${amount} EUR`);
  }
  stamp(`chargeCard: charged ${amount} EUR`);
  return `receipt for ${amount} EUR`;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function* main(): Coroutine<void> {
  section("1. gather: the first error reaches the caller; the other task keeps running");
  const email = createTask(sendEmail("ada@example.com"));
  try {
    yield* gather(email, chargeCard(250));
  } catch (e) {
    stamp(`caught ${describeError(e)}`);
  }
  stamp(`sendEmail still running: ${!email.done()}`);
  yield* email;

  section("2. gather with returnExceptions: every outcome, in argument order");
  const results = yield* gather(chargeCard(40), chargeCard(250), sendEmail("bob@example.com"), {
    returnExceptions: true,
  });
  results.forEach((r, i) => stamp(`result ${i}: ${r instanceof Error ? `failed, ${describeError(r)}` : `ok, ${r}`}`));

  section("3. a done callback reports success or failure");
  const report = (fut: Future<string>) => {
    if (fut.cancelled()) stamp(`callback: cancelled`);
    else if (fut.exception() !== null) stamp(`callback: failed with ${describeError(fut.exception())}`);
    else stamp(`callback: succeeded with "${fut.result()}"`);
  };
  const good = createTask(chargeCard(40));
  const bad = createTask(chargeCard(250));
  good.addDoneCallback(report);
  bad.addDoneCallback(report);
  yield* gather(good, bad, { returnExceptions: true });

  section("4. RxJS forkJoin: the first error cancels the others (without waiting for them)");
  try {
    yield* ensureFuture(forkJoin([task(() => sendEmail("eve@example.com")), task(() => chargeCard(250))]));
  } catch (e) {
    stamp(`caught ${describeError(e)}`);
  }
}

void run(main);
