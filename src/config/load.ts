import { writeMarker } from "../markers.js";
import { composeConfigGet } from "@probot/octokit-plugin-config";
import type { GitHub, RepoRef } from "../github/client.js";
import { count, cutText, fitBody, list } from "../text/limits.js";
import { configSchema, type Config } from "./schema.js";

export const DEFAULT_CONFIG_PATH = ".github/incidents.yml";

export interface ConfigProblem {
  key: string;
  message: string;
}

/** A configuration that cannot be used, with what to tell the user. */
export class ConfigError extends Error {
  constructor(
    readonly files: string[],
    readonly problems: ConfigProblem[],
  ) {
    super(`${files.join(", ") || DEFAULT_CONFIG_PATH}: ${problems.map((p) => `${p.key}: ${p.message}`).join("; ")}`);
    this.name = "ConfigError";
  }
}

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Objects merge key by key; anything else (lists included) from the later file replaces. */
function merge(base: Plain, override: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? merge(current, value) : value;
  }
  return out;
}

const parsed = new Map<string, Config>();

/** Validate an already-read configuration object (from YAML) and fill in the defaults. */
export function parseConfig(raw: unknown, files: string[] = [DEFAULT_CONFIG_PATH]): Config {
  // Every delivery reads the file; most read the same text: validate each distinct one once.
  const key = JSON.stringify(raw ?? {});
  const known = parsed.get(key);
  if (known) return structuredClone(known);
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) {
    if (parsed.size >= 100) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, result.data);
    return structuredClone(result.data);
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      return {
        key: path.length > 0 ? path.join(".") : "(top level)",
        message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")}`,
      };
    }
    return { key: path.length > 0 ? path.join(".") : "(top level)", message: issue.message };
  });
  throw new ConfigError(files, problems);
}

/**
 * The configuration a handler works with: the one this delivery has read already, else the
 * repository's. A file that is not valid comes back as its ConfigError, for each caller to tell
 * its own way (a comment, a check run, an approving review, the log); anything else is thrown.
 */
export async function configFor(deps: { github: GitHub; config?: Config; configPath?: string }, repo: RepoRef): Promise<Config | ConfigError> {
  try {
    return deps.config ?? (await loadConfig(deps.github, repo, deps.configPath));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/**
 * Read `.github/incidents.yml` the Probot way: `_extends` is followed, and the organisation's
 * `.github` repository is the fallback when the repository has no file of its own.
 */
export async function loadConfig(github: GitHub, repo: RepoRef, path = DEFAULT_CONFIG_PATH): Promise<Config> {
  let files: { owner: string; repo: string; path: string; config: unknown }[];
  let merged: Plain;
  try {
    const result = await composeConfigGet(github as never, {
      ...repo,
      path,
      defaults: (configs: Plain[]) => configs.reduce<Plain>((acc, c) => merge(acc, c), {}),
    });
    files = result.files;
    merged = result.config;
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const message = raw.replace("[@probot/octokit-plugin-config] ", "");
    if (raw.startsWith("[@probot/octokit-plugin-config]")) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message.split("\n")[0]}` : "";
      throw new ConfigError([`${repo.owner}/${repo.repo}/${path}`], [{ key: "(file)", message: `${message}${cause}` }]);
    }
    throw error;
  }
  const read = files.filter((f) => f.config !== null).map((f) => `${f.owner}/${f.repo}/${f.path}`);
  return parseConfig(merged, read.length > 0 ? read : [`${repo.owner}/${repo.repo}/${path}`]);
}

/** A key or a message in a table cell: one line, no pipe, no backtick run that ends the code span. */
const cell = (value: string, max: number) => cutText(value.replace(/\s+/g, " ").replace(/\|/g, "\\|"), max, () => "…");

/**
 * The comment that tells the user what is wrong, on the issue or pull request they touched; a file
 * with thousands of problems gets the first of them and "… and N more" (GitHub's body limit).
 */
export function renderConfigError(error: ConfigError): string {
  const head = [
    writeMarker("config-error"),
    "### ⚠️ incident-desk cannot read its configuration",
    "",
    `The configuration in ${error.files.map((f) => `\`${f}\``).join(", ")} is not valid, so nothing was changed.`,
    "",
    "| key | problem |",
    "| --- | --- |",
    "",
  ].join("\n");
  const rows = error.problems.map((p) => `| \`${cell(p.key, 200).replace(/`/g, "'")}\` | ${cell(p.message, 1_000)} |`);
  const tail = [
    "",
    "",
    "Fix the file and repeat the action (or comment again): it will be picked up on the next event.",
    "The keys are documented in the README and in `incidents.schema.json`.",
  ].join("\n");
  return fitBody([head, list(rows, (n) => `| … | and ${count(n)} more problems |`), tail]);
}
