import type { GitHub, RepoRef } from "../github/client.js";
import { identityOf } from "../trust.js";
import { markOwn, toHistoryEvent, toIssueSnapshot, type History, type HistoryEvent } from "./history.js";

/**
 * Read an issue's whole history: the issue itself and its timeline, 100 items a page (the most
 * GitHub allows). This is every read the state needs. `read`: the issue as this delivery has just
 * read it, so it is not asked for twice.
 */
export async function fetchHistory(github: GitHub, repo: RepoRef, number: number, read?: unknown): Promise<History> {
  // Both at once: one round trip to GitHub less for every delivery.
  const [issue, items] = await Promise.all([
    Promise.resolve(read ?? github.rest.issues.get({ ...repo, issue_number: number }).then((r) => r.data)),
    github.paginate(github.rest.issues.listEventsForTimeline, { ...repo, issue_number: number, per_page: 100 }),
  ]);
  const events = items.map(toHistoryEvent).filter((e): e is HistoryEvent => e !== undefined);
  return markOwn({ repo, issue: toIssueSnapshot(issue), events }, (await identityOf(github)));
}
