import { writeMarker } from "../markers.js";
import { writtenByUs } from "../trust.js";
import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import type { CauseRef } from "../incident/commands.js";
import { labelSpec } from "../incident/labels.js";
import type { IncidentState } from "../incident/state.js";
import { causeKey, shortSha, type CauseResolution, type DeploymentSnapshot } from "./facts.js";
import { toDeploymentSnapshot, toPullSnapshot } from "./snapshots.js";

/**
 * What a `/cause` (or a `root cause:` line) names, asked of GitHub once: the pull request, the
 * commit, and the production deployment that shipped it (the start of the failed-deployment
 * recovery time). Then the cause's pull request gets its label and one comment.
 */

const notFound = (error: unknown) => errorStatus(error) === 404 || errorStatus(error) === 422;

/** The earliest deployment of `sha` to a production environment, if any. */
async function firstDeployment(github: GitHub, repo: RepoRef, sha: string, config: Config): Promise<DeploymentSnapshot | undefined> {
  const { data } = await github.rest.repos.listDeployments({ ...repo, sha, per_page: 100 });
  const production = new Set(config.changes.environments.map((e) => e.toLowerCase()));
  return data
    .map(toDeploymentSnapshot)
    .filter((d) => production.has(d.environment.toLowerCase()))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
}

export async function resolveCauseRef(github: GitHub, repo: RepoRef, ref: CauseRef, config: Config): Promise<CauseResolution> {
  const where = `${repo.owner}/${repo.repo}`;
  if (ref.kind === "pull") {
    let raw: unknown;
    try {
      raw = (await github.rest.pulls.get({ ...repo, pull_number: ref.number })).data;
    } catch (error) {
      if (notFound(error)) return { found: false, reason: `#${ref.number} is not a pull request in ${where}` };
      throw error;
    }
    const pull = toPullSnapshot(raw);
    const deployment = pull.mergeSha && pull.mergedAt ? await firstDeployment(github, repo, pull.mergeSha, config) : undefined;
    return { found: true, ...(pull.mergedAt && pull.mergeSha ? { sha: pull.mergeSha } : {}), pull, ...(deployment ? { deployment } : {}) };
  }
  let sha: string;
  try {
    sha = (await github.rest.repos.getCommit({ ...repo, ref: ref.sha })).data.sha;
  } catch (error) {
    if (notFound(error)) return { found: false, reason: `there is no commit \`${shortSha(ref.sha)}\` in ${where}` };
    throw error;
  }
  const { data: pulls } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
  const snapshots = pulls.map((p) => toPullSnapshot(p));
  // A commit is usually in one pull request; prefer the one that merged it.
  const pull = snapshots.find((p) => p.mergedAt) ?? snapshots[0];
  let deployment = await firstDeployment(github, repo, sha, config);
  if (!deployment && pull?.mergeSha && pull.mergedAt && pull.mergeSha !== sha) deployment = await firstDeployment(github, repo, pull.mergeSha, config);
  return { found: true, sha, ...(pull ? { pull } : {}), ...(deployment ? { deployment } : {}) };
}

export const causeCommentMarker = (repo: RepoRef, incident: number) => writeMarker("cause", `${repo.owner}/${repo.repo}#${incident}`.toLowerCase());

/** No title: a security incident's details never reach a pull request. */
export function renderCauseComment(repo: RepoRef, incident: number, by: string): string {
  return [
    causeCommentMarker(repo, incident),
    `This change was marked by @${by} as a cause of incident #${incident}. The incident's card and, later, its post-mortem list it.`,
    "",
    "_Blameless: this records what changed, not who is at fault._",
  ].join("\n");
}

export interface PullWrites {
  /** Labels to add to pull requests (a cause's `incident-cause`, a linked fix's `incident-fix`). */
  labels: { number: number; label: string }[];
  /** One comment on each cause's pull request, written unless a comment of ours with its marker is there. */
  notes: { number: number; body: string; marker: string }[];
}

/**
 * The writes on pull requests the incident's changes call for, planned (pure): every cause's pull
 * request gets its label and one comment, and the card records `noted` (so later deliveries plan
 * nothing; the marker makes a repeat after a lost card harmless); a pull request the card lists
 * as a fix gets its label when it referred to the issue before the issue became an incident.
 * (Removing the fix label is the pull request handler's job: only it knows every incident the
 * pull request refers to.)
 */
export function planPullWrites(repo: RepoRef, state: IncidentState, config: Config): PullWrites {
  const writes: PullWrites = { labels: [], notes: [] };
  if (!state.isIncident) return writes;
  const has = (labels: string[], label: string) => labels.some((l) => l.toLowerCase() === label.toLowerCase());
  const facts = state.changes.facts;
  for (const cause of state.changes.causes) {
    const resolution = facts.causes[causeKey(cause.ref)];
    if (!resolution?.found || !resolution.pull || resolution.noted) continue;
    const pull = resolution.pull;
    if (!has(pull.labels, config.labels.cause)) {
      writes.labels.push({ number: pull.number, label: config.labels.cause });
      pull.labels = [...pull.labels, config.labels.cause];
    }
    writes.notes.push({ number: pull.number, body: renderCauseComment(repo, state.number, cause.by), marker: causeCommentMarker(repo, state.number) });
    resolution.noted = true;
  }
  for (const pull of state.changes.linked) {
    if (!has(pull.labels, config.labels.fix)) writes.labels.push({ number: pull.number, label: config.labels.fix });
  }
  return writes;
}

/** Carry out the pull requests' writes (called by applyPlan, before the card that records them). */
export async function applyPullWrites(github: GitHub, repo: RepoRef, writes: PullWrites, config: Config): Promise<void> {
  for (const { number, label } of writes.labels) {
    await ensureLabels(github, repo, [labelSpec(config, label)]);
    await github.rest.issues.addLabels({ ...repo, issue_number: number, labels: [label] });
  }
  const ours = await writtenByUs(github, repo);
  for (const note of writes.notes) {
    const comments = await github.paginate(github.rest.issues.listComments, { ...repo, issue_number: note.number, per_page: 100 });
    if (!comments.some((c) => c.body?.includes(note.marker) && ours(c))) {
      await github.rest.issues.createComment({ ...repo, issue_number: note.number, body: note.body });
    }
  }
}
