// How a section starts its child processes: under RX_BENCH_LIB=src (the smoke
// spec, which times nothing) rx-asyncio is the TypeScript sources, loaded
// through tsx; otherwise the compiled build, and plain node.

/** The node flags a child needs to load rx-asyncio as `env` says. */
export function tsxArgs(env) {
  return env.RX_BENCH_LIB === "src" ? ["--import", "tsx"] : [];
}
