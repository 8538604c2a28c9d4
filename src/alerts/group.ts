import { z } from "zod";

/**
 * An alert group as both Alertmanager and Grafana send it, reduced to what an incident needs.
 * The two payload schemas (alertmanager.ts, grafana.ts) turn their bodies into this.
 */
export interface Alert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** Absent while firing (both tools send Go's zero time, `0001-01-01T00:00:00Z`, then). */
  endsAt?: string;
  fingerprint: string;
  links: { name: string; url: string }[];
}

export interface AlertGroup {
  source: "alertmanager" | "grafana";
  groupKey: string;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Alert[];
  truncatedAlerts: number;
}

export const labelSet = z.record(z.string(), z.string());

/** RFC 3339 as Go writes it (fractional seconds up to nanoseconds, `Z` or an offset). */
export const rfc3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i, { message: "must be an RFC 3339 time" });

/** Go's zero time, or anything before the epoch: "no end time yet". */
export function endTime(value: string): string | undefined {
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) || ms <= 0 ? undefined : new Date(ms).toISOString();
}

export function instant(value: string): string {
  return new Date(Date.parse(value.replace(/(\.\d{3})\d+/, "$1"))).toISOString();
}

/** The first issue of a failed parse, as one line a sender's operator can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`)
    .join("; ");
}
