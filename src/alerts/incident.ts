import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import { matchSeverity } from "../incident/commands.js";
import { renderDeclarationMarker } from "../incident/declaration.js";
import { isBot, type History } from "../incident/history.js";
import { bundledTemplate } from "../templates.js";
import type { AlertGroup } from "./group.js";

/**
 * What an alert group means for an incident, as pure functions: its severity, title, start, the
 * issue body that declares it and the comments that follow it. The markers written here are how
 * the next delivery of the same group finds its incident and knows what it already said.
 */

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A stable id for a group: group keys are long and may hold `-->`, so they are hashed. */
export const groupId = (group: Pick<AlertGroup, "source" | "groupKey">): string => sha(`${group.source}\n${group.groupKey}`).slice(0, 24);


/**
 * What this delivery says: the same status and the same alerts (by fingerprint and times) give
 * the same digest, so a redelivery, or Alertmanager's `repeat_interval` reminder of an unchanged
 * group, writes nothing.
 */
export function groupDigest(group: AlertGroup): string {
  const alerts = group.alerts.map((a) => `${a.fingerprint}|${a.status}|${a.startsAt}|${a.endsAt ?? ""}`).sort();
  return sha([group.status, ...alerts].join("\n")).slice(0, 16);
}

export function alertSeverity(group: AlertGroup, config: Config): string {
  const fallback = config.default_severity ?? config.severities.find((s) => s.name === "sev3")?.name ?? config.severities[config.severities.length - 1]!.name;
  const map = new Map(Object.entries(config.alerts.severity_map).map(([k, v]) => [k.toLowerCase(), v]));
  const rank = (name: string) => config.severities.findIndex((s) => s.name === name);
  const firing = group.alerts.filter((a) => a.status === "firing");
  const candidates = (firing.length > 0 ? firing : group.alerts).map((a) => {
    const word = (a.labels.severity ?? group.commonLabels.severity ?? "").trim();
    return map.get(word.toLowerCase()) ?? (word ? matchSeverity(config, word) : undefined) ?? fallback;
  });
  // The most severe alert of the group decides.
  return candidates.reduce((best, s) => (rank(s) < rank(best) ? s : best), candidates[0] ?? fallback);
}

export function alertStart(group: AlertGroup): string {
  return group.alerts.map((a) => a.startsAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

const label = (group: AlertGroup, name: string): string | undefined =>
  group.commonLabels[name] ?? group.groupLabels[name] ?? group.alerts.find((a) => a.labels[name])?.labels[name];

const annotation = (group: AlertGroup, name: string): string | undefined =>
  group.commonAnnotations[name] || (group.alerts.length === 1 ? group.alerts[0]!.annotations[name] : undefined) || undefined;

export function alertTitle(group: AlertGroup): string {
  const names = [...new Set(group.alerts.map((a) => a.labels.alertname).filter((n): n is string => !!n))];
  const name = group.commonLabels.alertname ?? group.groupLabels.alertname ?? (names.length > 0 ? names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "") : undefined);
  const summary = annotation(group, "summary");
  const title = summary ? (name && !summary.includes(name) ? `${name}: ${summary}` : summary) : name ?? `Alert group from ${group.receiver || group.source}`;
  return title.replace(/\s+/g, " ").trim().slice(0, 256);
}

export const alertService = (group: AlertGroup): string | undefined => label(group, "service");

/** An alert declares a security incident with the label `security="true"`. */
export const isSecurityAlert = (group: AlertGroup): boolean =>
  group.alerts.some((a) => /^(true|yes|1)$/i.test(a.labels.security ?? "")) || /^(true|yes|1)$/i.test(group.commonLabels.security ?? "");

function alertRows(group: AlertGroup) {
  return group.alerts.map((a) => ({
    name: a.labels.alertname ?? a.fingerprint,
    status: a.status,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    labels: Object.entries(a.labels)
      .filter(([k]) => k !== "alertname")
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
    summary: a.annotations.summary ?? "",
    links: a.links,
  }));
}

const SOURCE_NAME = { alertmanager: "Prometheus Alertmanager", grafana: "Grafana" } as const;

/** The body of the issue that a firing group opens. */
export function renderAlertIncidentBody(group: AlertGroup, config: Config, security: boolean): string {
  const service = alertService(group);
  const declaration = renderDeclarationMarker({
    severity: alertSeverity(group, config),
    startedAt: alertStart(group),
    ...(service ? { service } : {}),
    ...(security ? { security: true } : {}),
    source: "alert",
  });
  return bundledTemplate("alert-incident.md.hbs")({
    declaration,
    marker: `<!-- incident-desk:alert-group ${groupId(group)} ${groupDigest(group)} -->`,
    source: SOURCE_NAME[group.source],
    receiver: group.receiver,
    summary: annotation(group, "summary"),
    description: annotation(group, "description"),
    runbook: annotation(group, "runbook_url"),
    externalURL: group.externalURL,
    alerts: alertRows(group),
    truncated: group.truncatedAlerts,
  }).trim();
}

/** What a later delivery of the group says on its incident. */
export interface AlertSignal {
  group: string;
  digest: string;
  status: "firing" | "resolved";
  /** The resolved group marks the incident mitigated (`alerts.resolved: mitigate` when written). */
  mitigate: boolean;
}

const SIGNAL = /<!--\s*incident-desk:alert\s+(\{[^}]*\})\s*-->/;
const BODY_DIGEST = /<!--\s*incident-desk:alert-group\s+([0-9a-f]+)\s+([0-9a-f]+)\s*-->/;

export function renderAlertComment(group: AlertGroup, config: Config): string {
  const signal: AlertSignal = {
    group: groupId(group),
    digest: groupDigest(group),
    status: group.status,
    mitigate: group.status === "resolved" && config.alerts.resolved === "mitigate",
  };
  return bundledTemplate("alert-comment.md.hbs")({
    signal: `<!-- incident-desk:alert ${JSON.stringify(signal)} -->`,
    source: SOURCE_NAME[group.source],
    resolved: group.status === "resolved",
    mitigate: signal.mitigate,
    firingCount: group.alerts.filter((a) => a.status === "firing").length,
    alerts: alertRows(group),
    truncated: group.truncatedAlerts,
  }).trim();
}

/** An alert comment written by a bot (people's comments quoting one do not count). */
export function parseAlertSignal(body: string): AlertSignal | undefined {
  const match = SIGNAL.exec(body);
  if (!match) return undefined;
  try {
    const raw = JSON.parse(match[1]!) as Partial<AlertSignal>;
    if (typeof raw.group !== "string" || typeof raw.digest !== "string" || (raw.status !== "firing" && raw.status !== "resolved")) return undefined;
    return { group: raw.group, digest: raw.digest, status: raw.status, mitigate: raw.mitigate === true };
  } catch {
    return undefined;
  }
}

/** The digest of the last thing the app wrote about a group on this issue (its body counts). */
export function lastDigest(history: History, id: string): string | undefined {
  let digest: string | undefined;
  const body = BODY_DIGEST.exec(history.issue.body);
  if (body && body[1] === id && isBot(history.issue.author)) digest = body[2];
  for (const e of history.events) {
    if (e.type !== "commented" || !isBot(e.author)) continue;
    const signal = parseAlertSignal(e.body);
    if (signal?.group === id) digest = signal.digest;
  }
  return digest;
}

/** Whether an issue body is the one the app opened for a group. */
export const isGroupIncident = (body: string, id: string): boolean => body.includes(`incident-desk:alert-group ${id} `);
