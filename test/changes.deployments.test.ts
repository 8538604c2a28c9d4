import { afterEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";

/** Suspects at declaration and production deployments noted on open incidents. */

let h: Harness;
const repo = "acme/web";

afterEach(async () => {
  await h.close();
  expect(h.sim.violations).toEqual([]);
});

const suspects = (n: number) => (h.card(n) ?? "").split("**Suspects**")[1]?.split("\n\n")[0]?.split("\n").filter((l) => l.startsWith("- ")) ?? [];
const notes = (n: number) => h.comments(n).filter((c) => c.body.includes("incident-desk:deployment"));

function mergedPull(title: string): { pr: number; sha: string } {
  const pr = h.sim.as("bob").openPullRequest(repo, { title, head: `b-${title.replace(/\W+/g, "-")}`, commits: [{ message: title, files: { [`${title}.txt`]: title } }] });
  const sha = h.sim.as("bob").mergePullRequest(repo, pr);
  return { pr, sha };
}

function deploy(sha: string, environment: string, state: "success" | "failure" | "error"): number {
  const id = h.sim.as("deployer").createDeployment(repo, { sha, environment });
  h.sim.as("deployer").setDeploymentStatus(repo, id, state);
  return id;
}

describe("suspects at declaration", () => {
  it("lists merged pull requests and production deployments of the look-back window, failed deployments first, newest first", async () => {
    h = await startApp({ config: "changes:\n  lookback: 6h\n" });
    const old = mergedPull("Too old");
    h.sim.clock.advance("7h");
    const a = mergedPull("Add caching");
    h.sim.clock.advance("10m");
    deploy(a.sha, "production", "success");
    h.sim.clock.advance("10m");
    const b = mergedPull("Bump driver");
    h.sim.clock.advance("10m");
    deploy(b.sha, "production", "failure");
    deploy(b.sha, "staging", "success");
    h.sim.clock.advance("10m");
    await h.deliver();
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    expect(suspects(n)).toEqual([
      `- ❌ failed deployment of \`${b.sha.slice(0, 7)}\` to production · 2026-03-02 16:30 UTC`,
      `- #${b.pr} Bump driver · merged 2026-03-02 16:20 UTC`,
      `- deployment of \`${a.sha.slice(0, 7)}\` to production · 2026-03-02 16:10 UTC · success`,
      `- #${a.pr} Add caching · merged 2026-03-02 16:00 UTC`,
    ]);
    expect(h.card(n)).not.toContain("Too old");
    expect(old.pr).toBeGreaterThan(0);
  });

  it("shows at most 10, with a count of the rest, and reads one search and one page of deployments", async () => {
    h = await startApp();
    for (let i = 0; i < 14; i++) {
      mergedPull(`Change ${i}`);
      h.sim.clock.advance("1m");
    }
    await h.deliver();
    h.sim.resetRequests();
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    expect(suspects(n)).toHaveLength(11);
    expect(suspects(n)[0]).toContain("Change 13");
    expect(suspects(n)[10]).toBe("- _and 4 more_");
    expect(h.sim.count({ operationId: "search/issues-and-pull-requests" })).toBe(1);
    expect(h.sim.count({ operationId: "repos/list-deployments" })).toBe(1);
  });

  it("stops paginating deployments once past the window", async () => {
    h = await startApp({ config: "changes:\n  lookback: 1h\n" });
    const { sha } = mergedPull("Old");
    for (let i = 0; i < 150; i++) {
      h.sim.as("deployer").createDeployment(repo, { sha, environment: "production" });
      h.sim.clock.advance("1m");
    }
    h.sim.clock.advance("2d");
    const recent = deploy(sha, "production", "success");
    await h.deliver();
    h.sim.resetRequests();
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    expect(suspects(n)).toEqual([expect.stringContaining("deployment of")]);
    expect(h.sim.count({ operationId: "repos/list-deployments" })).toBe(1);
    expect(recent).toBeGreaterThan(0);
  });

  it("is stable: a later delivery neither reads again nor changes the list; a new start recomputes it", async () => {
    h = await startApp();
    const a = mergedPull("Add caching");
    h.sim.clock.advance("1h");
    await h.deliver();
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    const first = suspects(n);
    expect(first[0]).toContain(`#${a.pr} Add caching`);
    mergedPull("After the start");
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    expect(suspects(n)).toEqual(first);
    expect(h.sim.count({ operationId: "search/issues-and-pull-requests" })).toBe(0);

    h.sim.as("alice").comment(repo, n, "/timeline start 08:00");
    await h.deliver();
    expect(h.sim.count({ operationId: "search/issues-and-pull-requests" })).toBe(1);
  });
});

describe("deployments while an incident is open", () => {
  it("a successful production deployment is noted once on every open incident, and on the card's timeline", async () => {
    h = await startApp();
    const a = h.sim.as("alice").openIssue(repo, { title: "A is down", labels: ["incident"] });
    const b = h.sim.as("alice").openIssue(repo, { title: "B is down", labels: ["incident"] });
    const closed = h.sim.as("alice").openIssue(repo, { title: "Old", labels: ["incident"] });
    const bug = h.sim.as("alice").openIssue(repo, { title: "A bug" });
    await h.deliver();
    h.sim.as("alice").close(repo, closed);
    await h.deliver();
    const { sha } = mergedPull("Fix it");
    const id = deploy(sha, "production", "success");
    const deliveries = h.sim.webhooks.peek().filter((d) => d.name === "deployment_status");
    await h.deliver();
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    for (const n of [a, b]) {
      expect(notes(n)).toHaveLength(1);
      expect(notes(n)[0]!.body).toContain(`\`${sha.slice(0, 7)}\` was deployed to **production**`);
      expect(notes(n)[0]!.body).toContain(`(deployment ${id})`);
      expect(h.card(n)).toContain(`| Deployed \`${sha.slice(0, 7)}\` to production |`);
    }
    expect(notes(closed)).toEqual([]);
    expect(h.sim.comments(repo, bug)).toEqual([]);
  });

  it("failed deployments, and deployments to an unknown environment, note nothing", async () => {
    h = await startApp({ config: "changes:\n  environments: [production, prod-eu]\n" });
    const n = h.sim.as("alice").openIssue(repo, { title: "A is down", labels: ["incident"] });
    await h.deliver();
    const { sha } = mergedPull("Fix it");
    deploy(sha, "staging", "success");
    deploy(sha, "production", "failure");
    await h.deliver();
    expect(notes(n)).toEqual([]);
    deploy(sha, "PROD-EU", "success");
    await h.deliver();
    expect(notes(n)).toHaveLength(1);
  });

  it("a GitHub 500 on the note loses nothing: the redelivery writes it once", async () => {
    h = await startApp();
    const n = h.sim.as("alice").openIssue(repo, { title: "A is down", labels: ["incident"] });
    await h.deliver();
    const { sha } = mergedPull("Fix it");
    deploy(sha, "production", "success");
    const deliveries = h.sim.webhooks.peek().filter((d) => d.name === "deployment_status");
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 500, times: 10 });
    await expect(h.deliver()).rejects.toThrow();
    expect(notes(n)).toEqual([]);
    h.sim.faults.clear();
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    expect(notes(n)).toHaveLength(1);
  });
});
