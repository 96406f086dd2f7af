// dependent: one task needs another's result. It awaits that task (a task can
// be awaited by several others, and its result is computed once), then
// processes the result. The RxJS way: switchMap from one task observable to the next.
// Run: npm run demo -- dependent
import { switchMap } from "rxjs";
import { createTask, ensureFuture, gather, run, sleep, task, type Coroutine, type Task } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

interface User {
  id: number;
  name: string;
}

let fetchUserRuns = 0;

function* fetchUser(id: number): Coroutine<User> {
  fetchUserRuns++;
  stamp(`fetchUser(${id}): started`);
  yield* sleep(1000);
  stamp(`fetchUser(${id}): done`);
  return { id, name: "Ada" };
}

function* fetchOrders(user: User): Coroutine<string[]> {
  stamp(`fetchOrders(${user.name}): started`);
  yield* sleep(500);
  return ["book", "lamp"];
}

/** Waits for the user task, then fetches that user's orders. */
function* ordersOf(userTask: Task<User>): Coroutine<number> {
  stamp("orders: waiting for the user");
  const user = yield* userTask;
  const orders = yield* fetchOrders(user);
  stamp(`orders: ${user.name} ordered ${orders.join(" and ")}`);
  return orders.length;
}

/** Also needs the user: awaiting the same task does not fetch it again. */
function* greeting(userTask: Task<User>): Coroutine<string> {
  stamp("greeting: waiting for the user");
  const user = yield* userTask;
  stamp(`greeting: Hello, ${user.name}!`);
  return user.name;
}

function* main(): Coroutine<void> {
  section("1. tasks awaiting another task");
  const userTask = createTask(fetchUser(42));
  const [count, name] = yield* gather(ordersOf(userTask), greeting(userTask));
  stamp(`main: ${name} has ${count} orders (fetchUser ran ${fetchUserRuns === 1 ? "once" : `${fetchUserRuns} times`})`);

  section("2. RxJS: switchMap from the user to the orders");
  const summary = yield* ensureFuture(
    task(() => fetchUser(42)).pipe(switchMap((user) => task(() => fetchOrders(user)))),
  );
  stamp(`orders: ${summary.join(", ")}`);
}

void run(main);
