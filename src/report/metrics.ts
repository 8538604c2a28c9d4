import type { DeploymentSnapshot } from "../changes/facts.js";
import type { IncidentState } from "../incident/state.js";
import type { Period } from "./period.js";

/**
 * The report's numbers as a pure function of the incidents' derived states and the production
 * deployments of the period. Nothing here reads GitHub or derives state: src/report/gather.ts
 * hands over what deriveIncident made.
 *
 * Which incidents count: those declared (detected) within the period. An incident declared
 * before it is left out even if it was resolved inside it, so that a period's counts and times
 * describe the same set of incidents.
 */

/** Median and 90th percentile of a set of durations (ms); absent when the set is empty. */
export interface Stat {
  count: number;
  median?: number;
  p90?: number;
}

/** The middle value; with an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The p-th percentile by nearest rank: the smallest value with at least p% of the set at or below
 * it. Always a value that happened (no interpolation between two incidents).
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function stat(values: readonly number[]): Stat {
  const m = median(values);
  const p = percentile(values, 90);
  return { count: values.length, ...(m !== undefined ? { median: m } : {}), ...(p !== undefined ? { p90: p } : {}) };
}

export interface Bucket {
  /** Start of the bucket (ISO). */
  from: string;
  label: string;
  incidents: number;
  deployments: number;
}

export interface IncidentRow {
  number: number;
  url: string;
  /** Absent for security incidents: their titles stay out of reports. */
  title?: string;
  security: boolean;
  severity: string;
  status: IncidentState["status"];
  service?: string;
  declared: string;
  acknowledge?: number;
  mitigate?: number;
  resolve?: number;
  /** The cause deployment and the recovery time from it (DORA). */
  failedDeployment?: { id: number; sha: string; at: string };
  recovery?: number;
}

export interface ReportMetrics {
  period: Period;
  incidents: { total: number; open: number; resolved: number };
  /** Every configured severity, most severe first, zeros included; then any unknown ones seen. */
  bySeverity: { name: string; count: number }[];
  /** Most incidents first; incidents with no service count under `null`. */
  byService: { name: string | null; count: number }[];
  times: { acknowledge: Stat; mitigate: Stat; resolve: Stat };
  /** Time to resolve per severity (resolved incidents only). */
  resolveBySeverity: { name: string; stat: Stat }[];
  changeFailure: {
    /** Production deployments (`changes.environments`) created in the period. */
    deployments: number;
    /** Incidents of the period whose cause shipped in a production deployment. */
    incidents: number;
    /** Distinct production deployments of the period that caused an incident of the period. */
    failedDeployments: number;
    /** failedDeployments ÷ deployments, 0..1; absent with no deployment. */
    rate?: number;
  };
  /** resolved − the cause deployment's time, over resolved incidents with a deployed cause. */
  recovery: Stat;
  buckets: { unit: "day" | "week" | "month"; items: Bucket[] };
  rows: IncidentRow[];
  /** The deploy gate's decisions made in the period (each once, however many incidents record it), oldest first. */
  gate: { rejected: number; allowed: number; decisions: GateRow[] };
}

export interface GateRow {
  at: string;
  environment: string;
  sha: string;
  runId: number;
  outcome: "rejected" | "allowed";
  incidents: number[];
  via?: "fix" | "revert" | "allowed";
  pull?: number;
  by?: string;
}

export interface MetricsInput {
  period: Period;
  incidents: readonly IncidentState[];
  /** Production deployments; those outside the period are ignored. */
  deployments: readonly DeploymentSnapshot[];
  /** Severity names, most severe first (config.severities). */
  severities: readonly string[];
}

const within = (at: string | undefined, period: Period): boolean => {
  if (!at) return false;
  const t = Date.parse(at);
  return t >= Date.parse(period.from) && t <= Date.parse(period.to);
};

const defined = <T>(values: (T | undefined)[]): T[] => values.filter((v): v is T => v !== undefined);

const DAY = 86_400_000;

/** Days for up to two weeks, weeks up to half a year, then months. */
export function bucketsOf(period: Period): { unit: "day" | "week" | "month"; starts: number[] } {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const span = to - from;
  const unit = span <= 14 * DAY ? "day" : span <= 183 * DAY ? "week" : "month";
  const starts: number[] = [];
  if (unit === "month") {
    const start = new Date(from);
    for (let m = 0; ; m++) {
      const t = m === 0 ? from : Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + m, 1);
      if (t > to) break;
      starts.push(t);
    }
  } else {
    const step = unit === "day" ? DAY : 7 * DAY;
    for (let t = from; t <= to; t += step) starts.push(t);
  }
  return { unit, starts };
}

function bucketLabel(t: number, unit: "day" | "week" | "month"): string {
  const iso = new Date(t).toISOString();
  return unit === "month" ? iso.slice(0, 7) : iso.slice(5, 10);
}

export function computeMetrics({ period, incidents, deployments, severities }: MetricsInput): ReportMetrics {
  const inPeriod = incidents
    .filter((s) => s.isIncident && within(s.times.detected, period))
    .sort((a, b) => Date.parse(a.times.detected!) - Date.parse(b.times.detected!) || a.number - b.number);
  const resolved = inPeriod.filter((s) => s.status === "resolved" && s.times.resolved !== undefined);

  const severityCounts = new Map<string, number>(severities.map((name) => [name, 0]));
  for (const s of inPeriod) severityCounts.set(s.severity, (severityCounts.get(s.severity) ?? 0) + 1);

  const serviceCounts = new Map<string | null, number>();
  for (const s of inPeriod) serviceCounts.set(s.service ?? null, (serviceCounts.get(s.service ?? null) ?? 0) + 1);
  const byService = [...serviceCounts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name)));

  const production = deployments.filter((d) => within(d.createdAt, period));
  const failed = new Map<number, DeploymentSnapshot>();
  let causedByDeployment = 0;
  for (const s of inPeriod) {
    const d = s.changes.failedDeployment;
    if (!d) continue;
    causedByDeployment++;
    if (within(d.createdAt, period)) failed.set(d.id, d);
  }
  // A cause deployment the listing did not show (a status read later, a race) still counts as one.
  const deploymentIds = new Set([...production.map((d) => d.id), ...failed.keys()]);

  const { unit, starts } = bucketsOf(period);
  const bucketOf = (at: string) => {
    const t = Date.parse(at);
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > t) i--;
    return i;
  };
  const items: Bucket[] = starts.map((t) => ({ from: new Date(t).toISOString(), label: bucketLabel(t, unit), incidents: 0, deployments: 0 }));
  for (const s of inPeriod) items[bucketOf(s.times.detected!)]!.incidents++;
  for (const d of production) items[bucketOf(d.createdAt)]!.deployments++;

  const recoveries = defined(resolved.map((s) => s.changes.recoveryMs));
  // Decisions are recorded on each incident they concern: one row per run, environment, commit and outcome.
  const gates = new Map<string, GateRow>();
  for (const s of incidents) {
    for (const g of s.changes.gates ?? []) {
      if (!within(g.at, period)) continue;
      const key = `${g.runId}/${g.environment.toLowerCase()}/${g.sha}/${g.outcome}`;
      const row = gates.get(key);
      if (row) row.incidents = [...new Set([...row.incidents, ...g.incidents])].sort((a, b) => a - b);
      else
        gates.set(key, {
          at: g.at,
          environment: g.environment,
          sha: g.sha,
          runId: g.runId,
          outcome: g.outcome,
          incidents: [...g.incidents],
          ...(g.via ? { via: g.via } : {}),
          ...(g.pull ? { pull: g.pull } : {}),
          ...(g.by ? { by: g.by } : {}),
        });
    }
  }
  const decisions = [...gates.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.runId - b.runId);
  return {
    period,
    incidents: { total: inPeriod.length, open: inPeriod.length - resolved.length, resolved: resolved.length },
    bySeverity: [...severityCounts].map(([name, count]) => ({ name, count })),
    byService,
    times: {
      acknowledge: stat(defined(inPeriod.map((s) => s.durations.acknowledge))),
      mitigate: stat(defined(inPeriod.map((s) => s.durations.mitigate))),
      // Open incidents have no resolve time: a still-open incident would otherwise pull the median down.
      resolve: stat(defined(resolved.map((s) => s.durations.resolve))),
    },
    resolveBySeverity: [...severityCounts.keys()]
      .map((name) => ({ name, stat: stat(defined(resolved.filter((s) => s.severity === name).map((s) => s.durations.resolve))) }))
      .filter((r) => r.stat.count > 0),
    changeFailure: {
      deployments: deploymentIds.size,
      incidents: causedByDeployment,
      failedDeployments: failed.size,
      ...(deploymentIds.size > 0 ? { rate: failed.size / deploymentIds.size } : {}),
    },
    recovery: stat(recoveries),
    gate: { rejected: decisions.filter((d) => d.outcome === "rejected").length, allowed: decisions.filter((d) => d.outcome === "allowed").length, decisions },
    buckets: { unit, items },
    rows: inPeriod.map((s) => {
      const isResolved = s.status === "resolved" && s.times.resolved !== undefined;
      const d = s.changes.failedDeployment;
      return {
        number: s.number,
        url: s.url,
        ...(s.security ? {} : { title: s.title }),
        security: s.security,
        severity: s.severity,
        status: s.status,
        ...(s.service ? { service: s.service } : {}),
        declared: s.times.detected!,
        ...(s.durations.acknowledge !== undefined ? { acknowledge: s.durations.acknowledge } : {}),
        ...(s.durations.mitigate !== undefined ? { mitigate: s.durations.mitigate } : {}),
        ...(isResolved && s.durations.resolve !== undefined ? { resolve: s.durations.resolve } : {}),
        ...(d ? { failedDeployment: { id: d.id, sha: d.sha, at: d.createdAt } } : {}),
        ...(isResolved && s.changes.recoveryMs !== undefined ? { recovery: s.changes.recoveryMs } : {}),
      };
    }),
  };
}
