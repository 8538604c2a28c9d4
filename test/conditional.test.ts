/**
 * Conditional requests: what did not change since the last read is asked with its ETag, GitHub
 * answers 304 and does not count it against the rate limit.
 */
import { Octokit } from "@octokit/core";
import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";
import { GitHubSim } from "./sim/index.js";

const REPO = "acme/web";
const LABELS = ["incident", "sev1", "sev2", "sev3", "sev4", "status:investigating", "status:identified", "status:mitigated", "status:resolved"];
const counted = (reqs: { method: string; counted: boolean; operationId: string | null }[]) =>
  reqs.filter((r) => r.counted && r.operationId !== "apps/create-installation-access-token" && r.operationId !== "apps/get-authenticated");

describe("the simulator answers conditional requests like GitHub", () => {
  it("sends an ETag, answers a matching If-None-Match with an uncounted 304, and a changed resource with 200", async () => {
    const sim = new GitHubSim();
    sim.addRepo(REPO);
    const n = sim.as("alice").openIssue(REPO, { title: "x" });
    const octokit = new Octokit({ auth: sim.installationToken(REPO), request: { fetch: sim.fetch as never } });
    const first = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "web", issue_number: n });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    const again = octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "web", issue_number: n, headers: { "if-none-match": etag } });
    await expect(again).rejects.toMatchObject({ status: 304 });
    expect(sim.requests.at(-1)).toMatchObject({ status: 304, counted: false });
    const third = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "web", issue_number: n });
    // The 304 was not counted: `used` went from 1 to 2 over three requests.
    expect(third.headers["x-ratelimit-used"]).toBe("2");
    sim.as("alice").comment(REPO, n, "changed");
    const changed = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "web", issue_number: n, headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(sim.count({ counted: false })).toBe(1);
    expect(sim.violations).toEqual([]);
  });
});

describe("the app asks conditionally", () => {
  const h = useApp();

  it("spends at most 3 counted reads and only the writes it needs on a command on a quiet incident", async () => {
    h.sim.seedLabels(REPO, LABELS);
    h.sim.seedFile(REPO, ".github/incidents.yml", "default_severity: sev3\n");
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").comment(REPO, n, "/update Looking at the dashboards");
    await h.deliver();

    for (const command of ["/ack", "/update Rolled back, watching"]) {
      h.sim.resetRequests();
      h.sim.as("bob").comment(REPO, n, command);
      await h.deliver();
      const reads = counted(h.sim.requests.filter((r) => r.method === "GET"));
      const writes = h.sim.requests.filter((r) => r.method !== "GET");
      expect(reads.map((r) => r.operationId).sort(), command).toEqual(["issues/get", "issues/list-events-for-timeline"]);
      // The configuration and bob's permission had not changed: 304, not counted.
      expect(h.sim.requests.filter((r) => r.operationId === "repos/get-content").map((r) => r.status), command).toEqual([304]);
      expect(h.sim.count({ status: 304, operationId: "repos/get-collaborator-permission-level" }), command).toBe(1);
      expect(writes.map((r) => r.operationId).sort(), command).toEqual(["issues/update-comment", "reactions/create-for-issue-comment"]);
    }
    expect(h.card(n)).toContain("Rolled back, watching");
  });

  it("answers a duplicate delivery with 304s only, and writes nothing new", async () => {
    h.sim.seedLabels(REPO, LABELS);
    h.sim.seedFile(REPO, ".github/incidents.yml", "default_severity: sev3\n");
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").comment(REPO, n, "/sev 2");
    const delivered = await h.deliver();
    const comment = delivered.find((d) => d.name === "issue_comment")!;
    h.sim.resetRequests();
    await h.receive(comment);
    const before = JSON.stringify(h.sim.issue(REPO, n));
    h.sim.resetRequests();
    await h.receive(comment);
    // Nothing had changed since the copy before: every read is a 304, none is counted.
    expect(counted(h.sim.requests.filter((r) => r.method === "GET"))).toEqual([]);
    expect(h.sim.requests.filter((r) => r.status === 304).map((r) => r.operationId).sort()).toEqual([
      "issues/get",
      "issues/list-events-for-timeline",
      "repos/get-content",
    ]);
    // GitHub answers 200 to a reaction that exists: the 👍 is asked again but not made twice.
    expect(h.sim.requests.filter((r) => r.method !== "GET").map((r) => `${r.operationId} ${r.status}`)).toEqual(["reactions/create-for-issue-comment 200"]);
    expect(JSON.stringify(h.sim.issue(REPO, n))).toBe(before);
  });

  it("reads afresh what changed: a changed or new configuration is used at once", async () => {
    h.sim.seedLabels(REPO, LABELS);
    h.sim.seedFile(REPO, ".github/incidents.yml", "default_severity: sev3\n");
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").writeFile(REPO, ".github/incidents.yml", "default_severity: sev2\nroles: [commander, comms, scribe, liaison]\n");
    h.sim.webhooks.take();
    h.sim.as("bob").comment(REPO, n, "/role liaison @carol");
    await h.deliver();
    expect(h.comments(n).filter((c) => c.user === "incident-desk[bot]")).toEqual([]);
    expect(h.card(n)).toContain("@carol");
  });

  it("asks again for a configuration that was missing: one added is used at the next event", async () => {
    h.sim.seedLabels(REPO, LABELS);
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").writeFile(REPO, ".github/incidents.yml", "roles: [commander, comms, scribe, scout]\n");
    h.sim.webhooks.take();
    h.sim.as("bob").comment(REPO, n, "/role scout @alice");
    await h.deliver();
    expect(h.comments(n).filter((c) => c.user === "incident-desk[bot]")).toEqual([]);
    expect(h.card(n)).toContain("@alice");
  });});
