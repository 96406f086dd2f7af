// gather: two coroutines that return values run concurrently. The results come
// back in argument order (not finishing order), and the whole thing takes as
// long as the longest one, not the sum. The same with RxJS forkJoin.
// Run: npm run demo -- gather
import { forkJoin } from "rxjs";
import { ensureFuture, gather, run, sleep, task, type Coroutine } from "rx-asyncio";
import { section, stamp } from "./util/stamp.js";

interface User {
  id: number;
  name: string;
}

function* fetchUser(id: number): Coroutine<User> {
  stamp(`fetchUser(${id}): started`);
  yield* sleep(2000);
  stamp(`fetchUser(${id}): done`);
  return { id, name: "Ada" };
}

function* countPosts(userId: number): Coroutine<number> {
  stamp(`countPosts(${userId}): started`);
  yield* sleep(1000);
  stamp(`countPosts(${userId}): done`);
  return 42;
}

function* main(): Coroutine<void> {
  section("1. one after the other: 2 s + 1 s");
  const u1 = yield* fetchUser(1);
  const n1 = yield* countPosts(1);
  stamp(`${u1.name} has ${n1} posts: the times add up`);

  section("2. gather: both at once");
  const [user, posts] = yield* gather(fetchUser(1), countPosts(1)); // typed: [User, number]
  stamp(`results in argument order: [${user.name}, ${posts}] although countPosts finished first; the longest time, not the sum`);

  section("3. RxJS forkJoin of task observables: the same");
  const [u3, n3] = yield* ensureFuture(forkJoin([task(() => fetchUser(1)), task(() => countPosts(1))]));
  stamp(`forkJoin -> [${u3.name}, ${n3}]`);
}

void run(main);
