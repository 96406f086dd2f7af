// event: waiters block on an Event until another task sets it after 2 s; set()
// wakes all of them at once, and a wait() on a set event returns at once.
// Run: npm run demo -- event
import { Event, createTask, gather, run, sleep, type Coroutine } from "rx-asyncio";
import { stamp } from "./util/stamp.js";

const ready = new Event();

function* waiter(name: string): Coroutine<void> {
  stamp(`${name}: waiting for the event`);
  yield* ready.wait();
  stamp(`${name}: the event is set, going on`);
}

function* setter(): Coroutine<void> {
  yield* sleep(2000); // e.g. the configuration has loaded
  stamp("setter: ready.set()");
  ready.set();
}

function* main(): Coroutine<void> {
  const waiters = [createTask(waiter("A")), createTask(waiter("B"))];
  yield* gather(setter(), ...waiters);
  stamp(`isSet() = ${ready.isSet()}; a late waiter does not block:`);
  yield* waiter("C");
}

void run(main);
