/**
 * Alert bodies exactly as Alertmanager (webhook version 4) and Grafana (webhook contact point)
 * document them. Tests copy and adjust them; they are never mutated.
 */
export function alertmanagerFiring(overrides: Record<string, unknown> = {}) {
  return {
    version: "4",
    groupKey: '{}/{severity="critical"}:{alertname="CheckoutErrorRate", service="checkout"}',
    truncatedAlerts: 0,
    status: "firing",
    receiver: "incident-desk",
    groupLabels: { alertname: "CheckoutErrorRate", service: "checkout" },
    commonLabels: { alertname: "CheckoutErrorRate", service: "checkout", severity: "critical", job: "checkout-api" },
    commonAnnotations: {
      summary: "Checkout error rate above 5%",
      description: "5xx responses on /api/checkout are at 12% over the last 5 minutes.",
      runbook_url: "https://runbooks.example.com/checkout-errors",
    },
    externalURL: "http://alertmanager.example.com:9093",
    alerts: [
      {
        status: "firing",
        labels: { alertname: "CheckoutErrorRate", service: "checkout", severity: "critical", job: "checkout-api", instance: "10.0.0.7:8080" },
        annotations: {
          summary: "Checkout error rate above 5%",
          description: "5xx responses on /api/checkout are at 12% over the last 5 minutes.",
          runbook_url: "https://runbooks.example.com/checkout-errors",
        },
        startsAt: "2026-03-02T08:52:30.123456789Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example.com:9090/graph?g0.expr=rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29&g0.tab=1",
        fingerprint: "a1b2c3d4e5f60718",
      },
    ],
    ...overrides,
  };
}

export function alertmanagerResolved(overrides: Record<string, unknown> = {}) {
  const firing = alertmanagerFiring();
  return {
    ...firing,
    status: "resolved",
    alerts: firing.alerts.map((a) => ({ ...a, status: "resolved", endsAt: "2026-03-02T09:40:00Z" })),
    ...overrides,
  };
}

/** Grafana's documented example, two alerts of one group. */
export function grafanaFiring(overrides: Record<string, unknown> = {}) {
  return {
    receiver: "My Super Webhook",
    status: "firing",
    orgId: 1,
    alerts: [
      {
        status: "firing",
        labels: { alertname: "High memory usage", team: "blue", zone: "us-1" },
        annotations: {
          description: "The system has high memory usage",
          runbook_url: "https://myrunbook.com/runbook/1234",
          summary: "This alert was triggered for zone us-1",
        },
        startsAt: "2021-10-12T09:51:03.157076+02:00",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "https://play.grafana.org/alerting/1afz29v7z/edit",
        fingerprint: "c6eadffa33fcdf37",
        silenceURL: "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1",
        dashboardURL: "",
        panelURL: "",
        values: { B: 44.23943737541908, C: 1 },
      },
      {
        status: "firing",
        labels: { alertname: "High CPU usage", team: "blue", zone: "eu-1" },
        annotations: {
          description: "The system has high CPU usage",
          runbook_url: "https://myrunbook.com/runbook/1234",
          summary: "This alert was triggered for zone eu-1",
        },
        startsAt: "2021-10-12T09:56:03.157076+02:00",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "https://play.grafana.org/alerting/d1rdpdv7k/edit",
        fingerprint: "bc97ff14869b13e3",
        silenceURL: "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1",
        dashboardURL: "",
        panelURL: "",
        values: { B: 44.23943737541908, C: 1 },
      },
    ],
    groupLabels: {},
    commonLabels: { team: "blue" },
    commonAnnotations: {},
    externalURL: "https://play.grafana.org/",
    version: "1",
    groupKey: "{}:{}",
    truncatedAlerts: 0,
    title: "[FIRING:2]  (blue)",
    state: "alerting",
    message: "**Firing**\n\nLabels:\n - alertname = T2\n - team = blue\n - zone = us-1\nAnnotations:\n - description = This is the alert rule checking the second system\n - runbook_url = https://myrunbook.com\n - summary = This is my summary\nSource: https://play.grafana.org/alerting/1afz29v7z/edit\nSilence: https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1\n\nLabels:\n - alertname = T1\n - team = blue\n - zone = eu-1\nAnnotations:\nSource: https://play.grafana.org/alerting/d1rdpdv7k/edit\nSilence: https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1\n",
    ...overrides,
  };
}
