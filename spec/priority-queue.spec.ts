import { PriorityQueue } from "../src/index.js";

describe("PriorityQueue: order and options", () => {
  test("equal priorities come out in insertion order (stable)", () => {
    const q = new PriorityQueue<[number, string]>();
    const items: [number, string][] = [
      [2, "c"],
      [1, "z"],
      [2, "a"],
      [1, "y"],
      [2, "b"],
    ];
    for (const it of items) q.putNowait(it);
    const out: string[] = [];
    while (!q.empty()) out.push(q.getNowait()[1]);
    expect(out).toEqual(["y", "z", "a", "b", "c"]); // arrays compare element by element, like tuples
  });

  test("[priority, object payload]: payloads never get compared, ties keep insertion order", () => {
    const q = new PriorityQueue<[number, { id: number }]>();
    for (let i = 0; i < 20; i++) q.putNowait([i % 3, { id: i }]);
    const out: number[] = [];
    while (!q.empty()) out.push(q.getNowait()[1].id);
    expect(out).toEqual([0, 3, 6, 9, 12, 15, 18, 1, 4, 7, 10, 13, 16, 19, 2, 5, 8, 11, 14, 17]);
  });

  test("{ key } orders by a computed key, stable; { compare } by a comparator", () => {
    interface Job {
      name: string;
      prio: number;
    }
    const jobs: Job[] = [
      { name: "a", prio: 3 },
      { name: "b", prio: 1 },
      { name: "c", prio: 3 },
      { name: "d", prio: 0 },
    ];
    const byKey = new PriorityQueue<Job>(0, { key: (j) => j.prio });
    const byCmp = new PriorityQueue<Job>(0, { compare: (x, y) => y.prio - x.prio }); // highest first
    for (const j of jobs) {
      byKey.putNowait(j);
      byCmp.putNowait(j);
    }
    const drain = (q: PriorityQueue<Job>) => {
      const out: string[] = [];
      while (!q.empty()) out.push(q.getNowait().name);
      return out;
    };
    expect(drain(byKey)).toEqual(["d", "b", "a", "c"]);
    expect(drain(byCmp)).toEqual(["a", "c", "b", "d"]);
  });

  test("heap order holds for many random items", () => {
    const q = new PriorityQueue<number>();
    let x = 12345;
    const all: number[] = [];
    for (let i = 0; i < 1000; i++) {
      x = (1664525 * x + 1013904223) % 4294967296;
      all.push(x % 100);
      q.putNowait(x % 100);
      if (i % 3 === 0) all.sort((a, b) => a - b), expect(q.getNowait()).toBe(all.shift());
    }
    all.sort((a, b) => a - b);
    const rest: number[] = [];
    while (!q.empty()) rest.push(q.getNowait());
    expect(rest).toEqual(all);
  });

  test("bad input: unorderable items are refused at once; a throwing comparator leaves the queue intact", async () => {
    const q = new PriorityQueue<unknown>();
    expect(() => q.putNowait({ a: 1 })).toThrow(TypeError);
    expect(() => q.put({ a: 1 })).toThrow(/PriorityQueue.put\(item\): without a 'key' or 'compare' option/);
    q.putNowait(1);
    expect(() => q.putNowait("one")).toThrow(/cannot order "one" against 1/);
    expect(q.qsize()).toBe(1);
    expect(() => new PriorityQueue(0, { key: (x) => x, compare: () => 0 })).toThrow(TypeError);
    expect(() => new PriorityQueue(0, { key: 5 as never })).toThrow(TypeError);

    let explode = false;
    const pq = new PriorityQueue<number>(0, {
      compare: (a, b) => {
        if (explode) throw new Error("cmp");
        return a - b;
      },
    });
    for (const v of [5, 1, 4, 2, 3]) pq.putNowait(v);
    explode = true;
    expect(() => pq.putNowait(0)).toThrow("cmp");
    expect(() => pq.getNowait()).toThrow("cmp");
    explode = false;
    const out: number[] = [];
    while (!pq.empty()) out.push(pq.getNowait());
    expect(out).toEqual([1, 2, 3, 4, 5]);
    expect(pq._unfinished).toBe(5);
  });
});
