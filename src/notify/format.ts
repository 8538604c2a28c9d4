import type { IncidentState } from "../incident/state.js";
import { redact } from "../postmortem/redact.js";
import type { NotificationEvent } from "./events.js";
import { notice, publicTitle, SECURITY_UPDATE } from "./notice.js";
import { slackBody as renderSlack, type SlackBody } from "./slack.js";
import { teamsBody as renderTeams, type TeamsBody } from "./teams.js";

/**
 * The bodies the channels receive (pure), one per format. What may be disclosed is decided once,
 * in `notice()` (src/notify/notice.ts): a security incident is announced without its title,
 * summary, service or update texts, and what people wrote is redacted. Slack (src/notify/slack.ts)
 * and Teams (src/notify/teams.ts) render it in their own syntax and limits.
 */
export { publicTitle };

export function slackBody(state: IncidentState, event: NotificationEvent, severityIndex: number): SlackBody {
  return renderSlack(notice(state, event, severityIndex));
}

export function teamsBody(state: IncidentState, event: NotificationEvent, severityIndex: number): TeamsBody {
  return renderTeams(notice(state, event, severityIndex));
}

export function jsonBody(state: IncidentState, event: NotificationEvent) {
  return {
    event: event.event,
    key: event.key,
    at: event.at,
    ...(event.by ? { by: event.by } : {}),
    text: state.security && event.event === "update" ? SECURITY_UPDATE : redact(event.text),
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
