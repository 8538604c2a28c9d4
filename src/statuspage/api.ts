import type { ComponentView, IncidentView, MaintenanceView, StatusPageModel } from "./model.js";

/**
 * The JSON of Atlassian Statuspage's public API (v2), so that clients of it read this page
 * unchanged: the same files, the same fields, the same values. Pure: model in, documents out.
 */
type Json = Record<string, unknown>;

const absolute = (model: StatusPageModel, path: string) => `${model.site.url}${path}`;

function page(model: StatusPageModel): Json {
  return { id: model.site.id, name: model.site.name, url: model.site.url, time_zone: "Etc/UTC", updated_at: model.asOf };
}

function component(model: StatusPageModel, c: ComponentView): Json {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: model.periodStart,
    updated_at: c.updatedAt,
    position: c.position,
    description: c.description ?? null,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: model.site.id,
    group: false,
    only_show_if_degraded: false,
  };
}

function incident(model: StatusPageModel, i: IncidentView): Json {
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    monitoring_at: i.monitoringAt ?? null,
    resolved_at: i.resolvedAt ?? null,
    impact: i.impactLevel,
    shortlink: absolute(model, i.page),
    started_at: i.startedAt,
    page_id: model.site.id,
    incident_updates: [...i.updates].reverse().map((u) => update(u, i.id)),
    components: model.components.filter((c) => i.componentIds.includes(c.id)).map((c) => component(model, c)),
  };
}

function update(u: { id: string; at: string; status: string; body: string }, incidentId: string): Json {
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: incidentId,
    created_at: u.at,
    updated_at: u.at,
    display_at: u.at,
    affected_components: null,
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  };
}

function maintenance(model: StatusPageModel, m: MaintenanceView): Json {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    monitoring_at: null,
    resolved_at: m.status === "completed" ? m.endedAt : null,
    impact: "maintenance",
    shortlink: absolute(model, m.page),
    started_at: m.scheduledFor,
    page_id: model.site.id,
    incident_updates: m.updates
      .filter((u) => u.status !== "cancelled")
      .reverse()
      .map((u) => update(u, m.id)),
    components: model.components.filter((c) => m.componentIds.includes(c.id)).map((c) => component(model, c)),
    scheduled_for: m.scheduledFor,
    scheduled_until: m.scheduledUntil,
  };
}

/** Statuspage lists the 50 most recent incidents. */
const RECENT = 50;

export function apiDocuments(model: StatusPageModel): Record<string, Json> {
  const status = { indicator: model.overall.indicator, description: model.overall.description };
  const components = model.components.map((c) => component(model, c));
  // Cancelled windows do not exist in Statuspage's API (they are deleted there).
  const windows = model.maintenances.filter((m) => m.status !== "cancelled");
  const unresolved = model.active.map((i) => incident(model, i));
  const upcoming = [...windows].filter((m) => m.status === "scheduled").sort((a, b) => Date.parse(a.scheduledFor) - Date.parse(b.scheduledFor));
  const active = windows.filter((m) => m.status === "in_progress");
  return {
    "summary.json": {
      page: page(model),
      components,
      incidents: unresolved,
      scheduled_maintenances: [...active, ...upcoming].map((m) => maintenance(model, m)),
      status,
    },
    "status.json": { page: page(model), status },
    "components.json": { page: page(model), components },
    "incidents.json": { page: page(model), incidents: model.incidents.slice(0, RECENT).map((i) => incident(model, i)) },
    "incidents/unresolved.json": { page: page(model), incidents: unresolved },
    "scheduled-maintenances.json": { page: page(model), scheduled_maintenances: windows.slice(0, RECENT).map((m) => maintenance(model, m)) },
    "scheduled-maintenances/upcoming.json": { page: page(model), scheduled_maintenances: upcoming.map((m) => maintenance(model, m)) },
    "scheduled-maintenances/active.json": { page: page(model), scheduled_maintenances: active.map((m) => maintenance(model, m)) },
  };
}

/** shields.io's endpoint badge (https://shields.io/badges/endpoint-badge). */
export function badge(model: StatusPageModel): Json {
  const { tone } = model.overall;
  const [message, color] =
    tone === "critical" ? ["major outage", "red"]
    : tone === "major" ? ["partial outage", "orange"]
    : tone === "minor" ? ["degraded", "yellow"]
    : tone === "maintenance" ? ["maintenance", "blue"]
    : ["operational", "brightgreen"];
  return { schemaVersion: 1, label: "status", message, color };
}
