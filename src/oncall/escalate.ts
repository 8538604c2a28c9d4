import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { readIncident, reconcileIssue, type Logger } from "../incident/handle.js";
import type { History } from "../incident/history.js";
import { writeMarker } from "../markers.js";
import type { IncidentState } from "../incident/state.js";
import { bundledTemplate } from "../templates.js";
import { formatDuration, parseDuration } from "../time/duration.js";

/**
 * The Action's `escalate` command, run on a schedule.
 *
 * Escalation: an incident not acknowledged (`/ack`, or a `/commander`) within its severity's
 * `ack_within` mentions `oncall.escalation[0]`; each further level follows its own `after` later
 * (default: `ack_within` again), so level i is due at
 *   detected + ack_within + after[0] + … + after[i]   (after[0] defaults to 0).
 * Every due level is mentioned once: the comment carries a marker per level.
 *
 * Reminder: an incident whose last `/update` (or, with none, its declaration) is older than its
 * severity's `update_every` gets one reminder to the commander; the marker names the update it
 * follows, so the next `/update` starts a new period.
 *
 * What to write is a pure function of the state, the history and the time; running it twice in a
 * row finds its own markers and writes nothing the second time.
 */

const levelMarker = (level: number) => writeMarker("escalation", level);
const reminderMarker = (since: string) => writeMarker("update-reminder", since);

export interface EscalationPlan {
  levels: { level: number; notify: string[]; dueAt: string }[];
  reminder?: { since: string; commander?: string; overdueBy: number };
  /** The comment to post, when there is anything to say. */
  comment?: string;
}

function botComments(history: History): string[] {
  return history.events.flatMap((e) => (e.type === "commented" && e.own ? [e.body] : []));
}

export function planEscalation(state: IncidentState, history: History, config: Config, now: Date): EscalationPlan {
  const plan: EscalationPlan = { levels: [] };
  if (!state.isIncident || state.status === "resolved" || history.issue.state === "closed" || !state.times.detected) return plan;
  const severity = config.severities.find((s) => s.name === state.severity);
  if (!severity) return plan;
  const written = botComments(history);
  const said = (marker: string) => written.some((body) => body.includes(marker));
  const t = now.getTime();
  const detected = Date.parse(state.times.detected);

  if (!state.times.acknowledged && severity.ack_within && config.oncall.escalation.length > 0) {
    const ack = parseDuration(severity.ack_within);
    let due = detected + ack;
    config.oncall.escalation.forEach((level, i) => {
      due += level.after ? parseDuration(level.after) : i === 0 ? 0 : ack;
      if (due <= t && !said(levelMarker(i))) plan.levels.push({ level: i, notify: level.notify, dueAt: new Date(due).toISOString() });
    });
  }

  if (severity.update_every) {
    const last = state.updates[state.updates.length - 1]?.at ?? state.times.detected;
    const overdueBy = t - (Date.parse(last) + parseDuration(severity.update_every));
    if (overdueBy >= 0 && !said(reminderMarker(last))) {
      plan.reminder = { since: last, overdueBy, ...(state.roles.commander ? { commander: state.roles.commander } : {}) };
    }
  }

  if (plan.levels.length > 0 || plan.reminder) {
    plan.comment = bundledTemplate("escalation.md.hbs")({
      markers: [...plan.levels.map((l) => levelMarker(l.level)), ...(plan.reminder ? [reminderMarker(plan.reminder.since)] : [])].join(""),
      severity: severity.name,
      ackWithin: severity.ack_within,
      levels: plan.levels.map((l) => ({ number: l.level + 1, notify: l.notify })),
      reminder: plan.reminder
        ? {
            commander: plan.reminder.commander,
            updateEvery: severity.update_every,
            hadUpdate: state.updates.length > 0,
            ago: formatDuration(t - Date.parse(plan.reminder.since)),
          }
        : undefined,
    }).trim();
  }
  return plan;
}

export interface EscalateOptions {
  github: GitHub;
  repo: RepoRef;
  config: Config;
  now?: Date;
  log: Logger;
  dryRun?: boolean;
}

export interface EscalateResult {
  escalated: { number: number; levels: number[] }[];
  reminded: number[];
}

/**
 * Check every open incident of the repository: repair what a failed delivery left undone, then
 * one comment per incident that needs escalating or a reminder.
 */
export async function runEscalate({ github, repo, config, now = new Date(), log, dryRun = false }: EscalateOptions): Promise<EscalateResult> {
  const result: EscalateResult = { escalated: [], reminded: [] };
  const open = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: "open", labels: config.labels.incident, per_page: 100 });
  const failures: string[] = [];
  for (const issue of open) {
    if (issue.pull_request) continue;
    try {
      // Not a dry run: bring the incident in line with its history first, so a change whose
      // delivery failed (GitHub answering 500, a rate limit) is repaired within one schedule even
      // when no further event comes. On a healthy incident this writes nothing.
      const read = dryRun
        ? await readIncident(github, repo, issue.number, config)
        : await reconcileIssue({ github, log, config }, repo, issue.number, { kind: "issue" });
      if (!read) continue;
      const plan = planEscalation(read.state, read.history, config, now);
      if (!plan.comment) continue;
      if (!dryRun) await github.rest.issues.createComment({ ...repo, issue_number: issue.number, body: plan.comment });
      if (plan.levels.length > 0) result.escalated.push({ number: issue.number, levels: plan.levels.map((l) => l.level + 1) });
      if (plan.reminder) result.reminded.push(issue.number);
      log.info(`incident-desk: #${issue.number}: ${plan.levels.length > 0 ? `escalated to level ${plan.levels.map((l) => l.level + 1).join(", ")}` : ""}${plan.levels.length > 0 && plan.reminder ? "; " : ""}${plan.reminder ? "update reminder" : ""}${dryRun ? " (dry run)" : ""}`);
    } catch (error) {
      // One incident failing does not keep the others from escalating; the run still fails.
      failures.push(`#${issue.number}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`escalate failed for ${failures.join("; ")}`);
  return result;
}

export function escalateSummary(result: EscalateResult, dryRun: boolean): string {
  const lines = [`### incident-desk escalate${dryRun ? " (dry run)" : ""}`, ""];
  if (result.escalated.length === 0 && result.reminded.length === 0) lines.push("No incident needed escalating or a reminder.");
  for (const e of result.escalated) lines.push(`- #${e.number}: escalated to level ${e.levels.join(", ")}`);
  for (const n of result.reminded) lines.push(`- #${n}: reminded the commander to post an update`);
  return lines.join("\n");
}
