import type { IncidentState } from "../incident/state.js";
import { redact } from "../postmortem/redact.js";
import type { NotificationEvent } from "./events.js";

/**
 * The bodies the channels receive (pure). A security incident is announced without its title,
 * summary or update texts: channels are often wider audiences than the private repository. What
 * people wrote (the title, an update) is redacted: a token pasted in an /update must not reach a
 * chat channel.
 */
const HEADLINE: Record<NotificationEvent["event"], string> = {
  declared: "incident declared",
  severity: "severity changed",
  status: "status changed",
  update: "status update",
  resolved: "incident resolved",
};

const ICON = ["🔴", "🟠", "🟡", "🔵"];

export function publicTitle(state: IncidentState): string {
  return state.security ? "Security incident (details in the private repository)" : redact(state.title);
}

export function slackBody(state: IncidentState, event: NotificationEvent, severityIndex: number): { text: string } {
  const icon = ICON[Math.min(Math.max(severityIndex, 0), ICON.length - 1)];
  const link = `<${state.url}|${state.repo}#${state.number}>`;
  const detail = event.event === "update" ? (state.security ? "A status update was posted." : redact(event.text)) : event.event === "declared" ? "" : event.text;
  const lines = [
    `${icon} *${state.severity.toUpperCase()} ${HEADLINE[event.event]}* · ${link} · ${escapeSlack(publicTitle(state))}`,
    ...(detail ? [escapeSlack(detail)] : []),
    `Status: ${state.status}${state.roles.commander ? ` · Commander: @${state.roles.commander}` : ""}${event.by ? ` · by @${event.by}` : ""}`,
  ];
  return { text: lines.join("\n") };
}

/** Slack's three control characters; everything else is shown as written. */
const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function jsonBody(state: IncidentState, event: NotificationEvent) {
  return {
    event: event.event,
    key: event.key,
    at: event.at,
    ...(event.by ? { by: event.by } : {}),
    text: state.security && event.event === "update" ? "A status update was posted." : redact(event.text),
    incident: {
      repository: state.repo,
      number: state.number,
      url: state.url,
      title: publicTitle(state),
      severity: state.severity,
      status: state.status,
      security: state.security,
      ...(state.roles.commander ? { commander: state.roles.commander } : {}),
      ...(state.service && !state.security ? { service: state.service } : {}),
      ...(state.times.started ? { started_at: state.times.started } : {}),
    },
  };
}
