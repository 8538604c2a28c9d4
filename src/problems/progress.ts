import { bundledTemplate } from "../templates.js";
import type { History } from "../incident/history.js";
import { hasMarker, writeMarker } from "../markers.js";
import type { Followup, IncidentState } from "../incident/state.js";

/**
 * Remediation progress: how many of an incident's follow-ups are done. A follow-up is done when
 * its problem ticket is closed; one with no ticket yet is still to do. Pure: the tickets' states
 * come with the incident's history (state.ts reads them from the cross-references).
 */
export interface FollowupProgress {
  total: number;
  done: number;
  items: (Followup & { done: boolean })[];
}

export function followupProgress(state: IncidentState): FollowupProgress {
  const items = state.followups.map((f) => ({ ...f, done: f.ticket?.state === "closed" }));
  return { total: items.length, done: items.filter((i) => i.done).length, items };
}

export const FOLLOWUPS_DONE_MARKER = writeMarker("followups-done");

/**
 * The one comment that says every follow-up is done, when that has just become true and has not
 * been said before. Said once per incident: reopening a ticket and closing it again does not
 * repeat it (the card shows the progress either way).
 */
export function followupsDoneComment(state: IncidentState, history: History): string | undefined {
  if (!state.isIncident) return undefined;
  const progress = followupProgress(state);
  if (progress.total === 0 || progress.done < progress.total) return undefined;
  const said = history.events.some((e) => e.type === "commented" && e.own && hasMarker(e.body, "followups-done"));
  if (said) return undefined;
  return bundledTemplate("followups-done.md.hbs")({ marker: FOLLOWUPS_DONE_MARKER, progress, commander: state.roles.commander }).trim();
}
