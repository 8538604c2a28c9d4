import { ConfigError, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { errorStatus, parseRepo, type GitHub, type RepoRef } from "../github/client.js";
import { fetchHistory } from "../incident/fetch.js";
import { reconcileIssue, type Logger } from "../incident/handle.js";
import { coordination } from "../cluster/coordination.js";
import { tracked } from "../cluster/inflight.js";
import { serialize } from "../serialize.js";
import { findOpenIncident, openIncidentIssue } from "./declare.js";
import type { AlertGroup } from "./group.js";
import {
  alertSeverity,
  alertTitle,
  groupDigest,
  groupId,
  isGroupIncident,
  isSecurityAlert,
  lastDigest,
  renderAlertComment,
  renderAlertIncidentBody,
} from "./incident.js";
import type { ClientFor } from "./installation.js";
import { holdForMaintenance } from "../maintenance/alerts.js";

export interface AlertDeps {
  clientFor: ClientFor;
  log: Logger;
}

export interface AlertOutcome {
  /** opened an incident, commented on its incident, found nothing new to say, or had no incident to speak to. */
  action: "opened" | "commented" | "unchanged" | "no-incident" | "maintenance";
  repo: string;
  issue?: { number: number; url: string };
}

/**
 * The private repository a security incident of `repo` goes to. It must belong to the same owner:
 * an installation elsewhere is another organisation's, which a repository's configuration may not
 * write into (GitHub's own transfers stop at the owner, too).
 */
export function privateTarget(repo: RepoRef, privateRepo: string): RepoRef {
  const target = parseRepo(privateRepo);
  if (target.owner.toLowerCase() !== repo.owner.toLowerCase()) {
    throw new ConfigError(
      [`${repo.owner}/${repo.repo}/.github/incidents.yml`],
      [{ key: "private.repo", message: `${privateRepo} does not belong to ${repo.owner}: security incidents go to a repository of the same owner` }],
    );
  }
  return target;
}

/**
 * Group id → issue number, per repository: saves the listing for the next alert of a group.
 * Shared by the replicas (the process's coordination); a cache, checked against the issue.
 */
const REMEMBER_MS = 7 * 24 * 3600_000;
const knownIncidents = {
  async get(key: string): Promise<number | undefined> {
    const value = await coordination().get(`alert-incident:${key}`);
    return value ? Number(value) : undefined;
  },
  set: (key: string, number: number) => coordination().set(`alert-incident:${key}`, String(number), REMEMBER_MS),
  delete: (key: string) => coordination().set(`alert-incident:${key}`, "", 1),
};

/**
 * One alert group into GitHub: a firing group with no open incident opens one; any later delivery
 * that says something new (other alerts, resolved) comments on it; the same thing again writes
 * nothing. Deliveries of one group are handled one at a time, so two at once open one incident.
 */
export function receiveAlertGroup(deps: AlertDeps, repo: RepoRef, group: AlertGroup): Promise<AlertOutcome> {
  // Tracked: the route may answer 202 and leave it running; a graceful stop waits for it.
  return tracked(receive(deps, repo, group));
}

async function receive(deps: AlertDeps, repo: RepoRef, group: AlertGroup): Promise<AlertOutcome> {
  const github = await deps.clientFor(repo);
  const config = await loadConfig(github, repo);
  const security = isSecurityAlert(group);
  // A security alert goes straight to the private repository: nothing about it is written here.
  const target = security && config.private.repo ? privateTarget(repo, config.private.repo) : repo;
  const targetGithub = target === repo ? github : await deps.clientFor(target);
  const id = groupId(group);
  const full = `${target.owner}/${target.repo}`;
  // The private repository has its own configuration; reconcile reads it there.
  const reconcileDeps = { github: targetGithub, log: deps.log, ...(target === repo ? { config } : {}) };
  return serialize(`alert:${full.toLowerCase()}:${id}`, async () => {
    const existing = await findGroupIncident(targetGithub, target, config, id);
    if (!existing) {
      if (group.status === "resolved") {
        deps.log.info(`incident-desk: resolved alert group ${id} has no open incident in ${full}`);
        return { action: "no-incident", repo: full };
      }
      // A service under maintenance: noted on the maintenance issue instead (src/maintenance/alerts.ts).
      const held = target === repo ? await holdForMaintenance(github, repo, config, group) : undefined;
      if (held) return held;
      const opened = await openIncidentIssue(targetGithub, target, config, {
        title: alertTitle(group),
        body: renderAlertIncidentBody(group, config, security),
        severity: alertSeverity(group, config),
      });
      await knownIncidents.set(`${full.toLowerCase()}:${id}`, opened.number);
      await reconcileIssue(reconcileDeps, target, opened.number, { kind: "issue" });
      return { action: "opened", repo: full, issue: opened };
    }
    if (existing.lastDigest === groupDigest(group)) return { action: "unchanged", repo: full, issue: existing.issue };
    await targetGithub.rest.issues.createComment({ ...target, issue_number: existing.issue.number, body: renderAlertComment(group, config) });
    await reconcileIssue(reconcileDeps, target, existing.issue.number, { kind: "issue" });
    return { action: "commented", repo: full, issue: existing.issue };
  });
}

async function findGroupIncident(github: GitHub, repo: RepoRef, config: Config, id: string) {
  const key = `${repo.owner}/${repo.repo}`.toLowerCase() + `:${id}`;
  const remembered = await knownIncidents.get(key);
  const candidates = remembered !== undefined ? [remembered] : [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const number = candidates[attempt] ?? (await findOpenIncident(github, repo, config, "alert-group", (p) => p.split(" ")[0] === id))?.number;
    if (number === undefined) break;
    let history;
    try {
      history = await fetchHistory(github, repo, number);
    } catch (error) {
      // The remembered issue was deleted or transferred away (404, 410): look it up again.
      const status = errorStatus(error);
      if (attempt > 0 || remembered === undefined || (status !== 404 && status !== 410)) throw error;
      await knownIncidents.delete(key);
      continue;
    }
    const issue = history.issue;
    const stillOurs =
      issue.state === "open" &&
      issue.own === true &&
      isGroupIncident(issue.body, id) &&
      issue.labels.some((l) => l.toLowerCase() === config.labels.incident.toLowerCase());
    if (stillOurs) {
      await knownIncidents.set(key, number);
      return { issue: { number, url: issue.url }, lastDigest: lastDigest(history, id) };
    }
    await knownIncidents.delete(key);
    if (remembered === undefined) break;
  }
  return undefined;
}
