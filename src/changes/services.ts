import { Minimatch, type MinimatchOptions } from "minimatch";
import type { Config } from "../config/schema.js";

/**
 * Which services a change touches: the files it changes against `services.<name>.paths`
 * (minimatch globs, as in CODEOWNERS-like tools: `services/api/**`, `**\/*.sql`). PURE.
 *
 * The paths come from anyone who can open a pull request (a fork's 3,000 files of 4 KB names), the
 * globs from the configuration: each glob is compiled once per configuration, `#` and `!` have no
 * special meaning, dot files match like any other, and a glob with more than four brace groups is
 * taken literally for its braces (`{a,b}` twenty times would be a million patterns). A path longer
 * than GitHub allows (4,096 bytes) matches nothing.
 */

const OPTIONS: MinimatchOptions = { dot: true, nocomment: true, nonegate: true, optimizationLevel: 2 };
const MAX_BRACE_GROUPS = 4;
export const MAX_PATH_LENGTH = 4_096;

export interface ServiceMatcher {
  /** Services with at least one glob, in configuration order. */
  readonly names: readonly string[];
  /** The services `path` belongs to. */
  servicesOf(path: string): string[];
}

function compile(glob: string): Minimatch {
  const braces = glob.split("{").length - 1;
  return new Minimatch(glob.replace(/^\.?\//, ""), { ...OPTIONS, nobrace: braces > MAX_BRACE_GROUPS });
}

/** Compiled once per distinct `services` (each delivery parses its own copy of the configuration). */
const compiled = new Map<string, ServiceMatcher>();

export function serviceMatcher(config: Pick<Config, "services">): ServiceMatcher {
  const key = JSON.stringify(Object.entries(config.services).map(([name, s]) => [name, s.paths]));
  const known = compiled.get(key);
  if (known) return known;
  const services = Object.entries(config.services)
    .filter(([, s]) => s.paths.length > 0)
    .map(([name, s]) => ({ name, globs: s.paths.map(compile) }));
  const matcher: ServiceMatcher = {
    names: services.map((s) => s.name),
    servicesOf(path) {
      if (path.length > MAX_PATH_LENGTH) return [];
      return services.filter((s) => s.globs.some((g) => g.match(path))).map((s) => s.name);
    },
  };
  if (compiled.size >= 50) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, matcher);
  return matcher;
}

/** The services the files touch, each with the files that touch it, in configuration order. */
export function servicesTouched(matcher: ServiceMatcher, files: readonly string[]): Map<string, string[]> {
  const touched = new Map<string, string[]>();
  if (matcher.names.length === 0) return touched;
  for (const file of files) {
    for (const name of matcher.servicesOf(file)) {
      const list = touched.get(name);
      if (list) list.push(file);
      else touched.set(name, [file]);
    }
  }
  return new Map(matcher.names.filter((n) => touched.has(n)).map((n) => [n, touched.get(n)!]));
}
