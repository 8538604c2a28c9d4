import { redact } from "../postmortem/redact.js";
import { bundledTemplate } from "../templates.js";
import { formatDuration, formatInstant } from "../time/duration.js";
import type { ReportMetrics, Stat } from "./metrics.js";
import type { ProblemReport } from "../problems/report.js";
import type { CauseFileGroup, CauseFilesRead } from "./cause-files.js";

/**
 * The report's Markdown (templates/report.md.hbs) from the metrics: the same text goes to the job
 * summary and to the file. Charts are Mermaid blocks, which GitHub renders in both: `pie` for the
 * breakdowns, `xychart-beta` for incidents over time and time to resolve by severity.
 */

export interface ReportView {
  repo: string;
  /** `changes.environments`, as the reader knows them: `production`, `production or prod`. */
  environments: string;
  period: { from: string; to: string; unit: string };
  incidents: ReportMetrics["incidents"];
  bySeverity: { name: string; count: number; share: string }[];
  byService: { name: string; count: number; share: string }[];
  times: { name: string; what: string; count: number; median: string; p90: string }[];
  changeFailure: { deployments: number; failedDeployments: number; incidents: number; rate: string };
  recovery: { count: number; median: string; p90: string };
  charts: { severity?: string; service?: string; overTime?: string; resolveBySeverity?: string };
  rows: {
    number: number;
    url: string;
    title: string;
    severity: string;
    status: string;
    service: string;
    declared: string;
    acknowledge: string;
    mitigate: string;
    resolve: string;
    recovery: string;
  }[];
  /** The deploy gate's decisions of the period (SPEC section 9). */
  gate: { rejected: number; allowed: number; rows: { at: string; environment: string; sha: string; outcome: string; incidents: string; how: string }[] };
  /** What the numbers rest on, for the reader who wants to check them. */
  notes: string[];
}

const NO_SERVICE = "(no service)";
const dur = (ms: number | undefined) => (ms === undefined ? "—" : formatDuration(ms));
const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${Math.round((part / whole) * 1000) / 10}%`);
/** Mermaid labels are quoted strings: a quote or a line break would end them. */
const label = (s: string) => s.replace(/["\r\n]/g, "'");

function statCells(s: Stat): { count: number; median: string; p90: string } {
  return { count: s.count, median: dur(s.median), p90: dur(s.p90) };
}

function pie(title: string, slices: { name: string; count: number }[]): string | undefined {
  const shown = slices.filter((s) => s.count > 0);
  if (shown.length === 0) return undefined;
  return [`pie showData title ${title}`, ...shown.map((s) => `    "${label(s.name)}" : ${s.count}`)].join("\n");
}

function bars(title: string, xs: string[], yTitle: string, values: number[]): string {
  const max = Math.max(1, ...values);
  return [
    "xychart-beta",
    `    title "${label(title)}"`,
    `    x-axis [${xs.map((x) => `"${label(x)}"`).join(", ")}]`,
    `    y-axis "${label(yTitle)}" 0 --> ${Number.isInteger(max) ? max : Math.ceil(max)}`,
    `    bar [${values.join(", ")}]`,
  ].join("\n");
}

const HOUR = 3_600_000;

export function buildReportView(repo: string, m: ReportMetrics, environments: readonly string[] = ["production"]): ReportView {
  const total = m.incidents.total;
  const unit = m.buckets.unit;
  const perUnit = unit === "day" ? "day" : unit === "week" ? "week (from the day shown)" : "month";
  const cf = m.changeFailure;
  return {
    repo,
    environments: environments.map((e) => `\`${e}\``).join(" or "),
    period: { from: formatInstant(m.period.from), to: formatInstant(m.period.to), unit },
    incidents: m.incidents,
    bySeverity: m.bySeverity.map((s) => ({ ...s, share: percent(s.count, total) })),
    byService: m.byService.map((s) => ({ name: s.name ?? NO_SERVICE, count: s.count, share: percent(s.count, total) })),
    times: [
      { name: "Time to acknowledge", what: "declared → first `/ack` or `/commander`", ...statCells(m.times.acknowledge) },
      { name: "Time to mitigate", what: "declared → first mitigated", ...statCells(m.times.mitigate) },
      { name: "Time to resolve", what: "started → resolved (resolved incidents only)", ...statCells(m.times.resolve) },
    ],
    changeFailure: {
      deployments: cf.deployments,
      failedDeployments: cf.failedDeployments,
      incidents: cf.incidents,
      rate: cf.rate === undefined ? "—" : percent(cf.failedDeployments, cf.deployments),
    },
    recovery: statCells(m.recovery),
    charts: {
      ...(total > 0 ? { severity: pie("Incidents by severity", m.bySeverity) } : {}),
      ...(total > 0 ? { service: pie("Incidents by service", m.byService.map((s) => ({ name: s.name ?? NO_SERVICE, count: s.count }))) } : {}),
      ...(total > 0
        ? {
            overTime: bars(
              `Incidents per ${unit}`,
              m.buckets.items.map((b) => b.label),
              "Incidents",
              m.buckets.items.map((b) => b.incidents),
            ),
          }
        : {}),
      ...(m.resolveBySeverity.length > 0
        ? {
            resolveBySeverity: bars(
              "Median time to resolve by severity (hours)",
              m.resolveBySeverity.map((r) => r.name),
              "Hours",
              m.resolveBySeverity.map((r) => Math.round(((r.stat.median ?? 0) / HOUR) * 100) / 100),
            ),
          }
        : {}),
    },
    rows: m.rows.map((r) => ({
      number: r.number,
      url: r.url,
      title: r.title ?? "(security incident)",
      severity: r.severity,
      status: r.status,
      service: r.service ?? "—",
      declared: formatInstant(r.declared),
      acknowledge: dur(r.acknowledge),
      mitigate: dur(r.mitigate),
      resolve: dur(r.resolve),
      recovery: dur(r.recovery),
    })),
    gate: {
      rejected: m.gate.rejected,
      allowed: m.gate.allowed,
      rows: m.gate.decisions.map((d) => ({
        at: formatInstant(d.at),
        environment: d.environment,
        sha: d.sha.slice(0, 7),
        outcome: d.outcome === "rejected" ? "⛔ rejected" : "✅ let through",
        incidents: d.incidents.map((n) => `#${n}`).join(", "),
        how: d.via === "allowed" ? `/allow-deploy by ${d.by ?? "the commander"}` : d.via ? `${d.via} #${d.pull}` : "change freeze",
      })),
    },
    notes: [
      `Incidents counted: those declared between ${formatInstant(m.period.from)} and ${formatInstant(m.period.to)}; medians and 90th percentiles (nearest rank) over the incidents that reached each time.`,
      `Over time: incidents per ${perUnit}.`,
    ],
  };
}

/** Recurring incidents by cause files, as shown: the longest lists cut ("… and N more"). */
export interface CauseFilesView {
  groups: { incidents: { number: number; url: string }[]; more: number; files: string[]; moreFiles: number; pulls: string; morePulls: number }[];
  moreGroups: number;
  /** A group shown has an incident declared before the period. */
  earlier: boolean;
  /** Set when not every cause pull request was read (the cap), or some listed only their first 3,000 files. */
  capped?: string;
  cut?: string;
}

export const SHOWN = { groups: 10, incidents: 20, files: 5, pulls: 10, fileChars: 200 };

const cutName = (name: string) => (name.length > SHOWN.fileChars ? `${name.slice(0, SHOWN.fileChars)}…` : name);

export function buildCauseFilesView(groups: readonly CauseFileGroup[], read: Pick<CauseFilesRead, "pulls" | "read" | "unread" | "cut">): CauseFilesView | undefined {
  const capped = read.unread > 0;
  if (groups.length === 0 && !capped) return undefined;
  return {
    groups: groups.slice(0, SHOWN.groups).map((g) => ({
      incidents: g.incidents.slice(0, SHOWN.incidents),
      more: Math.max(0, g.incidents.length - SHOWN.incidents),
      files: g.files.slice(0, SHOWN.files).map(cutName),
      moreFiles: Math.max(0, g.files.length - SHOWN.files),
      pulls: g.pulls
        .slice(0, SHOWN.pulls)
        .map((n) => `#${n}`)
        .join(", "),
      morePulls: Math.max(0, g.pulls.length - SHOWN.pulls),
    })),
    moreGroups: Math.max(0, groups.length - SHOWN.groups),
    earlier: groups.slice(0, SHOWN.groups).some((g) => g.incidents.slice(0, SHOWN.incidents).some((i) => i.earlier)),
    ...(capped
      ? { capped: `Files read for ${read.read} of ${read.pulls} cause pull requests (the newest incidents' first); the other ${read.unread} are not compared.` }
      : {}),
    ...(read.cut.length > 0
      ? { cut: `${read.cut.map((n) => `#${n}`).join(", ")} changed more files than GitHub lists (3,000): compared on those listed.` }
      : {}),
  };
}

export function renderReport(
  repo: string,
  metrics: ReportMetrics,
  environments?: readonly string[],
  problems?: ProblemReport,
  causeFiles?: CauseFilesView,
): string {
  const text = bundledTemplate("report.md.hbs")({
    ...buildReportView(repo, metrics, environments),
    ...(problems ? { problems } : {}),
    ...(causeFiles ? { causeFiles } : {}),
  });
  // Titles come from people: a pasted token must not reach a summary or a file.
  return `${redact(text).trim()}\n`;
}
