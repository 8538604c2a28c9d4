import type { Config } from "../config/schema.js";
import { hasMarker, writeMarker } from "../markers.js";
import { renderVerdicts } from "./verdicts.js";
import { bundledTemplate } from "../templates.js";
import { notifiedMarker } from "../notify/events.js";
import { followupProgress } from "../problems/progress.js";
import { changesView } from "../changes/view.js";
import { count, cutText, fitBody, text } from "../text/limits.js";
import { redact } from "../postmortem/redact.js";
import { USAGE } from "./commands.js";
import { renderProblemFacts } from "../problems/facts.js";
import type { IncidentState } from "./state.js";

export const CARD_MARKER = writeMarker("card");

const STATUS_ICON: Record<string, string> = {
  triage: "📥",
  investigating: "🔍",
  identified: "🎯",
  mitigated: "🩹",
  resolved: "✅",
};
const SEVERITY_ICON = ["🔴", "🟠", "🟡", "🔵"];

/** Most recent timeline entries shown on the card; the post-mortem has them all. */
export const CARD_TIMELINE_ENTRIES = 15;

/**
 * People's texts on the card are cut to these lengths (the post-mortem and the comments have them
 * whole), so that a 60 KB `/summary` cannot push the card past GitHub's body limit.
 */
export const CARD_TEXT_LIMIT = 4_000;
const CARD_ENTRY_LIMIT = 500;
// Credentials are redacted before the cut: a token pasted in an `/update` is not copied a second time
// onto the card, the comment everyone reads (the notifications and the post-mortem redact too).
const longText = (value: string) => cutText(redact(value), CARD_TEXT_LIMIT, (n) => `… (cut, ${count(n)} characters more: the whole text is in its comment)`);
const entryText = (value: string) => cutText(redact(value), CARD_ENTRY_LIMIT, () => "…");

/** What the card template sees: the state, plus what is only presentation. */
export function cardView(state: IncidentState, config: Config) {
  const severityIndex = config.severities.findIndex((s) => s.name === state.severity);
  const severity = config.severities[severityIndex];
  const roles = config.roles
    .filter((role) => state.roles[role])
    .map((role) => ({ role, user: state.roles[role]! }));
  const timeline = state.timeline.slice(-CARD_TIMELINE_ENTRIES).map((entry) => ({ ...entry, text: entryText(entry.text) }));
  const update = state.updates[state.updates.length - 1];
  const latestUpdate = update ? { ...update, text: longText(update.text) } : undefined;
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
    state: {
      ...state,
      ...(state.summary !== undefined ? { summary: longText(state.summary) } : {}),
      ...(state.impact !== undefined ? { impact: longText(state.impact) } : {}),
    },
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
    followups: state.followups.length > 0 ? shortTitles(followupProgress(state)) : undefined,
    changes: changesView(state),
    commands: Object.values(USAGE),
    triage: state.status === "triage",
    problem: problemBlock(state),
    permission: config.commands.permission,
  };
}

/** The problem the incident is linked to, as its card shows it (a known error's workaround on top). */
function problemBlock(state: IncidentState) {
  const view = state.problem ? state.problemFacts?.view : undefined;
  if (!view || view.number !== state.problem?.number) return state.problem ? { number: state.problem.number, status: "" } : undefined;
  return { ...view, knownError: view.status === "known error", workaround: view.workaround ? longText(view.workaround) : undefined };
}

function shortTitles<T extends { items: { title: string }[] }>(progress: T): T {
  return { ...progress, items: progress.items.map((item) => ({ ...item, title: entryText(item.title) })) };
}

/**
 * The card, within GitHub's body limit: its hidden blocks (the changes cache, what channels were
 * told) always stay whole; the visible card is cut at a line's end, as a last resort, when even
 * with people's texts shortened it is too long (hundreds of follow-ups or linked changes).
 */
export function renderCard(state: IncidentState, config: Config): string {
  const view = cardView(state, config);
  const card = bundledTemplate("card.md.hbs")({ ...view, changes: { ...view.changes, facts: "" } }).trim();
  const note = (n: number) => `_… the card is cut here (${count(n)} characters more); the issue's history has everything._`;
  return fitBody([
    text(card, { at: "line", note }),
    view.changes.facts ? `\n${view.changes.facts}` : "",
    "\n",
    // With channels configured, the card records what they were told (src/notify/events.ts).
    config.notifications.length > 0 ? `${notifiedMarker(state)}\n` : "",
    // What `/problem` commands named and the link record on the problem (src/problems/link.ts).
    state.problemFacts ? `${renderProblemFacts(state.problemFacts)}\n`.replace(/^\n$/, "") : "",
    // Who could make each change, as decided when the app first saw it (src/incident/verdicts.ts).
    state.verdicts.size > 0 ? `${renderVerdicts(state.verdicts)}\n` : "",
  ]);
}

export function isCard(body: string): boolean {
  return hasMarker(body, "card");
}
