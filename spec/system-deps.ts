/**
 * Specs that need a program from the system's packages (redis-server, chromium)
 * go through `describeWithSystem`. On a developer's machine without the program
 * the block is skipped with one loud line that names the Debian package and the
 * command that installs it; under `CI=true` the program is required, so a
 * missing one fails the run instead of hiding behind a skip.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** A program a spec file needs, and the Debian package that provides it. */
export interface SystemProgram {
  /** The executable's name, looked up on PATH (or an absolute path). */
  command: string;
  /** The Debian package that installs it. */
  debianPackage: string;
}

export const REDIS: SystemProgram = { command: "redis-server", debianPackage: "redis-server" };
export const CHROMIUM: SystemProgram = { command: "chromium", debianPackage: "chromium" };

/** The absolute path of `command` on PATH, or undefined. */
export function findProgram(command: string): string | undefined {
  const candidates = command.includes("/") ? [command] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here; try the next PATH entry
    }
  }
  return undefined;
}

const warned = new Set<string>();

/** The line printed when `p` is missing, naming the package and its install command. */
export function missingLine(p: SystemProgram): string {
  return `SKIPPED: '${p.command}' is not installed, so the specs that need it do not run. Install it with: apt-get install -y ${p.debianPackage} (under CI=true it is required)`;
}

/**
 * `describe(title, body)` when `program` is installed. Without it: under
 * `CI=true` a failing test saying what is missing; elsewhere `describe.skip`
 * plus one loud line on stderr.
 */
export function describeWithSystem(program: SystemProgram, title: string, body: () => void): void {
  if (findProgram(program.command) !== undefined) {
    describe(title, body);
    return;
  }
  if (process.env.CI === "true") {
    describe(title, () => {
      test(`requires ${program.command} (Debian package ${program.debianPackage})`, () => {
        throw new Error(`${program.command} is required under CI=true but is not installed: apt-get install -y ${program.debianPackage}`);
      });
    });
    return;
  }
  if (!warned.has(program.command)) {
    warned.add(program.command);
    process.stderr.write(`\n*** ${missingLine(program)} ***\n\n`);
  }
  describe.skip(title, body);
}
