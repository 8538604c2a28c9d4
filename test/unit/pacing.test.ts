import { Octokit } from "@octokit/core";
import { describe, expect, it } from "vitest";
import { pacing, rateLimitWait } from "../../src/github/pacing.js";
import { GitHubSim } from "../sim/index.js";

const Paced = Octokit.plugin(pacing);

function client(sim: GitHubSim, options: Record<string, number>) {
  return new Paced({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch as never }, pacing: options } as never) as InstanceType<typeof Paced>;
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
