import { Octokit } from "@octokit/core";
import { describe, expect, it } from "vitest";
import { pacing, rateLimitWait } from "../../src/github/pacing.js";
import { GitHubSim } from "../sim/index.js";

const Paced = Octokit.plugin(pacing);

function client(sim: GitHubSim, options: Record<string, number>) {
  return new Paced({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch as never }, pacing: options });
}

describe("pacing: GitHub's limits", () => {
  it("spaces writes of one account and runs them one at a time", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const n = sim.as("alice").openIssue("acme/web", { title: "x" });
    const octokit = client(sim, { writeSpacingMs: 60 });
    const started = Date.now();
    await Promise.all([1, 2, 3].map((i) => octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "acme", repo: "web", issue_number: n, body: `c${i}` })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(sim.comments("acme/web", n).map((c: { body?: string | null }) => c.body)).toEqual(["c1", "c2", "c3"]);
  });

  it("retries a 5xx and waits out a secondary rate limit, then gives up past the limits", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const octokit = client(sim, { writeSpacingMs: 0, retryBaseMs: 1, maxRetryAfterS: 1 });
    sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}", status: 502, times: 2 });
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "web" })).resolves.toMatchObject({ status: 200 });
    sim.faults.secondaryRateLimit({ times: 1, retryAfter: 1 });
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "web" })).resolves.toMatchObject({ status: 200 });
    sim.faults.secondaryRateLimit({ times: 1, retryAfter: 30 });
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "web" })).rejects.toMatchObject({ status: 403 });
    sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}", status: 500, times: 10 });
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "web" })).rejects.toMatchObject({ status: 500 });
    expect(sim.count({ status: 500 })).toBe(4);
  });

  it("reads how long to wait from GitHub's answer", () => {
    const now = Date.parse("2026-03-02T09:00:00Z");
    expect(rateLimitWait({ status: 403, response: { headers: { "retry-after": "7" } } }, now)).toBe(7);
    expect(rateLimitWait({ status: 403, message: "You have exceeded a secondary rate limit", response: { headers: {} } }, now)).toBe(60);
    expect(rateLimitWait({ status: 403, response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 30) } } }, now)).toBe(31);
    expect(rateLimitWait({ status: 403, message: "Resource not accessible by integration", response: { headers: { "x-ratelimit-remaining": "4000" } } }, now)).toBeUndefined();
    expect(rateLimitWait({ status: 404, response: { headers: { "retry-after": "1" } } }, now)).toBeUndefined();
  });
});

describe("pacing: the write gate is per account and keeps its spacing", () => {
  const comment = (octokit: InstanceType<typeof Paced>, n: number, body: string) =>
    octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "acme", repo: "web", issue_number: n, body });

  it("does not make one account's writes wait for another's", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const n = sim.as("alice").openIssue("acme/web", { title: "x" });
    sim.addToken("ghp_other", "alice");
    const one = client(sim, { writeSpacingMs: 300 });
    const other = new Paced({ auth: "ghp_other", request: { fetch: sim.fetch as never }, pacing: { writeSpacingMs: 300 } });
    const queued = Promise.all([comment(one, n, "one-1"), comment(one, n, "one-2")]); // 300 ms apart
    const started = Date.now();
    await comment(other, n, "other");
    expect(Date.now() - started).toBeLessThan(150);
    await queued;
  });

  it("tells installations of the app apart (Probot's auth is an object, not a header)", async () => {
    const { incidentOctokit } = await import("../../src/github/octokit.js");
    const { Probot } = await import("probot");
    const { privateKey } = await import("../harness.js");
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    sim.addRepo("bigco/api");
    const n = sim.as("alice").openIssue("acme/web", { title: "x" });
    const m = sim.as("alice").openIssue("bigco/api", { title: "y" });
    const probot = new Probot({
      appId: sim.app.id,
      privateKey: privateKey(),
      secret: "s",
      Octokit: incidentOctokit({ writeSpacingMs: 300 }),
      request: { fetch: sim.fetch },
      log: (await import("pino")).pino({ level: "silent" }),
    });
    const a = await probot.auth(sim.installationId("acme/web"));
    const b = await probot.auth(sim.installationId("bigco/api"));
    const queued = Promise.all(["a1", "a2"].map((body) => a.rest.issues.createComment({ owner: "acme", repo: "web", issue_number: n, body })));
    const started = Date.now();
    await b.rest.issues.createComment({ owner: "bigco", repo: "api", issue_number: m, body: "b" });
    expect(Date.now() - started).toBeLessThan(150);
    await queued;
  });

  it("spaces writes that come one after the other, not only those queued together", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const n = sim.as("alice").openIssue("acme/web", { title: "x" });
    const octokit = client(sim, { writeSpacingMs: 200 });
    await comment(octokit, n, "c1");
    const started = Date.now();
    await comment(octokit, n, "c2");
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it("holds the account's writes while a secondary rate limit is waited out, and keeps their order", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const n = sim.as("alice").openIssue("acme/web", { title: "x" });
    const octokit = client(sim, { writeSpacingMs: 0, maxRetryAfterS: 5 });
    sim.faults.secondaryRateLimit({ times: 1, retryAfter: 1, method: "POST" });
    await Promise.all([comment(octokit, n, "c1"), comment(octokit, n, "c2")]);
    expect(sim.comments("acme/web", n).map((c: { body?: string | null }) => c.body)).toEqual(["c1", "c2"]);
  });
});
