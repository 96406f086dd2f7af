// hello: print "Hello", sleep 1 s, print "World".
import { run, sleep, type Coroutine } from "rx-asyncio";
import { stamp } from "./util/stamp.js";

function* main(): Coroutine<void> {
  stamp("Hello");
  yield* sleep(1000);
  stamp("World");
}

void run(main);
