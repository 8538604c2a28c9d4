import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import type { Logger } from "../log.js";

/**
 * What every command of the Action works with: the authenticated client, the repository, its
 * validated configuration, the triggering event and the inputs. Commands return what the runner
 * turns into step outputs and the job summary.
 */
export interface CommandContext {
  github: GitHub;
  repo: RepoRef;
  config: Config;
  configPath: string;
  /** The incident the command works on (input `issue`, or the triggering event's issue). */
  issue?: number;
  since?: string;
  /** `report`: where to write the report too (input `report-path`), relative to the workspace. */
  reportPath?: string;
  /** `statuspage`: the folder to write the site into (input `statuspage-dir`), relative to the workspace. */
  statuspageDir?: string;
  /** `escalate`: its memory of the last run (input `state-file`), an absolute path; none outside a runner. */
  stateFile?: string;
  dryRun: boolean;
  /** `id`: stable across re-runs of the same workflow run (dispatches are deduplicated by it). */
  event: { name: string; payload: Record<string, unknown>; id: string };
  log: Logger;
}

export type OutputName = "postmortem-path" | "pull-request" | "problem-issues" | "report-path" | "statuspage-path";

export interface CommandResult {
  outputs: Partial<Record<OutputName, string>>;
  /** Markdown for the job summary. */
  summary: string;
}

/** A mistake in how the Action is used: the step fails with this one line, and nothing is written. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
