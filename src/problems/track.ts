import { z } from "zod";
import type { RepoRef } from "../github/client.js";
import { parseRepo } from "../github/client.js";
import { reconcileIssue, type IncidentDeps } from "../incident/handle.js";
import { parseTicketMarker } from "./marker.js";
import { identityOf, wroteIt } from "../trust.js";

/**
 * Remediation tracking: a problem ticket that is closed, reopened or edited concerns its
 * incident, whose card shows the follow-ups' progress. The ticket's marker names the incident,
 * so finding it costs no request; the incident is then reconciled like after any other event.
 */
const ticketEventSchema = z.object({
  action: z.string(),
  repository: z.object({ full_name: z.string() }),
  issue: z.object({
    number: z.number().int().positive(),
    body: z.string().nullish(),
    pull_request: z.unknown().optional(),
    user: z.object({ login: z.string() }).nullish(),
  }),
});

export const TICKET_ACTIONS = ["closed", "reopened", "deleted"] as const;

export interface TicketTarget {
  repo: RepoRef;
  incident: number;
  ticket: number;
}

export function ticketTarget(name: string, payload: unknown): (TicketTarget & { author?: string }) | undefined {
  if (name !== "issues") return undefined;
  const parsed = ticketEventSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  if (e.issue.pull_request || !(TICKET_ACTIONS as readonly string[]).includes(e.action)) return undefined;
  const marker = parseTicketMarker(e.issue.body);
  if (!marker) return undefined;
  // A ticket only speaks for an incident of its own repository: the marker is in a body that
  // anyone who can edit the issue can write.
  if (marker.repo.toLowerCase() !== e.repository.full_name.toLowerCase()) return undefined;
  return { repo: parseRepo(e.repository.full_name), incident: marker.incident, ticket: e.issue.number, ...(e.issue.user ? { author: e.issue.user.login } : {}) };
}

/** Rebuild the incident's card after one of its problem tickets changed; true when it was one. */
export async function trackTicket(deps: IncidentDeps, name: string, payload: unknown): Promise<boolean> {
  const target = ticketTarget(name, payload);
  if (!target) return false;
  // Only a ticket this app opened speaks for an incident: anyone can open an issue carrying a copy of the marker.
  const full = `${target.repo.owner}/${target.repo.repo}`;
  if (!target.author || !wroteIt(await identityOf(deps.github), { login: target.author }, full, full)) return false;
  await reconcileIssue(deps, target.repo, target.incident, { kind: "issue" });
  return true;
}
