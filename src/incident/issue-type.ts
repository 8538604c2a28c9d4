import { coordination } from "../cluster/coordination.js";
import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import type { Logger } from "../log.js";
import type { History } from "./history.js";
import type { IncidentState } from "./types.js";

/**
 * The organisation's incident issue type (`issue_type`, default `Incident`): which types a
 * repository offers is read from `GET /repos/{owner}/{repo}/issue-types` (the "Metadata" read
 * permission every app has; the organisation endpoint would need the "Issue Types" organisation
 * permission), at most once an hour per repository, through the coordination's shared cache. A
 * personal account's repository has no issue types (404): remembered as none, so it costs one
 * request an hour. Asked only when an incident lacks the type.
 */
export const ISSUE_TYPES_TTL_MS = 60 * 60 * 1000;

const cacheKey = (repo: RepoRef) => `issue-types:${repo.owner}/${repo.repo}`.toLowerCase();

async function repositoryTypes(github: GitHub, repo: RepoRef, log?: Logger): Promise<string[] | undefined> {
  const cached = await coordination().get(cacheKey(repo));
  if (cached !== undefined) {
    try {
      const names = JSON.parse(cached) as unknown;
      if (Array.isArray(names)) return names.filter((n): n is string => typeof n === "string");
    } catch {
      // An unreadable entry is read again from GitHub.
    }
  }
  let names: string[];
  try {
    const { data } = await github.request("GET /repos/{owner}/{repo}/issue-types", { ...repo });
    const list = Array.isArray(data) ? (data as { name?: unknown; is_enabled?: unknown }[]) : [];
    names = list.filter((t) => typeof t.name === "string" && t.is_enabled !== false).map((t) => t.name as string);
  } catch (error) {
    // No issue types here (a personal account, or types not offered): none, for an hour.
    if (errorStatus(error) !== 404) {
      // GitHub failing: the type waits for the next delivery; nothing else waits for it.
      log?.warn(`incident-desk: could not read the issue types of ${repo.owner}/${repo.repo}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    names = [];
  }
  await coordination().set(cacheKey(repo), JSON.stringify(names), ISSUE_TYPES_TTL_MS);
  return names;
}

/** Forget what was cached (the type was refused: it was removed meanwhile). */
export async function forgetIssueTypes(repo: RepoRef): Promise<void> {
  await coordination().set(cacheKey(repo), "", 1);
}

/**
 * The type to give this incident: the configured one, spelt as the organisation spells it, when
 * the issue is an incident, lacks it, and the repository offers it. Nothing is read otherwise.
 */
export async function incidentTypeToSet(
  github: GitHub,
  repo: RepoRef,
  config: Config,
  state: IncidentState,
  history: History,
  log: Logger,
): Promise<string | undefined> {
  const wanted = config.issue_type;
  if (!wanted || !state.isIncident) return undefined;
  if ((history.issue.type ?? "").toLowerCase() === wanted.toLowerCase()) return undefined;
  return offeredIncidentType(github, repo, config, log);
}

/** The configured incident type as the repository offers it (spelt its way), if it does: for an issue the app opens itself. */
export async function offeredIncidentType(github: GitHub, repo: RepoRef, config: Config, log?: Logger): Promise<string | undefined> {
  const wanted = config.issue_type;
  if (!wanted) return undefined;
  const names = await repositoryTypes(github, repo, log);
  return names?.find((n) => n.toLowerCase() === wanted.toLowerCase());
}
