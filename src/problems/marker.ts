/**
 * The hidden marker every problem ticket carries: which incident it follows up and which
 * follow-up it is (the follow-up's stable key). It is how a re-run, or a run after a failure
 * half-way, finds the tickets that already exist instead of opening them again, and how the
 * incident's state tells its follow-ups' tickets apart from other issues that mention it.
 */
export interface TicketMarker {
  /** `owner/name` of the incident's repository. */
  repo: string;
  incident: number;
  key: string;
}

const MARKER = /<!--\s*incident-desk:problem\s+incident=([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)\s+key=([A-Za-z0-9_-]+)\s*-->/;

export function renderTicketMarker(marker: TicketMarker): string {
  return `<!-- incident-desk:problem incident=${marker.repo}#${marker.incident} key=${marker.key} -->`;
}

export function parseTicketMarker(body: string | null | undefined): TicketMarker | undefined {
  const match = MARKER.exec(body ?? "");
  if (!match) return undefined;
  return { repo: match[1]!, incident: Number(match[2]), key: match[3]! };
}

/** Whether a ticket's marker names this incident (repository names are case-insensitive). */
export function isTicketOf(marker: TicketMarker | undefined, repo: string, incident: number): marker is TicketMarker {
  return marker !== undefined && marker.incident === incident && marker.repo.toLowerCase() === repo.toLowerCase();
}
