import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import type { AlertGroup } from "../alerts/group.js";
import { alertService, alertSeverity, groupId, isSecurityAlert } from "../alerts/incident.js";
import { pageAbove } from "./card.js";
import { readMaintenance } from "./handle.js";
import { alertNoteMarker, covers, effectiveEnd, type MaintenanceState } from "./state.js";

/**
 * Alerts during a maintenance window: a firing group for a service under maintenance opens no
 * incident; it is noted on the maintenance issue, once per group. Alerts at or above
 * `maintenance.page_above` (default: the most severe severity) page all the same, and so do
 * security alerts and alerts that name no service.
 */
export interface Held {
  action: "maintenance";
  repo: string;
  issue: { number: number; url: string };
}

/** Open maintenance windows of the repository as they stand (one listing, one timeline each). */
export async function openWindows(github: GitHub, repo: RepoRef, config: Config): Promise<MaintenanceState[]> {
  const issues = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: "open", labels: config.labels.maintenance, per_page: 100 });
  const states: MaintenanceState[] = [];
  for (const issue of issues) {
    if (issue.pull_request) continue;
    const read = await readMaintenance(github, repo, issue.number, config, issue);
    if (read?.state.isMaintenance) states.push(read.state);
  }
  return states;
}

/** Held by a window (noted there, once), or nothing: the caller opens the incident as usual. */
export async function holdForMaintenance(github: GitHub, repo: RepoRef, config: Config, group: AlertGroup, now: Date = new Date()): Promise<Held | undefined> {
  if (group.status !== "firing" || isSecurityAlert(group)) return undefined;
  const service = alertService(group);
  if (!service) return undefined;
  const severity = alertSeverity(group, config);
  const rank = (name: string) => config.severities.findIndex((s) => s.name === name);
  if (rank(severity) <= rank(pageAbove(config))) return undefined;
  const windows = (await openWindows(github, repo, config)).filter((w) => covers(w, service, now));
  if (windows.length === 0) return undefined;
  // The window that ends last holds it (two overlapping windows: the one still running later).
  const window = windows.reduce((a, b) => (Date.parse(effectiveEnd(b)) > Date.parse(effectiveEnd(a)) ? b : a));
  const id = groupId(group);
  if (!window.notedGroups.includes(id)) {
    // The window's own spelling of the service: the alert's label value came from outside.
    const named = window.services.find((s) => s.toLowerCase() === service.toLowerCase())!;
    await github.rest.issues.createComment({ ...repo, issue_number: window.number, body: renderAlertNote(group, id, named, severity) });
  }
  return { action: "maintenance", repo: `${repo.owner}/${repo.repo}`, issue: { number: window.number, url: window.url } };
}

/**
 * The note: what fired, in words we choose. The alert's own texts (names, annotations) come
 * from outside and are not repeated; the alert name is shown only when it is a plain identifier.
 */
export function renderAlertNote(group: AlertGroup, id: string, service: string, severity: string): string {
  const names = [...new Set(group.alerts.map((a) => a.labels.alertname ?? "").filter((n) => /^[A-Za-z_][A-Za-z0-9_:.-]{0,80}$/.test(n)))];
  const shown = names.slice(0, 5).map((n) => `\`${n}\``).join(", ") + (names.length > 5 ? ` and ${names.length - 5} more` : "");
  const firing = group.alerts.filter((a) => a.status === "firing").length;
  const since = group.alerts.map((a) => a.startsAt).sort()[0];
  return [
    alertNoteMarker(id),
    `🔕 **Alert held by this maintenance window:** ${firing} firing alert${firing === 1 ? "" : "s"} for \`${service}\` (${severity})${shown ? `: ${shown}` : ""}${since ? `, since ${since.slice(0, 10)} ${since.slice(11, 16)} UTC` : ""}. No incident was opened; later deliveries of the same alert group are not noted again.`,
  ].join("\n");
}
