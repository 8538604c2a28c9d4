import { coordination } from "../cluster/coordination.js";
import { mapLimit } from "../concurrency.js";
import type { Config, Status } from "../config/schema.js";
import { STATUSES } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { parseDeclaration } from "../incident/declaration.js";
import { readMarkers } from "../markers.js";
import { identityOf, wroteIt } from "../trust.js";
import type { EarlierIncident, OpenIncident, OpenProblem } from "./risk.js";

/**
 * What change risk reads of GitHub, bounded and remembered:
 *
 * - the pull request's files: 100 a page, at most 30 pages (GitHub lists no more than 3,000), kept
 *   per head commit (a commit's files never change), so a re-run, an edit or a redelivery reads none;
 * - the open incidents: one listing of open issues per accepted status (`incident,status:…`: four
 *   listings, 100 a page, at most 10 pages each; reports in triage are never listed), once per delivery; severity, status and service are read from the labels the app
 *   keeps on them (and the service from the declaration), never from each issue's timeline;
 * - the open problems: one listing of open issues with the problem label, when a service was touched;
 * - earlier causes: one listing of the pull requests labelled as a cause and updated in the last
 *   90 days, newest first, at most 50 of them; of each, its files, and the cause comments the app
 *   wrote on it (its first 1,000 comments) only when it shares a file with this pull request; kept
 *   per pull request until it is updated again.
 *
 * The listings go through the conditional requests (src/github/conditional.ts): an unchanged
 * listing is a 304 that GitHub does not count.
 */

export const MAX_FILE_PAGES = 30;
export const MAX_INCIDENT_PAGES = 10;
export const MAX_CAUSE_PULLS = 50;
export const EARLIER_DAYS = 90;
/** Pages of a cause pull request's comments read for the app's cause comments, at most (100 a page). */
export const MAX_COMMENT_PAGES = 10;
const CAUSE_CONCURRENCY = 4;
const CACHE_TTL_MS = 24 * 3_600_000;
/** A file list larger than this is not remembered (Redis is a small cache). */
const MAX_CACHED_CHARS = 512 * 1024;

const lower = (s: string) => s.toLowerCase();
const labelNames = (labels: readonly (string | { name?: string | null })[]) => labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));

async function remembered<T>(key: string): Promise<T | undefined> {
  try {
    const raw = await coordination().get(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

async function remember(key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  if (text.length <= MAX_CACHED_CHARS)
    await coordination()
      .set(key, text, CACHE_TTL_MS)
      .catch(() => undefined);
}

export interface PullFiles {
  files: string[];
  /** More files than GitHub lists (or than were read). */
  cut: boolean;
}

/** Files of a pull request (names; a rename counts under its new name), at most 3,000. */
export async function listFiles(github: GitHub, repo: RepoRef, number: number): Promise<PullFiles> {
  const files: string[] = [];
  let pages = 0;
  let cut = false;
  for await (const page of github.paginate.iterator(github.rest.pulls.listFiles, { ...repo, pull_number: number, per_page: 100 })) {
    for (const f of page.data) {
      files.push(f.filename);
      if (f.previous_filename) files.push(f.previous_filename);
    }
    if (++pages >= MAX_FILE_PAGES) {
      cut = page.data.length === 100;
      break;
    }
  }
  return { files, cut };
}

export async function readPullFiles(github: GitHub, repo: RepoRef, number: number, headSha: string): Promise<PullFiles> {
  const key = `risk files ${lower(`${repo.owner}/${repo.repo}`)}#${number}@${headSha}`;
  const known = await remembered<PullFiles>(key);
  if (known) return known;
  const read = await listFiles(github, repo, number);
  await remember(key, read);
  return read;
}

/** As src/incident/state.ts: `default_severity`, else sev3, else the least severe. */
const defaultSeverity = (config: Config) =>
  config.default_severity ?? config.severities.find((s) => s.name === "sev3")?.name ?? config.severities[config.severities.length - 1]!.name;

/**
 * The listings that find the accepted open incidents: one per accepted status (`incident,status:…`),
 * so that reports in triage, which anyone may open by the thousand, never push an incident out of
 * the pages read; one listing of the incident label if a status label holds a comma (GitHub would
 * read it as two labels).
 */
function incidentFilters(config: Config): string[] {
  const accepted = STATUSES.filter((s) => s !== "triage").map((s) => config.labels.status[s]);
  if (accepted.some((l) => l.includes(","))) return [config.labels.incident];
  return accepted.map((l) => `${config.labels.incident},${l}`);
}

/** The open incidents: accepted ones only (a status label other than triage). */
export async function readOpenIncidents(github: GitHub, repo: RepoRef, config: Config): Promise<OpenIncident[]> {
  const identity = await identityOf(github);
  const full = `${repo.owner}/${repo.repo}`;
  const out: OpenIncident[] = [];
  const seen = new Set<number>();
  for (const filter of incidentFilters(config)) await listIncidents(filter);
  return out.sort((a, b) => a.number - b.number);

  async function listIncidents(filter: string): Promise<void> {
    let pages = 0;
    for await (const page of github.paginate.iterator(github.rest.issues.listForRepo, {
      ...repo,
      labels: filter,
      state: "open",
      per_page: 100,
    })) {
      for (const issue of page.data) {
        if (issue.pull_request || seen.has(issue.number)) continue;
        seen.add(issue.number);
        const labels = new Set(labelNames(issue.labels).map(lower));
        const status = STATUSES.find((s) => labels.has(lower(config.labels.status[s])));
        // No status label yet (the app has not reconciled it) or a report in triage: not accepted.
        if (!status || status === "triage") continue;
        const severity = config.severities.find((s) => labels.has(lower(s.label)))?.name ?? defaultSeverity(config);
        const declared = parseDeclaration(issue.body ?? "", config, wroteIt(identity, issue.user ?? undefined, full, full)).service;
        const byLabel = Object.entries(config.services).find(([, s]) => s.labels.some((l) => labels.has(lower(l))))?.[0];
        const service = declared && config.services[declared] ? declared : byLabel;
        out.push({
          number: issue.number,
          title: issue.title,
          url: issue.html_url,
          severity,
          status: status satisfies Status,
          ...(service ? { service } : {}),
          open: true,
          security: labels.has(lower(config.labels.security)),
        });
      }
      if (++pages >= MAX_INCIDENT_PAGES) break;
    }
  }
}

/** Open problems labelled with one of the touched services' labels. */
export async function readOpenProblems(github: GitHub, repo: RepoRef, config: Config, services: readonly string[]): Promise<OpenProblem[]> {
  const serviceLabels = services.map((name) => ({ name, labels: (config.services[name]?.labels ?? []).map(lower) })).filter((s) => s.labels.length > 0);
  if (serviceLabels.length === 0) return [];
  const out: OpenProblem[] = [];
  let pages = 0;
  for await (const page of github.paginate.iterator(github.rest.issues.listForRepo, { ...repo, labels: config.labels.problem, state: "open", per_page: 100 })) {
    for (const issue of page.data) {
      if (issue.pull_request) continue;
      const labels = new Set(labelNames(issue.labels).map(lower));
      const on = serviceLabels.filter((s) => s.labels.some((l) => labels.has(l))).map((s) => s.name);
      if (on.length > 0) out.push({ number: issue.number, title: issue.title, url: issue.html_url, services: on });
    }
    if (++pages >= MAX_INCIDENT_PAGES) break;
  }
  return out.sort((a, b) => a.number - b.number);
}

interface CauseRecord {
  updatedAt: string;
  files: string[];
  /** Incidents the app recorded this pull request as a cause of, and when (read once files are shared). */
  incidents?: { number: number; at: string }[];
}

/** The incidents the app's own cause comments on a pull request name (`cause` markers of this repository). */
async function causedIncidents(github: GitHub, repo: RepoRef, number: number): Promise<{ number: number; at: string }[]> {
  const identity = await identityOf(github);
  const full = `${repo.owner}/${repo.repo}`;
  const here = lower(full);
  const incidents = new Map<number, string>();
  // Anyone may comment on a pull request: its first 1,000 comments are read, no more.
  let pages = 0;
  for await (const page of github.paginate.iterator(github.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 })) {
    for (const c of page.data) {
      if (!wroteIt(identity, c.user ?? undefined, full, full)) continue;
      for (const payload of readMarkers(c.body, "cause")) {
        const m = /^(.+)#(\d{1,9})$/.exec(payload);
        if (!m || lower(m[1]!) !== here) continue;
        const n = Number(m[2]);
        if (!incidents.has(n)) incidents.set(n, c.created_at);
      }
    }
    if (++pages >= MAX_COMMENT_PAGES) break;
  }
  return [...incidents].map(([n, at]) => ({ number: n, at }));
}

/**
 * A cause pull request's files, and, only when it shares one with this pull request, the incidents
 * it caused; remembered until the pull request is updated again (a new comment updates it).
 */
async function readCause(github: GitHub, repo: RepoRef, pull: { number: number; updated_at: string }, touched: ReadonlySet<string>): Promise<CauseRecord> {
  const key = `risk cause ${lower(`${repo.owner}/${repo.repo}`)}#${pull.number}`;
  const known = await remembered<CauseRecord>(key);
  const record: CauseRecord =
    known && known.updatedAt === pull.updated_at ? known : { updatedAt: pull.updated_at, files: (await listFiles(github, repo, pull.number)).files };
  if (record.incidents || !record.files.some((f) => touched.has(f))) {
    if (record !== known) await remember(key, record);
    return record;
  }
  record.incidents = await causedIncidents(github, repo, pull.number);
  await remember(key, record);
  return record;
}

/** Incidents of the last 90 days caused by pull requests that changed any of `files`. */
export async function readEarlierIncidents(
  github: GitHub,
  repo: RepoRef,
  config: Config,
  files: readonly string[],
  now: number,
  self: number,
): Promise<EarlierIncident[]> {
  if (files.length === 0) return [];
  // From the start of that day (UTC): the listing's URL, and so its ETag, holds for a day.
  const since = new Date(Math.floor((now - EARLIER_DAYS * 86_400_000) / 86_400_000) * 86_400_000).toISOString();
  const pulls: { number: number; updated_at: string; html_url: string }[] = [];
  for await (const page of github.paginate.iterator(github.rest.issues.listForRepo, {
    ...repo,
    labels: config.labels.cause,
    state: "all",
    since,
    sort: "updated",
    direction: "desc",
    per_page: 100,
  })) {
    for (const issue of page.data)
      if (issue.pull_request && issue.number !== self) pulls.push({ number: issue.number, updated_at: issue.updated_at, html_url: issue.html_url });
    if (pulls.length >= MAX_CAUSE_PULLS) break;
  }
  const touched = new Set(files);
  const causes = await mapLimit(pulls.slice(0, MAX_CAUSE_PULLS), CAUSE_CONCURRENCY, async (pull) => ({
    pull,
    record: await readCause(github, repo, pull, touched),
  }));
  const byIncident = new Map<number, EarlierIncident>();
  for (const { pull, record } of causes) {
    const shared = record.files.filter((f) => touched.has(f));
    if (shared.length === 0) continue;
    for (const incident of record.incidents ?? []) {
      if (Date.parse(incident.at) < Date.parse(since) || byIncident.has(incident.number)) continue;
      byIncident.set(incident.number, {
        number: incident.number,
        at: incident.at,
        cause: { number: pull.number, url: pull.html_url },
        files: [...new Set(shared)],
      });
    }
  }
  return [...byIncident.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.number - a.number);
}
