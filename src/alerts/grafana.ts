import { z } from "zod";
import { endTime, instant, labelSet, rfc3339, type AlertGroup } from "./group.js";

/**
 * Grafana Alerting's webhook contact point body (`version: "1"`), as documented in
 * https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/.
 * The fields every Grafana 9+ sends are required; the ones added in later releases
 * (`imageURL`, `valueString`, `truncatedAlerts`, the per-alert URLs) are optional.
 */
const status = z.enum(["firing", "resolved"]);
const url = z.string();

const alert = z.object({
  status,
  labels: labelSet,
  annotations: labelSet,
  startsAt: rfc3339,
  endsAt: rfc3339,
  generatorURL: url,
  fingerprint: z.string(),
  silenceURL: url.optional(),
  dashboardURL: url.optional(),
  panelURL: url.optional(),
  imageURL: url.optional(),
  values: z.record(z.string(), z.number()).nullable().optional(),
  valueString: z.string().optional(),
});

export const grafanaPayloadSchema = z.object({
  receiver: z.string(),
  status,
  orgId: z.number().int(),
  alerts: z.array(alert).min(1, { message: "an alert group has at least one alert" }),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  version: z.literal("1", { message: 'must be "1" (Grafana webhook version 1)' }),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  title: z.string(),
  state: z.string(),
  message: z.string(),
});

export type GrafanaPayload = z.infer<typeof grafanaPayloadSchema>;

export function fromGrafana(p: GrafanaPayload): AlertGroup {
  return {
    source: "grafana",
    // Grafana's group keys repeat across organisations of one instance.
    groupKey: `${p.orgId}/${p.groupKey}`,
    status: p.status,
    receiver: p.receiver,
    groupLabels: p.groupLabels,
    commonLabels: p.commonLabels,
    commonAnnotations: p.commonAnnotations,
    externalURL: p.externalURL,
    truncatedAlerts: p.truncatedAlerts,
    alerts: p.alerts.map((a) => {
      const endsAt = a.status === "resolved" ? endTime(a.endsAt) : undefined;
      const links = [
        { name: "source", url: a.generatorURL },
        { name: "dashboard", url: a.dashboardURL ?? "" },
        { name: "panel", url: a.panelURL ?? "" },
        { name: "silence", url: a.silenceURL ?? "" },
        { name: "image", url: a.imageURL ?? "" },
      ].filter((l) => l.url !== "");
      const annotations = { ...a.annotations, ...(a.valueString && !a.annotations.value ? { value: a.valueString } : {}) };
      return {
        status: a.status,
        labels: a.labels,
        annotations,
        startsAt: instant(a.startsAt),
        ...(endsAt ? { endsAt } : {}),
        fingerprint: a.fingerprint,
        links,
      };
    }),
  };
}
