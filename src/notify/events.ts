import { createHash } from "node:crypto";
import type { Config, NotificationChannel } from "../config/schema.js";
import type { IncidentState } from "../incident/state.js";
import { readMarker, writeMarker } from "../markers.js";

/**
 * What the notification channels hear about, as a pure function of the incident's state.
 *
 * Every event has a key that only depends on the history (when it happened, what it says), so
 * the same state always yields the same keys. The card records the keys already announced in a
 * hidden marker; the events to send after a change are those whose key the card before it did not
 * record. A duplicate or replayed delivery finds them recorded and sends nothing.
 */
export type NotificationEventName = "declared" | "severity" | "status" | "update" | "resolved";

export interface NotificationEvent {
  key: string;
  event: NotificationEventName;
  at: string;
  /** One line for people: "Severity sev3 → sev1", the update's text, … */
  text: string;
  by?: string;
}

/** Keys a card records at most (11 characters each). */
const MAX_NOTIFIED = 500;
const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 10);

export function notificationEvents(state: IncidentState): NotificationEvent[] {
  // A report in triage pages nobody and tells no channel: not until someone accepts it.
  if (!state.isIncident || !state.times.detected || state.status === "triage") return [];
  const events: NotificationEvent[] = [];
  const detected = state.times.detected;
  const add = (event: NotificationEventName, at: string, text: string, by?: string, identity = text) =>
    events.push({ key: hash(`${event}\n${at}\n${identity}\n${by ?? ""}`), event, at, text, ...(by ? { by } : {}) });
  // The declaration's key leaves out the severity, which may change later.
  add("declared", detected, `Declared ${state.severity} incident`, state.declaredBy, "");
  for (const entry of state.timeline) {
    // Labels set together with the declaration (an issue opened with `incident` and `sev1`) are part of it.
    if (entry.at === detected) continue;
    if (entry.kind === "severity") add("severity", entry.at, entry.text, entry.actor);
    if (entry.kind === "status") add(/→ resolved$/.test(entry.text) ? "resolved" : "status", entry.at, entry.text, entry.actor);
  }
  for (const update of state.updates) add("update", update.at, update.text, update.by);
  return events;
}

/** The hidden line the card carries when channels are configured. */
export function notifiedMarker(state: IncidentState): string {
  const keys = notificationEvents(state).map((e) => e.key);
  // The newest keys only, and the time before which everything counts as told: the card stays
  // within GitHub's limit however long the incident runs.
  if (keys.length <= MAX_NOTIFIED) return writeMarker("notified", keys.join(" "));
  const events = notificationEvents(state).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const kept = events.slice(-MAX_NOTIFIED);
  const before = Date.parse(kept[0]!.at).toString(36);
  return writeMarker("notified", [`t${before}`, ...kept.map((e) => e.key)].join(" "));
}

/**
 * The events not yet announced, given the card as it was before this change. No card yet: a new
 * incident, everything is new. A card without the marker: channels were configured after the
 * incident began; its past is not replayed, only what the latest event in its history brought.
 */
export function unannounced(state: IncidentState, previousCard: string | undefined, latestAt?: string): NotificationEvent[] {
  const events = notificationEvents(state);
  if (previousCard === undefined) return events;
  const recorded = readMarker(previousCard, "notified");
  if (recorded === undefined) return latestAt ? events.filter((e) => e.at === latestAt) : [];
  const words = recorded.split(" ").filter(Boolean);
  const watermark = words[0]?.startsWith("t") ? parseInt(words[0].slice(1), 36) : undefined;
  const keys = new Set(words);
  return events.filter((e) => !keys.has(e.key) && !(watermark !== undefined && Date.parse(e.at) < watermark));
}

/** Whether a channel wants an event of an incident of this severity. */
export function wants(channel: NotificationChannel, event: NotificationEvent, state: IncidentState, config: Config): boolean {
  if (!channel.events.includes(event.event)) return false;
  if (!channel.min_severity) return true;
  const rank = (name: string) => config.severities.findIndex((s) => s.name === name);
  return rank(state.severity) <= rank(channel.min_severity);
}
