/**
 * Histories built by hand for the pure tests (state, changes, post-mortem): the shape GitHub's
 * timeline gives `deriveIncident`, with nothing but what a test says differently.
 */
import { markOwn, type Actor, type History, type HistoryEvent, type IssueSnapshot } from "../src/incident/history.js";
import type { Identity } from "../src/trust.js";

/** Who "we" are in these histories: the app, with the Action's bot as its companion. */
export const OWN: Identity = { self: "incident-desk[bot]", companions: ["github-actions[bot]"] };

export const alice: Actor = { login: "alice", type: "User" };
export const bob: Actor = { login: "bob", type: "User" };
export const bot: Actor = { login: "incident-desk[bot]", type: "Bot" };

let nextCommentId = 100;

/** A comment on the issue, with an id of its own. */
export function commentEvent(at: string, body: string, author: Actor = alice, issue = 1): HistoryEvent {
  const commentId = ++nextCommentId;
  return { type: "commented", commentId, body, author, at, url: `https://github.com/acme/web/issues/${issue}#issuecomment-${commentId}` };
}

/** Issue `acme/web#n` (default 1, opened by alice at 09:00 UTC) and its timeline events. */
export function issueHistory(events: HistoryEvent[], issue: Partial<IssueSnapshot> = {}): History {
  const number = issue.number ?? 1;
  return markOwn({
    repo: { owner: "acme", repo: "web" },
    issue: {
      number,
      id: 1000 + number,
      nodeId: `I_${number}`,
      title: "Checkout is down",
      body: "",
      state: "open",
      labels: [],
      assignees: [],
      author: alice,
      createdAt: "2026-03-02T09:00:00Z",
      closedAt: null,
      url: `https://github.com/acme/web/issues/${number}`,
      ...issue,
    },
    events,
  }, OWN);
}
