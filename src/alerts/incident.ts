import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import { matchSeverity } from "../incident/commands.js";
import { renderDeclarationMarker } from "../incident/declaration.js";
import type { History } from "../incident/history.js";
import { readJsonMarker, readMarker, writeMarker } from "../markers.js";
import { bundledTemplate } from "../templates.js";
import { count, cutText, fitBody, list } from "../text/limits.js";
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
  return cutText(title.replace(/\s+/g, " ").trim(), 256, () => "…");
}

export const alertService = (group: AlertGroup): string | undefined => {
  const service = label(group, "service");
  return service === undefined ? undefined : cutText(service, 200, () => "…");
};

/** An alert declares a security incident with the label `security="true"`. */
export const isSecurityAlert = (group: AlertGroup): boolean =>
  group.alerts.some((a) => /^(true|yes|1)$/i.test(a.labels.security ?? "")) || /^(true|yes|1)$/i.test(group.commonLabels.security ?? "");

/**
 * What one alert shows. Payloads may be megabytes (Alertmanager caps a group's alerts, not their
 * size): each cell is cut to a sane length here, and the table as a whole is fitted into GitHub's
 * body limit by `alertBody`, its tail becoming "… and N more alerts".
 */
const CELL = { name: 200, labels: 1_000, linkName: 50, url: 2_000, annotation: 1_000, description: 4_000 } as const;
const short = (text: string, max: number) => cutText(text, max, () => "…");

function alertRows(group: AlertGroup) {
  return group.alerts.map((a) => ({
    name: short(a.labels.alertname ?? a.fingerprint, CELL.name),
    status: a.status,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    labels: short(
      Object.entries(a.labels)
        .filter(([k]) => k !== "alertname")
        .map(([k, v]) => `${k}=${v}`)
        .join(", "),
      CELL.labels,
    ),
    // A URL cut short leads nowhere: one too long is left out.
    links: a.links.filter((l) => l.url.length <= CELL.url).map((l) => ({ name: short(l.name, CELL.linkName), url: l.url })),
  }));
}

const ROWS = "\u0000rows\u0000";

/**
 * A template with a table of alerts, fitted into GitHub's body limit: everything the template
 * writes around the table stays (the markers first of all), the rows that do not fit become one
 * row saying how many more there are and where to see them.
 */
function alertBody(template: string, view: Record<string, unknown>, group: AlertGroup, until: boolean): string {
  const rendered = bundledTemplate(template)({ ...view, rows: ROWS });
  // The table comes after every text from the alert, so the last slot is ours.
  const slot = rendered.lastIndexOf(ROWS);
  const head = rendered.slice(0, slot);
  const tail = rendered.slice(slot + ROWS.length);
  const row = bundledTemplate("alert-row.md.hbs");
  const rows = alertRows(group).map((r) => row({ ...r, until }).trimEnd());
  const where = group.externalURL && group.externalURL.length <= CELL.url ? ` (all of them in [${SOURCE_NAME[group.source]}](${group.externalURL.replace(/\|/g, "\\|")}))` : "";
  const more = (n: number) => `| _… and ${count(n)} more alert${n === 1 ? "" : "s"}${where}_ |${" |".repeat(until ? 5 : 4)}`;
  return fitBody([head, list(rows, more), tail.trimEnd()]).trim();
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
  const summary = annotation(group, "summary");
  const description = annotation(group, "description");
  const runbook = annotation(group, "runbook_url");
  const view = {
    declaration,
    marker: writeMarker("alert-group", `${groupId(group)} ${groupDigest(group)}`),
    source: SOURCE_NAME[group.source],
    receiver: group.receiver ? short(group.receiver, CELL.name) : "",
    summary: summary ? short(summary, CELL.annotation) : undefined,
    description: description ? cutText(description, CELL.description, (n) => `… (cut, ${count(n)} characters more: see the alert)`) : undefined,
    runbook: runbook ? short(runbook, CELL.url) : undefined,
    externalURL: group.externalURL.length <= CELL.url ? group.externalURL : "",
    truncated: group.truncatedAlerts,
  };
  return alertBody("alert-incident.md.hbs", view, group, false);
}

/** What a later delivery of the group says on its incident. */
export interface AlertSignal {
  group: string;
  digest: string;
  status: "firing" | "resolved";
  /** The resolved group marks the incident mitigated (`alerts.resolved: mitigate` when written). */
  mitigate: boolean;
}


export function renderAlertComment(group: AlertGroup, config: Config): string {
  const signal: AlertSignal = {
    group: groupId(group),
    digest: groupDigest(group),
    status: group.status,
    mitigate: group.status === "resolved" && config.alerts.resolved === "mitigate",
  };
  const view = {
    signal: writeMarker("alert", signal),
    source: SOURCE_NAME[group.source],
    resolved: group.status === "resolved",
    mitigate: signal.mitigate,
    firingCount: group.alerts.filter((a) => a.status === "firing").length,
    truncated: group.truncatedAlerts,
  };
  return alertBody("alert-comment.md.hbs", view, group, true);
}

/** An alert comment written by a bot (people's comments quoting one do not count). */
export function parseAlertSignal(body: string): AlertSignal | undefined {
  const raw = readJsonMarker(body, "alert") as Partial<AlertSignal> | undefined;
  if (typeof raw !== "object" || raw === null) return undefined;
  if (typeof raw.group !== "string" || typeof raw.digest !== "string" || (raw.status !== "firing" && raw.status !== "resolved")) return undefined;
  return { group: raw.group, digest: raw.digest, status: raw.status, mitigate: raw.mitigate === true };
}

/** The digest of the last thing the app wrote about a group on this issue (its body counts). */
export function lastDigest(history: History, id: string): string | undefined {
  let digest: string | undefined;
  const [bodyId, bodyDigest] = (readMarker(history.issue.body, "alert-group") ?? "").split(" ");
  if (history.issue.own && bodyId === id) digest = bodyDigest;
  for (const e of history.events) {
    if (e.type !== "commented" || !e.own) continue;
    const signal = parseAlertSignal(e.body);
    if (signal?.group === id) digest = signal.digest;
  }
  return digest;
}

/** Whether an issue body is the one the app opened for a group. */
export const isGroupIncident = (body: string, id: string): boolean => readMarker(body, "alert-group")?.split(" ")[0] === id;
