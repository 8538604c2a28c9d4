import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubSim, openApiLoadMs } from "./sim/index.js";

let sim: GitHubSim;
let octokit: Octokit;
const R = { owner: "acme", repo: "web" };

beforeEach(() => {
  sim = new GitHubSim();
  sim.addRepo("acme/web");
  sim.addUser("alice");
  sim.addToken("t-alice", "alice");
  octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

describe("core routes", () => {
  it("loads the description quickly", () => {
    expect(openApiLoadMs()).toBeLessThan(2000);
  });

  it("creates issues with labels, matches labels case-insensitively, creates missing ones as ededed", async () => {
    sim.seedLabels("acme/web", [{ name: "Incident", color: "b60205" }]);
    const { data } = await octokit.issues.create({ ...R, title: "DB down", body: "help", labels: ["incident", "sev2"] });
    expect(data.number).toBe(1);
    expect(data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["Incident", "sev2"]);
    expect(sim.labels("acme/web").find((l) => l.name === "sev2")?.color).toBe("ededed");
    await octokit.issues.removeLabel({ ...R, issue_number: 1, name: "INCIDENT" });
    expect(sim.issue("acme/web", 1).labels).toEqual(["sev2"]);
    const hooks = sim.webhooks.take();
    expect(hooks.map((h) => `${h.name}.${h.payload.action}`)).toEqual(["label.created", "issues.opened", "issues.labeled", "issues.labeled", "issues.unlabeled"]);
    // As on GitHub, the labels given at creation are already on the issue in the `opened` delivery.
    const opened = hooks[1]!;
    expect(opened.payload.issue.labels.map((l: { name: string }) => l.name)).toEqual(["Incident", "sev2"]);
    expect(opened.payload.sender.login).toBe("incident-desk[bot]");
    expect(opened.payload.installation.id).toBe(sim.installationId("acme/web"));
  });

  it("user actions emit webhooks with the user as sender", async () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "x", labels: ["incident"] });
    sim.as("alice").comment("acme/web", n, "/ack");
    const hooks = sim.webhooks.take();
    expect(hooks.map((h) => `${h.name}.${h.payload.action}`)).toEqual(["label.created", "issues.opened", "issues.labeled", "issue_comment.created"]);
    expect(hooks.every((h) => h.payload.sender.login === "alice")).toBe(true);
    const { data } = await octokit.issues.listComments({ ...R, issue_number: n });
    expect(data[0]!.body).toBe("/ack");
  });
});
