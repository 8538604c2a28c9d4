import type { Config } from "../config/schema.js";
import { isBot, type Actor, type History } from "../incident/history.js";
import { parseMaintenanceCommands, parseMaintenanceForm } from "./parse.js";

/**
 * A maintenance window as a pure function of its issue's history, like an incident: the label
 * and who set it, the issue form's fields in the body, `/maintenance` commands, closing and
 * reopening, and the app's own notes. Where it stands in time (scheduled, in progress, …) is a
 * function of this state and the clock: `maintenancePhase`.
 */
export interface MaintenanceState {
  isMaintenance: boolean;
  repo: string;
  number: number;
  url: string;
  title: string;
  createdAt: string;
  /** Who made it a maintenance issue (the label, or a `/maintenance` command). */
  declaredBy?: string;
  /** A person who may command stood behind it: set the label, or typed a `/maintenance` command. */
  confirmedBy?: string;
  window?: { starts: string; ends: string };
  services: string[];
  /** From the issue form: what the status page says about the work. */
  description?: string;
  /** Why the window cannot take effect (the form's fields), for the card. */
  problems: string[];
  /** `/maintenance` commands that were not carried out, newest last, with the reason. */
  refused: { commentId: number; reason: string }[];
  /** `/maintenance` commands carried out (their comments get a 👍). */
  applied: number[];
  /** Closed by someone, and not reopened since. */
  closedAt?: string;
  /** Alert groups already noted on the issue (by group id). */
  notedGroups: string[];
  /** Reminder markers already posted (see remind.ts). */
  reminders: string[];
  /** The last thing that happened on the issue (for the status page's "updated"). */
  updatedAt: string;
}

export type MaintenancePhase = "invalid" | "unconfirmed" | "scheduled" | "in_progress" | "completed" | "cancelled";

export interface MaintenanceDeriveOptions {
  config: Config;
  mayCommand: (login: string) => boolean;
}

export const MAINTENANCE_CARD_MARKER = "<!-- incident-desk:maintenance-card -->";
export const alertNoteMarker = (groupId: string) => `<!-- incident-desk:maintenance-alert ${groupId} -->`;
const ALERT_NOTE = /^<!-- incident-desk:maintenance-alert ([0-9a-f]{1,64}) -->/;
const REMINDER = /^<!-- incident-desk:(maintenance-(?:started|ended) [0-9TZ:.-]{1,40}) -->/;

const lower = (s: string) => s.toLowerCase();

/** Logins whose permission the state needs: authors of `/maintenance` commands, people who set the label. */
export function maintenanceActors(history: History, config: Config): string[] {
  const label = lower(config.labels.maintenance);
  const logins = new Set<string>();
  const consider = (body: string, author: Actor) => {
    if (!isBot(author) && parseMaintenanceCommands(body).length > 0) logins.add(author.login);
  };
  consider(history.issue.body, history.issue.author);
  for (const e of history.events) {
    if (e.type === "commented") consider(e.body, e.author);
    if (e.type === "labeled" && lower(e.label) === label && !isBot(e.actor)) logins.add(e.actor.login);
  }
  return [...logins];
}

export function deriveMaintenance(history: History, { config, mayCommand }: MaintenanceDeriveOptions): MaintenanceState {
  const { issue } = history;
  const label = lower(config.labels.maintenance);
  const state: MaintenanceState = {
    isMaintenance: false,
    repo: `${history.repo.owner}/${history.repo.repo}`,
    number: issue.number,
    url: issue.url,
    title: issue.title,
    createdAt: issue.createdAt,
    services: [],
    problems: [],
    refused: [],
    applied: [],
    notedGroups: [],
    reminders: [],
    updatedAt: issue.createdAt,
  };
  let labelled = false;
  let commandWindow: MaintenanceState["window"] & { services: string[] } | undefined;
  const touch = (at: string) => {
    if (Date.parse(at) > Date.parse(state.updatedAt)) state.updatedAt = at;
  };

  const runCommands = (body: string, author: Actor, at: string, commentId: number) => {
    if (isBot(author)) return;
    const commands = parseMaintenanceCommands(body);
    if (commands.length === 0) return;
    // Only on a new issue's body or on an issue that already is a maintenance window.
    if (commentId !== 0 && !state.isMaintenance) return;
    if (!mayCommand(author.login)) {
      state.refused.push({ commentId, reason: `only people with ${config.commands.permission} permission on the repository may declare or change a maintenance window` });
      return;
    }
    const bad = commands.find((c) => !c.ok);
    if (bad && !bad.ok) {
      state.refused.push({ commentId, reason: bad.error });
      return;
    }
    for (const command of commands) {
      if (!command.ok) continue;
      if ("window" in command) commandWindow = { starts: command.window.starts, ends: command.window.ends, services: command.window.services };
    }
    state.isMaintenance = true;
    state.declaredBy ??= author.login;
    state.confirmedBy ??= author.login;
    state.applied.push(commentId);
    touch(at);
  };

  runCommands(issue.body, issue.author, issue.createdAt, 0);
  for (const event of history.events) {
    switch (event.type) {
      case "labeled":
        // The app's own label (on a window declared by command) is a rendering, not a declaration.
        if (lower(event.label) !== label || isBot(event.actor)) break;
        labelled = true;
        state.isMaintenance = true;
        state.declaredBy ??= event.actor.login;
        if (!state.confirmedBy && mayCommand(event.actor.login)) state.confirmedBy = event.actor.login;
        touch(event.at);
        break;
      case "unlabeled":
        if (lower(event.label) !== label || isBot(event.actor)) break;
        labelled = false;
        // Removing the label withdraws the window, whatever declared it.
        state.isMaintenance = false;
        commandWindow = undefined;
        delete state.confirmedBy;
        touch(event.at);
        break;
      case "commented": {
        // The app's own notes and reminders only (src/trust.ts): a copy by anyone else is text.
        if (event.own === true) {
          const note = ALERT_NOTE.exec(event.body);
          if (note && !state.notedGroups.includes(note[1]!)) state.notedGroups.push(note[1]!);
          const reminder = REMINDER.exec(event.body);
          if (reminder) state.reminders.push(reminder[1]!);
          break;
        }
        runCommands(event.body, event.author, event.at, event.commentId);
        break;
      }
      case "closed":
        state.closedAt = event.at;
        touch(event.at);
        break;
      case "reopened":
        delete state.closedAt;
        touch(event.at);
        break;
      default:
        break;
    }
  }
  if (!state.isMaintenance) return state;

  // The window: the latest `/maintenance` command, else the issue form (as the body reads now).
  const form = parseMaintenanceForm(issue.body);
  if (commandWindow) {
    state.window = { starts: commandWindow.starts, ends: commandWindow.ends };
    state.services = commandWindow.services;
  } else if (form) {
    if (form.starts && form.ends && form.problems.length === 0) state.window = { starts: form.starts, ends: form.ends };
    state.services = form.services;
    state.problems = form.problems;
  } else {
    state.problems = [labelled ? "the issue does not say when: use the maintenance issue form, or comment `/maintenance <start> <end> <service…>`" : "no window is given"];
  }
  if (form?.description) state.description = form.description;
  return state;
}

/** Where a window stands at `now`. Closed before it starts: cancelled; closed while it runs: ended early. */
export function maintenancePhase(state: MaintenanceState, now: Date): MaintenancePhase {
  if (!state.window || state.problems.length > 0) return "invalid";
  if (!state.confirmedBy) return "unconfirmed";
  const t = now.getTime();
  const starts = Date.parse(state.window.starts);
  const ends = effectiveEnd(state);
  if (state.closedAt !== undefined && Date.parse(state.closedAt) < starts) return "cancelled";
  if (t < starts) return "scheduled";
  if (t < Date.parse(ends)) return "in_progress";
  return "completed";
}

/** When the window ends: its end, or when it was closed, whichever is first. */
export function effectiveEnd(state: MaintenanceState): string {
  const ends = state.window!.ends;
  return state.closedAt !== undefined && Date.parse(state.closedAt) < Date.parse(ends) ? state.closedAt : ends;
}

/** Whether the window holds alerts of `service` at `now`. */
export function covers(state: MaintenanceState, service: string, now: Date): boolean {
  return maintenancePhase(state, now) === "in_progress" && state.services.some((s) => lower(s) === lower(service));
}
