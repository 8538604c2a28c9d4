import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import { isBot, type History } from "../incident/history.js";
import type { IncidentState, ProblemView } from "../incident/types.js";
import type { ProblemRef } from "../incident/commands.js";
import { commentKey, type Verdicts } from "../incident/verdicts.js";
import { readJsonMarker, readMarker, writeMarker } from "../markers.js";
import { commandParagraphs, mayHoldCommand } from "../text/markdown.js";
import { parseTicketMarker } from "./marker.js";
import { quietJson } from "./facts.js";

/**
 * Problem records (SPEC section 9): an issue labelled `labels.problem` that groups incidents with
 * one underlying cause. Pure: the problem's state is a function of its own history — the link
 * records the app writes on it (one comment per linked incident, carrying that incident's summary,
 * kept up to date by the incident's own deliveries), `/known-error` and `/workaround` commands,
 * closing and reopening, and the pull requests that reference it. No incident is read again to
 * rebuild a problem's card.
 */

export type ProblemStatus = ProblemView["status"];

/** What a linked incident's link record carries: enough for the problem's card and the report. */
export interface IncidentSummary {
  number: number;
  title: string;
  severity: string;
  status: string;
  started?: string;
  /** Impact so far: started → mitigated (or resolved); absent while the impact goes on. */
  impactMs?: number;
  open: boolean;
  /** `repo` (`owner/name`) for a sub-issue from another repository of the owner. */
  tickets: { repo?: string; number: number; title: string; state: "open" | "closed" }[];
}

export interface LinkRecord {
  incident: number;
  summary?: IncidentSummary;
  /** The incident was linked to another problem since. */
  unlinked?: boolean;
}

export interface ProblemCommandOutcome {
  commentId: number;
  author: string;
  at: string;
  applied: ProblemCommand[];
  errors: { line: string; error: string; usage: string }[];
  refused: boolean;
}

export type ProblemCommand = { name: "known-error" } | { name: "workaround"; text: string };

export const PROBLEM_USAGE: Record<string, string> = {
  "known-error": "/known-error",
  workaround: "/workaround <what responders do until the fix>",
};

export interface ProblemState {
  number: number;
  title: string;
  url: string;
  status: ProblemStatus;
  workaround?: { text: string; by: string; at: string };
  knownErrorAt?: string;
  /** Linked incidents, newest first. */
  incidents: IncidentSummary[];
  totalImpactMs: number;
  fixes: { number: number; title: string; url: string; state: "open" | "closed" | "merged" }[];
  commands: ProblemCommandOutcome[];
  verdicts: Verdicts;
  /** Link records by incident: their comment ids (to update one in place). */
  records: Map<number, { comment: number; record: LinkRecord }>;
}

// ---- markers ----------------------------------------------------------------------------------

/** The body of a problem opened by `/problem new`: which incident's which command opened it. */
export function renderRecordMarker(origin: { repo: string; incident: number; key: string }): string {
  return writeMarker("problem-record", `origin=${origin.repo}#${origin.incident} key=${origin.key}`);
}

export function parseRecordMarker(body: string | null | undefined): { repo: string; incident: number; key: string } | undefined {
  const match = /^origin=([A-Za-z0-9_.-]{1,140}\/[A-Za-z0-9_.-]{1,140})#(\d{1,9}) key=([A-Za-z0-9.#+_-]{1,60})$/.exec(readMarker(body, "problem-record") ?? "");
  return match ? { repo: match[1]!, incident: Number(match[2]), key: match[3]! } : undefined;
}

export function renderLinkMarker(record: LinkRecord): string {
  return writeMarker("problem-link", quietJson(record));
}

const REPO = /^[A-Za-z0-9_.-]{1,140}\/[A-Za-z0-9_.-]{1,140}$/;

export function parseLinkMarker(body: string | null | undefined): LinkRecord | undefined {
  const value = readJsonMarker(body, "problem-link") as Partial<LinkRecord> | undefined;
  if (!value || typeof value !== "object" || !Number.isInteger(value.incident) || value.incident! <= 0) return undefined;
  const s = value.summary;
  const summary =
    s && typeof s === "object" && typeof s.title === "string" && typeof s.severity === "string" && typeof s.status === "string"
      ? {
          number: value.incident!,
          title: s.title,
          severity: s.severity,
          status: s.status,
          open: s.open === true,
          ...(typeof s.started === "string" ? { started: s.started } : {}),
          ...(typeof s.impactMs === "number" && s.impactMs >= 0 ? { impactMs: s.impactMs } : {}),
          tickets: Array.isArray(s.tickets)
            ? s.tickets
                .filter((t) => t && Number.isInteger(t.number) && typeof t.title === "string")
                .map((t) => ({
                  ...(typeof t.repo === "string" && REPO.test(t.repo) ? { repo: t.repo } : {}),
                  number: t.number,
                  title: t.title,
                  state: t.state === "closed" ? ("closed" as const) : ("open" as const),
                }))
            : [],
        }
      : undefined;
  return { incident: value.incident!, ...(summary ? { summary } : {}), ...(value.unlinked === true ? { unlinked: true } : {}) };
}

/** The problem card's own hidden note: what its linked incidents were last told (a digest of the view). */
export function parseCardNote(body: string | null | undefined): { pushed?: string } {
  const value = readJsonMarker(body, "problem-card") as { pushed?: unknown } | undefined;
  return typeof value?.pushed === "string" ? { pushed: value.pushed } : {};
}

export const isProblemCard = (body: string | null | undefined): boolean => readMarker(body, "problem-card") !== undefined;

/** The key a `/problem` check is kept under: the command's place and what it names (an edited comment is checked again). */
export function checkKey(place: string, ref: ProblemRef): string {
  return ref.kind === "number" ? `${place}#${ref.number}` : `${place}+${digest(ref.title).slice(0, 10)}`;
}

export function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 16);
}

// ---- what an issue is -------------------------------------------------------------------------

const lower = (s: string) => s.toLowerCase();

/**
 * Why an issue is not a problem record, or nothing when it is one: labelled `labels.problem`, not
 * a pull request, not an incident, and not a follow-up ticket (a ticket is known by the marker
 * this deployment wrote in it, never by its label, so tickets from before labels.followup existed,
 * labelled `problem`, stay tickets).
 */
export function notAProblem(
  issue: { number: number; labels: string[]; body: string; isPullRequest: boolean; own: boolean },
  config: Config,
): string | undefined {
  if (issue.isPullRequest) return `#${issue.number} is a pull request, not a problem record`;
  if (issue.own && parseTicketMarker(issue.body)) return `#${issue.number} is a follow-up ticket (an incident's action), not a problem record`;
  const labels = new Set(issue.labels.map(lower));
  if (labels.has(lower(config.labels.incident))) return `#${issue.number} is an incident, not a problem record`;
  if (!labels.has(lower(config.labels.problem))) {
    return `#${issue.number} is not a problem record (it has no \`${config.labels.problem}\` label): open one with /problem new <title>`;
  }
  return undefined;
}

// ---- an incident as its problem sees it ---------------------------------------------------------

export function incidentSummary(state: IncidentState): IncidentSummary {
  const { started, mitigated, resolved } = state.times;
  const end = mitigated ?? resolved;
  const impactMs = started && end ? Math.max(0, Date.parse(end) - Date.parse(started)) : undefined;
  return {
    number: state.number,
    // A security incident's title stays out of anything shown elsewhere.
    title: state.security ? "" : state.title.slice(0, 256),
    severity: state.severity,
    status: state.status,
    ...(started ? { started } : {}),
    ...(impactMs !== undefined ? { impactMs } : {}),
    open: state.status !== "resolved",
    tickets: withinBudget(
      state.followups.flatMap((f) =>
        f.ticket
          ? [{ ...(f.ticket.repo ? { repo: f.ticket.repo } : {}), number: f.ticket.number, title: f.ticket.title.slice(0, 256), state: f.ticket.state }]
          : [],
      ),
    ),
  };
}

/**
 * What of the tickets a link record carries: the first ones whose marker text (where `<`, `&`, `-`
 * and `@` take six characters each) stays within TICKETS_BUDGET, so the record stays within
 * GitHub's body limit however many follow-ups the incident has.
 */
const TICKETS_BUDGET = 40_000;
function withinBudget<T>(tickets: T[]): T[] {
  let used = 0;
  const kept: T[] = [];
  for (const ticket of tickets) {
    used += quietJson(ticket).length + 1;
    if (used > TICKETS_BUDGET) break;
    kept.push(ticket);
  }
  return kept;
}

// ---- commands on the problem -------------------------------------------------------------------

const COMMAND = /^[ \t]*\/(known-error|knownerror|workaround)(?![A-Za-z-])(.*)$/i;

export function parseProblemCommands(
  body: string,
): { ok: true; line: string; command: ProblemCommand }[] | { ok: false; line: string; error: string; usage: string }[] {
  const out: ({ ok: true; line: string; command: ProblemCommand } | { ok: false; line: string; error: string; usage: string })[] = [];
  if (!mayHoldCommand(body)) return [];
  for (const lines of commandParagraphs(body)) {
    for (let i = 0; i < lines.length; i++) {
      const match = COMMAND.exec(lines[i]!);
      if (!match) continue;
      const line = lines[i]!.trim();
      if (match[1]!.toLowerCase() !== "workaround") {
        out.push({ ok: true, line, command: { name: "known-error" } });
        continue;
      }
      // The workaround runs to the end of its paragraph.
      let text = match[2]!;
      while (i + 1 < lines.length && !COMMAND.test(lines[i + 1]!)) text += `\n${lines[++i]!.trim()}`;
      text = text.trim().slice(0, 4_000);
      if (text) out.push({ ok: true, line, command: { name: "workaround", text } });
      else out.push({ ok: false, line, error: "the workaround's text is missing", usage: PROBLEM_USAGE.workaround! });
    }
  }
  return out as never;
}

/** Authors whose permission must be asked: those of commands with no verdict yet. */
export function problemCommandAuthors(history: History, verdicts: Verdicts): string[] {
  const authors = new Set<string>();
  for (const e of history.events) {
    if (e.type !== "commented" || isBot(e.author) || verdicts.has(commentKey(e.commentId))) continue;
    if (parseProblemCommands(e.body).length > 0) authors.add(e.author.login);
  }
  return [...authors];
}

export interface DeriveProblemOptions {
  config: Config;
  mayCommand: (login: string) => boolean;
  verdicts: Verdicts;
}

/** The problem as a pure function of its history (see the module's comment). */
export function deriveProblem(history: History, { mayCommand, verdicts }: DeriveProblemOptions): ProblemState {
  const { issue } = history;
  const state: ProblemState = {
    number: issue.number,
    title: issue.title,
    url: issue.url,
    status: "investigating",
    incidents: [],
    totalImpactMs: 0,
    fixes: [],
    commands: [],
    verdicts: new Map(),
    records: new Map(),
  };
  const allowed = (key: string, login: string) => {
    const verdict = verdicts.has(key) ? verdicts.get(key)! : mayCommand(login);
    state.verdicts.set(key, verdict);
    return verdict;
  };
  let knownError = false;
  let closed = false;
  const fixes = new Map<number, ProblemState["fixes"][number]>();
  for (const e of history.events) {
    switch (e.type) {
      case "commented": {
        if (e.own) {
          const record = parseLinkMarker(e.body);
          if (record) state.records.set(record.incident, { comment: e.commentId, record });
          break;
        }
        if (isBot(e.author)) break;
        const parsed = parseProblemCommands(e.body);
        if (parsed.length === 0) break;
        const outcome: ProblemCommandOutcome = { commentId: e.commentId, author: e.author.login, at: e.at, applied: [], errors: [], refused: false };
        state.commands.push(outcome);
        if (!allowed(commentKey(e.commentId), e.author.login)) {
          outcome.refused = true;
          break;
        }
        for (const p of parsed) if (!p.ok) outcome.errors.push({ line: p.line, error: p.error, usage: p.usage });
        if (outcome.errors.length > 0) break;
        for (const p of parsed) {
          if (!p.ok) continue;
          outcome.applied.push(p.command);
          if (!knownError) state.knownErrorAt = e.at;
          knownError = true;
          if (p.command.name === "workaround") state.workaround = { text: p.command.text, by: e.author.login, at: e.at };
        }
        break;
      }
      // Closing follows GitHub's own permission (triage and up, or the author): no verdict is kept.
      case "closed":
        closed = true;
        break;
      case "reopened":
        closed = false;
        break;
      case "cross-referenced": {
        const source = e.source;
        if (!source.isPullRequest || (source.repo && lower(source.repo) !== lower(`${history.repo.owner}/${history.repo.repo}`))) break;
        fixes.set(source.number, { number: source.number, title: source.title, url: source.url, state: source.mergedAt ? "merged" : source.state });
        break;
      }
      default:
        break;
    }
  }
  if (issue.state === "closed") closed = true;
  state.status = closed ? "resolved" : knownError ? "known error" : "investigating";
  state.fixes = [...fixes.values()];
  for (const { record } of state.records.values()) {
    if (record.unlinked) continue;
    state.incidents.push(record.summary ?? { number: record.incident, title: "", severity: "", status: "", open: true, tickets: [] });
  }
  state.incidents.sort((a, b) => (b.started ?? "").localeCompare(a.started ?? "") || b.number - a.number);
  state.totalImpactMs = state.incidents.reduce((sum, i) => sum + (i.impactMs ?? 0), 0);
  return state;
}

/** What linked incidents show of the problem (at the top of their cards). */
export function problemView(state: ProblemState): ProblemView {
  return {
    number: state.number,
    title: state.title.slice(0, 256),
    url: state.url,
    status: state.status,
    ...(state.workaround && state.status !== "investigating" ? { workaround: state.workaround.text } : {}),
  };
}

/** Incidents whose cards get a changed workaround at once: the newest open ones, at most this many. */
export const PUSH_LIMIT = 25;
