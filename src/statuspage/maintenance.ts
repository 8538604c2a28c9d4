import { effectiveEnd, maintenancePhase, type MaintenanceState } from "../maintenance/state.js";
import { incidentId, iso, publicText } from "./public.js";

/**
 * The public view of a maintenance window: its title and description (written for the status
 * page: the card says so), its services and its times. Only confirmed windows with valid times.
 */
export type MaintenanceStatus = "scheduled" | "in_progress" | "completed" | "cancelled";

export interface PublicMaintenance {
  id: string;
  repo: string;
  number: number;
  name: string;
  description?: string;
  services: string[];
  status: MaintenanceStatus;
  scheduledFor: string;
  scheduledUntil: string;
  /** When it ended: the end, or when the issue was closed while it ran. */
  endedAt: string;
  createdAt: string;
  updatedAt: string;
  /** Oldest first: scheduled, in progress, completed (or cancelled), as far as `asOf` reached. */
  updates: { id: string; at: string; status: MaintenanceStatus; body: string }[];
}

export function publicMaintenance(state: MaintenanceState, asOf: string): PublicMaintenance | undefined {
  if (!state.isMaintenance || !state.window) return undefined;
  const phase = maintenancePhase(state, new Date(asOf));
  if (phase === "invalid" || phase === "unconfirmed") return undefined;
  const id = `maintenance-${incidentId(state.repo, state.number)}`;
  const starts = iso(state.window.starts);
  const ends = iso(state.window.ends);
  const ended = iso(effectiveEnd(state));
  const createdAt = iso(state.createdAt);
  const description = state.description ? publicText(state.description) : undefined;
  const updates: PublicMaintenance["updates"] = [
    { id: `${id}-u1`, at: createdAt, status: "scheduled", body: description || `Maintenance is scheduled from ${human(starts)} to ${human(ends)}.` },
  ];
  if (phase === "cancelled") updates.push({ id: `${id}-u2`, at: iso(state.closedAt!), status: "cancelled", body: "This maintenance was cancelled." });
  if (phase === "in_progress" || phase === "completed") updates.push({ id: `${id}-u2`, at: starts, status: "in_progress", body: "Maintenance is in progress." });
  if (phase === "completed") {
    updates.push({ id: `${id}-u3`, at: ended, status: "completed", body: ended === ends ? "Maintenance has completed." : "Maintenance has completed, ahead of schedule." });
  }
  return {
    id,
    repo: state.repo,
    number: state.number,
    name: publicText(state.title).replace(/\s+/g, " ") || `Maintenance ${state.number}`,
    ...(description ? { description } : {}),
    services: state.services,
    status: phase,
    scheduledFor: starts,
    scheduledUntil: ends,
    endedAt: ended,
    createdAt,
    updatedAt: updates[updates.length - 1]!.at,
    updates,
  };
}

const human = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
