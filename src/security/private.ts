import type { Config } from "../config/schema.js";
import { errorStatus, parseRepo, type RepoRef } from "../github/client.js";
import type { IncidentDeps } from "../incident/deps.js";
import type { History } from "../incident/history.js";
import { hasMarker, writeMarker } from "../markers.js";
import { bundledTemplate } from "../templates.js";
import { ensureLabels } from "../github/labels.js";
import { labelSpec } from "../incident/labels.js";

/**
 * Private security incidents. With `private.repo` set, a security incident lives in that
 * repository: one declared by an alert or a dispatch is opened there directly (src/alerts/), and
 * an issue that becomes one elsewhere (`/incident security …`, or the labels `incident` and
 * `security`) is transferred there before incident-desk writes anything on it: no card, no
 * labels, no notification. GitHub transfers issues only between repositories of one owner; for
 * another owner a reply says what to do, and it names nothing of the incident.
 */
export function privateRepoFor(config: Config, repo: RepoRef): RepoRef | undefined {
  if (!config.private.repo) return undefined;
  const target = parseRepo(config.private.repo);
  const same = target.owner.toLowerCase() === repo.owner.toLowerCase() && target.repo.toLowerCase() === repo.repo.toLowerCase();
  return same ? undefined : target;
}

const REFUSAL_MARKER = writeMarker("security-move");

const TRANSFER = `mutation($issueId: ID!, $repositoryId: ID!) {
  transferIssue(input: { issueId: $issueId, repositoryId: $repositoryId }) { issue { number url } }
}`;

export type PrivateMove = { moved: RepoRef & { number: number } } | { refused: string };

export async function moveToPrivateRepo(
  deps: IncidentDeps,
  repo: RepoRef,
  history: History,
  config: Config,
  target: RepoRef,
): Promise<PrivateMove> {
  const { github } = deps;
  const where = `${target.owner}/${target.repo}`;
  let reason: string;
  if (target.owner.toLowerCase() !== repo.owner.toLowerCase()) {
    reason = "other-owner";
  } else {
    try {
      const { data } = await github.rest.repos.get({ ...target });
      const result = await github.graphql<{ transferIssue: { issue: { number: number; url: string } } }>(TRANSFER, {
        issueId: history.issue.nodeId,
        repositoryId: data.node_id,
      });
      const moved = { ...target, number: result.transferIssue.issue.number };
      // The labels declare it there even if whoever declared it cannot command in that repository.
      const labels = [config.labels.incident, config.labels.security];
      await ensureLabels(github, target, labels.map((name) => labelSpec(config, name)));
      await github.rest.issues.addLabels({ ...target, issue_number: moved.number, labels });
      deps.log.info(`incident-desk: security incident ${repo.owner}/${repo.repo}#${history.issue.number} moved to ${where}#${moved.number}`);
      return { moved };
    } catch (error) {
      // GitHub's refusals get the reply; anything else (5xx, network) fails the delivery to be retried.
      const status = errorStatus(error);
      const refused = (error instanceof Error && error.name === "GraphqlResponseError") || status === 403 || status === 404;
      if (!refused) throw error;
      reason = "no-access";
      deps.log.warn(`incident-desk: cannot move security incident ${repo.owner}/${repo.repo}#${history.issue.number} to ${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const answered = history.events.some((e) => e.type === "commented" && e.own && hasMarker(e.body, "security-move"));
  if (!answered) {
    const body = bundledTemplate("security-move.md.hbs")({
      marker: REFUSAL_MARKER,
      where,
      otherOwner: reason === "other-owner",
      owner: target.owner,
    }).trim();
    await github.rest.issues.createComment({ ...repo, issue_number: history.issue.number, body });
  }
  return { refused: reason };
}
