import type { IncidentState, TimelineEntry } from "../incident/state.js";
import { redact } from "../postmortem/redact.js";

/**
 * What of an incident may be published, as pure functions of its state. The status page shows
 * only incidents that are meant for the public, and of those only what a responder wrote for
 * stakeholders: the `/update` texts (not those marked internal) and the status changes. No
 * comments, no names of people, no links to the issue, no summary or impact statement.
 */

/** Statuspage's incident statuses; `mitigated` is Statuspage's `monitoring`. */
export type PublicStatus = "investigating" | "identified" | "monitoring" | "resolved";

export interface PublicUpdate {
  id: string;
  at: string;
  status: PublicStatus;
  body: string;
}

/** A stretch of time during which the incident hurt its components, at one severity. */
export interface ImpactPeriod {
  from: string;
  /** Absent while it goes on. */
  to?: string;
  severity: string;
}

export interface PublicIncident {
  id: string;
  repo: string;
  number: number;
  name: string;
  severity: string;
  /** Every severity it had (the most severe is its impact). */
  severities: string[];
  service?: string;
  status: PublicStatus;
  createdAt: string;
  startedAt: string;
  monitoringAt?: string;
  resolvedAt?: string;
  updatedAt: string;
  /** Oldest first. */
  updates: PublicUpdate[];
  impact: ImpactPeriod[];
}

export interface Visibility {
  /** The repository is private. */
  privateRepo: boolean;
  /** The repository is listed under `statuspage.repos` (a private one is then published). */
  listed: boolean;
  /** Whether a person may command in the incident's repository (known for its declarer). */
  mayCommand: (login: string) => boolean;
}

const isBotLogin = (login: string | undefined) => login !== undefined && login.endsWith("[bot]");

/** Why an incident stays off the status page, or nothing when it may be published. */
export function exclusionReason(state: IncidentState, visibility: Visibility): string | undefined {
  if (!state.isIncident) return "not an incident";
  if (state.security) return "a security incident";
  if (visibility.privateRepo && !visibility.listed) return "a private repository's incident (list the repository under statuspage.repos to publish it)";
  if (state.status === "triage") return "still in triage";
  if (state.declined) return "declined";
  if (!accepted(state, visibility)) return "declared by someone who may not command, and never accepted";
  return undefined;
}

/**
 * Alerts and dispatches are authenticated; a person's declaration counts when they may command,
 * or once someone who may has carried out a command on it.
 */
function accepted(state: IncidentState, visibility: Visibility): boolean {
  if (state.declaredVia === "alert" || state.declaredVia === "dispatch") return true;
  if (state.declaredBy === undefined || isBotLogin(state.declaredBy)) return true;
  if (visibility.mayCommand(state.declaredBy)) return true;
  return state.commands.some((c) => !c.refused && c.applied.length > 0);
}

/** An update typed `/update internal …` stays off the page (the flag, or the word as typed before it existed). */
export function isInternalUpdate(update: IncidentState["updates"][number]): boolean {
  return (update as { internal?: boolean }).internal === true || /^internal\s/.test(update.text);
}

/**
 * Text that goes on the page: credentials redacted, and characters XML cannot carry (C0
 * controls, lone surrogates, U+FFFE/U+FFFF) dropped, so the feeds stay well-formed.
 */
export function publicText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return redact(text.replace(/\r\n?/g, "\n")).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "").trim();
}

const STATUS_WORDS: Record<string, PublicStatus> = {
  investigating: "investigating",
  identified: "identified",
  mitigated: "monitoring",
  monitoring: "monitoring",
  resolved: "resolved",
};

export const toPublicStatus = (status: string): PublicStatus | undefined => STATUS_WORDS[status];

/**
 * The value a status or severity timeline entry moved to. The state records them as entries
 * (`Status identified → mitigated`); a structured `to` field is read first where there is one.
 */
function movedTo(entry: TimelineEntry): string | undefined {
  const structured = (entry as { to?: unknown; status?: unknown; severity?: unknown });
  for (const value of [structured.to, entry.kind === "status" ? structured.status : structured.severity]) {
    if (typeof value === "string") return value;
  }
  const arrow = entry.text.lastIndexOf("→");
  return arrow < 0 ? undefined : entry.text.slice(arrow + 1).trim();
}

const DEFAULT_BODY: Record<PublicStatus, string> = {
  investigating: "We are investigating this issue.",
  identified: "The issue has been identified and a fix is being worked on.",
  monitoring: "A fix has been applied and we are monitoring the results.",
  resolved: "This incident has been resolved.",
};

export const statusBody = (status: PublicStatus): string => DEFAULT_BODY[status];

/** One spelling of instants in everything published: `2026-03-02T09:00:00.000Z`. */
export const iso = (at: string): string => new Date(Date.parse(at)).toISOString();

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** The incident's id on the page and in the API: stable, readable, unique across repositories. */
export const incidentId = (repo: string, number: number): string => `${slug(repo)}-${number}`;

/**
 * The public view of an incident that `exclusionReason` lets through. `asOf` bounds it: nothing after that
 * instant is shown (the page is computed as of one instant, see model.ts).
 */
export function publicIncident(state: IncidentState, asOf: string): PublicIncident {
  const id = incidentId(state.repo, state.number);
  const limit = Date.parse(asOf);
  const within = (at: string) => Date.parse(at) <= limit;
  const detected = iso(state.times.detected ?? state.timeline[0]?.at ?? asOf);
  const started = state.times.started && Date.parse(state.times.started) <= Date.parse(detected) ? iso(state.times.started) : detected;

  // Status and severity as they moved, oldest first.
  const statusMoves: { at: string; to: PublicStatus }[] = [];
  const severityMoves: { at: string; to: string }[] = [];
  for (const entry of state.timeline) {
    if (!within(entry.at)) continue;
    if (entry.kind === "status") {
      const to = toPublicStatus(movedTo(entry) ?? "");
      // A move into a state that is not public (triage) is not an update; the next move is.
      if (to) statusMoves.push({ at: iso(entry.at), to });
    } else if (entry.kind === "severity") {
      const to = movedTo(entry);
      if (to) severityMoves.push({ at: iso(entry.at), to });
    }
  }
  const firstSeverity = severityMoves.length > 0 ? severityFrom(state, severityMoves) : state.severity;
  const severities = [...new Set([firstSeverity, ...severityMoves.map((m) => m.to)])];

  // Updates: the declaration, each status change, each public `/update`; a status change and an
  // update of the same moment (one comment: `/mitigated` + `/update …`) are one update.
  const raw: { at: string; status?: PublicStatus; text?: string }[] = [{ at: detected, status: "investigating" }];
  for (const move of statusMoves) raw.push({ at: move.at, status: move.to });
  for (const update of state.updates) {
    if (!within(update.at) || isInternalUpdate(update)) continue;
    const text = publicText(update.text);
    if (text) raw.push({ at: iso(update.at), text });
  }
  // Stable: at one instant, the status change first, then the texts in the order they were written.
  raw.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.text === undefined ? 0 : 1) - (b.text === undefined ? 0 : 1));
  const updates: { at: string; status: PublicStatus; texts: string[] }[] = [];
  let current: PublicStatus | undefined;
  for (const item of raw) {
    const changed = item.status !== undefined && item.status !== current;
    if (item.status) current = item.status;
    const previous = updates[updates.length - 1];
    if (previous && previous.at === item.at) {
      previous.status = current!;
      if (item.text) previous.texts.push(item.text);
      continue;
    }
    // A move to the status it already had (triage accepted into investigating) says nothing new.
    if (!changed && item.text === undefined) continue;
    updates.push({ at: item.at, status: current ?? "investigating", texts: item.text ? [item.text] : [] });
  }
  const published = updates.map((u, i) => ({ id: `${id}-u${i + 1}`, at: u.at, status: u.status, body: u.texts.length > 0 ? u.texts.join("\n\n") : statusBody(u.status) }));
  const status = published[published.length - 1]?.status ?? "investigating";

  const monitoringAt = statusMoves.find((m) => m.to === "monitoring" || m.to === "resolved")?.at;
  const resolvedAt = status === "resolved" ? [...statusMoves].reverse().find((m) => m.to === "resolved")?.at : undefined;

  return {
    id,
    repo: state.repo,
    number: state.number,
    name: publicText(state.title).replace(/\s+/g, " ") || `Incident ${state.number}`,
    severity: severityMoves[severityMoves.length - 1]?.to ?? firstSeverity,
    severities,
    ...(state.service ? { service: state.service } : {}),
    status,
    createdAt: detected,
    startedAt: started,
    ...(monitoringAt ? { monitoringAt } : {}),
    ...(resolvedAt ? { resolvedAt } : {}),
    updatedAt: [published[published.length - 1]?.at ?? detected, severityMoves[severityMoves.length - 1]?.at ?? detected].reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)),
    updates: published,
    impact: impactPeriods(started, statusMoves, firstSeverity, severityMoves),
  };
}

/** The severity the incident was declared with: the `from` of its first severity move. */
function severityFrom(state: IncidentState, moves: { at: string; to: string }[]): string {
  const first = state.timeline.find((e) => e.kind === "severity");
  const match = first ? /Severity\s+(\S+)\s+→/.exec(first.text) : null;
  return match?.[1] ?? moves[0]!.to;
}

/**
 * While the status is investigating or identified the incident hurts (from when the impact
 * started); mitigated and resolved end it; a move back (reopened) starts it again. Severity
 * changes split the stretches.
 */
function impactPeriods(started: string, statusMoves: { at: string; to: PublicStatus }[], firstSeverity: string, severityMoves: { at: string; to: string }[]): ImpactPeriod[] {
  const spans: { from: string; to?: string }[] = [];
  let open: string | undefined = started;
  for (const move of statusMoves) {
    const hurting = move.to === "investigating" || move.to === "identified";
    if (hurting && open === undefined) open = move.at;
    if (!hurting && open !== undefined) {
      if (Date.parse(move.at) > Date.parse(open)) spans.push({ from: open, to: move.at });
      open = undefined;
    }
  }
  if (open !== undefined) spans.push({ from: open });
  const periods: ImpactPeriod[] = [];
  for (const span of spans) {
    let from = span.from;
    let severity = firstSeverity;
    for (const move of severityMoves) {
      if (Date.parse(move.at) <= Date.parse(from)) {
        severity = move.to;
        continue;
      }
      if (span.to !== undefined && Date.parse(move.at) >= Date.parse(span.to)) break;
      periods.push({ from, to: move.at, severity });
      from = move.at;
      severity = move.to;
    }
    periods.push({ from, ...(span.to !== undefined ? { to: span.to } : {}), severity });
  }
  return periods;
}

/** Incidents to publish, with the reason each other one was left out (for the job summary). */
export function selectPublic(
  states: { state: IncidentState; visibility: Visibility }[],
): { published: IncidentState[]; left: { repo: string; number: number; reason: string }[] } {
  const published: IncidentState[] = [];
  const left: { repo: string; number: number; reason: string }[] = [];
  for (const { state, visibility } of states) {
    const reason = exclusionReason(state, visibility);
    if (reason === undefined) published.push(state);
    else if (state.isIncident) left.push({ repo: state.repo, number: state.number, reason });
  }
  return { published, left };
}
