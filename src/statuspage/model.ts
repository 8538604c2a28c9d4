import type { Config } from "../config/schema.js";
import type { IncidentState } from "../incident/state.js";
import type { MaintenanceState } from "../maintenance/state.js";
import type { PublicMaintenance } from "./maintenance.js";
import { isInternalUpdate, type PublicIncident } from "./public.js";

/**
 * The status page as data: a pure function of the public incidents, the maintenance windows,
 * the configuration and one instant, `asOf`. Nothing here reads the clock: `asOf` comes from
 * the incidents themselves (see pageAsOf), so unchanged incidents give the same page.
 */
export const COMPONENT_STATUS_RANK = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
} as const;
export type ComponentStatus = keyof typeof COMPONENT_STATUS_RANK;
export type Indicator = "none" | "minor" | "major" | "critical";

export const STATUS_LABEL: Record<ComponentStatus, string> = {
  operational: "Operational",
  under_maintenance: "Under maintenance",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};

const INDICATOR_OF: Record<ComponentStatus, Indicator> = {
  operational: "none",
  under_maintenance: "none",
  degraded_performance: "minor",
  partial_outage: "major",
  major_outage: "critical",
};

/** Statuspage's own wording of the page's status. */
export const INDICATOR_DESCRIPTION: Record<Indicator, string> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major System Outage",
};

const DAY = 86_400_000;
/** Statuspage counts a partial outage as 30% downtime, a major outage as all of it. */
const DOWNTIME_WEIGHT: Partial<Record<ComponentStatus, number>> = { major_outage: 1, partial_outage: 0.3 };

export interface Site {
  id: string;
  name: string;
  description?: string;
  /** Absolute, ending with `/`: where the page is published (feeds and the API need absolute links). */
  url: string;
  /** Repositories whose incidents the page shows (`owner/name`), the page's own first. */
  repos: string[];
}

export interface ComponentDef {
  id: string;
  name: string;
  description?: string;
  /** Services it stands for (lower case); an incident of one of them affects it. */
  services: string[];
  /** Repositories it stands for, when the components are the repositories (no services configured). */
  repos: string[];
}

export interface Bar {
  date: string;
  status: ComponentStatus;
  incidents: { id: string; name: string; page: string }[];
  maintenances: { id: string; name: string }[];
}

export interface ComponentView extends ComponentDef {
  position: number;
  status: ComponentStatus;
  statusLabel: string;
  updatedAt: string;
  bars: Bar[];
  /** Percentage over the period, floored to two decimals (never rounds an outage up to 100). */
  uptime: string;
}

export interface IncidentView extends PublicIncident {
  impactLevel: Indicator;
  componentIds: string[];
  /** Relative path of its page. */
  page: string;
  active: boolean;
}

export interface MaintenanceView extends PublicMaintenance {
  componentIds: string[];
  page: string;
}

export interface StatusPageModel {
  site: Site;
  asOf: string;
  days: string[];
  periodStart: string;
  historyDays: number;
  /** `tone`: the indicator, or `maintenance` when nothing is wrong but a window runs. */
  overall: { indicator: Indicator; description: string; tone: Indicator | "maintenance" };
  components: ComponentView[];
  /** Every incident of the period, newest first. */
  incidents: IncidentView[];
  active: IncidentView[];
  /** Scheduled and in progress, soonest first. */
  upcoming: MaintenanceView[];
  /** Every window of the period (cancelled ones too), newest first. */
  maintenances: MaintenanceView[];
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "component";
const later = (a: string, b: string) => (Date.parse(b) > Date.parse(a) ? b : a);

/**
 * Components: `statuspage.components`, else one per configured service, else one per
 * repository (then every incident of a repository affects its component).
 */
export function pageComponents(config: Config, repos: string[]): ComponentDef[] {
  const defs: Omit<ComponentDef, "id">[] = config.statuspage.components
    ? config.statuspage.components.map((c) =>
        typeof c === "string"
          ? { name: c, services: [c.toLowerCase()], repos: [] }
          : { name: c.name, ...(c.description ? { description: c.description } : {}), services: c.services.map((s) => s.toLowerCase()), repos: [] },
      )
    : Object.keys(config.services).length > 0
      ? Object.keys(config.services).map((s) => ({ name: s, services: [s.toLowerCase()], repos: [] }))
      : repos.map((r) => ({ name: r.split("/")[1]!, services: [], repos: [r.toLowerCase()] }));
  const used = new Set<string>();
  return defs.map((d) => {
    let id = slug(d.name);
    for (let i = 2; used.has(id); i++) id = `${slug(d.name)}-${i}`;
    used.add(id);
    return { id, ...d };
  });
}

/** The component status an incident of this severity means (`statuspage.severities`, else by rank). */
export function severityStatus(config: Config, severity: string): ComponentStatus {
  const configured = config.statuspage.severities?.[severity];
  if (configured) return configured;
  const rank = config.severities.findIndex((s) => s.name === severity);
  const byRank: ComponentStatus[] = ["major_outage", "partial_outage", "degraded_performance"];
  if (rank < 0) return "degraded_performance";
  return byRank[rank] ?? "operational";
}

const worst = (statuses: ComponentStatus[]): ComponentStatus =>
  statuses.reduce<ComponentStatus>((a, b) => (COMPONENT_STATUS_RANK[b] > COMPONENT_STATUS_RANK[a] ? b : a), "operational");

const dayOf = (ms: number) => new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10);

/**
 * The instant the page is computed as of: the latest thing that happened by `now` (an incident's
 * event, a window starting or ending) or the start of today (UTC), whichever is later. A re-run
 * that finds nothing new therefore computes the same page, byte for byte; the page moves on
 * when something happens, when a window starts or ends, and once a day.
 */
export function pageAsOf(now: Date, incidents: IncidentState[], maintenances: MaintenanceState[]): string {
  const t = now.getTime();
  let latest = Math.floor(t / DAY) * DAY;
  const consider = (iso: string | undefined) => {
    if (!iso) return;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms) && ms <= t && ms > latest) latest = ms;
  };
  // Only what the page shows moves it: an internal update or a timeline note changes nothing.
  for (const state of incidents) {
    consider(state.times.detected);
    for (const entry of state.timeline) if (entry.kind === "status" || entry.kind === "severity") consider(entry.at);
    for (const update of state.updates) if (!isInternalUpdate(update)) consider(update.at);
  }
  for (const m of maintenances) {
    if (!m.isMaintenance || !m.window || !m.confirmedBy) continue;
    consider(m.updatedAt);
    consider(m.window.starts);
    consider(m.window.ends);
    consider(m.closedAt);
  }
  return new Date(latest).toISOString();
}

interface BuildInput {
  config: Config;
  site: Site;
  incidents: PublicIncident[];
  maintenances: PublicMaintenance[];
  asOf: string;
  /** Relative page of an incident or window, by id (render decides the file names). */
  pageOf: (kind: "incident" | "maintenance", id: string, repo: string, number: number) => string;
}

export function buildStatusPage({ config, site, incidents, maintenances, asOf, pageOf }: BuildInput): StatusPageModel {
  const now = Date.parse(asOf);
  const historyDays = config.statuspage.history_days;
  const today = Math.floor(now / DAY) * DAY;
  const periodStartMs = today - (historyDays - 1) * DAY;
  const periodStart = new Date(periodStartMs).toISOString();
  const days = Array.from({ length: historyDays }, (_, i) => dayOf(periodStartMs + i * DAY));
  const defs = pageComponents(config, site.repos);

  const affects = (def: ComponentDef, repo: string, services: string[]) =>
    def.repos.includes(repo.toLowerCase()) || services.some((s) => def.services.includes(s.toLowerCase()));

  const end = (to: string | undefined) => (to === undefined ? now : Math.min(Date.parse(to), now));
  const views: IncidentView[] = incidents
    .filter((i) => Date.parse(i.createdAt) <= now && Date.parse(i.resolvedAt ?? asOf) >= periodStartMs)
    .map((i) => {
      const impactStatus = worst(i.severities.map((s) => severityStatus(config, s)));
      return {
        ...i,
        impactLevel: INDICATOR_OF[impactStatus],
        componentIds: defs.filter((d) => affects(d, i.repo, i.service ? [i.service] : [])).map((d) => d.id),
        page: pageOf("incident", i.id, i.repo, i.number),
        active: i.status !== "resolved",
      };
    })
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.id.localeCompare(a.id));

  const windows: MaintenanceView[] = maintenances
    .filter((m) => Date.parse(m.createdAt) <= now && (m.status === "scheduled" || m.status === "in_progress" || Date.parse(m.endedAt) >= periodStartMs))
    .map((m) => ({
      ...m,
      componentIds: defs.filter((d) => affects(d, m.repo, m.services)).map((d) => d.id),
      page: pageOf("maintenance", m.id, m.repo, m.number),
    }))
    .sort((a, b) => Date.parse(b.scheduledFor) - Date.parse(a.scheduledFor) || b.id.localeCompare(a.id));

  // What put each component in which status when: incidents' impact, and maintenance that ran.
  type Span = { from: number; to: number; ongoing: boolean; status: ComponentStatus; incident?: IncidentView; maintenance?: MaintenanceView };
  const spansOf = (def: ComponentDef): Span[] => {
    const spans: Span[] = [];
    for (const incident of views) {
      if (!incident.componentIds.includes(def.id)) continue;
      for (const p of incident.impact) {
        const from = Date.parse(p.from);
        const to = end(p.to);
        const status = severityStatus(config, p.severity);
        const ongoing = p.to === undefined && from <= now;
        if ((to > from || ongoing) && status !== "operational") spans.push({ from, to, ongoing, status, incident });
      }
    }
    for (const m of windows) {
      if (!m.componentIds.includes(def.id) || (m.status !== "in_progress" && m.status !== "completed")) continue;
      const from = Date.parse(m.scheduledFor);
      const to = Math.min(Date.parse(m.endedAt), now);
      const ongoing = m.status === "in_progress";
      if (to > from || ongoing) spans.push({ from, to, ongoing, status: "under_maintenance", maintenance: m });
    }
    return spans;
  };

  const components: ComponentView[] = defs.map((def, position) => {
    const spans = spansOf(def);
    const status = worst(spans.filter((s) => s.ongoing).map((s) => s.status));
    const bars: Bar[] = days.map((date) => {
      const from = Date.parse(`${date}T00:00:00Z`);
      const to = from + DAY;
      const touching = spans.filter((s) => s.from < to && (s.to > from || (s.ongoing && s.to >= from)));
      const incidentsOfDay = unique(touching.flatMap((s) => (s.incident ? [{ id: s.incident.id, name: s.incident.name, page: s.incident.page }] : [])));
      const maintenancesOfDay = unique(touching.flatMap((s) => (s.maintenance ? [{ id: s.maintenance.id, name: s.maintenance.name }] : [])));
      return { date, status: worst(touching.map((s) => s.status)), incidents: incidentsOfDay, maintenances: maintenancesOfDay };
    });
    // The last time its status changed: a span beginning, or one that ended.
    const changes = spans.flatMap((s) => (s.ongoing ? [s.from] : [s.from, s.to])).filter((t) => t <= now);
    const updatedAt = changes.reduce((acc, t) => later(acc, new Date(t).toISOString()), periodStart);
    return { ...def, position: position + 1, status, statusLabel: STATUS_LABEL[status], updatedAt, bars, uptime: uptimeOf(spans, periodStartMs, now) };
  });

  const active = views.filter((v) => v.active);
  const componentWorst = worst(components.map((c) => c.status));
  const incidentWorst = active.reduce<Indicator>((acc, v) => (INDICATORS.indexOf(v.impactLevel) > INDICATORS.indexOf(acc) ? v.impactLevel : acc), "none");
  const indicator = INDICATORS.indexOf(INDICATOR_OF[componentWorst]) > INDICATORS.indexOf(incidentWorst) ? INDICATOR_OF[componentWorst] : incidentWorst;
  const underMaintenance = windows.some((w) => w.status === "in_progress");

  return {
    site,
    asOf,
    days,
    periodStart,
    historyDays,
    overall: {
      indicator,
      description: indicator === "none" && underMaintenance ? "Service Under Maintenance" : INDICATOR_DESCRIPTION[indicator],
      tone: indicator === "none" && underMaintenance ? "maintenance" : indicator,
    },
    components,
    incidents: views,
    active,
    upcoming: windows.filter((w) => w.status === "scheduled" || w.status === "in_progress").sort((a, b) => Date.parse(a.scheduledFor) - Date.parse(b.scheduledFor) || a.id.localeCompare(b.id)),
    maintenances: windows,
  };
}

const INDICATORS: Indicator[] = ["none", "minor", "major", "critical"];

function unique<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.id) && seen.add(i.id));
}

/** 100 % less the weighted time spent in outages over [from, to], where the worst status counts. */
function uptimeOf(spans: { from: number; to: number; status: ComponentStatus }[], from: number, to: number): string {
  const total = to - from;
  if (total <= 0) return "100.00";
  const points = [...new Set([from, to, ...spans.flatMap((s) => [s.from, s.to]).filter((t) => t > from && t < to)])].sort((a, b) => a - b);
  let down = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const status = worst(spans.filter((s) => s.from <= a && s.to >= b).map((s) => s.status));
    down += (b - a) * (DOWNTIME_WEIGHT[status] ?? 0);
  }
  const percent = Math.floor(((total - down) / total) * 10_000) / 100;
  return percent.toFixed(2);
}

/** Words for an update's or a maintenance window's status, on the page and in the feeds. */
export const STATUS_WORDS: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
  cancelled: "Cancelled",
};
