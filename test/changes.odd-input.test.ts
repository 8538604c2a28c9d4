import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";

/** Bad and odd input around changes: each handled as a user would expect, nothing half done. */

let h: Harness;
const repo = "acme/web";

beforeEach(async () => {
  h = await startApp();
  h.sim.addRepo("acme/api");
});
afterEach(async () => {
  await h.close();
  expect(h.sim.violations).toEqual([]);
});

const labels = (r: string, n: number) => h.sim.issue(r, n).labels.sort();
const fixLines = (n: number) => (h.card(n) ?? "").split("\n").filter((l) => /^- \*\*(Fix|Mitigation)/.test(l));

async function incident(r = repo): Promise<number> {
  const n = h.sim.as("alice").openIssue(r, { title: "Checkout is down", labels: ["incident"] });
  await h.deliver();
  return n;
}

describe("odd input", () => {
  it("a pull request from a fork is linked like any other", async () => {
    const n = await incident();
    const pr = h.sim.as("mallory").openPullRequest(repo, { title: "Fix the pool", body: `Fixes #${n}`, head: "fix", fromFork: true, commits: [{ message: "pool" }] });
    await h.deliver();
    expect(labels(repo, pr)).toEqual(["incident-fix"]);
    expect(fixLines(n)).toEqual([`- **Fix:** #${pr} Fix the pool · 🟢 open`]);
  });

  it("a reference to another repository's issue links nothing there or here", async () => {
    const there = await incident("acme/api");
    const cardOf = () => h.sim.comments("acme/api", there).find((c: { body?: string | null }) => c.body?.includes("incident-desk:card"))?.body;
    const cardThere = cardOf();
    expect(cardThere).toContain("Checkout is down");
    const local = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Client retry", body: `Fixes acme/api#${there}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(labels(repo, pr)).toEqual([]);
    expect(cardOf()).toBe(cardThere);
    expect(fixLines(local)).toEqual([]);
  });

  it("a closed incident still lists a fix that refers to it, and stays closed", async () => {
    const n = await incident();
    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    expect(h.sim.issue(repo, n).state).toBe("closed");
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Prevent recurrence", body: `Follow-up to #${n}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(labels(repo, pr)).toEqual(["incident-fix"]);
    expect(fixLines(n)).toEqual([`- **Fix:** #${pr} Prevent recurrence · 🟢 open`]);
    expect(h.sim.issue(repo, n).state).toBe("closed");
    expect(labels(repo, n)).toContain("status:resolved");
  });

  it("a 65,000-character body with the reference at its end is read", async () => {
    const n = await incident();
    const body = `${"Long log line with #hash-like text and `#1` in code.\n".repeat(1_300)}`.slice(0, 64_980) + `\nFixes #${n}`;
    expect(body.length).toBeGreaterThan(64_980);
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Big", body, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(labels(repo, pr)).toEqual(["incident-fix"]);
    expect(fixLines(n)).toHaveLength(1);
  });

  it("a duplicate pull request delivery writes nothing twice", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "A change", body: `Fixes #${n}`, head: "b1", commits: [{ message: "x" }] });
    const deliveries = h.sim.webhooks.peek();
    await h.deliver();
    const card = h.card(n);
    h.sim.resetRequests();
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    expect(h.sim.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(h.card(n)).toBe(card);
    expect(labels(repo, pr)).toEqual(["incident-fix"]);
  });

  it("a pull request mentioning many issues looks at 20 of them, not hundreds", async () => {
    const n = await incident();
    const body = [`Fixes #${n}`, ...Array.from({ length: 200 }, (_, i) => `#${1000 + i}`)].join(" ");
    h.sim.resetRequests();
    h.sim.as("bob").openPullRequest(repo, { title: "Sweep", body, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(h.sim.count({ operationId: "issues/get" })).toBeLessThanOrEqual(20 + 2);
    expect(fixLines(n)).toHaveLength(1);
  });

  it("an invalid configuration is reported once on the pull request (its change risk check run), and nothing else changes", async () => {
    const n = await incident();
    h.sim.seedFile(repo, ".github/incidents.yml", "changes:\n  lookback: soon\n");
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "A change", body: `Fixes #${n}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    h.sim.as("bob").editPullRequest(repo, pr, { title: "A change, edited" });
    await h.deliver();
    expect(h.comments(pr)).toEqual([]);
    const runs = h.sim.checkRuns(repo, h.sim.pull(repo, pr).head.sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: "incident-desk / change risk", conclusion: "neutral" });
    expect(runs[0]!.output.summary).toContain("`changes.lookback`");
    expect(labels(repo, pr)).toEqual([]);
    expect(fixLines(n)).toEqual([]);
  });
});
