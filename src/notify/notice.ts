import type { IncidentState } from "../incident/state.js";
import { redact } from "../postmortem/redact.js";
import type { NotificationEvent } from "./events.js";

/**
 * What a chat notification says, before any chat's syntax (pure): the Slack and Teams bodies are
 * two renderings of it. Everything in it is what may leave the repository: a security incident
 * shows neither its title, its update texts nor its service (channels are often wider audiences
 * than the private repository), and what people wrote passes through `redact()` (a token pasted
 * in an /update must not reach a chat channel). The texts are raw: each rendering escapes them
 * for its own syntax and cuts them within its own limits.
 */
export interface Notice {
  /** "SEV1 incident declared": ours (the severity's configured name and a fixed phrase). */
  headline: string;
  /** 0 for the most severe; picks the headline's icon and colour. */
  severityIndex: number;
  /** The incident's title as it may be shown (people's text). */
  title: string;
  /** What happened: the update's text, "Severity sev1 → sev2", … (people's text for an update). */
  detail?: string;
  /** Severity, status, commander, service: values may be people's text (a service from a form). */
  facts: { title: string; value: string }[];
  /** Who did it (a GitHub login). */
  by?: string;
  /** The issue: `acme/web#12` and its URL. */
  reference: string;
  url: string;
}

const HEADLINE: Record<NotificationEvent["event"], string> = {
  declared: "incident declared",
  severity: "severity changed",
  status: "status changed",
  update: "status update",
  resolved: "incident resolved",
};

export const SECURITY_TITLE = "Security incident (details in the private repository)";
export const SECURITY_UPDATE = "A status update was posted.";

export function publicTitle(state: IncidentState): string {
  return state.security ? SECURITY_TITLE : redact(state.title);
}

/** Longest service name shown: a service typed into an issue form can be a whole page. */
const SERVICE_MAX = 100;

export function notice(state: IncidentState, event: NotificationEvent, severityIndex: number): Notice {
  const detail = event.event === "update" ? (state.security ? SECURITY_UPDATE : redact(event.text)) : event.event === "declared" ? "" : redact(event.text);
  const facts = [
    { title: "Severity", value: state.severity.toUpperCase() },
    { title: "Status", value: state.status },
    ...(state.roles.commander ? [{ title: "Commander", value: `@${state.roles.commander}` }] : []),
    ...(state.service && !state.security ? [{ title: "Service", value: clip(oneLine(redact(state.service)), SERVICE_MAX) }] : []),
  ];
  return {
    headline: `${state.severity.toUpperCase()} ${HEADLINE[event.event]}`,
    severityIndex: Math.max(severityIndex, 0),
    title: publicTitle(state),
    ...(detail ? { detail } : {}),
    facts,
    ...(event.by ? { by: event.by } : {}),
    reference: `${state.repo}#${state.number}`,
    url: state.url,
  };
}

/** Line breaks (any kind) become spaces: for one-line places (a fact, a field, a header). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}

export const CUT_NOTE = "… (cut: the full text is on the issue)";

/** The longest start of `text` of at most `max` UTF-16 units that splits no surrogate pair. */
export function prefix(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}

/** `text` within `max` units, "…" ending it when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${prefix(text, max - 1)}…`;
}

/**
 * `escape(text)` within `max` of `size` (a measure of the escaped text: its length, its bytes in
 * JSON), cut with `note` when it does not fit: the longest start of the text that fits with the
 * note, found by halving (the measure of an escaped start only grows with the start), so at most
 * about 17 passes over a text of 65,536 characters.
 */
export function fitEscaped(text: string, max: number, escape: (s: string) => string, size: (s: string) => number = (s) => s.length, note = CUT_NOTE): string {
  // Escaping never shortens and no measure counts fewer than the UTF-16 units: a text longer than
  // `max` cannot fit, and is not escaped whole (a megabyte would be, for 3,000 characters shown).
  if (text.length <= max) {
    const whole = escape(text);
    if (size(whole) <= max) return whole;
  }
  const budget = max - size(note);
  if (budget < 0) return "";
  // Escaping never shortens: no start longer than the budget fits.
  let low = 0;
  let high = Math.min(text.length, budget);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(escape(prefix(text, mid))) <= budget) low = mid;
    else high = mid - 1;
  }
  return escape(prefix(text, low)) + note;
}
