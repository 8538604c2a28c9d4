import { readMarkers, type MarkerKind } from "../markers.js";
import { writtenByUs } from "../trust.js";
import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import { labelSpec } from "../incident/labels.js";
import { forgetIssueTypes, offeredIncidentType } from "../incident/issue-type.js";

/**
 * The issues the app opens itself (from an alert or a `repository_dispatch`), and finding them
 * again. The body carries the declaration block the state reads and a marker naming what opened
 * it; the issue is opened with its labels so that the next delivery finds it with one request.
 */
export interface OpenedIssue {
  number: number;
  url: string;
}

/**
 * The open incident the app opened whose body holds `marker`. Lists open incident issues (not the
 * search API, whose index lags by seconds to minutes: a second alert could miss the first one).
 */
export async function findOpenIncident(
  github: GitHub,
  repo: RepoRef,
  config: Config,
  kind: MarkerKind,
  matches: (payload: string) => boolean,
): Promise<OpenedIssue | undefined> {
  const issues = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: "open", labels: config.labels.incident, per_page: 100 });
  const ours = await writtenByUs(github, repo);
  const hit = issues.find((i) => !i.pull_request && ours(i) && readMarkers(i.body, kind).some(matches));
  return hit ? { number: hit.number, url: hit.html_url } : undefined;
}

export async function openIncidentIssue(
  github: GitHub,
  repo: RepoRef,
  config: Config,
  issue: { title: string; body: string; severity: string },
): Promise<OpenedIssue> {
  const severityLabel = config.severities.find((s) => s.name === issue.severity)?.label ?? issue.severity;
  const labels = [config.labels.incident, severityLabel, config.labels.status.investigating];
  await ensureLabels(github, repo, labels.map((name) => labelSpec(config, name)));
  // The organisation's incident issue type, in the same request (src/incident/issue-type.ts).
  const type = await offeredIncidentType(github, repo, config);
  const create = { ...repo, title: issue.title, body: issue.body, labels };
  try {
    const { data } = await github.rest.issues.create({ ...create, ...(type ? { type } : {}) });
    return { number: data.number, url: data.html_url };
  } catch (error) {
    // The type removed from the organisation since it was read: the incident is opened without it.
    if (!(type && errorStatus(error) === 422)) throw error;
    await forgetIssueTypes(repo);
    const { data } = await github.rest.issues.create(create);
    return { number: data.number, url: data.html_url };
  }
}
