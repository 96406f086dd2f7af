/**
 * Context variables, ported from CPython's Lib/test/test_context.py (the
 * ContextTest cases that have a meaning without Python's object model).
 */
import { Context, ContextVar, copyContext, LookupError, RuntimeError, Token } from "../src/index.js";

/** Runs `fn` in a fresh empty context (the `isolated_context` decorator). */
const isolated = (fn: () => void) => () => new Context().run(fn);

describe("ContextVar / Context / Token (test_context.py)", () => {
  test("new ContextVar: a name is required; repr shows it and whether there is a default", () => {
    expect(() => new ContextVar(1 as never)).toThrow(new TypeError("new ContextVar(name): 'name' must be a string, got 1"));
    expect(() => new ContextVar("a", null as never)).toThrow(TypeError);
    const c = new ContextVar<number>("aaa");
    expect(c.name).toBe("aaa");
    expect(String(c)).toBe("<ContextVar name='aaa'>");
    expect(String(new ContextVar("bbb", { default: 1 }))).toBe("<ContextVar name='bbb' default>");
    // A default of undefined is still a default.
    expect(new ContextVar<undefined>("u", { default: undefined }).get()).toBeUndefined();
  });

  test("context_run_1: run(fn, ...args) returns fn's result", () => {
    const ctx = new Context();
    expect(ctx.run((a: number, b: number) => a + b, 1, 2)).toBe(3);
    expect(ctx.run(() => 42)).toBe(42);
  });

  test("context_run_2: what fn set before it threw stays in the context", () => {
    const ctx = new Context();
    const v = new ContextVar<string>("a");
    const err = new Error("spam");
    expect(() =>
      ctx.run(() => {
        v.set("spam");
        throw err;
      }),
    ).toThrow(err);
    expect(ctx.get(v)).toBe("spam");
    expect(ctx.size).toBe(1);
    expect(v.get("outside")).toBe("outside");
  });

  test("context_run_3: a non-function is refused", () => {
    const ctx = new Context();
    expect(() => ctx.run(1 as never)).toThrow(new TypeError("Context.run(fn): 'fn' must be a function, got 1"));
  });

  test(
    "context_run_4: nested runs in copies see the values of the copy, not the later changes",
    isolated(() => {
      const ctx1 = new Context();
      const ctx2 = new Context();
      const v = new ContextVar<string>("var");

      const func2 = () => {
        expect(v.get(undefined)).toBeUndefined();
      };
      const func1 = () => {
        expect(v.get(undefined)).toBeUndefined();
        v.set("spam");
        ctx2.run(func2);
        expect(v.get(undefined)).toBe("spam");
        const cur = copyContext();
        expect(cur.size).toBe(1);
        expect(cur.get(v)).toBe("spam");
        return cur;
      };
      const returned = ctx1.run(func1);
      expect(ctx1.get(v)).toBe("spam");
      expect(returned.get(v)).toBe("spam");
      expect(returned).not.toBe(ctx1);
      expect(ctx2.has(v)).toBe(false);
      expect(v.get(undefined)).toBeUndefined();
    }),
  );

  test(
    "context_run_5: a context cannot be entered twice",
    isolated(() => {
      const ctx = new Context();
      expect(() => ctx.run(() => ctx.run(() => 1))).toThrow(new RuntimeError(`cannot enter context: ${ctx} is already entered`));
      // ...and after the failed attempt it can be entered again.
      expect(ctx.run(() => 2)).toBe(2);
    }),
  );

  test("context_run_6: a copy can be run inside the original", () => {
    const ctx = new Context();
    const v = new ContextVar<number>("v", { default: 0 });
    ctx.run(() => {
      v.set(1);
      const inner = copyContext();
      inner.run(() => {
        expect(v.get()).toBe(1);
        v.set(2);
      });
      expect(v.get()).toBe(1);
      expect(inner.get(v)).toBe(2);
    });
  });

  test(
    "context_getset_1: get, set, tokens, reset",
    isolated(() => {
      const c = new ContextVar<number>("c");
      expect(() => c.get()).toThrow(LookupError);
      expect(() => c.get()).toThrow("<ContextVar name='c'> has no value in the current context and no default");
      expect(c.get(undefined)).toBeUndefined();
      const t0 = c.set(42);
      expect(c.get()).toBe(42);
      expect(c.get(undefined)).toBe(42);
      expect(t0.oldValue).toBe(Token.MISSING);
      expect(t0.var).toBe(c);
      expect(String(t0)).toBe("<Token var=<ContextVar name='c'>>");

      const t = c.set("spam" as never);
      expect(c.get()).toBe("spam");
      expect(t.oldValue).toBe(42);
      c.reset(t);
      expect(c.get()).toBe(42);
      expect(String(t)).toBe("<Token used var=<ContextVar name='c'>>");

      const ctx1 = copyContext();
      expect(ctx1.get(c)).toBe(42);
      c.reset(t0);
      expect(c.get(undefined)).toBeUndefined();
      expect(() => c.get()).toThrow(LookupError);
      expect(ctx1.get(c)).toBe(42);
      expect([...ctx1]).toEqual([c]);
      expect([...ctx1.entries()]).toEqual([[c, 42]]);
      expect([...ctx1.values()]).toEqual([42]);
      expect(copyContext().size).toBe(0);
    }),
  );

  test(
    "context_getset_2: a token of another variable is refused (Python's ValueError)",
    isolated(() => {
      const v1 = new ContextVar<number>("v1");
      const v2 = new ContextVar<number>("v2");
      const t1 = v1.set(42);
      expect(() => v2.reset(t1 as never)).toThrow(new RangeError(`${t1} was created by a different ContextVar`));
      expect(() => v1.reset({} as never)).toThrow(TypeError);
      expect(v1.get()).toBe(42);
    }),
  );

  test(
    "context_getset_3: a token made in another context is refused",
    isolated(() => {
      const c = new ContextVar<number>("c", { default: 42 });
      const ctx = new Context();
      const t = ctx.run(() => c.set(1));
      expect(() => c.reset(t)).toThrow(new RangeError(`${t} was created in a different Context`));
      expect(c.get()).toBe(42);
      // In its own context it works.
      ctx.run(() => c.reset(t));
      expect(ctx.has(c)).toBe(false);
    }),
  );

  test(
    "context_getset_4: a token can be used once",
    isolated(() => {
      const c = new ContextVar<number>("c", { default: 42 });
      const t = c.set(1);
      c.reset(t);
      expect(() => c.reset(t)).toThrow(new RuntimeError(`${t} has already been used once`));
      expect(c.get()).toBe(42);
    }),
  );

  test(
    "context_getset_5: a default of the variable and a default of get()",
    isolated(() => {
      const c = new ContextVar<number[]>("c", { default: [] });
      const fn = () => {
        c.set([...c.get(), 42]);
        return c.get();
      };
      expect(fn()).toEqual([42]);
      expect(new Context().run(fn)).toEqual([42]);
      expect(c.get()).toEqual([42]);
      expect(c.get("x" as never)).toEqual([42]);
    }),
  );

  test(
    "context_copy_1: a copy shares nothing mutable with its original",
    isolated(() => {
      const ctx1 = new Context();
      const c = new ContextVar<number>("c", { default: 42 });
      const ctx1Fun = () => {
        c.set(10);
        const ctx2 = ctx1.copy();
        expect(ctx2.get(c)).toBe(10);
        c.set(20);
        expect(ctx1.get(c)).toBe(20);
        expect(ctx2.get(c)).toBe(10);
        ctx2.run(() => {
          c.set(30);
          expect(ctx2.get(c)).toBe(30);
        });
        expect(ctx1.get(c)).toBe(20);
        expect(ctx2.get(c)).toBe(30);
      };
      ctx1.run(ctx1Fun);
      expect(c.get()).toBe(42);
    }),
  );

  test("Context is a readonly map: get, has, size, keys, values, entries, iteration", () => {
    const a = new ContextVar<string>("a");
    const b = new ContextVar<number>("b");
    const ctx = new Context();
    ctx.run(() => {
      a.set("x");
      b.set(2);
    });
    expect(ctx.get(a)).toBe("x");
    expect(ctx.get(new ContextVar("z"), "d")).toBe("d");
    expect(ctx.has(b)).toBe(true);
    expect(ctx.size).toBe(2);
    expect([...ctx.keys()]).toEqual([a, b]);
    expect(String(ctx)).toBe("<Context 2 vars>");
  });
});
