import type { Config } from "../config/schema.js";
import { isCard, renderCard } from "./card.js";
import type { History } from "./history.js";
import { followupsDoneComment } from "../problems/progress.js";
import type { IncidentState } from "./state.js";
import { findReply, planResponse, refusalKey, renderRefusals, type Response } from "./respond.js";
import type { RepoRef } from "../github/client.js";
import { planPullWrites, type PullWrites } from "../changes/causes.js";
import { unannounced, type NotificationEvent } from "../notify/events.js";
import { privateRepoFor } from "../security/private.js";

/**
 * The writes that make the issue look like its state: a pure diff. Applying the plan twice
 * changes nothing the second time, which is what makes duplicate and out-of-order deliveries
 * harmless.
 */
export interface Plan {
  addLabels: string[];
  removeLabels: string[];
  addAssignees: string[];
  removeAssignees: string[];
  state?: "open" | "closed";
  /** Why it is closed: `not_planned` for a declined report. */
  closeReason?: "completed" | "not_planned";
  /** The writes on pull requests (cause and fix labels, the cause's comment): before the card that records them. */
  pulls: PullWrites;
  /** The answer to the comment this delivery is about (reply, 👍). */
  response?: Response;
  /** What the notification channels are told (an output of the plan), once the card that records it is written. */
  notify?: { incident: IncidentState; events: NotificationEvent[] };
  /** A security incident outside the private repository: moved there, and nothing else is written here. */
  transfer?: RepoRef;
  /** The app's replies kept in step (one per person whose changes were put back): create or edit. */
  replies: ({ create: string } | { update: number; body: string })[];
  title?: string;
  /** The issue type to set (the organisation's incident type), or null to clear it: in the same PATCH as the state and title. */
  type?: string | null;
  /** Sub-issues (ids) to detach: attached by someone below the permission. */
  detachSubIssues: number[];
  card: { create: string } | { update: number; body: string } | null;
  deleteCards: number[];
  /** One-off comments (each carries its own marker, so it is planned only while absent). */
  comments: string[];
}

export interface CardComment {
  id: number;
  body: string;
}

/** Cards are the app's own comments carrying the marker; a human quoting one is not a card. */
export function findCards(history: History): CardComment[] {
  const cards: CardComment[] = [];
  for (const e of history.events) {
    if (e.type === "commented" && e.own && isCard(e.body)) cards.push({ id: e.commentId, body: e.body });
  }
  return cards;
}

/** What this delivery is about, as far as the plan cares: the comment to answer, if any. */
export interface PlanTrigger {
  commentId?: number;
  /** The incident issue type as the repository offers it, when the issue lacks it (src/incident/issue-type.ts). */
  issueType?: string;
}

/**
 * Everything one delivery writes, planned from the state and the history (pure, apart from the
 * facts of the card it marks as noted): applyPlan (src/incident/apply.ts) is the only writer.
 */
export function planReconcile(state: IncidentState, history: History, config: Config, trigger: PlanTrigger = {}): Plan {
  const plan: Plan = { addLabels: [], removeLabels: [], addAssignees: [], removeAssignees: [], card: null, deleteCards: [], comments: [], replies: [], pulls: { labels: [], notes: [] }, detachSubIssues: [] };
  const outcome = trigger.commentId !== undefined ? state.commands.find((c) => c.commentId === trigger.commentId) : undefined;
  if (outcome) plan.response = planResponse(outcome, history, config);
  if (!state.isIncident) return state.declined ? planDeclined(state, history, config, plan) : state.withdrawn ? planWithdrawn(history, config, plan) : plan;
  // A security incident outside the private repository moves there before anything is written here.
  const privateRepo = state.security ? privateRepoFor(config, history.repo) : undefined;
  if (privateRepo) {
    const { response: _none, ...rest } = plan;
    return { ...rest, transfer: privateRepo };
  }
  // Before the card is rendered: the card records them as noted.
  plan.pulls = planPullWrites(history.repo, state, config);
  const issue = history.issue;
  const has = new Set(issue.labels.map((l) => l.toLowerCase()));

  const severityLabel = config.severities.find((s) => s.name === state.severity)!.label;
  const statusLabel = config.labels.status[state.status];
  const wanted = [config.labels.incident, severityLabel, statusLabel];
  for (const label of wanted) if (!has.has(label.toLowerCase())) plan.addLabels.push(label);
  const exclusive = [...config.severities.map((s) => s.label), ...Object.values(config.labels.status)].map((l) => l.toLowerCase());
  const keep = new Set(wanted.map((l) => l.toLowerCase()));
  for (const label of issue.labels) {
    if (exclusive.includes(label.toLowerCase()) && !keep.has(label.toLowerCase())) plan.removeLabels.push(label);
  }

  const assigned = new Set(issue.assignees.map((a) => a.toLowerCase()));
  const commander = state.roles.commander;
  if (commander && !assigned.has(commander.toLowerCase())) plan.addAssignees.push(commander);
  for (const former of new Set(state.formerCommanders)) {
    if (former !== commander && assigned.has(former.toLowerCase())) plan.removeAssignees.push(former);
  }

  if (state.status === "resolved" && issue.state === "open") plan.state = "closed";
  if (state.status !== "resolved" && issue.state === "closed") plan.state = "open";
  if (state.retitle && state.retitle !== issue.title) plan.title = state.retitle;
  if (trigger.issueType && (issue.type ?? "").toLowerCase() !== trigger.issueType.toLowerCase()) plan.type = trigger.issueType;
  plan.detachSubIssues = [...state.detachSubIssues];

  const body = renderCard(state, config);
  const [first, ...extra] = findCards(history);
  if (!first) plan.card = { create: body };
  else if (first.body !== body) plan.card = { update: first.id, body };
  plan.deleteCards = extra.map((c) => c.id);
  const done = followupsDoneComment(state, history);
  if (done) plan.comments.push(done);
  planRefusals(state, history, config, plan);
  // What the card before this change had not announced (the card records what was announced).
  const events = unannounced(state, first?.body, history.events.at(-1)?.at);
  if (events.length > 0 && config.notifications.length > 0) plan.notify = { incident: state, events };
  return plan;
}

/** One reply per person whose changes were put back, kept in step. */
function planRefusals(state: IncidentState, history: History, config: Config, plan: Plan): void {
  const byActor = new Map<string, IncidentState["refusedChanges"]>();
  for (const change of state.refusedChanges) byActor.set(change.actor, [...(byActor.get(change.actor) ?? []), change]);
  for (const [login, changes] of byActor) {
    const body = renderRefusals(login, changes, config);
    const existing = findReply(history, refusalKey(login));
    if (!existing) plan.replies.push({ create: body });
    else if (existing.body !== body) plan.replies.push({ update: existing.id, body });
  }
}

/**
 * Withdrawn by someone who may (the incident label removed, or the incident issue type cleared or
 * changed): the other of the two goes too, so the issue no longer looks like an incident.
 */
function planWithdrawn(history: History, config: Config, plan: Plan): Plan {
  const label = config.labels.incident.toLowerCase();
  plan.removeLabels = history.issue.labels.filter((l) => l.toLowerCase() === label);
  if (config.issue_type && (history.issue.type ?? "").toLowerCase() === config.issue_type.toLowerCase()) plan.type = null;
  return plan;
}

/** A declined report: not an incident any more. Its labels go, it is closed as not planned, its card says so. */
function planDeclined(state: IncidentState, history: History, config: Config, plan: Plan): Plan {
  const ours = new Set([config.labels.incident, ...config.severities.map((s) => s.label), ...Object.values(config.labels.status)].map((l) => l.toLowerCase()));
  plan.removeLabels = history.issue.labels.filter((l) => ours.has(l.toLowerCase()));
  if (history.issue.state === "open") {
    plan.state = "closed";
    plan.closeReason = "not_planned";
  }
  const body = renderCard(state, config);
  const [first, ...extra] = findCards(history);
  if (!first) plan.card = { create: body };
  else if (first.body !== body) plan.card = { update: first.id, body };
  plan.deleteCards = extra.map((c) => c.id);
  return plan;
}
