import type { IncidentState } from "../incident/types.js";
import { formatDuration } from "../time/duration.js";

/**
 * The report's problem sections, a pure function of the period's incidents (their derived states,
 * with what their cards keep about their problems: no problem issue is read). Top problems by
 * incident count and by impact; recurring incidents: several incidents of one problem, or of one
 * service with no problem linked (a problem that nobody has recorded yet).
 */

export interface ProblemRow {
  number: number;
  title: string;
  url: string;
  status: string;
  incidents: number;
  impact: string;
  impactMs: number;
}

export interface RecurringRow {
  /** "problem #45 Pool exhaustion" or "service payments (no problem linked)". */
  what: string;
  problem?: { number: number; url: string; title: string };
  service?: string;
  incidents: { number: number; url: string }[];
}

export interface ProblemReport {
  byCount: ProblemRow[];
  byImpact: ProblemRow[];
  recurring: RecurringRow[];
}

/** Rows per table. */
export const TOP = 10;

const impactOf = (s: IncidentState): number => {
  const { started, mitigated, resolved } = s.times;
  const end = mitigated ?? resolved;
  return started && end ? Math.max(0, Date.parse(end) - Date.parse(started)) : 0;
};

export function problemReport(incidents: readonly IncidentState[]): ProblemReport | undefined {
  const byProblem = new Map<number, { row: ProblemRow; members: IncidentState[] }>();
  const byService = new Map<string, IncidentState[]>();
  for (const s of incidents) {
    if (!s.problem) {
      if (s.service) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
      continue;
    }
    const view = s.problemFacts?.view?.number === s.problem.number ? s.problemFacts.view : undefined;
    let entry = byProblem.get(s.problem.number);
    if (!entry) {
      entry = {
        row: { number: s.problem.number, title: view?.title ?? "", url: view?.url ?? "", status: view?.status ?? "", incidents: 0, impact: "", impactMs: 0 },
        members: [],
      };
      byProblem.set(s.problem.number, entry);
    }
    entry.row.incidents++;
    entry.row.impactMs += impactOf(s);
    entry.members.push(s);
    // The newest card knows the problem best.
    if (view && !entry.row.url) Object.assign(entry.row, { title: view.title, url: view.url, status: view.status });
  }
  if (byProblem.size === 0 && ![...byService.values()].some((list) => list.length > 1)) return undefined;
  const rows = [...byProblem.values()].map((e) => ({ ...e.row, impact: e.row.impactMs > 0 ? formatDuration(e.row.impactMs) : "—" }));
  const byCount = [...rows].sort((a, b) => b.incidents - a.incidents || b.impactMs - a.impactMs || a.number - b.number).slice(0, TOP);
  const byImpact = [...rows].sort((a, b) => b.impactMs - a.impactMs || b.incidents - a.incidents || a.number - b.number).slice(0, TOP);
  const link = (s: IncidentState) => ({ number: s.number, url: s.url });
  const recurring: RecurringRow[] = [
    ...[...byProblem.values()]
      .filter((e) => e.members.length > 1)
      .map((e) => ({ what: "problem", problem: { number: e.row.number, url: e.row.url, title: e.row.title }, incidents: e.members.map(link) })),
    ...[...byService.entries()].filter(([, list]) => list.length > 1).map(([service, list]) => ({ what: "service", service, incidents: list.map(link) })),
  ].sort((a, b) => b.incidents.length - a.incidents.length);
  return { byCount, byImpact, recurring };
}
