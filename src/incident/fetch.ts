import type { GitHub, RepoRef } from "../github/client.js";
import { identityOf } from "../trust.js";
import { markOwn, toHistoryEvent, toIssueSnapshot, toSubIssue, type History, type HistoryEvent } from "./history.js";
import { needsSubIssueList } from "./subissues.js";

/**
 * Read an issue's whole history: the issue itself and its timeline, 100 items a page (the most
 * GitHub allows). This is every read the state needs, but for the sub-issues, read only when a
 * person attached one that is not the app's own ticket (src/incident/subissues.ts). `read`: the
 * issue as this delivery has just read it, so it is not asked for twice.
 */
export async function fetchHistory(github: GitHub, repo: RepoRef, number: number, read?: unknown): Promise<History> {
  // Both at once: one round trip to GitHub less for every delivery.
  const [issue, items] = await Promise.all([
    Promise.resolve(read ?? github.rest.issues.get({ ...repo, issue_number: number }).then((r) => r.data)),
    github.paginate(github.rest.issues.listEventsForTimeline, { ...repo, issue_number: number, per_page: 100 }),
  ]);
  const events = items.map(toHistoryEvent).filter((e): e is HistoryEvent => e !== undefined);
  const identity = await identityOf(github);
  const history = markOwn({ repo, issue: toIssueSnapshot(issue), events }, identity);
  if (!needsSubIssueList(history)) return history;
  const subIssues = await github.paginate(github.rest.issues.listSubIssues, { ...repo, issue_number: number, per_page: 100 });
  return markOwn({ ...history, subIssues: subIssues.map(toSubIssue) }, identity);
}
