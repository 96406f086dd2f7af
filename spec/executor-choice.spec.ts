/**
 * The default executor is chosen by the environment behind one Executor
 * contract: Node gets the worker-thread pool, and the Web Worker pool refuses
 * to start where there are no Web Workers (its browser behaviour is in
 * browser.spec.ts, in Chromium).
 */
import { RuntimeError, ThreadPoolExecutor, WebWorkerExecutor, getRunningLoop, moduleFunction, run } from "../src/index";
import { checkModuleFunction } from "../src/executor";

test("in Node the loop's default executor is the worker-thread pool", async () => {
  const kind = await run(function* () {
    const loop = getRunningLoop();
    const r = yield* loop.runInExecutor(null, (a: number) => a + 1, 1);
    return [r, (loop as unknown as { _defaultExecutor: unknown })._defaultExecutor instanceof ThreadPoolExecutor];
  });
  expect(kind).toEqual([2, true]);
});

test("new WebWorkerExecutor() in Node says there are no Web Workers and what to use instead", () => {
  expect(() => new WebWorkerExecutor()).toThrow(RuntimeError);
  expect(() => new WebWorkerExecutor()).toThrow("new WebWorkerExecutor(options): this environment has no Web Workers (in Node.js, use ThreadPoolExecutor)");
});

test("module functions: Node takes paths and file: URLs, a Web Worker takes http(s), blob: and data: URLs", () => {
  expect(checkModuleFunction({ module: "/a/work.js", export: "f" }, "w")).toEqual({ url: "/a/work.js", name: "f" });
  expect(checkModuleFunction({ module: new URL("https://example.test/work.js") }, "w", "web")).toEqual({ url: "https://example.test/work.js", name: "default" });
  expect(checkModuleFunction({ module: "blob:https://example.test/1234", export: "f" }, "w", "web").url).toBe("blob:https://example.test/1234");
  expect(() => checkModuleFunction({ module: "/a/work.js" }, "w", "web")).toThrow(/'module' must be an http\(s\):, blob: or data: URL, got "\/a\/work\.js" \(a Web Worker imports the module by its full URL/);
  expect(() => checkModuleFunction({ module: "https://example.test/work.js" }, "w")).toThrow(/'module' must be an absolute path, a file: URL or a node: built-in/);
  // moduleFunction() checks for the environment it runs in: Node here.
  expect(() => moduleFunction("https://example.test/work.js")).toThrow(TypeError);
});
