import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { readIncident, reconcileIssue, type Logger } from "../incident/handle.js";
import type { History } from "../incident/history.js";
import { writeMarker } from "../markers.js";
import type { IncidentState } from "../incident/state.js";
import { bundledTemplate } from "../templates.js";
import { formatDuration, parseDuration } from "../time/duration.js";
import type { EscalateMemory, EscalateMemoryStore } from "./memory.js";

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

/** When each escalation level and the next update reminder fall due (pure; times in ms). */
function dueTimes(state: IncidentState, config: Config) {
  const out: { levels: { level: number; notify: string[]; due: number }[]; reminder?: { since: string; due: number } } = { levels: [] };
  const severity = config.severities.find((s) => s.name === state.severity);
  if (!severity || !state.times.detected) return { severity, ...out };
  const detected = Date.parse(state.times.detected);
  if (!state.times.acknowledged && severity.ack_within && config.oncall.escalation.length > 0) {
    const ack = parseDuration(severity.ack_within);
    let due = detected + ack;
    config.oncall.escalation.forEach((level, i) => {
      due += level.after ? parseDuration(level.after) : i === 0 ? 0 : ack;
      out.levels.push({ level: i, notify: level.notify, due });
    });
  }
  if (severity.update_every) {
    const since = state.updates[state.updates.length - 1]?.at ?? state.times.detected;
    out.reminder = { since, due: Date.parse(since) + parseDuration(severity.update_every) };
  }
  return { severity, ...out };
}

/** Escalated and reminded: an open incident, not a report still in triage (that pages nobody). */
const isLive = (state: IncidentState, history: History) =>
  state.isIncident && state.status !== "resolved" && state.status !== "triage" && history.issue.state !== "closed" && Boolean(state.times.detected);

export function planEscalation(state: IncidentState, history: History, config: Config, now: Date): EscalationPlan {
  const plan: EscalationPlan = { levels: [] };
  if (!isLive(state, history)) return plan;
  const { severity, levels, reminder } = dueTimes(state, config);
  if (!severity) return plan;
  const written = botComments(history);
  const said = (marker: string) => written.some((body) => body.includes(marker));
  const t = now.getTime();

  for (const l of levels) if (l.due <= t && !said(levelMarker(l.level))) plan.levels.push({ level: l.level, notify: l.notify, dueAt: new Date(l.due).toISOString() });

  if (reminder) {
    const overdueBy = t - reminder.due;
    if (overdueBy >= 0 && !said(reminderMarker(reminder.since))) {
      plan.reminder = { since: reminder.since, overdueBy, ...(state.roles.commander ? { commander: state.roles.commander } : {}) };
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

/**
 * The next time this incident will have something to say, if its issue does not change: the
 * earliest escalation level or update reminder not yet said (counting what `written` says now).
 * Undefined when nothing will fall due without a change (acknowledged, resolved, all said).
 */
export function nextDue(state: IncidentState, history: History, config: Config, written: string | undefined): number | undefined {
  if (!isLive(state, history)) return undefined;
  const comments = [...botComments(history), ...(written ? [written] : [])];
  const said = (marker: string) => comments.some((body) => body.includes(marker));
  const { levels, reminder } = dueTimes(state, config);
  const dues = levels.filter((l) => !said(levelMarker(l.level))).map((l) => l.due);
  if (reminder && !said(reminderMarker(reminder.since))) dues.push(reminder.due);
  return dues.length > 0 ? Math.min(...dues) : undefined;
}

export interface EscalateOptions {
  github: GitHub;
  repo: RepoRef;
  config: Config;
  now?: Date;
  log: Logger;
  dryRun?: boolean;
  /** What the last run saw (src/oncall/memory.ts): without it, every open incident is looked at. */
  memory?: EscalateMemoryStore;
}

export interface EscalateResult {
  escalated: { number: number; levels: number[] }[];
  reminded: number[];
  /** Incidents read this run, and open incidents left alone (unchanged, nothing due). */
  looked: number;
  untouched: number;
}

/** Issues changed this long before the last run began are looked at again (clock skew, GitHub's lag). */
const SINCE_MARGIN_MS = 5 * 60_000;

const configDigest = (config: Config) => createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 16);

/**
 * Check the open incidents of the repository: repair what a failed delivery left undone, then
 * one comment per incident that needs escalating or a reminder.
 *
 * In proportion to change: with the memory of the last run, only the incidents whose issue
 * changed since then (`since` on the listing: any comment, label, edit, close) and those with an
 * escalation or reminder falling due are read; an unchanged incident with nothing due costs
 * nothing. Without a memory (the first run, a lost cache, another configuration), every open
 * incident is read, as a run always did.
 */
export async function runEscalate({ github, repo, config, now = new Date(), log, dryRun = false, memory }: EscalateOptions): Promise<EscalateResult> {
  const result: EscalateResult = { escalated: [], reminded: [], looked: 0, untouched: 0 };
  const full = `${repo.owner}/${repo.repo}`;
  const digest = configDigest(config);
  const previous = memory ? await memory.load() : undefined;
  const last = previous && previous.repo.toLowerCase() === full.toLowerCase() && previous.config === digest ? previous : undefined;
  const t = now.getTime();
  const remembered: EscalateMemory["incidents"] = {};
  let look: number[];
  if (last) {
    const since = new Date(Date.parse(last.lookedAt) - SINCE_MARGIN_MS).toISOString();
    const changed = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: "all", labels: config.labels.incident, since, per_page: 100 });
    const touched = new Set(changed.map((i) => String(i.number)));
    look = changed.filter((i) => !i.pull_request && i.state === "open").map((i) => i.number);
    for (const [number, entry] of Object.entries(last.incidents)) {
      if (touched.has(number)) continue;
      if (entry.due !== null && Date.parse(entry.due) <= t) look.push(Number(number));
      else {
        remembered[number] = entry;
        result.untouched++;
      }
    }
  } else {
    const open = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: "open", labels: config.labels.incident, per_page: 100 });
    look = open.filter((i) => !i.pull_request).map((i) => i.number);
  }
  const failures: string[] = [];
  for (const number of look.sort((a, b) => a - b)) {
    result.looked++;
    try {
      // Not a dry run: bring the incident in line with its history first, so a change whose
      // delivery failed (GitHub answering 500, a rate limit) is repaired within one schedule even
      // when no further event comes. On a healthy incident this writes nothing.
      const read = dryRun
        ? await readIncident(github, repo, number, config)
        : await reconcileIssue({ github, log, config }, repo, number, { kind: "issue" });
      if (!read) continue;
      const plan = planEscalation(read.state, read.history, config, now);
      if (plan.comment && !dryRun) await github.rest.issues.createComment({ ...repo, issue_number: number, body: plan.comment });
      const due = nextDue(read.state, read.history, config, plan.comment);
      if (read.state.isIncident && read.history.issue.state === "open") remembered[String(number)] = { due: due === undefined ? null : new Date(due).toISOString() };
      if (!plan.comment) continue;
      if (plan.levels.length > 0) result.escalated.push({ number, levels: plan.levels.map((l) => l.level + 1) });
      if (plan.reminder) result.reminded.push(number);
      log.info(`incident-desk: #${number}: ${plan.levels.length > 0 ? `escalated to level ${plan.levels.map((l) => l.level + 1).join(", ")}` : ""}${plan.levels.length > 0 && plan.reminder ? "; " : ""}${plan.reminder ? "update reminder" : ""}${dryRun ? " (dry run)" : ""}`);
    } catch (error) {
      // One incident failing does not keep the others from escalating; the run still fails, and
      // the next run looks at this one again.
      remembered[String(number)] = { due: now.toISOString() };
      failures.push(`#${number}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // A dry run leaves the memory as it was: it wrote nothing.
  if (memory && !dryRun) await memory.save({ v: 1, repo: full, config: digest, lookedAt: now.toISOString(), incidents: remembered });
  if (failures.length > 0) throw new Error(`escalate failed for ${failures.join("; ")}`);
  return result;
}

export function escalateSummary(result: EscalateResult, dryRun: boolean): string {
  const lines = [`### incident-desk escalate${dryRun ? " (dry run)" : ""}`, ""];
  if (result.escalated.length === 0 && result.reminded.length === 0) lines.push("No incident needed escalating or a reminder.");
  if (result.untouched > 0) lines.push("", `Looked at ${result.looked} incidents; ${result.untouched} others had not changed since the last run and had nothing due.`);
  for (const e of result.escalated) lines.push(`- #${e.number}: escalated to level ${e.levels.join(", ")}`);
  for (const n of result.reminded) lines.push(`- #${n}: reminded the commander to post an update`);
  return lines.join("\n");
}
