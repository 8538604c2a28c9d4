import type { Config, Status } from "../config/schema.js";
import { STATUSES } from "../config/schema.js";
import { onCallAt, rotationFor } from "../oncall/rotation.js";
import { isTicketOf, parseTicketMarker } from "../problems/marker.js";
import { checkKey } from "../problems/records.js";
import { causeProblem, deriveChanges, emptyChanges } from "../changes/links.js";
import type { ChangeFacts } from "../changes/facts.js";
import { parseAlertSignal } from "../alerts/incident.js";
import { parseCommands, USAGE, type CauseRef, type Command, type ParsedCommand } from "./commands.js";
import { parseDeclaration } from "./declaration.js";
import { isBot, type Actor, type History } from "./history.js";
import { linesStartingWith, visibleBlocks } from "../text/markdown.js";
import { BODY_KEY, commentKey, eventKey, type Verdicts } from "./verdicts.js";
import { attachedSubIssues, isOwnTicket, ownTickets } from "./subissues.js";
import type { CommandOutcome, FollowupTicket, IncidentState, TimelineEntry } from "./types.js";

/**
 * The incident as a pure function of its issue's history. Nothing here talks to GitHub: the
 * card, the labels, the assignees and the post-mortem are all renderings of this state.
 */

export type { CommandOutcome, Followup, IncidentState, RefusedChange, TimelineEntry } from "./types.js";
import type { ProblemChecks } from "./types.js";

export interface DeriveOptions {
  config: Config;
  /** Whether a user may run commands (`commands.permission`); asked only for authors of commands. */
  mayCommand: (login: string) => boolean;
  /** What GitHub said about the changes this history names (read by src/changes/gather.ts); none: nothing read yet. */
  changes?: ChangeFacts;
  /** Verdicts already taken (from the card): they stand, whatever the permission is now. */
  verdicts?: Verdicts;
  /** What `/problem` commands named (src/problems/link.ts; kept in the card); unchecked ones are pending. */
  problems?: ProblemChecks;
  /**
   * The incident's commander now, when a first derivation found one: an `/allow-deploy` in a text
   * changed after it was written (an edited comment, the issue's body) is the call of the
   * commander now, not of whoever commanded (or nobody) when it was first written.
   */
  commanderNow?: string;
}

const lower = (s: string) => s.toLowerCase();

/** Logins whose permission must be known to derive the state: authors of recognised commands. */
export function commandAuthors(history: History, config: Config, verdicts: Verdicts = new Map()): string[] {
  const authors = new Set<string>();
  const consider = (key: string, body: string, author: Actor, at: string) => {
    if (isBot(author) || verdicts.has(key)) return;
    const parsed = parseCommands(body, { at, config });
    if (parsed.some((p) => !(p.ok && p.command.name === "help"))) authors.add(author.login);
  };
  const { issue } = history;
  consider(BODY_KEY, issue.body, issue.author, issue.createdAt);
  if (!isBot(issue.author) && !verdicts.has(BODY_KEY) && (rootCauseLines(issue.body).length > 0 || bodyFollowups(issue.body).length > 0)) authors.add(issue.author.login);
  // People's changes of the labels that mean something, and closing or reopening.
  const meaningful = new Set([config.labels.incident, config.labels.security, ...config.severities.map((s) => s.label), ...Object.values(config.labels.status)].map(lower));
  for (const e of history.events) {
    if (e.type === "commented") consider(commentKey(e.commentId), e.body, e.author, e.at);
    else if ((e.type === "labeled" || e.type === "unlabeled") && !isBot(e.actor) && meaningful.has(lower(e.label)) && !verdicts.has(eventKey(e))) authors.add(e.actor.login);
    else if ((e.type === "closed" || e.type === "reopened") && !isBot(e.actor) && !verdicts.has(eventKey(e))) authors.add(e.actor.login);
    else if (e.type === "typed" && !isBot(e.actor) && typeMatters(e, config) && !verdicts.has(eventKey(e))) authors.add(e.actor.login);
  }
  // People who attached a sub-issue that is not one of the app's own tickets.
  const tickets = ownTickets(history);
  for (const e of history.events) {
    if (e.type !== "sub-issue-added" || isBot(e.actor)) continue;
    const ref = { ...e.sub, repo: e.sub.repo || `${history.repo.owner}/${history.repo.repo}` };
    if (!isOwnTicket(tickets, ref) && !verdicts.has(subIssueKey({ ...(e.id !== undefined ? { id: e.id } : {}), actor: e.actor, at: e.at, ref }))) authors.add(e.actor.login);
  }
  return [...authors];
}

/** Whether an issue type change sets or clears the configured incident type (`issue_type`). */
function typeMatters(e: { to: string | null; from: string | null }, config: Config): boolean {
  if (!config.issue_type) return false;
  const wanted = lower(config.issue_type);
  return (e.to !== null && lower(e.to) === wanted) !== (e.from !== null && lower(e.from) === wanted);
}

const subIssueKey = (a: { id?: number; actor: Actor; at: string; ref: { number: number } }) =>
  eventKey({ ...(a.id !== undefined ? { id: a.id } : {}), type: "sub-issue", at: a.at, actor: a.actor, label: String(a.ref.number) });

function followupKey(text: string): string {
  let h = 0x811c9dc5;
  for (const ch of text.trim().toLowerCase().replace(/\s+/g, " ")) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** `- [ ] item` lines under a `Follow-ups` or `Action items` heading of the incident body (visible ones only). */
export function bodyFollowups(body: string): { title: string; owner?: string }[] {
  const out: { title: string; owner?: string }[] = [];
  let inSection = false;
  for (const block of visibleBlocks(body)) {
    if (block.kind === "heading") {
      inSection = /^(follow[- ]?ups?|action items?)\b/i.test(block.text.trim());
      continue;
    }
    if (!inSection || block.kind !== "item" || !block.text.startsWith("[ ] ")) continue;
    const text = block.text.slice(4).split("\n")[0]!.trim();
    const owner = /\s@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))[ \t]*$/.exec(` ${text}`);
    const title = (owner ? ` ${text}`.slice(0, owner.index) : text).trim();
    if (title) out.push({ title: title.slice(0, 256), ...(owner ? { owner: owner[1]! } : {}) });
  }
  return out;
}

/** Four Keys' convention: a visible `root cause: <sha>` line of the body. */
export function rootCauseLines(body: string): string[] {
  const shas: string[] = [];
  if (!linesStartingWith(body, (t, i) => (t.charCodeAt(i) | 0x20) === 0x72 && /^root[ -]cause:/i.test(t.slice(i, i + 11)))) return shas;
  for (const block of visibleBlocks(body)) {
    if (!block.topLevel) continue;
    for (const line of block.text.split("\n")) {
      const match = ROOT_CAUSE_LINE.exec(line);
      if (match) shas.push(match[1]!.toLowerCase());
    }
  }
  return shas;
}

const subIssueName = (ref: { repo: string; number: number }, home: string) => (ref.repo.toLowerCase() === home.toLowerCase() ? `#${ref.number}` : `${ref.repo}#${ref.number}`);

const ROOT_CAUSE_LINE = /^[ \t]*root[ -]cause:[ \t]*([0-9a-f]{7,40})(?![0-9a-z])/i;

export function deriveIncident(history: History, options: DeriveOptions): IncidentState {
  const { config, mayCommand, changes, verdicts, problems, commanderNow } = options;
  const { issue } = history;
  const incidentLabel = lower(config.labels.incident);
  const securityLabel = lower(config.labels.security);
  const severityByLabel = new Map(config.severities.map((s) => [lower(s.label), s.name]));
  // `status:triage` is the app's to set: a person cannot put an incident back into triage.
  const statusByLabel = new Map(STATUSES.filter((s) => s !== "triage").map((s) => [lower(config.labels.status[s]), s] as const));
  const defaultSeverity = config.default_severity ?? config.severities.find((s) => s.name === "sev3")?.name ?? config.severities[config.severities.length - 1]!.name;

  const state: IncidentState = {
    isIncident: false,
    repo: `${history.repo.owner}/${history.repo.repo}`,
    number: issue.number,
    url: issue.url,
    title: issue.title,
    severity: defaultSeverity,
    status: "investigating",
    security: false,
    roles: {},
    formerCommanders: [],
    times: {},
    durations: {},
    updates: [],
    timeline: [],
    commands: [],
    causes: [],
    allowances: [],
    followups: [],
    references: [],
    changes: emptyChanges(),
    refusedChanges: [],
    detachSubIssues: [],
    verdicts: new Map(),
    pendingProblems: [],
  };
  /** The problem each checked `/problem` command names. */
  const problemOf = new Map<Command, number>();
  const known = verdicts ?? new Map<string, boolean>();
  /** May this person make this change? Asked once per change; the answer is recorded and kept. */
  const allowed = (key: string, login: string): boolean => {
    const verdict = known.has(key) ? known.get(key)! : mayCommand(login);
    state.verdicts.set(key, verdict);
    return verdict;
  };
  const refuse = (key: string, actor: string, at: string, what: string) => {
    allowed(key, actor);
    state.refusedChanges.push({ key, actor, at, what });
  };

  const tickets = new Map<string, FollowupTicket>();
  let everDeclared = false;
  let pendingSeverity: string | undefined;
  let security = false;
  let mitigatedByAlert = false;
  const note = (entry: TimelineEntry) => state.timeline.push(entry);

  const declaration = parseDeclaration(issue.body, config, issue.own === true);
  if (declaration.service) state.service = declaration.service;
  // Before the declaration: a service named by a label picks the rotation whose member commands.
  if (state.service === undefined) {
    const labels = new Set(issue.labels.map(lower));
    const match = Object.entries(config.services).find(([, svc]) => svc.labels.some((l) => labels.has(lower(l))));
    if (match) state.service = match[0];
  }
  if (declaration.summary) state.summary = declaration.summary;
  if (declaration.impact) state.impact = declaration.impact;

  /** The on-call member of the service's rotation becomes commander (when the incident is accepted). */
  const page = (at: string) => {
    const rotation = rotationFor(config, state.service);
    const onCall = rotation ? onCallAt(rotation, at) : undefined;
    if (onCall && !state.roles.commander) {
      state.roles.commander = onCall;
      note({ at, kind: "role", text: `@${onCall} (on call for ${rotation!.name}) is commander` });
    }
  };

  /** A report in triage taken on by someone who may command: from now on it is an incident like any other. */
  const accept = (at: string, by: string) => {
    if (state.status !== "triage") return;
    state.status = "investigating";
    state.acceptedBy = by;
    note({ at, kind: "declared", text: `Accepted as a ${state.severity} incident`, actor: by });
    page(at);
  };

  /** `permitted`: the declarer may command; otherwise the report waits in triage (SPEC section 1). */
  const declare = (at: string, by: string, via: NonNullable<IncidentState["declaredVia"]>, severity?: string, permitted = true) => {
    if (state.isIncident) {
      if (!permitted) return;
      if (severity && severity !== state.severity) setSeverity(severity, at, by);
      accept(at, by);
      return;
    }
    state.isIncident = true;
    delete state.declined;
    delete state.withdrawn;
    if (everDeclared) {
      note({ at, kind: "declared", text: `Declared an incident again`, actor: by });
      if (!permitted) state.status = "triage";
      return;
    }
    everDeclared = true;
    state.declaredBy = by;
    state.declaredVia = via;
    state.times.detected = at;
    state.severity = severity ?? declaration.severity ?? pendingSeverity ?? defaultSeverity;
    if (declaration.startedAt && !state.times.started) state.times.started = declaration.startedAt;
    if (!permitted) {
      state.status = "triage";
      state.reportedBy = by;
      note({ at, kind: "declared", text: `Reported as a possible ${state.severity} incident: awaits a responder`, actor: by });
      return;
    }
    note({ at, kind: "declared", text: `Declared ${state.severity} incident`, actor: by });
    page(at);
  };

  /** No longer an incident: the label removed or the issue type cleared, by someone who may. */
  const withdraw = (at: string, by: string) => {
    state.isIncident = false;
    state.withdrawn = true;
    note({ at, kind: "declared", text: "No longer tracked as an incident", actor: by });
  };

  const setSeverity = (severity: string, at: string, by: string) => {
    if (severity === state.severity) return;
    note({ at, kind: "severity", text: `Severity ${state.severity} → ${severity}`, actor: by });
    state.severity = severity;
  };

  const setStatus = (status: Status, at: string, by: string) => {
    if (status === state.status) return;
    if (state.status === "triage") accept(at, by);
    if (status === state.status) return;
    note({ at, kind: "status", text: `Status ${state.status} → ${status}`, actor: by });
    state.status = status;
    if ((status === "mitigated" || status === "resolved") && !state.times.mitigated) state.times.mitigated = at;
    if (status === "resolved") state.times.resolved = at;
    else delete state.times.resolved;
  };

  const acknowledge = (at: string, by: string) => {
    if (state.times.acknowledged) return;
    state.times.acknowledged = at;
    state.acknowledgedBy = by;
    note({ at, kind: "acknowledged", text: `Acknowledged`, actor: by });
  };

  const apply = (command: Command, at: string, by: string, origin: { url: string; commentId?: number }) => {
    switch (command.name) {
      case "incident":
        if (command.security) security = true;
        declare(at, by, "command", command.severity);
        if (command.title && command.title !== state.title) {
          state.retitle = command.title;
          state.title = command.title;
        }
        return;
      case "ack":
        return acknowledge(at, by);
      case "severity":
        return setSeverity(command.severity, at, by);
      case "status":
        return setStatus(command.status, at, by);
      case "role": {
        const previous = state.roles[command.role];
        if (previous === command.user) {
          if (command.role === "commander") acknowledge(at, by);
          return;
        }
        if (command.role === "commander" && previous) state.formerCommanders.push(previous);
        state.roles[command.role] = command.user;
        note({ at, kind: "role", text: `@${command.user} is ${command.role}`, actor: by });
        if (command.role === "commander") acknowledge(at, by);
        return;
      }
      case "update":
        state.updates.push({ at, by, text: command.text, ...(command.internal ? { internal: true } : {}) });
        note({ at, kind: "update", text: `${command.internal ? "Internal update" : "Update"}: ${command.text}`, actor: by });
        return;
      case "decline":
        state.declined = { by, at, ...(command.reason ? { reason: command.reason } : {}) };
        state.isIncident = false;
        note({ at, kind: "declared", text: `Declined: not an incident${command.reason ? ` (${command.reason})` : ""}`, actor: by });
        return;
      case "timeline":
        if (command.start) state.times.started = command.at;
        else note({ at: command.at, kind: "note", text: command.text, actor: by });
        return;
      case "summary":
        state.summary = command.text;
        return;
      case "impact":
        state.impact = command.text;
        return;
      case "followup":
        state.followups.push({
          title: command.title,
          ...(command.owner ? { owner: command.owner } : {}),
          by,
          at,
          url: origin.url,
          source: "comment",
          key: `c${origin.commentId ?? 0}-${followupKey(command.title)}`,
        });
        return;
      case "cause":
        if (!state.causes.some((c) => JSON.stringify(c.ref) === JSON.stringify(command.ref))) {
          state.causes.push({ ref: command.ref, by, at, source: "command", ...(origin.commentId ? { commentId: origin.commentId } : {}) });
        }
        return;
      case "allow-deploy": {
        state.allowances.push({ ref: command.ref, ...(command.reason ? { reason: command.reason } : {}), by, at, url: origin.url });
        const what = command.ref.kind === "pull" ? `#${command.ref.number}` : `\`${command.ref.sha.slice(0, 7)}\``;
        note({ at, kind: "gate", text: `Deployment of ${what} allowed through the freeze${command.reason ? `: ${command.reason}` : ""}`, actor: by });
        return;
      }
      case "problem": {
        const number = problemOf.get(command);
        if (number === undefined || state.problem?.number === number) return;
        state.problem = { number, at, by };
        note({ at, kind: "note", text: `Linked to problem #${number}`, actor: by });
        return;
      }
      case "postmortem":
      case "help":
        return;
    }
  };

  /** Authors of `/allow-deploy`s applied from texts changed since they were written. */
  const editedAllowances: string[] = [];
  const runCommands = (parsed: ParsedCommand[], author: Actor, at: string, url: string, commentId: number, edited: boolean) => {
    if (parsed.length === 0 || isBot(author)) return;
    const outcome: CommandOutcome = { commentId, author: author.login, at, url, applied: [], errors: [], refused: false, help: false };
    const declaring = (p: ParsedCommand) => (p.ok ? p.command.name === "incident" : p.name === "incident");
    // On an issue that is not an incident, only a comment that declares one (or asks for help)
    // speaks to incident-desk; the declaration comes first, then its other commands in order.
    const declares = !state.isIncident && parsed.some(declaring);
    const relevant = state.isIncident
      ? parsed
      : declares
        ? [...parsed.filter(declaring), ...parsed.filter((p) => !declaring(p))]
        : parsed.filter((p) => p.ok && p.command.name === "help");
    if (relevant.length === 0) return;
    outcome.help = relevant.some((p) => p.ok && p.command.name === "help");
    const acting = relevant.filter((p) => !(p.ok && p.command.name === "help"));
    const key = commentId > 0 ? commentKey(commentId) : BODY_KEY;
    const permitted = acting.length === 0 || allowed(key, author.login);
    // Someone who may not command can still report: `/incident` opens the report in triage.
    const report = !permitted && declares ? acting.find((p) => p.ok && p.command.name === "incident") : undefined;
    if (report?.ok && report.command.name === "incident") {
      const { command } = report;
      if (command.security) security = true;
      declare(at, author.login, "command", command.severity, false);
      if (command.title && command.title !== state.title) {
        state.retitle = command.title;
        state.title = command.title;
      }
      outcome.applied.push(command);
      outcome.refused = acting.length > 1;
    } else if (!permitted) {
      outcome.refused = true;
    } else {
      for (const p of acting) if (!p.ok) outcome.errors.push({ line: p.line, error: p.error, usage: p.usage });
      // A `/cause` naming nothing in the repository fails the whole comment, like a malformed command.
      for (const p of acting) {
        // Causes are this repository's changes: another repository's #12 is not this one's #12.
        if (p.ok && p.command.name === "cause" && p.command.repo && lower(p.command.repo) !== lower(state.repo)) {
          outcome.errors.push({ line: p.line, error: `${p.command.repo} is another repository: name a pull request or commit of ${state.repo} (or describe the outside cause with /timeline)`, usage: USAGE.cause! });
          continue;
        }
        const problem = p.ok && p.command.name === "cause" ? causeProblem(changes, p.command.ref, commentId) : undefined;
        if (problem) outcome.errors.push({ line: p.line, error: problem, usage: USAGE.cause! });
      }
      // `/allow-deploy` is the commander's call; while there is none, anyone who may command makes it.
      // An edited text is also the call of the commander now (the edit may postdate a handover).
      const commander = state.roles.commander ?? (edited ? commanderNow : undefined);
      const notCalled = new Set<ParsedCommand>();
      const calledBy = (who: string | undefined) => !who || who.toLowerCase() === author.login.toLowerCase();
      for (const p of acting) {
        // The deploy gate sees this repository's deployments: another repository's #12 is not this one's.
        if (p.ok && p.command.name === "allow-deploy" && p.command.repo && lower(p.command.repo) !== lower(state.repo)) {
          outcome.errors.push({ line: p.line, error: `${p.command.repo} is another repository: name a pull request or commit of ${state.repo}`, usage: USAGE["allow-deploy"]! });
          continue;
        }
        if (p.ok && p.command.name === "allow-deploy" && (!calledBy(commander) || (edited && !calledBy(commanderNow)))) {
          // In the body, the rest (the declaration above all) stands: only the allowance is left out.
          if (commentId === 0 && calledBy(commander)) {
            notCalled.add(p);
            continue;
          }
          const who = edited && !calledBy(commanderNow) ? commanderNow : commander;
          outcome.errors.push({ line: p.line, error: `only the incident's commander (${who}) may let a deployment through the freeze; while an incident has no commander, anyone with ${config.commands.permission} access may`, usage: USAGE["allow-deploy"]! });
        }
      }
      // `/problem #n` must name a problem record (checked once, kept in the card): not a ticket, not a plain issue.
      let nth = 0;
      for (const p of acting) {
        if (!(p.ok && p.command.name === "problem")) continue;
        const key = checkKey(`${commentId > 0 ? commentKey(commentId) : BODY_KEY}.${nth++}`, p.command.ref);
        const checked = problems?.[key];
        if (typeof checked === "string") outcome.errors.push({ line: p.line, error: checked, usage: USAGE.problem! });
        else if (checked === undefined) state.pendingProblems.push({ key, ref: p.command.ref, commentId, at, by: author.login });
        else problemOf.set(p.command, checked);
      }
      // `/decline` is for a report still in triage; anything else a responder does there accepts it.
      for (const p of acting) {
        if (p.ok && p.command.name === "decline" && state.status !== "triage") {
          outcome.errors.push({ line: p.line, error: "only a report in triage can be declined (this is an incident already: remove the incident label to withdraw it)", usage: USAGE.decline! });
        }
      }
      if (outcome.errors.length === 0) {
        for (const p of acting) {
          if (!p.ok || notCalled.has(p)) continue;
          if (p.command.name !== "decline" && p.command.name !== "incident") accept(at, author.login);
          apply(p.command, at, author.login, { url, commentId });
          if (edited && p.command.name === "allow-deploy") editedAllowances.push(author.login);
          outcome.applied.push(p.command);
        }
      }
    }
    state.commands.push(outcome);
  };

  // The opening: the issue form, a hidden declaration block, or an `/incident` in the body.
  const openingLabels = new Set<string>();
  const bodyCommands = parseCommands(issue.body, { at: issue.createdAt, config });
  // The body may have been edited since the issue was opened (GitHub does not say when).
  runCommands(bodyCommands, issue.author, issue.createdAt, issue.url, 0, true);
  if (issue.own && declaration.source) {
    if (declaration.security) security = true;
    declare(issue.createdAt, issue.author.login, declaration.source === "dispatch" ? "dispatch" : "alert");
  }

  for (const event of history.events) {
    switch (event.type) {
      case "labeled": {
        const name = lower(event.label);
        const person = !isBot(event.actor);
        const key = eventKey(event);
        if (name === incidentLabel) {
          // An issue form applies its labels as the issue is opened (GitHub stamps them a moment later).
          const viaForm = Object.keys(declaration).length > 0 && Math.abs(Date.parse(event.at) - Date.parse(issue.createdAt)) <= 60_000;
          // Bots' labels are apps the repository installed (alerts, the Action): they declare directly.
          // A bot's label on an incident is a rendering (the app's own echo): it decides nothing.
          if (person || !state.isIncident) declare(event.at, event.actor.login, viaForm ? "form" : "label", undefined, !person || allowed(key, event.actor.login));
        } else if (name === securityLabel) {
          if (!person || !state.isIncident || allowed(key, event.actor.login)) security = true;
          else refuse(key, event.actor.login, event.at, `added the label ${event.label}`);
        } else if (person) {
          const severity = severityByLabel.get(name);
          const status = statusByLabel.get(name);
          if (event.at === issue.createdAt) openingLabels.add(name);
          if (severity) {
            if (!state.isIncident) pendingSeverity = severity;
            // The form's labels, set as the report was opened: the severity it proposes.
            else if (state.status === "triage" && event.actor.login === state.reportedBy && event.at === issue.createdAt) state.severity = severity;
            else if (allowed(key, event.actor.login)) {
              setSeverity(severity, event.at, event.actor.login);
              accept(event.at, event.actor.login);
            } else refuse(key, event.actor.login, event.at, `added the label ${event.label}`);
          } else if (status && state.isIncident) {
            if (allowed(key, event.actor.login)) setStatus(status, event.at, event.actor.login);
            else refuse(key, event.actor.login, event.at, `added the label ${event.label}`);
          }
        }
        break;
      }
      case "unlabeled": {
        const person = !isBot(event.actor);
        const key = eventKey(event);
        if (lower(event.label) === incidentLabel && person && state.isIncident) {
          if (allowed(key, event.actor.login)) withdraw(event.at, event.actor.login);
          else refuse(key, event.actor.login, event.at, `removed the label ${event.label}`);
        } else if (lower(event.label) === securityLabel && person) {
          if (!state.isIncident || allowed(key, event.actor.login)) security = false;
          else refuse(key, event.actor.login, event.at, `removed the label ${event.label}`);
        } else if (!state.isIncident && severityByLabel.get(lower(event.label)) === pendingSeverity) {
          pendingSeverity = undefined;
        }
        break;
      }
      case "commented": {
        // The app's own alert comments: a resolved group may mitigate, a group firing again undoes that.
        const signal = state.isIncident && event.own ? parseAlertSignal(event.body) : undefined;
        if (signal?.status === "resolved") {
          note({ at: event.at, kind: "note", text: "Alerts resolved", actor: event.author.login });
          if (signal.mitigate && (state.status === "investigating" || state.status === "identified")) {
            setStatus("mitigated", event.at, event.author.login);
            mitigatedByAlert = true;
          }
        } else if (signal?.status === "firing") {
          note({ at: event.at, kind: "note", text: "Alert group firing", actor: event.author.login });
          if (mitigatedByAlert && state.status === "mitigated") setStatus("investigating", event.at, event.author.login);
          mitigatedByAlert = false;
        }
        runCommands(parseCommands(event.body, { at: event.at, config }), event.author, event.at, event.url, event.commentId, event.edited === true);
        break;
      }
      case "closed":
        if (state.isIncident && !isBot(event.actor)) {
          if (!allowed(eventKey(event), event.actor.login)) {
            refuse(eventKey(event), event.actor.login, event.at, "closed the issue");
            break;
          }
          setStatus("resolved", event.at, event.actor.login);
          note({ at: event.at, kind: "closed", text: "Issue closed", actor: event.actor.login });
        }
        break;
      case "reopened":
        if (state.isIncident && !isBot(event.actor)) {
          if (!allowed(eventKey(event), event.actor.login)) {
            refuse(eventKey(event), event.actor.login, event.at, "reopened the issue");
            break;
          }
          note({ at: event.at, kind: "reopened", text: "Issue reopened", actor: event.actor.login });
          setStatus("investigating", event.at, event.actor.login);
        }
        break;
      case "renamed":
        if (state.retitle && event.to === state.retitle) delete state.retitle;
        break;
      case "typed": {
        // The organisation's incident issue type (`issue_type`) set or cleared: like the incident label.
        if (!typeMatters(event, config)) break;
        const person = !isBot(event.actor);
        const key = eventKey(event);
        if (event.to !== null && lower(event.to) === lower(config.issue_type || "")) {
          const viaForm = Object.keys(declaration).length > 0 && Math.abs(Date.parse(event.at) - Date.parse(issue.createdAt)) <= 60_000;
          if (person || !state.isIncident) declare(event.at, event.actor.login, viaForm ? "form" : "type", undefined, !person || allowed(key, event.actor.login));
        } else if (person && state.isIncident) {
          if (allowed(key, event.actor.login)) withdraw(event.at, event.actor.login);
          else refuse(key, event.actor.login, event.at, event.to ? `changed the issue type to ${event.to}` : `removed the issue type ${event.from ?? ""}`);
        }
        break;
      }
      case "cross-referenced": {
        // A problem ticket of this incident mentions it; its current state comes with the
        // reference, so closing a ticket shows on the incident with no event of its own.
        // Only an issue this app opened in this repository is a ticket (src/trust.ts).
        const ticket = !event.source.isPullRequest && event.source.own === true && (event.source.repo || state.repo).toLowerCase() === state.repo.toLowerCase();
        const marker = ticket ? parseTicketMarker(event.source.body) : undefined;
        if (isTicketOf(marker, state.repo, issue.number)) {
          const { number, url, title, state: ticketState } = event.source;
          tickets.set(marker.key, { number, url, title, state: ticketState });
        } else {
          state.references.push({ source: event.source, at: event.at });
        }
        break;
      }
      default:
        break;
    }
  }

  // Four Keys' convention: `root cause: <sha>` lines in the incident body.
  // Lines of the body act for its author, who must be allowed to command (or be this app).
  const causeLines = state.isIncident ? rootCauseLines(issue.body) : [];
  const listed = state.isIncident ? bodyFollowups(issue.body) : [];
  const bodyActs = (causeLines.length > 0 || listed.length > 0) && (issue.own === true || (!isBot(issue.author) && allowed(BODY_KEY, issue.author.login)));
  if (state.isIncident && bodyActs) {
    for (const sha of causeLines) {
      const ref: CauseRef = { kind: "sha", sha };
      if (!state.causes.some((c) => JSON.stringify(c.ref) === JSON.stringify(ref))) {
        state.causes.push({ ref, by: issue.author.login, at: issue.createdAt, source: "body" });
      }
    }
  }
  if (state.isIncident) {
    for (const item of bodyActs ? listed : []) {
      state.followups.push({ ...item, by: issue.author.login, at: issue.createdAt, url: issue.url, source: "body", key: `b-${followupKey(item.title)}` });
    }
    // Sub-issues a person attached by hand: follow-ups of their own, each its own ticket. The app's
    // own tickets are already counted (their follow-up's ticket); a ticket marker in anyone else's
    // issue is believed nowhere, so it makes that issue nothing more than a sub-issue.
    const own = ownTickets(history);
    const attached = attachedSubIssues(history);
    /** One of the app's own tickets, as the sub-issue list shows it (its cross-reference not on the timeline yet). */
    const listedTicket = (a: (typeof attached)[number]) => {
      const marker = a.listed?.own ? parseTicketMarker(a.listed.body) : undefined;
      return a.listed && isTicketOf(marker, state.repo, issue.number) && a.ref.repo.toLowerCase() === state.repo.toLowerCase() ? marker : undefined;
    };
    // People's attachments, each judged once: a refused one stays refused (and in the reply) once detached, like a label.
    const refusedNow = new Set<(typeof attached)[number]>();
    for (const e of history.events) {
      if (e.type !== "sub-issue-added" || isBot(e.actor)) continue;
      const ref = { ...e.sub, repo: e.sub.repo || state.repo };
      if (isOwnTicket(own, ref)) continue;
      const now = attached.find((a) => (e.id !== undefined ? a.id === e.id : a.at === e.at && a.ref.number === ref.number));
      if (now && listedTicket(now)) continue;
      const key = subIssueKey({ ...(e.id !== undefined ? { id: e.id } : {}), actor: e.actor, at: e.at, ref });
      if (allowed(key, e.actor.login)) continue;
      refuse(key, e.actor.login, e.at, `attached ${subIssueName(ref, state.repo)} as a sub-issue`);
      if (now) refusedNow.add(now);
      if (now?.listed) state.detachSubIssues.push(now.listed.id);
    }
    for (const a of attached) {
      if (isOwnTicket(own, a.ref) || refusedNow.has(a)) continue;
      const marker = listedTicket(a);
      if (marker) {
        tickets.set(marker.key, { number: a.ref.number, url: a.listed!.url, title: a.ref.title, state: a.ref.state });
        continue;
      }
      const elsewhere = a.ref.repo.toLowerCase() !== state.repo.toLowerCase();
      // One from another repository shows only when that repository is public: its title and name would be told here.
      if (elsewhere && a.ref.private !== false) continue;
      const url = a.listed?.url ?? issue.url.replace(/[^/]+\/[^/]+\/issues\/\d+$/, `${a.ref.repo}/issues/${a.ref.number}`);
      state.followups.push({
        title: a.ref.title.slice(0, 256),
        by: a.actor.login,
        at: a.at,
        url,
        source: "sub-issue",
        key: `s-${elsewhere ? `${a.ref.repo.toLowerCase()}#` : ""}${a.ref.number}`,
        ticket: { ...(elsewhere ? { repo: a.ref.repo } : {}), number: a.ref.number, url, title: a.ref.title, state: a.ref.state },
      });
    }
    // The same item written twice is one follow-up (it would be one ticket).
    const seenKeys = new Set<string>();
    state.followups = state.followups.filter((f) => !seenKeys.has(f.key) && seenKeys.add(f.key));
    for (const followup of state.followups) {
      const ticket = tickets.get(followup.key);
      if (ticket) followup.ticket = ticket;
    }
  }

  state.security = security;
  if (state.service) {
    const team = config.services[state.service]?.team;
    if (team) state.team = team;
  }
  const t = state.times;
  if (t.detected && !t.started) t.started = t.detected;
  const span = (from?: string, to?: string) => (from && to ? Date.parse(to) - Date.parse(from) : undefined);
  const set = (key: keyof IncidentState["durations"], value: number | undefined) => {
    if (value !== undefined) state.durations[key] = value;
  };
  set("detect", span(t.started, t.detected));
  set("acknowledge", span(t.detected, t.acknowledged));
  set("mitigate", span(t.detected, t.mitigated));
  set("resolve", span(t.started, t.resolved));
  if (t.started && t.started !== t.detected) {
    state.timeline.push({ at: t.started, kind: "started", text: "Impact started" });
  }
  deriveChanges(state, history, changes, config);
  state.timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  // An `/allow-deploy` written by editing (a comment, the body) by someone who is not the commander
  // now: derived again, with the commander now (roles do not depend on allowances, so it is the same).
  const now = state.roles.commander;
  if (commanderNow === undefined && now && editedAllowances.some((by) => lower(by) !== lower(now))) {
    return deriveIncident(history, { ...options, commanderNow: now });
  }
  return state;
}
