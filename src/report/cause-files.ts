import { mapLimit } from "../concurrency.js";
import type { Config } from "../config/schema.js";
import { listFiles, MAX_CAUSE_PULLS } from "../changes/risk-reads.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import type { IncidentState } from "../incident/types.js";

/**
 * Recurring incidents by cause files: incidents of the period whose cause pull requests changed at
 * least one same file, whatever their service or problem; incidents declared before the period
 * that the report read anyway (updated in it) join a group, marked earlier, but make none alone.
 *
 * An incident's cause pull requests: what its `/cause` commands and `root cause:` lines resolved to
 * (the pull request itself, or the one that merged the commit named), and the pull requests linked
 * to it that carry the cause label (`labels.cause`, `incident-cause`). Their files are read once per
 * run each (`GET /repos/{o}/{r}/pulls/{n}/files`, 100 a page, at most 3,000 files as GitHub lists),
 * newest incidents first, at most MAX_CAUSE_PULLS pull requests; none when fewer than two incidents
 * have a cause pull request (nothing could recur). The grouping is pure (causeFileGroups).
 */

/** Files reads of cause pull requests in flight at once. */
const FILES_CONCURRENCY = 4;

export interface CauseIncident {
  number: number;
  url: string;
  declared: string;
  pulls: number[];
  /** Declared before the period, and read because updated in it: joins a group, never makes one. */
  earlier?: boolean;
}

export interface CauseFilesRead {
  /** Files per cause pull request read. */
  files: Map<number, string[]>;
  /** Distinct cause pull requests of the period's incidents. */
  pulls: number;
  /** Pull requests whose files were read (MAX_CAUSE_PULLS at most). */
  read: number;
  /** Pull requests left unread because of MAX_CAUSE_PULLS. */
  unread: number;
  /** Pull requests with more files than GitHub lists (3,000): compared on those listed. */
  cut: number[];
}

export interface CauseFileGroup {
  incidents: { number: number; url: string; earlier?: boolean }[];
  /** Files that the causes of at least two of the group's incidents changed, most shared first. */
  files: string[];
  /** The cause pull requests that changed a shared file. */
  pulls: number[];
}

const lower = (s: string) => s.toLowerCase();

/** The incident's cause pull requests (numbers in this repository), in the order the incident names them. */
export function causePullsOf(state: IncidentState, config: Config): number[] {
  const label = lower(config.labels.cause);
  const numbers = [
    ...state.changes.causes.flatMap((c) => (c.pull ? [c.pull.number] : [])),
    ...state.changes.linked.filter((p) => p.labels.some((l) => lower(l) === label)).map((p) => p.number),
  ];
  return [...new Set(numbers)];
}

/**
 * The incidents with a cause pull request: those declared in the period, and those declared before
 * it that the report read anyway (updated in the period: the listing's look-back), marked earlier.
 */
export function causeIncidents(incidents: readonly IncidentState[], config: Config, period: { from: string; to: string }): CauseIncident[] {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  return incidents
    .filter((s) => s.isIncident && s.times.detected && Date.parse(s.times.detected) <= to)
    .map((s) => ({
      number: s.number,
      url: s.url,
      declared: s.times.detected!,
      pulls: causePullsOf(s, config),
      ...(Date.parse(s.times.detected!) < from ? { earlier: true } : {}),
    }))
    .filter((s) => s.pulls.length > 0);
}

/** The files of the incidents' cause pull requests, newest incidents first, each pull request once. */
export async function readCauseFiles(github: GitHub, repo: RepoRef, incidents: readonly CauseIncident[]): Promise<CauseFilesRead> {
  const order = [...incidents].sort((a, b) => Date.parse(b.declared) - Date.parse(a.declared) || b.number - a.number);
  const pulls = [...new Set(order.flatMap((s) => s.pulls))];
  const files = new Map<number, string[]>();
  const cut: number[] = [];
  if (incidents.length < 2 || incidents.every((s) => s.earlier)) return { files, pulls: pulls.length, read: 0, unread: 0, cut };
  const chosen = pulls.slice(0, MAX_CAUSE_PULLS);
  const read = await mapLimit(chosen, FILES_CONCURRENCY, async (number) => {
    try {
      return { number, ...(await listFiles(github, repo, number)) };
    } catch (error) {
      // A cause pull request GitHub no longer finds: nothing to compare, the rest of the report stands.
      if (errorStatus(error) === 404) return { number, files: [], cut: false };
      throw error;
    }
  });
  for (const r of read) {
    files.set(r.number, r.files);
    if (r.cut) cut.push(r.number);
  }
  return { files, pulls: pulls.length, read: chosen.length, unread: pulls.length - chosen.length, cut: cut.sort((a, b) => a - b) };
}

/**
 * Incidents joined when a cause of one and a cause of the other changed a same file (and, through
 * such links, into one group); each group of two or more, with the files shared. Pure.
 */
export function causeFileGroups(incidents: readonly CauseIncident[], files: ReadonlyMap<number, readonly string[]>): CauseFileGroup[] {
  const parent = new Map<number, number>();
  const find = (n: number): number => {
    let root = n;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let x = n; x !== root;) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  const byNumber = new Map(incidents.map((s) => [s.number, s]));
  for (const s of incidents) parent.set(s.number, s.number);
  /** Per file, the incidents whose causes changed it. */
  const changedBy = new Map<string, Set<number>>();
  for (const s of incidents) {
    for (const pull of s.pulls) {
      for (const file of files.get(pull) ?? []) {
        let set = changedBy.get(file);
        if (!set) changedBy.set(file, (set = new Set()));
        set.add(s.number);
      }
    }
  }
  const shared = [...changedBy].filter(([, set]) => set.size > 1);
  for (const [, set] of shared) {
    const [first, ...rest] = [...set];
    for (const n of rest) parent.set(find(n), find(first!));
  }
  const groups = new Map<number, { members: Set<number>; files: [string, number][] }>();
  for (const [file, set] of shared) {
    const root = find([...set][0]!);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { members: new Set(), files: [] }));
    for (const n of set) g.members.add(n);
    g.files.push([file, set.size]);
  }
  return [...groups.values()]
    .filter((g) => [...g.members].some((n) => !byNumber.get(n)!.earlier))
    .map((g) => {
      const members = [...g.members].sort((a, b) => a - b);
      const names = new Set(g.files.map(([f]) => f));
      const pulls = new Set<number>();
      for (const n of members) for (const p of byNumber.get(n)!.pulls) if ((files.get(p) ?? []).some((f) => names.has(f))) pulls.add(p);
      return {
        incidents: members.map((n) => ({ number: n, url: byNumber.get(n)!.url, ...(byNumber.get(n)!.earlier ? { earlier: true } : {}) })),
        files: g.files.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([f]) => f),
        pulls: [...pulls].sort((a, b) => a - b),
      };
    })
    .sort((a, b) => b.incidents.length - a.incidents.length || a.incidents[0]!.number - b.incidents[0]!.number);
}
