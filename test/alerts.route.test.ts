import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";
import { alertmanagerFiring, alertmanagerResolved, grafanaFiring } from "./alerts.fixtures.js";

const TOKEN = "s3cret-alerts-token-for-the-tests-0123456789";
let h: Harness;

// The routes read their tokens when the app starts: the environment is set before startApp.
beforeEach(() => {
  process.env.ALERTS_TOKEN = TOKEN;
  process.env.ALERTS_REPO = "acme/web";
});

afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
  delete process.env.ALERTS_TOKEN;
  delete process.env.ALERTS_REPO;
});

async function post(path: string, body: unknown, opts: { token?: string | null; query?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${h.url}${path}${opts.query ?? "?repo=acme/web"}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const am = (body: unknown, opts?: Parameters<typeof post>[2]) => post("/api/alerts/alertmanager", body, opts);
const issues = () => h.sim.issues("acme/web");

describe("POST /api/alerts/alertmanager", () => {
  beforeEach(async () => {
    h = await startApp({ http: true });
  });

  it("a firing group opens one incident with title, severity, start, annotations and links", async () => {
    const res = await am(alertmanagerFiring());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: "opened", repository: "acme/web", issue: 1 });
    await h.deliver();
    const issue = h.sim.issue("acme/web", 1);
    expect(issue.title).toBe("CheckoutErrorRate: Checkout error rate above 5%");
    expect(issue.user).toBe("incident-desk[bot]");
    expect([...issue.labels].sort()).toEqual(["incident", "sev1", "status:investigating"]);
    expect(issue.body).toContain("5xx responses on /api/checkout are at 12%");
    expect(issue.body).toContain("**Runbook:** https://runbooks.example.com/checkout-errors");
    expect(issue.body).toContain("[source](http://prometheus.example.com:9090/graph?");
    const card = h.card(1)!;
    expect(card).toContain("SEV1 incident · CheckoutErrorRate: Checkout error rate above 5%");
    expect(card).toContain("| Started | 2026-03-02 08:52 UTC |");
    expect(card).toContain("**Service:** checkout");
  });

  it("the same group again writes nothing; a changed group comments on the open incident", async () => {
    expect((await am(alertmanagerFiring())).status).toBe(201);
    await h.deliver();
    const writes = h.sim.count({ writes: true });
    const again = await am(alertmanagerFiring());
    expect(again).toMatchObject({ status: 200, json: { status: "unchanged", issue: 1 } });
    expect(h.sim.count({ writes: true })).toBe(writes);

    const body = alertmanagerFiring();
    const second = { ...body.alerts[0]!, fingerprint: "ffff000011112222", labels: { ...body.alerts[0]!.labels, instance: "10.0.0.8:8080" } };
    const changed = await am({ ...body, alerts: [...body.alerts, second] });
    expect(changed).toMatchObject({ status: 200, json: { status: "commented", issue: 1 } });
    await h.deliver();
    expect(issues()).toHaveLength(1);
    const comments = h.comments(1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("the alert group is firing (2 alerts)");
    expect(comments[0]!.body).toContain("instance=10.0.0.8:8080");
  });

  it("two deliveries of a new group at once open one incident", async () => {
    const [a, b] = await Promise.all([am(alertmanagerFiring()), am(alertmanagerFiring())]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    await h.deliver();
    expect(issues()).toHaveLength(1);
    expect(h.comments(1)).toEqual([]);
  });

  it("a resolved group comments and leaves the status alone by default", async () => {
    await am(alertmanagerFiring());
    const res = await am(alertmanagerResolved());
    expect(res).toMatchObject({ status: 200, json: { status: "commented", issue: 1 } });
    await h.deliver();
    expect(h.comments(1).map((c) => c.body)).toEqual([expect.stringContaining("the alerts resolved.")]);
    expect(h.sim.issue("acme/web", 1).labels).toContain("status:investigating");
    expect(h.card(1)).toContain("Alerts resolved");
  });

  it("a resolved group for which there is no open incident creates nothing", async () => {
    const res = await am(alertmanagerResolved());
    expect(res).toMatchObject({ status: 200, json: { status: "no-incident" } });
    expect(issues()).toEqual([]);
  });

  it("a new group after its incident was closed opens a new one", async () => {
    await am(alertmanagerFiring());
    h.sim.as("alice").close("acme/web", 1);
    await h.deliver();
    expect((await am(alertmanagerFiring())).json).toMatchObject({ status: "opened", issue: 2 });
  });

  it("GitHub 500s and secondary rate limits lose nothing and write nothing twice", async () => {
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 500, times: 2 });
    h.sim.faults.secondaryRateLimit({ method: "GET", path: "/repos/{owner}/{repo}/issues", retryAfter: 1, times: 1 });
    const res = await am(alertmanagerFiring());
    expect(res.status).toBe(201);
    await h.deliver();
    expect(issues()).toHaveLength(1);
    expect(h.sim.count({ method: "POST", route: "/repos/{owner}/{repo}/issues", status: 201 })).toBe(1);
    expect(h.card(1)).toBeDefined();
  });

  it("a GitHub that keeps failing answers 502 so the sender retries, and the retry completes the work once", async () => {
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 500, times: 4 });
    const failed = await am(alertmanagerFiring());
    expect(failed.status).toBe(502);
    expect(failed.json.error).toMatch(/retry/);
    expect(issues()).toEqual([]);
    const retried = await am(alertmanagerFiring());
    expect(retried.status).toBe(201);
    expect(issues()).toHaveLength(1);
  });
});

describe("refusals: nothing is created", () => {
  beforeEach(async () => {
    h = await startApp({ http: true });
    h.sim.resetRequests();
  });
  afterEach(() => {
    expect(h.sim.issues("acme/web")).toEqual([]);
    expect(h.sim.count({ writes: true })).toBe(0);
  });

  it.each([
    ["no token", null],
    ["a wrong token", `${TOKEN.slice(0, -1)}X`],
    ["a longer token", `${TOKEN}x`],
  ])("401 for %s", async (_, token) => {
    const res = await am(alertmanagerFiring(), { token });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe("missing or wrong bearer token");
    expect(h.sim.requests).toEqual([]);
  });

  it("401 when the server has no ALERTS_TOKEN, saying so", async () => {
    await h.close();
    delete process.env.ALERTS_TOKEN;
    delete process.env.ALERTS_REPO;
    h = await startApp({ http: true });
    const res = await am(alertmanagerFiring(), { token: "" });
    expect(res).toMatchObject({ status: 401, json: { error: expect.stringContaining("no ALERTS_TOKEN") } });
  });

  it("400 with the reason for a body that is not a valid payload", async () => {
    expect(await am("{not json")).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^the body is not JSON/) } });
    expect(await am(alertmanagerFiring({ version: "3" }))).toMatchObject({ status: 400, json: { error: 'not a valid alertmanager payload: version: must be "4" (Alertmanager webhook version 4)' } });
    expect(await post("/api/alerts/grafana", alertmanagerFiring())).toMatchObject({ status: 400, json: { error: expect.stringContaining("orgId") } });
    expect(h.sim.requests).toEqual([]);
  });

  it("400 for a malformed repository", async () => {
    expect(await am(alertmanagerFiring(), { query: "?repo=acme" })).toMatchObject({ status: 400, json: { error: '"acme" is not a repository (owner/name)' } });
    // A name GitHub does not allow could reach another API path.
    expect(await am(alertmanagerFiring(), { query: "?repo=acme/.." })).toMatchObject({ status: 400 });
    expect(await am(alertmanagerFiring(), { query: "?repo=acme/web/issues" })).toMatchObject({ status: 400 });
    expect(h.sim.requests).toEqual([]);
  });

  it("405 for another method; other paths are left to Probot", async () => {
    expect((await fetch(`${h.url}/api/alerts/alertmanager`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await fetch(`${h.url}/api/alerts/nagios`, { method: "POST" })).status).toBe(404);
  });
});

describe("ALERTS_REPO, Grafana, services and on-call", () => {
  it("takes the repository from ALERTS_REPO, and Grafana's documented body", async () => {
    h = await startApp({ http: true });
    const res = await post("/api/alerts/grafana", grafanaFiring(), { query: "" });
    expect(res).toMatchObject({ status: 201, json: { status: "opened", repository: "acme/web" } });
    await h.deliver();
    const issue = h.sim.issue("acme/web", 1);
    expect(issue.title).toBe("High memory usage, High CPU usage");
    expect(issue.labels).toContain("sev3");
    expect(issue.body).toContain("[silence](https://play.grafana.org/alerting/silence/new?");
    expect(h.card(1)).toContain("| Started | 2021-10-12 07:51 UTC |");
  });

  it("a group for a service: severity from the configured map, the rotation's member commands, the team is mentioned", async () => {
    h = await startApp({
      http: true,
      config: [
        "alerts:",
        "  severity_map: { critical: sev2 }",
        "oncall:",
        "  rotations:",
        "    - { name: payments, members: [alice, bob], start: '2026-02-23T09:00:00Z', every: 1w }",
        "services:",
        "  checkout: { team: '@acme/payments', rotation: payments }",
      ].join("\n"),
    });
    await am(alertmanagerFiring());
    await h.deliver();
    const issue = h.sim.issue("acme/web", 1);
    expect(issue.labels).toContain("sev2");
    // The sim's clock starts 2026-03-02T09:00Z: the second week of the rotation.
    expect(issue.assignees).toEqual(["bob"]);
    expect(h.card(1)).toContain("**Commander:** @bob");
    expect(h.card(1)).toContain("**Team:** @acme/payments");
  });

  it("with `alerts.resolved: mitigate` a resolved group marks the incident mitigated, and firing again undoes it", async () => {
    h = await startApp({ http: true, config: "alerts:\n  resolved: mitigate\n" });
    await am(alertmanagerFiring());
    await am(alertmanagerResolved());
    await h.deliver();
    expect(h.sim.issue("acme/web", 1).labels).toContain("status:mitigated");
    expect(h.card(1)).toContain("mitigated");
    expect(h.card(1)).toMatch(/\| Mitigated \| 2026-03-02 \d\d:\d\d UTC \|/);
    const refire = alertmanagerFiring();
    await am({ ...refire, alerts: [{ ...refire.alerts[0]!, startsAt: "2026-03-02T10:00:00Z" }] });
    await h.deliver();
    expect(h.sim.issue("acme/web", 1).labels).toContain("status:investigating");
  });

  it("an invalid configuration answers 422 naming only the repository; the problem is in the log; nothing is created", async () => {
    h = await startApp({ http: true, config: "alerts:\n  severity_map: { critical: sev9 }\n" });
    const res = await am(alertmanagerFiring());
    expect(res).toEqual({ status: 422, json: { error: "invalid configuration in acme/web" } });
    expect(h.logs.some((l) => l.msg.includes("alerts.severity_map.critical") && l.msg.includes("acme/web"))).toBe(true);
    expect(issues()).toEqual([]);
  });
});

describe("a slow GitHub", () => {
  it("the route answers 202 within its budget and the incident follows", async () => {
    h = await startApp({ http: true });
    h.sim.latencyMs = 400;
    const started = Date.now();
    const res = await am(alertmanagerFiring());
    const took = Date.now() - started;
    expect(res).toMatchObject({ status: 202, json: { status: "accepted" } });
    // The default budget is 5 s; more than a dozen requests at 400 ms each cannot fit in it.
    expect(took).toBeGreaterThanOrEqual(5_000);
    expect(took).toBeLessThan(6_500);
    await expect.poll(() => h.card(1), { timeout: 15_000, interval: 200 }).toBeDefined();
    expect(issues()).toHaveLength(1);
  }, 30_000);
});
