// lock: three tasks go through one critical section; the Lock lets them in one
// at a time, in the order they asked. Then why it matters: a read-modify-write
// that waits in the middle loses updates without the lock.
// Run: npm run demo -- lock
import { Lock, gather, run, sleep, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

const lock = new Lock();

function* useThePrinter(name: string): Coroutine<void> {
  stamp(`${name}: waiting for the lock`);
  using _held = yield* lock.hold(); // released when this block ends: return, error or cancellation
  stamp(`${name}: printing (lock held)`);
  yield* sleep(1000);
  stamp(`${name}: done, releasing`);
}

let balance = 100;

function* deposit(amount: number, withLock: boolean): Coroutine<void> {
  const update = function* (): Coroutine<void> {
    const read = balance;
    yield* sleep(100); // e.g. a database round trip: other tasks run here
    balance = read + amount;
  };
  if (withLock) yield* lock.withLock(update);
  else yield* update();
}

function* main(): Coroutine<void> {
  section("1. three tasks, one critical section");
  yield* gather(useThePrinter("A"), useThePrinter("B"), useThePrinter("C"));

  section("2. three deposits of 10 on a balance of 100");
  balance = 100;
  yield* gather(deposit(10, false), deposit(10, false), deposit(10, false));
  const lost = (130 - balance) / 10; // three deposits of 10 should make 130
  stamp(`without the lock: balance = ${balance} (${["no update", "one update", "two updates", "three updates"][lost]} lost)`);
  balance = 100;
  yield* gather(deposit(10, true), deposit(10, true), deposit(10, true));
  stamp(`with the lock:    balance = ${balance}`);
}

void run(main);
