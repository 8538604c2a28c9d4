import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";

const repo = "acme/web";
const h = useApp();

/** The body GitHub writes for a submitted issue form: `### <label>` then the answer. */
function formBody(answers: Record<string, string>): string {
  const form = parse(readFileSync(new URL("../.github/ISSUE_TEMPLATE/incident.yml", import.meta.url), "utf8")) as {
    labels: string[];
    body: { type: string; id?: string; attributes: { label?: string } }[];
  };
  return form.body
    .filter((f) => f.type !== "markdown")
    .map((f) => `### ${f.attributes.label}\n\n${answers[f.id!] ?? "_No response_"}`)
    .join("\n\n");
}

describe("declaring from the example issue form", () => {
  it("takes severity, service, start and impact from the form's fields", async () => {
    const body = formBody({
      severity: "sev2 — Major: a core feature is degraded for many users",
      service: "checkout",
      "started-at": "2026-03-02 08:40",
      impact: "EU customers cannot pay",
    });
    const n = h.sim.as("alice").openIssue(repo, { title: "[Incident] Checkout errors", body, labels: ["incident"] });
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev2", "status:investigating"]);
    const card = h.card(n)!;
    expect(card).toContain("**Service:** checkout");
    expect(card).toContain("| Started | 2026-03-02 08:40 UTC |");
    expect(card).toContain("**Time to detect:** 20m");
    expect(card).toContain("**Impact:** EU customers cannot pay");
  });

  it("by /incident in a new issue's body", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Search is slow", body: "Latency is up.\n\n/incident sev2" });
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev2", "status:investigating"]);
  });
});

describe("labels", () => {
  it("creates missing labels with a colour and description, and never recolours existing ones", async () => {
    h.sim.seedLabels(repo, [{ name: "sev3", color: "123456", description: "ours" }]);
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    await h.deliver();
    const byName = new Map(h.sim.labels(repo).map((l: { name: string }) => [l.name, l]));
    expect(byName.get("sev3")).toMatchObject({ color: "123456", description: "ours" });
    expect(byName.get("status:investigating")).toMatchObject({ color: "e99695", description: "Incident status: investigating" });
    expect(h.sim.issue(repo, n).labels).toContain("sev3");
  });

  it("keeps exactly one severity: a person swapping labels by hand changes the severity", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").addLabels(repo, n, ["sev1"]);
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev1", "status:investigating"]);
    expect(h.card(n)).toContain("SEV1 incident");
  });
});

describe("commands from bots and others", () => {
  it("ignores a bot's commands", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    await h.deliver();
    h.sim.addUser("deploy-bot[bot]", { type: "Bot" });
    h.sim.setPermission(repo, "deploy-bot[bot]", "admin");
    h.sim.as("deploy-bot[bot]").comment(repo, n, "/sev 1");
    await h.deliver();
    expect(h.sim.issue(repo, n).labels).toContain("sev3");
    expect(h.comments(n).filter((c) => c.user === "incident-desk[bot]")).toEqual([]);
  });

  it("leaves other bots' /commands alone", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("alice").comment(repo, n, "/assign @bob\n/label urgent");
    await h.deliver();
    expect(h.sim.count({ writes: true })).toBe(0);
  });

  it("answers /help from anyone", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    await h.deliver();
    h.sim.as("rita").comment(repo, n, "/help");
    await h.deliver();
    const help = h.comments(n).find((c) => c.user === "incident-desk[bot]");
    expect(help?.body).toContain("| `/ack` | acknowledge the incident; stops escalation |");
  });
});

describe("GitHub as it really behaves", () => {
  it("costs no request for an ordinary comment on an ordinary issue", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Typo in README" });
    h.sim.as("bob").comment(repo, n, "Thanks, fixing it.");
    h.sim.resetRequests();
    await h.deliver();
    expect(h.sim.requests).toEqual([]);
  });

  it("two copies of a delivery at the same moment still make one card", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    const deliveries = h.sim.webhooks.take();
    await Promise.all([...deliveries, ...deliveries].map((d) => h.receive(d)));
    await h.deliver();
    expect(h.sim.comments(repo, n).filter((c: { body?: string | null }) => c.body?.includes("incident-desk:card"))).toHaveLength(1);
  });

  it("deliveries out of order end in the same state", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    h.sim.as("alice").comment(repo, n, "/sev 2");
    h.sim.as("alice").comment(repo, n, "/sev 1");
    const deliveries = h.sim.webhooks.take().reverse();
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev1", "status:investigating"]);
  });

  it("a 500 from GitHub is retried and nothing is lost", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 500, times: 2 });
    await h.deliver();
    expect(h.card(n)).toContain("SEV3 incident");
    expect(h.sim.count({ method: "POST", status: 500 })).toBe(2);
  });

  it("a secondary rate limit is waited out (retry-after) and retried", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    h.sim.faults.secondaryRateLimit({ times: 1, retryAfter: 1, method: "POST" });
    await h.deliver();
    expect(h.sim.count({ status: 403 })).toBe(1);
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toBeDefined();
  });

  it("when GitHub keeps failing, the next event repairs what was missed", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "x", labels: ["incident"] });
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/labels", status: 502, times: 10 });
    await expect(h.deliver()).rejects.toThrow();
    h.sim.faults.clear();
    h.sim.webhooks.take();
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("| Acknowledged | 2026-03-02");
  });
});
