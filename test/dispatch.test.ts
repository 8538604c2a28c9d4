import { afterEach, describe, expect, it } from "vitest";
import { checkDispatch } from "../src/alerts/dispatch.js";
import { DEFAULT_CONFIG } from "../src/config/schema.js";
import { startApp, type Harness } from "./harness.js";

let h: Harness;
afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

const payload = {
  title: "Checkout latency above 2 s",
  severity: "critical",
  service: "checkout",
  description: "p99 latency of /api/checkout is 2.4 s (SLO 800 ms).",
  started_at: "2026-03-02T08:30:00Z",
};

describe("repository_dispatch `incident`", () => {
  it("declares an incident with title, severity, service, description and start", async () => {
    h = await startApp({ config: "services:\n  checkout: { team: '@acme/payments' }\n" });
    h.sim.as("alice").dispatch("acme/web", "incident", payload);
    await h.deliver();
    const issue = h.sim.issues("acme/web")[0]!;
    expect(issue).toMatchObject({ title: "Checkout latency above 2 s", user: "incident-desk[bot]" });
    const snapshot = h.sim.issue("acme/web", issue.number);
    expect([...snapshot.labels].sort()).toEqual(["incident", "sev1", "status:investigating"]);
    expect(snapshot.body).toContain("p99 latency of /api/checkout is 2.4 s");
    expect(snapshot.body).toContain("Declared by a `repository_dispatch` from @alice");
    const card = h.card(issue.number)!;
    expect(card).toContain("| Started | 2026-03-02 08:30 UTC |");
    expect(card).toContain("**Service:** checkout · **Team:** @acme/payments");
  });

  it("the same delivery twice, or the same key twice, declares one incident", async () => {
    h = await startApp();
    h.sim.as("alice").dispatch("acme/web", "incident", payload);
    const delivered = await h.deliver();
    for (const d of delivered.filter((d) => d.name === "repository_dispatch")) await h.receive(d);
    expect(h.sim.issues("acme/web")).toHaveLength(1);

    h.sim.as("alice").dispatch("acme/web", "incident", { title: "Queue backlog", key: "queue-backlog" });
    h.sim.as("alice").dispatch("acme/web", "incident", { title: "Queue backlog (again)", key: "queue-backlog" });
    await h.deliver();
    expect(h.sim.issues("acme/web").map((i: { title: string }) => i.title).sort()).toEqual(["Checkout latency above 2 s", "Queue backlog"]);
  });

  it("survives GitHub 500s and a secondary rate limit, writing once", async () => {
    h = await startApp();
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 502, times: 2 });
    h.sim.faults.secondaryRateLimit({ method: "GET", path: "/repos/{owner}/{repo}/issues", retryAfter: 1 });
    h.sim.as("alice").dispatch("acme/web", "incident", payload);
    await h.deliver();
    expect(h.sim.issues("acme/web")).toHaveLength(1);
    expect(h.card(1)).toBeDefined();
  });

  it.each([
    [{ severity: "sev2" }, "title: "],
    [{ ...payload, title: "  " }, "title: a title is required"],
    [{ ...payload, severity: "apocalyptic" }, 'severity: "apocalyptic" is not one of sev1, sev2, sev3, sev4, critical, error, high, warning, info'],
    [{ ...payload, started_at: "yesterday" }, "started_at: must be an ISO 8601 date and time"],
    [{ ...payload, sevirity: "sev1" }, 'Unrecognized key: "sevirity"'],
  ])("an invalid payload %j is logged with the reason and creates nothing", async (clientPayload, reason) => {
    h = await startApp();
    h.sim.as("alice").dispatch("acme/web", "incident", clientPayload);
    h.sim.resetRequests();
    await h.deliver();
    expect(h.sim.issues("acme/web")).toEqual([]);
    // Minting the installation token is the only POST.
    expect(h.sim.requests.filter((r) => r.method !== "GET" && !r.path.startsWith("/app/installations/"))).toEqual([]);
    expect(h.logs.map((l) => l.msg)).toContainEqual(expect.stringMatching(new RegExp(`repository_dispatch "incident" in acme/web ignored, nothing was created: .*${reason.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)));
  });

  it("other event types are left alone", async () => {
    h = await startApp();
    h.sim.as("alice").dispatch("acme/web", "deploy", { title: "x" });
    await h.deliver();
    expect(h.sim.issues("acme/web")).toEqual([]);
    expect(h.logs.filter((l) => l.msg.includes("repository_dispatch"))).toEqual([]);
  });
});

describe("checkDispatch (pure)", () => {
  it("severity as configured or as alerting tools say it; default sev3", () => {
    expect(checkDispatch(DEFAULT_CONFIG, { title: "t", severity: "2" })).toMatchObject({ ok: true, severity: "sev2" });
    expect(checkDispatch(DEFAULT_CONFIG, { title: "t", severity: "Warning" })).toMatchObject({ ok: true, severity: "sev3" });
    expect(checkDispatch(DEFAULT_CONFIG, { title: "t" })).toMatchObject({ ok: true, severity: "sev3" });
    expect(checkDispatch(DEFAULT_CONFIG, undefined)).toMatchObject({ ok: false, reason: expect.stringContaining("title") });
  });
});
