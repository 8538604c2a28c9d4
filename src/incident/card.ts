import type { Config } from "../config/schema.js";
import { bundledTemplate } from "../templates.js";
import { notifiedMarker } from "../notify/events.js";
import { followupProgress } from "../problems/progress.js";
import { changesView } from "../changes/view.js";
import { USAGE } from "./commands.js";
import type { IncidentState } from "./state.js";

export const CARD_MARKER = "<!-- incident-desk:card -->";

const STATUS_ICON: Record<string, string> = {
  investigating: "🔍",
  identified: "🎯",
  mitigated: "🩹",
  resolved: "✅",
};
const SEVERITY_ICON = ["🔴", "🟠", "🟡", "🔵"];

/** Most recent timeline entries shown on the card; the post-mortem has them all. */
export const CARD_TIMELINE_ENTRIES = 15;

/** What the card template sees: the state, plus what is only presentation. */
export function cardView(state: IncidentState, config: Config) {
  const severityIndex = config.severities.findIndex((s) => s.name === state.severity);
  const severity = config.severities[severityIndex];
  const roles = config.roles
    .filter((role) => state.roles[role])
    .map((role) => ({ role, user: state.roles[role]! }));
  const timeline = state.timeline.slice(-CARD_TIMELINE_ENTRIES);
  const latestUpdate = state.updates[state.updates.length - 1];
  const times = [
    { name: "Started", at: state.times.started },
    { name: "Detected", at: state.times.detected },
    { name: "Acknowledged", at: state.times.acknowledged },
    { name: "Mitigated", at: state.times.mitigated },
    { name: "Resolved", at: state.times.resolved },
  ];
  const durations = [
    { name: "Time to detect", ms: state.durations.detect },
    { name: "Time to acknowledge", ms: state.durations.acknowledge },
    { name: "Time to mitigate", ms: state.durations.mitigate },
    { name: "Time to resolve", ms: state.durations.resolve },
  ].filter((d) => d.ms !== undefined);
  return {
    marker: CARD_MARKER,
    state,
    severity: {
      name: state.severity,
      icon: SEVERITY_ICON[Math.min(Math.max(severityIndex, 0), SEVERITY_ICON.length - 1)],
      description: severity?.description ?? "",
    },
    status: { name: state.status, icon: STATUS_ICON[state.status] ?? "" },
    commander: state.roles.commander,
    roles,
    times,
    durations,
    latestUpdate,
    timeline,
    earlierEntries: state.timeline.length - timeline.length,
    followups: state.followups.length > 0 ? followupProgress(state) : undefined,
    changes: changesView(state),
    commands: Object.values(USAGE),
  };
}

export function renderCard(state: IncidentState, config: Config): string {
  const card = bundledTemplate("card.md.hbs")(cardView(state, config)).trim() + "\n";
  // With channels configured, the card records what they were told (src/notify/events.ts).
  return config.notifications.length > 0 ? `${card}${notifiedMarker(state)}\n` : card;
}

export function isCard(body: string): boolean {
  return body.includes(CARD_MARKER);
}
