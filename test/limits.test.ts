/**
 * Nothing the app or the Action writes exceeds GitHub's 65,536 characters (the simulator refuses
 * longer bodies with GitHub's 422, as GitHub does): a 3,000-alert group, a 60 KB `/summary`, a
 * 5,000-entry timeline, a comment full of wrong commands.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GITHUB_BODY_LIMIT } from "../src/text/limits.js";
import { alertmanagerFiring } from "./alerts.fixtures.js";
import { startApp, type Harness } from "./harness.js";

const TOKEN = "limits-test-alerts-token-0123456789abcdef";
let h: Harness;

const refusedBodies = () => h.sim.requests.filter((r) => r.status === 422);
const bodies = (repo: string) =>
  h.sim.issues(repo).flatMap((i: { number: number; body: string | null }) => [i.body ?? "", ...h.sim.comments(repo, i.number).map((c: { body: string }) => c.body)]);

afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  expect(refusedBodies()).toEqual([]);
  for (const body of bodies(h.repo)) expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  await h.close();
});

/** An Alertmanager group of `n` alerts, each with a dozen labels, as a big Kubernetes cluster sends them. */
function bigGroup(n: number, startsAt = "2026-03-02T08:52:30Z") {
  const base = alertmanagerFiring();
  const alerts = Array.from({ length: n }, (_, i) => ({
    ...base.alerts[0]!,
    labels: {
      ...base.alerts[0]!.labels,
      instance: `10.0.${Math.floor(i / 250)}.${i % 250}:8080`,
      pod: `checkout-api-7c9f8d6b5-${String(i).padStart(5, "0")}`,
      namespace: "payments-production",
      node: `ip-10-0-${i % 64}-17.eu-west-1.compute.internal`,
      container: "checkout",
      cluster: "prod-eu-west-1",
    },
    startsAt,
    fingerprint: i.toString(16).padStart(16, "0"),
  }));
  return { ...base, alerts };
}

describe("a 3,000-alert group through the real alert route", () => {
  beforeEach(async () => {
    process.env.ALERTS_TOKEN = TOKEN;
    process.env.ALERTS_REPO = "acme/web";
    h = await startApp({ http: true });
  });
  afterEach(() => {
    delete process.env.ALERTS_TOKEN;
    delete process.env.ALERTS_REPO;
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${h.url}/api/alerts/alertmanager`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it("opens one incident whose body keeps its markers and says how many alerts are not shown", async () => {
    const res = await post(bigGroup(3_000));
    expect(res).toMatchObject({ status: 201, json: { status: "opened", issue: 1 } });
    await h.deliver();
    const body = h.sim.issue("acme/web", 1).body!;
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toMatch(/^<!-- incident-desk:declare \{"severity":"sev1"/);
    expect(body).toMatch(/<!-- incident-desk:alert-group [0-9a-f]{24} [0-9a-f]{16} -->/);
    const shown = body.split("\n").filter((l) => l.startsWith("| CheckoutErrorRate |")).length;
    expect(shown).toBeGreaterThan(100);
    expect(body).toContain(`| _… and ${(3_000 - shown).toLocaleString("en-US")} more alerts (all of them in [Prometheus Alertmanager](http://alertmanager.example.com:9093))_ | | | | |`);
    // The incident works as any other: labels, card, a redelivery writes nothing.
    expect(h.sim.issue("acme/web", 1).labels).toEqual(expect.arrayContaining(["incident", "sev1", "status:investigating"]));
    expect(h.card(1)).toContain("SEV1 incident");
    const writes = h.sim.count({ writes: true });
    expect(await post(bigGroup(3_000))).toMatchObject({ status: 200, json: { status: "unchanged" } });
    expect(h.sim.count({ writes: true })).toBe(writes);
  });

  it("a changed 3,000-alert group comments within the limit, with its signal intact", async () => {
    await post(bigGroup(3_000));
    await h.deliver();
    const res = await post(bigGroup(3_000, "2026-03-02T08:55:00Z"));
    expect(res).toMatchObject({ status: 200, json: { status: "commented", issue: 1 } });
    await h.deliver();
    const [comment] = h.comments(1);
    expect(comment!.body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(comment!.body).toMatch(/^<!-- incident-desk:alert \{"group":"[0-9a-f]{24}","digest":"[0-9a-f]{16}","status":"firing","mitigate":false\} -->/);
    expect(comment!.body).toContain("the alert group is firing (3000 alerts)");
    expect(comment!.body).toMatch(/\| _… and [\d,]+ more alerts \(all of them in \[Prometheus Alertmanager\]\([^)]+\)\)_ \| \| \| \| \| \|$/m);
    // The comment is recognised: the same group again writes nothing.
    const writes = h.sim.count({ writes: true });
    expect(await post(bigGroup(3_000, "2026-03-02T08:55:00Z"))).toMatchObject({ status: 200, json: { status: "unchanged" } });
    expect(h.sim.count({ writes: true })).toBe(writes);
  });

  it("one alert with megabytes of labels and annotations is cut cell by cell", async () => {
    const group = bigGroup(1);
    const alert = { ...group.alerts[0]!, labels: { ...group.alerts[0]!.labels, blob: "b".repeat(500_000) } };
    const commonLabels = { ...group.commonLabels, service: "v".repeat(100_000) };
    const res = await post({ ...group, alerts: [alert], commonLabels, commonAnnotations: { ...group.commonAnnotations, description: "d".repeat(300_000), summary: "s".repeat(100_000) } });
    expect(res.status).toBe(201);
    await h.deliver();
    const issue = h.sim.issue("acme/web", 1);
    expect(issue.title.length).toBeLessThanOrEqual(256);
    expect(issue.body!.length).toBeLessThan(10_000);
    expect(issue.body).toContain("… (cut, 296,0");
    expect(issue.body).toMatch(/\| CheckoutErrorRate \| firing \| [^|]+ \| [^|]*b… \|/);
    expect(h.card(1)).toContain(`**Service:** ${"v".repeat(199)}…`);
  });
});
