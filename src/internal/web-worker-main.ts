/**
 * The Web Worker side of `WebWorkerExecutor`. The worker starts from a `blob:`
 * URL holding the source of {@link webWorkerMain}, so the library needs no
 * worker file beside it (bundlers, CDNs and import maps all work unchanged) and
 * no `import.meta` (one source builds to CommonJS too).
 *
 * `webWorkerMain` is therefore self-contained: it uses nothing from this module
 * or the library. It speaks the same job messages as the Node worker entry
 * (`worker-entry.cjs`): `{ k: 0, s, a }` a function's source, `{ k: 1, m, e, a }`
 * a module's export; and answers `{ id, ok: true, v }`, `{ id, ok: false, e }`
 * with `e` the error envelope `decodeFailure` rebuilds, or `{ crash: e }` when
 * the worker can no longer be trusted (an error escaped a job asynchronously,
 * or the job called `close()`), after which the pool terminates it.
 *
 * @module
 * @internal
 */

/** Runs inside the worker: never call it on the main thread. */
function webWorkerMain(): void {
  const ENVELOPE = "rx-asyncio.error";
  const TRANSFER = Symbol.for("rx-asyncio.transfer");
  const scope = globalThis as unknown as {
    postMessage(msg: unknown, transfer?: Transferable[]): void;
    close(): void;
    addEventListener(type: string, fn: (ev: { error?: unknown; reason?: unknown; message?: string; preventDefault(): void }) => void): void;
    onmessage: ((ev: { data: { id: number; k: 0 | 1; s?: string; m?: string; e?: string; a: unknown[] } }) => void) | null;
  };
  const compiled = new Map<string, (...a: unknown[]) => unknown>();
  const exported = new Map<string, (...a: unknown[]) => unknown>();
  const __name = <T>(fn: T): T => fn; // esbuild's keepNames helper, for sources it rewrote
  // Not a literal import(): compiled to CommonJS, that would become require().
  const importModule = new Function("m", "return import(m);") as (m: string) => Promise<Record<string, unknown>>;

  const envelope = (e: unknown, depth: number): Record<string, unknown> => {
    const err = e as { constructor?: { name?: unknown }; name?: unknown; message?: unknown; stack?: unknown; cause?: unknown; errors?: unknown };
    const isError = e instanceof Error || (typeof e === "object" && e !== null && typeof err.stack === "string");
    if (!isError) {
      try {
        structuredClone(e);
        return { [ENVELOPE]: 1, thrown: e };
      } catch {
        return { [ENVELOPE]: 1, thrown: String(e) };
      }
    }
    const className = typeof err.constructor?.name === "string" && err.constructor.name !== "" ? err.constructor.name : "Error";
    const env: Record<string, unknown> = {
      [ENVELOPE]: 1,
      className,
      name: typeof err.name === "string" ? err.name : className,
      message: String(err.message ?? ""),
      stack: typeof err.stack === "string" ? err.stack : undefined,
      props: Object.fromEntries(
        Object.keys(e as object)
          .filter((k) => !["name", "message", "stack", "cause", "errors"].includes(k))
          .map((k) => {
            const v = (e as Record<string, unknown>)[k];
            try {
              structuredClone(v);
              return [k, v];
            } catch {
              return [k, String(v)];
            }
          }),
      ),
    };
    if (depth < 4 && err.cause !== undefined) env.cause = envelope(err.cause, depth + 1);
    if (depth < 4 && Array.isArray(err.errors)) env.errors = err.errors.slice(0, 50).map((x) => envelope(x, depth + 1));
    return env;
  };

  let crashed = false;
  const crash = (e: unknown): void => {
    if (crashed) return;
    crashed = true;
    scope.postMessage({ crash: { ...envelope(e, 0), crash: true } });
  };
  scope.addEventListener("error", (ev) => {
    ev.preventDefault();
    crash(ev.error ?? new Error(String(ev.message)));
  });
  scope.addEventListener("unhandledrejection", (ev) => {
    ev.preventDefault();
    crash(ev.reason);
  });
  const close = scope.close.bind(scope);
  scope.close = () => {
    crash(new Error("the job called close() in its worker"));
    close();
  };

  const load = async (m: string, e: string): Promise<(...a: unknown[]) => unknown> => {
    const key = `${m}\u0000${e}`;
    let fn = exported.get(key);
    if (fn !== undefined) return fn;
    const ns = await importModule(m);
    const f = ns[e];
    if (typeof f !== "function") {
      const names = Object.keys(ns).filter((k) => typeof ns[k] === "function");
      throw new TypeError(`module ${m} has no exported function '${e}'` + (names.length > 0 ? ` (its exported functions: ${names.join(", ")})` : ""));
    }
    fn = f as (...a: unknown[]) => unknown;
    exported.set(key, fn);
    return fn;
  };

  scope.onmessage = async ({ data: job }) => {
    let result: unknown;
    try {
      let fn: (...a: unknown[]) => unknown;
      if (job.k === 0) {
        fn = compiled.get(job.s!)!;
        if (fn === undefined) {
          fn = new Function("__name", `"use strict";\nreturn ${job.s};`)(__name) as (...a: unknown[]) => unknown;
          compiled.set(job.s!, fn);
        }
      } else fn = await load(job.m!, job.e!);
      result = await fn(...job.a);
    } catch (e) {
      const env = envelope(e, 0);
      const m = job.k === 0 && e instanceof ReferenceError ? /^(\S+) is not defined$/.exec(e.message) : null;
      if (m !== null && !(m[1]! in globalThis)) env.closure = m[1];
      scope.postMessage({ id: job.id, ok: false, e: env });
      return;
    }
    const moved = result !== null && typeof result === "object" && (result as Record<symbol, unknown>)[TRANSFER] === true;
    const r = result as { value: unknown; list: Transferable[] };
    try {
      if (moved) scope.postMessage({ id: job.id, ok: true, v: r.value }, Array.from(r.list));
      else scope.postMessage({ id: job.id, ok: true, v: result });
    } catch (e) {
      const env = envelope(new TypeError(String((e as Error).message)), 0);
      env.resultClone = true;
      scope.postMessage({ id: job.id, ok: false, e: env });
    }
  };
}

/** The worker's whole script. */
export function webWorkerSource(): string {
  return `"use strict";\n(${webWorkerMain.toString()})();\n`;
}
