import { mapLimit } from "../concurrency.js";
import { identityOf } from "../trust.js";
import type { DeploymentSnapshot } from "../changes/facts.js";
import { findCards } from "../incident/reconcile.js";
import { resolveCauseRef } from "../changes/causes.js";
import { causeKey, lookupCause, missKey, readFactsBlock, type ChangeFacts } from "../changes/facts.js";
import { toDeploymentSnapshot } from "../changes/snapshots.js";
import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { atLeast, fetchPermission, type PermissionLevel } from "../github/permissions.js";
import { markOwn, toHistoryEvent, toIssueSnapshot, type History, type HistoryEvent } from "../incident/history.js";
import { commandAuthors, deriveIncident, type IncidentState } from "../incident/state.js";
import { readVerdicts } from "../incident/verdicts.js";
import { readProblemFacts } from "../problems/facts.js";
import type { Period } from "./period.js";

/**
 * The report's reads, and only reads:
 *
 * 1. the incident issues updated since the period began: one listing, 100 a page
 *    (`GET /repos/{o}/{r}/issues?labels=<incident>&state=all&since=<from>`). An incident declared
 *    in the period was necessarily updated in it, so nothing is missed; incidents declared earlier
 *    and updated since are read and then left out by the metrics;
 * 2. per incident, its timeline (100 events a page): the history its state is derived from.
 *    The issue itself comes from the listing, so there is no `GET issue` per incident
 *    (readIncident() reads it again, which is why it is not called here);
 * 3. the permission of each author of commands, once per author for the whole report (commands
 *    from people who may not command do not count, as everywhere else);
 * 4. what the incident's causes need (the pull request, the commit, the deployment that shipped
 *    it): nothing when the card keeps it, which it does wherever the app or `handle` runs. Only
 *    the causes: the suspects and the pull requests behind commits (what gatherChangeFacts also
 *    reads for the card) do not enter any metric, and cost a search and a deployments listing per
 *    incident that has no card;
 * 5. the production deployments, newest first, page by page until a page reaches past the
 *    period's start.
 */

/** Timelines read at once: enough to hide latency, few enough to stay clear of secondary limits. */
export const TIMELINE_CONCURRENCY = 4;

export interface Gathered {
  incidents: IncidentState[];
  deployments: DeploymentSnapshot[];
  /** Issues listed (incidents updated in the period, whatever their declaration time). */
  listed: number;
}

export async function gatherReport(github: GitHub, repo: RepoRef, config: Config, period: Period): Promise<Gathered> {
  const issues = (
    await github.paginate(github.rest.issues.listForRepo, {
      ...repo,
      labels: config.labels.incident,
      state: "all",
      since: period.from,
      sort: "created",
      direction: "asc",
      per_page: 100,
    })
  )
    // Pull requests share the issues listing; and an issue created after the period ended cannot be in it.
    .filter((issue) => !issue.pull_request && Date.parse(issue.created_at) <= Date.parse(period.to));

  const permissions = new Map<string, Promise<PermissionLevel>>();
  const permissionOf = (login: string) => {
    let level = permissions.get(login);
    if (!level) {
      level = fetchPermission(github, repo, login);
      permissions.set(login, level);
    }
    return level;
  };

  const identity = issues.length > 0 ? await identityOf(github) : undefined;
  const incidents = await mapLimit(issues, TIMELINE_CONCURRENCY, async (issue) => {
    const items = await github.paginate(github.rest.issues.listEventsForTimeline, { ...repo, issue_number: issue.number, per_page: 100 });
    const events = items.map(toHistoryEvent).filter((e): e is HistoryEvent => e !== undefined);
    const history: History = markOwn({ repo, issue: toIssueSnapshot(issue), events }, identity);
    const levels = new Map<string, PermissionLevel>();
    const verdicts = readVerdicts(findCards(history)[0]?.body);
    for (const login of commandAuthors(history, config, verdicts)) levels.set(login, await permissionOf(login));
    const mayCommand = (login: string) => atLeast(levels.get(login) ?? "none", config.commands.permission);
    const changes = await causeFacts(github, repo, history, config, mayCommand);
    // What the card keeps about the incident's problem (src/problems/facts.ts): no problem issue is read.
    const problemFacts = readProblemFacts(findCards(history)[0]?.body);
    const state = deriveIncident(history, { config, mayCommand, changes, verdicts, problems: problemFacts.checks });
    state.problemFacts = problemFacts;
    return state;
  });

  return { incidents, deployments: await productionDeployments(github, repo, config, period), listed: issues.length };
}

/**
 * The facts the card keeps, completed with the causes it does not know yet, exactly as
 * gatherChangeFacts does for them (a `/cause` naming nothing fails its comment here as in the app).
 */
async function causeFacts(github: GitHub, repo: RepoRef, history: History, config: Config, mayCommand: (login: string) => boolean): Promise<ChangeFacts> {
  const card = findCards(history)[0];
  const facts = readFactsBlock(card?.body ?? "");
  const draft = deriveIncident(history, { config, mayCommand, changes: facts });
  if (!draft.isIncident) return facts;
  for (const key of Object.keys(facts.causes)) if (key.endsWith("@body")) delete facts.causes[key];
  for (const cause of draft.causes) {
    if (lookupCause(facts, cause.ref, cause.commentId)) continue;
    const resolution = await resolveCauseRef(github, repo, cause.ref, config);
    facts.causes[resolution.found ? causeKey(cause.ref) : missKey(cause.ref, cause.commentId)] = resolution;
  }
  return facts;
}

/** Production deployments (`changes.environments`) created in the period, newest first. */
export async function productionDeployments(github: GitHub, repo: RepoRef, config: Config, period: Period): Promise<DeploymentSnapshot[]> {
  const environments = new Set(config.changes.environments.map((e) => e.toLowerCase()));
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const found: DeploymentSnapshot[] = [];
  const iterator = github.paginate.iterator(github.rest.repos.listDeployments, {
    ...repo,
    per_page: 100,
    // One environment can be filtered by GitHub; several are filtered here, from one listing.
    ...(config.changes.environments.length === 1 ? { environment: config.changes.environments[0]! } : {}),
  });
  for await (const page of iterator) {
    let past = false;
    for (const raw of page.data) {
      const d = toDeploymentSnapshot(raw);
      const at = Date.parse(d.createdAt);
      if (at < from) past = true;
      else if (at <= to && environments.has(d.environment.toLowerCase())) found.push(d);
    }
    if (past || page.data.length === 0) break;
  }
  return found;
}
