import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { parseDuration } from "../time/duration.js";
import type { DeploymentSnapshot, PullSnapshot, Suspect, Suspects } from "./facts.js";
import { toDeploymentSnapshot, toPullSnapshot } from "./snapshots.js";

/**
 * Suspects: the pull requests merged and the deployments made in the look-back window before the
 * incident started. The window ends at the start, so the list of an incident never changes, and
 * is read once (the card keeps it, see facts.ts).
 */

export const MAX_SUSPECTS = 10;
/** Deployments in the window whose latest status is read (one request each); older ones are listed without. */
export const MAX_STATUS_READS = 30;

const FAILED = new Set(["failure", "error"]);

export function suspectWindow(started: string, lookback: string): { from: string; to: string } {
  const to = Date.parse(started);
  return { from: new Date(to - parseDuration(lookback)).toISOString(), to: new Date(to).toISOString() };
}

const inWindow = (at: string, window: { from: string; to: string }) => {
  const t = Date.parse(at);
  return t >= Date.parse(window.from) && t <= Date.parse(window.to);
};

const when = (s: Suspect) => Date.parse(s.kind === "pull" ? (s.pull.mergedAt ?? s.pull.createdAt) : s.deployment.createdAt);

/** Failed deployments first, then everything newest first; at most `limit`, with a count of the rest. */
export function rankSuspects(
  window: { from: string; to: string },
  pulls: PullSnapshot[],
  deployments: DeploymentSnapshot[],
  extra = 0,
  limit = MAX_SUSPECTS,
): Suspects {
  const all: Suspect[] = [
    ...pulls.filter((p) => p.mergedAt && inWindow(p.mergedAt, window)).map((pull) => ({ kind: "pull" as const, pull })),
    ...deployments.filter((d) => inWindow(d.createdAt, window)).map((deployment) => ({ kind: "deployment" as const, deployment })),
  ];
  const failed = (s: Suspect) => s.kind === "deployment" && FAILED.has(s.deployment.state ?? "");
  all.sort((a, b) => Number(failed(b)) - Number(failed(a)) || when(b) - when(a) || key(a).localeCompare(key(b)));
  return { ...window, items: all.slice(0, limit), more: all.length - Math.min(limit, all.length) + extra };
}

const key = (s: Suspect) => (s.kind === "pull" ? `p${s.pull.number}` : `d${s.deployment.id}`);

const isProduction = (config: Config, environment: string) =>
  config.changes.environments.some((e) => e.toLowerCase() === environment.toLowerCase());

/**
 * One search for the merged pull requests, and the deployments newest first, page by page, until
 * a page reaches past the window. Only production deployments (`changes.environments`) count.
 */
export async function fetchSuspects(github: GitHub, repo: RepoRef, window: { from: string; to: string }, config: Config): Promise<Suspects> {
  const q = `repo:${repo.owner}/${repo.repo} is:pr is:merged merged:${window.from.replace(/\.000Z$/, "Z")}..${window.to.replace(/\.000Z$/, "Z")}`;
  const { data: found } = await github.rest.search.issuesAndPullRequests({ q, sort: "updated", order: "desc", per_page: 100 });
  const pulls = found.items.map((item) => toPullSnapshot(item));
  // GitHub caps a search page at 100; the rest are counted, not listed.
  const unseenPulls = Math.max(0, found.total_count - found.items.length);

  const environments = config.changes.environments;
  const deployments: DeploymentSnapshot[] = [];
  const iterator = github.paginate.iterator(github.rest.repos.listDeployments, {
    ...repo,
    per_page: 100,
    // One environment can be filtered by GitHub; several are filtered here, from one listing.
    ...(environments.length === 1 ? { environment: environments[0]! } : {}),
  });
  for await (const page of iterator) {
    let past = false;
    for (const d of page.data) {
      const snapshot = toDeploymentSnapshot(d);
      if (Date.parse(snapshot.createdAt) < Date.parse(window.from)) {
        past = true;
        continue;
      }
      if (inWindow(snapshot.createdAt, window) && isProduction(config, snapshot.environment)) deployments.push(snapshot);
    }
    if (past || page.data.length === 0) break;
  }
  for (const d of deployments.slice(0, MAX_STATUS_READS)) {
    const { data: statuses } = await github.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 });
    if (statuses[0]) d.state = statuses[0].state;
  }
  return rankSuspects(window, pulls, deployments, unseenPulls);
}
