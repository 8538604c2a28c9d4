import type { Config } from "../config/schema.js";
import type { Status } from "../config/schema.js";

/**
 * The change freeze (`changes.freeze`, SPEC section 9): one rule for the deploy gate, change
 * risk on pull requests and the incident card. PURE: which incidents hold deployments now.
 *
 * An incident freezes while it is accepted (never a report in triage, never declined), open and
 * not yet mitigated, at or above `min_severity`, and — when `services` is set — on one of those
 * services. A freeze applies to the environments listed (default `production`).
 */
export interface FreezeCandidate {
  number: number;
  title: string;
  url: string;
  severity: string;
  status: Status;
  service?: string;
  /** Closed issues and declined reports never freeze. */
  open: boolean;
  declined?: boolean;
}

/** Statuses in which an incident still holds deployments. */
const FREEZING_STATUSES: readonly Status[] = ["investigating", "identified"];

/** Rank of a severity in the configuration (0 = most severe); unknown severities rank last. */
export function severityRank(config: Config, name: string): number {
  const index = config.severities.findIndex((s) => s.name === name);
  return index < 0 ? config.severities.length : index;
}

/** Whether this one incident freezes deployments under the configuration (any environment). */
export function freezes(config: Config, incident: FreezeCandidate): boolean {
  const freeze = config.changes.freeze;
  if (!freeze) return false;
  if (!incident.open || incident.declined) return false;
  if (!FREEZING_STATUSES.includes(incident.status)) return false;
  if (severityRank(config, incident.severity) > severityRank(config, freeze.min_severity)) return false;
  if (freeze.services.length > 0 && (incident.service === undefined || !freeze.services.includes(incident.service))) return false;
  return true;
}

/** Whether deployments to this environment are covered by the freeze at all. */
export function isFrozenEnvironment(config: Config, environment: string): boolean {
  const freeze = config.changes.freeze;
  return freeze !== undefined && freeze.environments.some((e) => e.toLowerCase() === environment.toLowerCase());
}

/**
 * The incidents that freeze `environment` now (or any frozen environment when it is omitted),
 * most severe first, then oldest first.
 */
export function freezingIncidents<T extends FreezeCandidate>(config: Config, incidents: readonly T[], environment?: string): T[] {
  if (environment !== undefined && !isFrozenEnvironment(config, environment)) return [];
  return incidents
    .filter((incident) => freezes(config, incident))
    .sort((a, b) => severityRank(config, a.severity) - severityRank(config, b.severity) || a.number - b.number);
}
