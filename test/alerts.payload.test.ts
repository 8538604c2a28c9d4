import { describe, expect, it } from "vitest";
import { alertmanagerPayloadSchema, fromAlertmanager } from "../src/alerts/alertmanager.js";
import { grafanaPayloadSchema, fromGrafana } from "../src/alerts/grafana.js";
import { describeIssues } from "../src/alerts/group.js";
import {
  alertSeverity,
  alertStart,
  alertTitle,
  groupDigest,
  groupId,
  isSecurityAlert,
  parseAlertSignal,
  renderAlertComment,
  renderAlertIncidentBody,
} from "../src/alerts/incident.js";
import { parseConfig } from "../src/config/load.js";
import { DEFAULT_CONFIG } from "../src/config/schema.js";
import { parseDeclaration } from "../src/incident/declaration.js";
import { alertmanagerFiring, alertmanagerResolved, grafanaFiring } from "./alerts.fixtures.js";

const am = (body: unknown) => fromAlertmanager(alertmanagerPayloadSchema.parse(body));
const withSeverity = (severity: string | undefined) => {
  const body = alertmanagerFiring();
  const labels = { ...body.alerts[0]!.labels } as Record<string, string>;
  const common = { ...body.commonLabels } as Record<string, string>;
  if (severity === undefined) {
    delete labels.severity;
    delete common.severity;
  } else {
    labels.severity = severity;
    common.severity = severity;
  }
  return am({ ...body, commonLabels: common, alerts: [{ ...body.alerts[0]!, labels }] });
};

describe("Alertmanager payload (version 4)", () => {
  it("reads the documented body", () => {
    const group = am(alertmanagerFiring());
    expect(group).toMatchObject({ source: "alertmanager", status: "firing", receiver: "incident-desk", truncatedAlerts: 0 });
    expect(group.alerts[0]).toMatchObject({ startsAt: "2026-03-02T08:52:30.123Z", fingerprint: "a1b2c3d4e5f60718" });
    expect(group.alerts[0]!.endsAt).toBeUndefined();
    expect(group.alerts[0]!.links).toEqual([{ name: "source", url: expect.stringContaining("prometheus.example.com") }]);
  });

  it("keeps the end time of resolved alerts", () => {
    expect(am(alertmanagerResolved()).alerts[0]!.endsAt).toBe("2026-03-02T09:40:00.000Z");
  });

  it.each([
    [{ version: "3" }, 'version: must be "4"'],
    [{ alerts: [] }, "alerts: an alert group has at least one alert"],
    [{ status: "pending" }, "status:"],
    [{ groupKey: undefined }, "groupKey:"],
  ])("rejects %j with the reason", (override, reason) => {
    const result = alertmanagerPayloadSchema.safeParse(alertmanagerFiring(override));
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toContain(reason);
  });

  it("rejects a start time that is not RFC 3339", () => {
    const body = alertmanagerFiring();
    const result = alertmanagerPayloadSchema.safeParse({ ...body, alerts: [{ ...body.alerts[0], startsAt: "yesterday" }] });
    expect(describeIssues(result.error!)).toBe("alerts.0.startsAt: must be an RFC 3339 time");
  });
});

describe("Grafana payload (webhook contact point)", () => {
  it("reads the documented example: two alerts, offsets with microseconds, empty URLs dropped", () => {
    const group = fromGrafana(grafanaPayloadSchema.parse(grafanaFiring()));
    expect(group.groupKey).toBe("1/{}:{}");
    expect(group.alerts.map((a) => a.startsAt)).toEqual(["2021-10-12T07:51:03.157Z", "2021-10-12T07:56:03.157Z"]);
    expect(group.alerts[0]!.links.map((l) => l.name)).toEqual(["source", "silence"]);
    expect(alertStart(group)).toBe("2021-10-12T07:51:03.157Z");
    // No common summary and two alerts: the title names them.
    expect(alertTitle(group)).toBe("High memory usage, High CPU usage");
    expect(alertTitle({ ...group, alerts: group.alerts.map((a) => ({ ...a, labels: {} })) })).toBe("Alert group from My Super Webhook");
  });

  it("rejects an Alertmanager body sent to the Grafana route, saying what is missing", () => {
    const result = grafanaPayloadSchema.safeParse(alertmanagerFiring());
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toMatch(/orgId: .*; version: must be "1"/);
  });
});

describe("alert group → incident", () => {
  it.each([
    ["critical", "sev1"],
    ["error", "sev2"],
    ["HIGH", "sev2"],
    ["warning", "sev3"],
    ["info", "sev4"],
    ["page", "sev3"],
    [undefined, "sev3"],
    ["sev2", "sev2"],
  ])("severity label %s → %s", (label, severity) => {
    expect(alertSeverity(withSeverity(label), DEFAULT_CONFIG)).toBe(severity);
  });

  it("uses the configured map, and the most severe alert of the group", () => {
    const config = parseConfig({ alerts: { severity_map: { page: "sev1", ticket: "sev4" } } });
    expect(alertSeverity(withSeverity("page"), config)).toBe("sev1");
    expect(alertSeverity(withSeverity("critical"), config)).toBe("sev3");
    const body = alertmanagerFiring();
    const two = am({ ...body, commonLabels: {}, alerts: [{ ...body.alerts[0]!, labels: { severity: "ticket" } }, { ...body.alerts[0]!, fingerprint: "f2", labels: { severity: "page" } }] });
    expect(alertSeverity(two, config)).toBe("sev1");
  });

  it("titles from the summary and alert name", () => {
    expect(alertTitle(am(alertmanagerFiring()))).toBe("CheckoutErrorRate: Checkout error rate above 5%");
  });

  it("ids are stable per group and source; digests change with the alerts, not with a redelivery", () => {
    const a = am(alertmanagerFiring());
    expect(groupId(a)).toBe(groupId(am(alertmanagerFiring())));
    expect(groupId(a)).not.toBe(groupId({ ...a, source: "grafana" }));
    expect(groupDigest(a)).toBe(groupDigest(am(alertmanagerFiring({ receiver: "other" }))));
    expect(groupDigest(a)).not.toBe(groupDigest(am(alertmanagerResolved())));
  });

  it("security alerts carry the label security=true", () => {
    expect(isSecurityAlert(am(alertmanagerFiring()))).toBe(false);
    expect(isSecurityAlert(am(alertmanagerFiring({ commonLabels: { security: "true" } })))).toBe(true);
  });

  it("the issue body declares the incident for the state to read, with the annotations and links", () => {
    const body = renderAlertIncidentBody(am(alertmanagerFiring()), DEFAULT_CONFIG, false);
    expect(parseDeclaration(body, DEFAULT_CONFIG, true)).toEqual({ severity: "sev1", startedAt: "2026-03-02T08:52:30.123Z", service: "checkout", source: "alert" });
    expect(body).toContain("**Checkout error rate above 5%**");
    expect(body).toContain("5xx responses on /api/checkout are at 12%");
    expect(body).toContain("**Runbook:** https://runbooks.example.com/checkout-errors");
    expect(body).toContain("[source](http://prometheus.example.com:9090/graph?");
    expect(body).toContain(`incident-desk:alert-group ${groupId(am(alertmanagerFiring()))} `);
  });

  it("a resolved comment carries a signal the state reads; mitigate only where configured", () => {
    const resolved = am(alertmanagerResolved());
    expect(parseAlertSignal(renderAlertComment(resolved, DEFAULT_CONFIG))).toEqual({ group: groupId(resolved), digest: groupDigest(resolved), status: "resolved", mitigate: false });
    const mitigate = parseConfig({ alerts: { resolved: "mitigate" } });
    expect(parseAlertSignal(renderAlertComment(resolved, mitigate))?.mitigate).toBe(true);
    expect(renderAlertComment(resolved, mitigate)).toContain("The incident is marked mitigated");
  });
});
