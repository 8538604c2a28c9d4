import { isTicketOf, parseTicketMarker } from "../problems/marker.js";
import type { Actor, History, IssueReference, SubIssue } from "./history.js";

/**
 * Sub-issues of an incident, as its history tells them: the timeline's `sub_issue_added` /
 * `sub_issue_removed` events say which are attached and who attached them; the list GitHub keeps
 * (`GET …/sub_issues`) is read only when one of them is not one of the app's own problem tickets
 * (those the state already knows from their cross-references), so an incident whose sub-issues
 * are all tickets costs no request more.
 */
export interface AttachedSubIssue {
  ref: IssueReference;
  actor: Actor;
  at: string;
  /** The timeline event's id (keys the verdict on a person's change: src/incident/verdicts.ts). */
  id?: number;
  /** As GitHub lists it now, when the list was read. */
  listed?: SubIssue;
}

const keyOf = (repo: string, number: number) => `${repo.toLowerCase()}#${number}`;

/** The sub-issues attached now, in the order they were attached (the last attachment of each). */
export function attachedSubIssues(history: History): AttachedSubIssue[] {
  const home = `${history.repo.owner}/${history.repo.repo}`;
  // GitHub counts none now (all detached, deleted or moved): the timeline's additions are history.
  if (history.issue.subIssues === 0) return [];
  const attached = new Map<string, AttachedSubIssue>();
  for (const e of history.events) {
    if (e.type !== "sub-issue-added" && e.type !== "sub-issue-removed") continue;
    const key = keyOf(e.sub.repo || home, e.sub.number);
    attached.delete(key);
    if (e.type === "sub-issue-added")
      attached.set(key, { ref: { ...e.sub, repo: e.sub.repo || home }, actor: e.actor, at: e.at, ...(e.id !== undefined ? { id: e.id } : {}) });
  }
  if (!history.subIssues) return [...attached.values()];
  // The list is what GitHub holds now: it wins over the timeline (a deleted or moved sub-issue is gone).
  const listed = new Map(history.subIssues.map((s) => [keyOf(s.repo || home, s.number), s]));
  const out: AttachedSubIssue[] = [];
  for (const [key, a] of attached) {
    const now = listed.get(key);
    if (now) out.push({ ...a, ref: { ...a.ref, number: now.number, repo: now.repo || a.ref.repo, title: now.title, state: now.state }, listed: now });
  }
  return out;
}

/** The app's own problem tickets of this incident that the timeline shows (cross-references by our account, with our marker). */
export function ownTickets(history: History): Set<string> {
  const home = `${history.repo.owner}/${history.repo.repo}`;
  const tickets = new Set<string>();
  for (const e of history.events) {
    if (e.type !== "cross-referenced" || e.source.isPullRequest || e.source.own !== true) continue;
    const repo = e.source.repo || home;
    if (repo.toLowerCase() !== home.toLowerCase()) continue;
    if (isTicketOf(parseTicketMarker(e.source.body), home, history.issue.number)) tickets.add(keyOf(repo, e.source.number));
  }
  return tickets;
}

/** Whether the sub-issues must be read: GitHub counts some, and one of them is not a ticket the history already explains. */
export function needsSubIssueList(history: History): boolean {
  if (!history.issue.subIssues) return false;
  const tickets = ownTickets(history);
  return attachedSubIssues(history).some((a) => !tickets.has(keyOf(a.ref.repo, a.ref.number)));
}

export function isOwnTicket(tickets: Set<string>, ref: IssueReference): boolean {
  return tickets.has(keyOf(ref.repo, ref.number));
}
