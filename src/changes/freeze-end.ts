import { mapLimit } from "../concurrency.js";
import type { Config } from "../config/schema.js";
import { STATUSES } from "../config/schema.js";
import type { RepoRef } from "../github/client.js";
import type { IncidentDeps } from "../incident/deps.js";
import { isBot, type History } from "../incident/history.js";
import type { IncidentState } from "../incident/types.js";
import { freezes } from "./freeze.js";
import { ownRun } from "./check-run.js";
import { recheckListedPull } from "./risk-handle.js";

/**
 * The end of a change freeze (SPEC section 9): when an incident that froze changes no longer does
 * (mitigated, resolved, closed, declined, its severity lowered below `min_severity`, withdrawn),
 * the pull requests whose change risk run it held are assessed again, without a push or a Re-run.
 *
 * "It froze before" is told from the labels the issue had when this delivery read it: the same
 * labels change risk reads of every open incident (src/changes/risk-reads.ts), so what held the
 * pull requests. Nothing more is read on a delivery that ends no freeze.
 *
 * Bounded: one page of open pull requests (100, most recently updated first), the check run on
 * each one's head (conditional requests: a 304 when unchanged), and at most MAX_RECHECKED of the
 * held ones assessed again; the assessment decides (another incident may still freeze) and writes
 * only a run that changes.
 */
export const MAX_RECHECKED = 30;
const LOOKUP_CONCURRENCY = 4;

const lower = (s: string) => s.toLowerCase();

/**
 * The labels before the people's label changes that end the timeline (this event, when it is a
 * label added or removed by hand): the issue as change risk last saw it, before them.
 */
function labelsBeforePeople(history: History): string[] | undefined {
  const labels = new Set(history.issue.labels.map(lower));
  let undone = false;
  for (let i = history.events.length - 1; i >= 0; i--) {
    const e = history.events[i]!;
    if ((e.type !== "labeled" && e.type !== "unlabeled") || isBot(e.actor)) break;
    if (e.type === "labeled") labels.delete(lower(e.label));
    else labels.add(lower(e.label));
    undone = true;
  }
  return undone ? [...labels] : undefined;
}

/**
 * Whether the issue froze changes before this event, as change risk saw it: by the labels it had
 * when read, or before the label changes people made last (a `sev1` replaced by `sev3` by hand).
 */
export function frozeBefore(config: Config, history: History, service: string | undefined): boolean {
  if (!config.changes.freeze) return false;
  const byPeople = labelsBeforePeople(history);
  return frozeWith(config, history, history.issue.labels, service) || (byPeople !== undefined && frozeWith(config, history, byPeople, service));
}

function frozeWith(config: Config, history: History, names: readonly string[], service: string | undefined): boolean {
  const labels = new Set(names.map(lower));
  const status = STATUSES.find((s) => labels.has(lower(config.labels.status[s])));
  const severity = config.severities.find((s) => labels.has(lower(s.label)))?.name;
  if (!status || !severity) return false;
  return freezes(config, { number: history.issue.number, title: "", url: "", severity, status, ...(service ? { service } : {}), open: true });
}

/** Whether the incident freezes changes now, after this delivery. */
export function freezesNow(config: Config, history: History, state: IncidentState): boolean {
  if (!state.isIncident || state.withdrawn) return false;
  return freezes(config, {
    number: history.issue.number,
    title: "",
    url: "",
    severity: state.severity,
    status: state.status,
    ...(state.service ? { service: state.service } : {}),
    open: state.status !== "resolved",
    ...(state.declined ? { declined: true } : {}),
  });
}

/** This delivery ended the incident's freeze. */
export function freezeEnded(config: Config, history: History, state: IncidentState): boolean {
  return frozeBefore(config, history, state.service) && !freezesNow(config, history, state);
}

export interface ReleaseOutcome {
  /** Open pull requests listed (one page). */
  listed: number;
  /** Of them, those whose run was `action_required`. */
  held: number;
  /** Assessed again (at most MAX_RECHECKED). */
  rechecked: number;
  /** Whose lookup or assessment failed (logged). */
  failed: number;
}

/**
 * Assess again the open pull requests held by change risk. Never throws: the incident's own writes
 * are done, and a failure here is logged (the next push, edit or Re-run assesses the pull request).
 */
export async function releaseHeldPulls(deps: IncidentDeps, repo: RepoRef, incident: number): Promise<ReleaseOutcome> {
  const outcome: ReleaseOutcome = { listed: 0, held: 0, rechecked: 0, failed: 0 };
  const where = `${repo.owner}/${repo.repo}`;
  try {
    const { github } = deps;
    const { data: pulls } = await github.rest.pulls.list({ ...repo, state: "open", sort: "updated", direction: "desc", per_page: 100 });
    outcome.listed = pulls.length;
    const held = await mapLimit(pulls, LOOKUP_CONCURRENCY, async (pull) => {
      try {
        return (await ownRun(github, repo, pull.head.sha))?.conclusion === "action_required";
      } catch (error) {
        outcome.failed++;
        deps.log.warn(`incident-desk: change risk of ${where}#${pull.number} not re-checked after the freeze of #${incident} ended: ${message(error)}`);
        return false;
      }
    });
    const targets = pulls.filter((_, i) => held[i]);
    outcome.held = targets.length;
    if (targets.length > MAX_RECHECKED) {
      deps.log.warn(
        `incident-desk: the freeze of ${where}#${incident} ended with ${targets.length} pull requests held: the ${MAX_RECHECKED} most recently updated are re-checked, the others at their next push, edit or Re-run`,
      );
    }
    for (const pull of targets.slice(0, MAX_RECHECKED)) {
      try {
        await recheckListedPull(deps, repo, pull);
        outcome.rechecked++;
      } catch (error) {
        outcome.failed++;
        deps.log.warn(`incident-desk: change risk of ${where}#${pull.number} not re-checked after the freeze of #${incident} ended: ${message(error)}`);
      }
    }
  } catch (error) {
    deps.log.warn(`incident-desk: the pull requests held by the freeze of ${where}#${incident} were not re-checked: ${message(error)}`);
  }
  return outcome;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
