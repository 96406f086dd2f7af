/**
 * The layers of src/ and the directions their imports may take, checked by
 * `npm test` (spec/layers.spec.ts runs dependency-cruiser with this config).
 *
 * Data flows one way: host -> loop -> futures -> tasks -> composition -> rx.
 * A layer imports (at run time) only the layers below it; type-only imports
 * may go anywhere, since they vanish from the JavaScript. The executor, bullmq
 * and trace layers sit beside the kernel: they may use it, it never imports
 * them (loop-executor.ts is the kernel's seam for executors, a hook the
 * executor layer fills; runners.ts is the seam for the trace option).
 *
 * The one sanctioned upward edge: the loop builds futures and tasks
 * (`createFuture`, `createTask`, `runUntilComplete`, the default executor's
 * shutdown future), as asyncio's base_events imports futures and tasks. Only
 * the files named in LOOP_BUILDS may take it.
 *
 * A new file must be placed in a layer (rule `in-a-layer`).
 */

/** @type {{ name: string, path: string, mayImport: string[] }[]} */
const LAYERS = [
  // Leaf helpers every layer uses: errors, `describe`, data structures, the
  // table of future states.
  {
    name: "base",
    path: "^src/(errors|coroutines)\\.ts$|^src/internal/(loop-checks|ring-queue|linked-list|timer-heap|priority-heap|future-state|suspend-result|async-context|copies|abort-signal|process-registry)\\.ts$",
    mayImport: [],
  },
  { name: "host", path: "^src/host\\.ts$|^src/internal/(wakeup|macrotask|rx-clock)\\.ts$", mayImport: ["base"] },
  {
    name: "loop",
    path: "^src/(event-loop|event-loop-types|handles|running-loop|scheduler-action|loop-executor|contextvars)\\.ts$|^src/internal/(loop-debug|deadlock-watch|timer-release)\\.ts$",
    mayImport: ["base", "host"],
  },
  { name: "futures", path: "^src/(futures|promise-future|sleep)\\.ts$", mayImport: ["base", "host", "loop"] },
  { name: "tasks", path: "^src/(tasks|async-task)\\.ts$", mayImport: ["base", "host", "loop", "futures"] },
  {
    name: "composition",
    path:
      "^src/(runners|ensure-future|gather|wait|wait-for|timeouts|shield|as-completed|taskgroups|held|lock|semaphore|event|condition|barrier|queues|priority-queue|get-event-loop)\\.ts$" +
      "|^src/internal/(awaitables|parking-lot|wait-op|loop-bound|queue-ops|sigint)\\.ts$",
    mayImport: ["base", "host", "loop", "futures", "tasks"],
  },
  { name: "rx", path: "^src/rx/", mayImport: ["base", "host", "loop", "futures", "tasks", "composition"] },
  // Beside the kernel.
  {
    name: "executors",
    path: "^src/(executor|thread-pool-executor|web-worker-executor|default-executor|with-executor)\\.ts$|^src/internal/(job-codec|node-env|web-worker-main)\\.ts$|^src/internal/worker-entry\\.cjs$",
    mayImport: ["base", "host", "loop", "futures", "tasks", "composition"],
  },
  { name: "trace", path: "^src/trace/", mayImport: ["base", "host", "loop", "futures", "tasks", "composition", "executors"] },
  { name: "bullmq", path: "^src/bullmq/", mayImport: ["base", "host", "loop", "futures", "tasks", "composition", "executors"] },
  // The package's entry points re-export every layer.
  // The `rx-asyncio ps` command: a separate program that reads another process's tree.
  { name: "cli", path: "^src/cli/", mayImport: ["base", "trace"] },
  { name: "entry", path: "^src/index\\.ts$", mayImport: ["base", "host", "loop", "futures", "tasks", "composition", "rx", "executors", "trace"] },
];

/** The loop files that build futures and tasks (the sanctioned upward edge). */
const LOOP_BUILDS = "^src/(event-loop|loop-executor)\\.ts$";


const RUNTIME = { dependencyTypesNot: ["type-only"] };

const layerRules = LAYERS.map((layer) => {
  const others = LAYERS.filter((l) => l !== layer && !layer.mayImport.includes(l.name));
  return {
    name: `layer-${layer.name}`,
    severity: "error",
    comment: `${layer.name} may import only ${[layer.name, ...layer.mayImport].join(", ")} at run time`,
    from: { path: layer.path, ...(layer.name === "loop" ? { pathNot: LOOP_BUILDS } : {}) },
    to: { path: others.map((l) => l.path).join("|"), ...RUNTIME },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "loop-builds-only",
      severity: "error",
      comment: `the loop files that build futures and tasks (${LOOP_BUILDS}) import nothing higher than tasks`,
      from: { path: LOOP_BUILDS },
      to: {
        path: LAYERS.filter((l) => !["base", "host", "loop", "futures", "tasks"].includes(l.name))
          .map((l) => l.path)
          .join("|"),
        ...RUNTIME,
      },
    },
    {
      name: "no-runtime-cycles",
      severity: "error",
      comment: "no module imports itself again through a chain of run-time imports",
      from: { path: "^src/" },
      to: { circular: true, viaOnly: RUNTIME },
    },
    {
      name: "in-a-layer",
      severity: "error",
      comment: "every source file is placed in a layer of .dependency-cruiser.cjs",
      from: { path: "^src/", pathNot: LAYERS.map((l) => l.path).join("|") },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};



