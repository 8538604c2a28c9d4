import { z } from "zod";
import { endTime, instant, labelSet, rfc3339, type AlertGroup } from "./group.js";

/**
 * Prometheus Alertmanager's webhook body, version 4, as documented in
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config. Every documented
 * field is required; fields Alertmanager may add later are ignored.
 */
const status = z.enum(["firing", "resolved"]);

const alert = z.object({
  status,
  labels: labelSet,
  annotations: labelSet,
  startsAt: rfc3339,
  endsAt: rfc3339,
  generatorURL: z.string(),
  fingerprint: z.string(),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal("4", { message: 'must be "4" (Alertmanager webhook version 4)' }),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status,
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  alerts: z.array(alert).min(1, { message: "an alert group has at least one alert" }),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

export function fromAlertmanager(p: AlertmanagerPayload): AlertGroup {
  return {
    source: "alertmanager",
    groupKey: p.groupKey,
    status: p.status,
    receiver: p.receiver,
    groupLabels: p.groupLabels,
    commonLabels: p.commonLabels,
    commonAnnotations: p.commonAnnotations,
    externalURL: p.externalURL,
    truncatedAlerts: p.truncatedAlerts,
    alerts: p.alerts.map((a) => {
      const endsAt = a.status === "resolved" ? endTime(a.endsAt) : undefined;
      return {
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: instant(a.startsAt),
        ...(endsAt ? { endsAt } : {}),
        fingerprint: a.fingerprint,
        links: a.generatorURL ? [{ name: "source", url: a.generatorURL }] : [],
      };
    }),
  };
}
