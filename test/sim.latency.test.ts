import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubSim } from "./sim/index.js";

describe("sim.latencyMs", () => {
  const sim = new GitHubSim();
  afterEach(() => expect(sim.violations).toEqual([]));

  it("delays every answer, and only when set", async () => {
    sim.addRepo("acme/web");
    const octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
    let started = Date.now();
    await octokit.rest.issues.listForRepo({ owner: "acme", repo: "web" });
    expect(Date.now() - started).toBeLessThan(150);
    sim.latencyMs = 200;
    started = Date.now();
    await octokit.rest.issues.listForRepo({ owner: "acme", repo: "web" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });
});
