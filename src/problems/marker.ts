/**
 * The hidden marker every problem ticket carries: which incident it follows up and which
 * follow-up it is (the follow-up's stable key). It is how a re-run, or a run after a failure
 * half-way, finds the tickets that already exist instead of opening them again, and how the
 * incident's state tells its follow-ups' tickets apart from other issues that mention it.
 * Believed only in an issue this app opened (see src/trust.ts).
 */
import { readMarker, writeMarker } from "../markers.js";

export interface TicketMarker {
  /** `owner/name` of the incident's repository. */
  repo: string;
  incident: number;
  key: string;
}

const PAYLOAD = /^incident=([A-Za-z0-9_.-]{1,140}\/[A-Za-z0-9_.-]{1,140})#(\d{1,9}) key=([A-Za-z0-9_-]{1,64})$/;

export function renderTicketMarker(marker: TicketMarker): string {
  return writeMarker("problem", `incident=${marker.repo}#${marker.incident} key=${marker.key}`);
}

export function parseTicketMarker(body: string | null | undefined): TicketMarker | undefined {
  const match = PAYLOAD.exec(readMarker(body, "problem") ?? "");
  if (!match) return undefined;
  return { repo: match[1]!, incident: Number(match[2]), key: match[3]! };
}

/** Whether a ticket's marker names this incident (repository names are case-insensitive). */
export function isTicketOf(marker: TicketMarker | undefined, repo: string, incident: number): marker is TicketMarker {
  return marker !== undefined && marker.incident === incident && marker.repo.toLowerCase() === repo.toLowerCase();
}
