// The bench's extra modules: each runs after the workload table in
// `npm run bench` (in order; `--sections a,b` picks some, `--sections none`
// skips them) and adds a section of its own to the report and the docs.
//
// A module's default export:
//   id, title                  `--sections` takes the id; the title heads its section
//   units({ scale, rounds })   how many steps it will report (fresh processes), for the progress bar
//   run({ scale, rounds, env, tick, log, root })
//                              does the measuring; `env` carries RX_BENCH_LIB (the build
//                              to load); calls tick(note) once per unit; resolves with
//                              { data, markdown, files? } (data is kept in latest.json,
//                              files are written beside latest.md)
//   render(data)               rebuilds { data, markdown, files? } from saved data (--rerender)
// A module that needs a service it cannot find resolves with a markdown that
// says so (one loud line), never with made-up figures.
import distributed from "./distributed.mjs";
import eager from "./eager.mjs";
import scaling from "./scaling.mjs";

export const SECTIONS = [eager, scaling, distributed];
