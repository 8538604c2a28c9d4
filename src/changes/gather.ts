import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import type { History } from "../incident/history.js";
import type { IncidentState } from "../incident/state.js";
import { resolveCauseRef } from "./causes.js";
import { causeKey, lookupCause, missKey, type ChangeFacts, type PullSnapshot } from "./facts.js";
import { refersTo } from "./references.js";
import { toPullSnapshot } from "./snapshots.js";
import { fetchSuspects, suspectWindow } from "./suspects.js";

/**
 * The reads the incident's changes need, done before the state is derived (deriveIncident stays
 * pure): start from what the card already keeps, and ask GitHub only for what is missing.
 * On an ordinary delivery (a comment, a label) that is nothing at all.
 */

/** A pull request that just changed: its current data and commits, from the pull request handler. */
export interface PullUpdate {
  pull: PullSnapshot;
  commits: string[];
}

/** Commits looked up per delivery at most; the rest wait for the next one (the card remembers progress). */
export const MAX_COMMIT_LOOKUPS = 20;

/**
 * `draft`: the state derived with the facts the card keeps (`state.changes.facts`). Returns the
 * facts completed, and whether anything was read or dropped (only then is the state derived again).
 */
export async function gatherChangeFacts(
  github: GitHub,
  repo: RepoRef,
  history: History,
  config: Config,
  draft: IncidentState,
  update?: PullUpdate,
): Promise<{ facts: ChangeFacts; fresh: boolean }> {
  const facts = structuredClone(draft.changes.facts);
  const before = JSON.stringify(facts);
  if (!draft.isIncident) return { facts, fresh: false };

  for (const key of Object.keys(facts.causes)) {
    // A `root cause:` line has no reply to keep consistent with: look it up again until found.
    if (key.endsWith("@body")) delete facts.causes[key];
  }
  for (const cause of draft.causes) {
    if (lookupCause(facts, cause.ref, cause.commentId)) continue;
    const resolution = await resolveCauseRef(github, repo, cause.ref, config);
    facts.causes[resolution.found ? causeKey(cause.ref) : missKey(cause.ref, cause.commentId)] = resolution;
  }

  const referenced = [...new Set(history.events.flatMap((e) => (e.type === "referenced" ? [e.commitId.toLowerCase()] : [])))];
  let lookups = 0;
  for (const sha of referenced) {
    if (facts.commits[sha] || lookups >= MAX_COMMIT_LOOKUPS) continue;
    lookups++;
    facts.commits[sha] = await pullsOfCommit(github, repo, sha);
  }

  if (update) {
    const mine = new Set(update.commits.map((s) => s.toLowerCase()));
    for (const sha of referenced) {
      const others = (facts.commits[sha] ?? []).filter((p) => p.number !== update.pull.number);
      facts.commits[sha] = mine.has(sha) ? [...others, update.pull].sort((a, b) => a.number - b.number) : others;
    }
    const titled = facts.titled.filter((p) => p.number !== update.pull.number);
    if (refersTo([update.pull.title], repo, history.issue.number)) titled.push(update.pull);
    facts.titled = titled.sort((a, b) => a.number - b.number);
    for (const resolution of Object.values(facts.causes)) {
      if (resolution.found && resolution.pull?.number === update.pull.number) resolution.pull = { ...update.pull };
    }
  }

  if (draft.times.started) {
    const window = suspectWindow(draft.times.started, config.changes.lookback);
    if (facts.suspects?.from !== window.from || facts.suspects.to !== window.to) {
      facts.suspects = await fetchSuspects(github, repo, window, config);
    }
  }
  return { facts, fresh: JSON.stringify(facts) !== before };
}

async function pullsOfCommit(github: GitHub, repo: RepoRef, sha: string): Promise<PullSnapshot[]> {
  try {
    const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
    return data.map((p) => toPullSnapshot(p)).sort((a, b) => a.number - b.number);
  } catch (error) {
    // A commit of another repository (or one since force-pushed away) has no pull request here.
    if (errorStatus(error) === 404 || errorStatus(error) === 422) return [];
    throw error;
  }
}
