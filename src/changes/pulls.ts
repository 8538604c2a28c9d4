import { z } from "zod";
import { ConfigError, configFor } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import { refreshProblem } from "../problems/sync.js";
import { reconcileIssue, reportConfigError, type IncidentDeps } from "../incident/handle.js";
import { labelSpec } from "../incident/labels.js";
import { localReferences } from "./references.js";
import { toPullSnapshot } from "./snapshots.js";

/**
 * A pull request opened, edited, pushed to, closed or reopened: find the incidents it refers to
 * (in its title, body or commit messages), label it `incident-fix` while it refers to one, and
 * bring each of those incidents' cards up to date.
 */

/** `labeled`/`unlabeled` only matter for the post-mortem label (it turns a linked pull request into the post-mortem). */
export const PULL_ACTIONS = ["opened", "edited", "synchronize", "closed", "reopened", "labeled", "unlabeled"] as const;

/** Issues of a pull request looked at, at most: a body listing hundreds of issues is not a fix of each. */
export const MAX_REFERENCES = 20;

const pullEventSchema = z.object({
  action: z.string(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  pull_request: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullish(),
    labels: z.array(z.object({ name: z.string() })).default([]),
    head: z.object({ ref: z.string() }).optional(),
  }).passthrough(),
  label: z.object({ name: z.string() }).optional(),
  changes: z
    .object({
      title: z.object({ from: z.string() }).optional(),
      body: z.object({ from: z.string().nullish() }).optional(),
    })
    .optional(),
});

const hasLabel = (labels: string[], name: string) => labels.some((l) => l.toLowerCase() === name.toLowerCase());

/**
 * Which of `numbers` are incidents: issues (not pull requests) carrying the incident label, each
 * with the issue as just read (reconciling it then reads only its timeline).
 */
async function incidentsAmong(
  github: GitHub,
  repo: RepoRef,
  numbers: number[],
  config: Config,
  /** Problem records among them (src/problems/): their cards list the pull request as a fix. */
  problems = new Map<number, unknown>(),
): Promise<Map<number, unknown>> {
  const out = new Map<number, unknown>();
  for (const number of numbers) {
    try {
      const { data } = await github.rest.issues.get({ ...repo, issue_number: number });
      const labels = data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
      if (!data.pull_request && hasLabel(labels, config.labels.incident)) out.set(number, data);
      else if (!data.pull_request && hasLabel(labels, config.labels.problem)) problems.set(number, data);
    } catch (error) {
      // #12 in a body need not exist (or was deleted, or moved away): it refers to nothing.
      if (errorStatus(error) !== 404 && errorStatus(error) !== 410) throw error;
    }
  }
  return out;
}

/**
 * A redelivered (or late) webhook carries the labels of its time: ask for the current ones before
 * adding, so a repeat writes nothing. Asked only when about to write, which happens once.
 */
async function currentlyLabelled(github: GitHub, repo: RepoRef, number: number, label: string): Promise<boolean> {
  const { data } = await github.rest.issues.listLabelsOnIssue({ ...repo, issue_number: number, per_page: 100 });
  return hasLabel(data.map((l) => l.name), label);
}

/**
 * `reportConfig: false`: an invalid configuration is only logged (the app tells it by the pull
 * request's change risk check run instead, src/changes/risk-handle.ts); the Action comments.
 */
export async function handlePullRequest(deps: IncidentDeps, payload: unknown, options: { reportConfig?: boolean } = {}): Promise<void> {
  const parsed = pullEventSchema.safeParse(payload);
  if (!parsed.success) return;
  const e = parsed.data;
  const { github } = deps;
  const repo = { owner: e.repository.owner.login, repo: e.repository.name };
  const pr = e.pull_request;

  const config = await configFor(deps, repo);
  if (config instanceof ConfigError) {
    // Told only on a pull request that names an issue (it may be about an incident), not on every one.
    if (options.reportConfig !== false && localReferences([pr.title, pr.body ?? ""], repo).some((n) => n !== pr.number)) await reportConfigError(deps, repo, pr.number, config);
    else deps.log.warn(`incident-desk: invalid configuration for ${repo.owner}/${repo.repo}: ${config.message}`);
    return;
  }

  if ((e.action === "labeled" || e.action === "unlabeled") && e.label?.name.toLowerCase() !== config.labels.postmortem.toLowerCase()) return;

  const commits = await github.paginate(github.rest.pulls.listCommits, { ...repo, pull_number: pr.number, per_page: 100 });
  const texts = [pr.title, pr.body ?? "", ...commits.map((c) => c.commit.message)];
  const now = localReferences(texts, repo).filter((n) => n !== pr.number).slice(0, MAX_REFERENCES);
  // An edit that removed a reference must update the incident it no longer refers to.
  const before =
    e.action === "edited" && e.changes
      ? localReferences([e.changes.title?.from ?? pr.title, e.changes.body?.from ?? pr.body ?? ""], repo).filter((n) => n !== pr.number && !now.includes(n))
      : [];
  const problems = new Map<number, unknown>();
  const incidents = await incidentsAmong(github, repo, [...now, ...before].slice(0, MAX_REFERENCES), config, problems);
  const referred = now.filter((n) => incidents.has(n));

  const labels = pr.labels.map((l) => l.name);
  const fix = config.labels.fix;
  // The post-mortem refers to its incident too, but it is not a fix. Its branch (SPEC section 4)
  // tells it apart even before its label is added, which comes after it is opened.
  const postmortem = hasLabel(labels, config.labels.postmortem) || /^incident-desk\/postmortem-\d+$/.test(pr.head?.ref ?? "");
  const wantsFix = referred.length > 0 && !postmortem;
  if (wantsFix && !hasLabel(labels, fix) && !(await currentlyLabelled(github, repo, pr.number, fix))) {
    await ensureLabels(github, repo, [labelSpec(config, fix)]);
    await github.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: [fix] });
  } else if (!wantsFix && hasLabel(labels, fix) && (e.action === "edited" || e.action === "synchronize" || e.action === "labeled")) {
    // Only when what the pull request refers to may have changed: a label someone set by hand on
    // a pull request that never named an incident is theirs.
    try {
      await github.rest.issues.removeLabel({ ...repo, issue_number: pr.number, name: labels.find((l) => l.toLowerCase() === fix.toLowerCase())! });
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
  }

  const update = { pull: toPullSnapshot(pr), commits: commits.map((c) => c.sha) };
  if (wantsFix && !hasLabel(update.pull.labels, fix)) update.pull.labels.push(fix);
  for (const [number, issue] of [...incidents].sort(([a], [b]) => a - b)) {
    await reconcileIssue({ ...deps, config }, repo, number, { kind: "pull", update, issue });
  }
  // A problem the pull request refers to lists it as its fix (GitHub's cross-reference may come later).
  for (const [number, issue] of [...problems].filter(([n]) => now.includes(n)).sort(([a], [b]) => a - b)) {
    await refreshProblem(github, repo, number, config, { issue, pull: update.pull });
  }
}
