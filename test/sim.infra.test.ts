import { generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubSim } from "./sim/index.js";
import { validateComponent } from "./sim/openapi.js";

let sim: GitHubSim;
const R = { owner: "acme", repo: "web" };

beforeEach(() => {
  sim = new GitHubSim({ appId: 777, appSlug: "incident-desk" });
  sim.addRepo("acme/web");
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

const client = (token: string) => new Octokit({ auth: token, request: { fetch: sim.fetch } });

describe("auth", () => {
  it("401 without or with an unknown token", async () => {
    await expect(new Octokit({ request: { fetch: sim.fetch } }).repos.get(R)).rejects.toMatchObject({ status: 401 });
    await expect(client("nope").repos.get(R)).rejects.toMatchObject({ status: 401 });
  });

  it("installation token flow with @octokit/auth-app (JWT iss = app id)", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const appOctokit = new Octokit({ authStrategy: createAppAuth, auth: { appId: 777, privateKey }, request: { fetch: sim.fetch } });
    const { data: app } = await appOctokit.apps.getAuthenticated();
    expect(app?.slug).toBe("incident-desk");
    const { data: inst } = await appOctokit.apps.getRepoInstallation(R);
    const octokit = new Octokit({ authStrategy: createAppAuth, auth: { appId: 777, privateKey, installationId: inst.id }, request: { fetch: sim.fetch } });
    const { data: issue } = await octokit.issues.create({ ...R, title: "x" });
    expect(issue.user?.login).toBe("incident-desk[bot]");
    expect(issue.performed_via_github_app?.slug).toBe("incident-desk");
    const wrong = new Octokit({ authStrategy: createAppAuth, auth: { appId: 778, privateKey }, request: { fetch: sim.fetch } });
    await expect(wrong.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    sim.addRepo("other/repo", { installed: false });
    await expect(appOctokit.apps.getRepoInstallation({ owner: "other", repo: "repo" })).rejects.toMatchObject({ status: 404 });
  });

  it("personal tokens act as their user", async () => {
    sim.addToken("ghs_actions", "github-actions[bot]");
    const { data } = await client("ghs_actions").issues.create({ ...R, title: "from a workflow" });
    expect(data.user).toMatchObject({ login: "github-actions[bot]", type: "Bot" });
    expect(data.performed_via_github_app).toBeNull();
    expect(sim.webhooks.take()[0]!.payload.sender.login).toBe("github-actions[bot]");
  });
});

describe("webhooks", () => {
  it("echoes app writes and user actions with real payload shapes", async () => {
    const octokit = client(sim.installationToken("acme/web"));
    const { data } = await octokit.issues.create({ ...R, title: "x", labels: ["incident"] });
    await octokit.issues.createComment({ ...R, issue_number: data.number, body: "card" });
    sim.as("alice").close("acme/web", data.number);
    const hooks = sim.webhooks.take();
    expect(hooks.map((h) => [h.name, h.payload.action, h.payload.sender.login])).toEqual([
      ["label", "created", "incident-desk[bot]"],
      ["issues", "opened", "incident-desk[bot]"],
      ["issues", "labeled", "incident-desk[bot]"],
      ["issue_comment", "created", "incident-desk[bot]"],
      ["issues", "closed", "alice"],
    ]);
    expect(new Set(hooks.map((h) => h.id)).size).toBe(hooks.length);
    expect(validateComponent("webhook-issues-opened", hooks[1]!.payload)).toEqual({ ok: true });
    expect(validateComponent("webhook-issues-labeled", hooks[2]!.payload)).toEqual({ ok: true });
    expect(validateComponent("webhook-issue-comment-created", hooks[3]!.payload)).toEqual({ ok: true });
    expect(validateComponent("webhook-issues-closed", hooks[4]!.payload)).toEqual({ ok: true });
    expect(hooks[2]!.payload.label.name).toBe("incident");
    sim.as("bob").openPullRequest("acme/web", { title: "p", head: "h", commits: [{ message: "m" }] });
    const [pr] = sim.webhooks.take("pull_request");
    expect(validateComponent("webhook-pull-request-opened", pr!.payload)).toEqual({ ok: true });
  });

  it("onWebhook + idle, and signatures", async () => {
    const seen: string[] = [];
    sim.onWebhook(async (d) => {
      seen.push(`${d.name}.${d.payload.action}`);
      if (d.name === "issues" && d.payload.action === "opened") sim.as("incident-desk[bot]").comment("acme/web", d.payload.issue.number, "ack");
    });
    sim.as("alice").openIssue("acme/web", { title: "x" });
    await sim.webhooks.idle();
    expect(seen).toEqual(["issues.opened", "issue_comment.created"]);
    expect(sim.webhooks.sign("{}", "s")).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe("faults, limits, counting", () => {
  it("500 then success through plugin-retry; a faulted request changes nothing", async () => {
    const MyOctokit = Octokit.plugin(retry);
    const octokit = new MyOctokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch, retryAfter: 0 }, retry: { doNotRetry: [] } });
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 502, times: 1 });
    const { data } = await octokit.issues.create({ ...R, title: "x" });
    expect(data.number).toBe(1);
    expect(sim.count({ operationId: "issues/create" })).toBe(2);
    expect(sim.count({ operationId: "issues/create", status: 502 })).toBe(1);
    expect(sim.issues("acme/web")).toHaveLength(1);
  });

  it("secondary rate limit 403 + retry-after honoured by plugin-throttling", async () => {
    const MyOctokit = Octokit.plugin(throttling, retry);
    let limited = 0;
    const octokit = new MyOctokit({
      auth: sim.installationToken("acme/web"),
      request: { fetch: sim.fetch },
      throttle: {
        onRateLimit: () => true,
        onSecondaryRateLimit: (retryAfter: number) => {
          limited++;
          expect(retryAfter).toBe(1);
          return true;
        },
      },
    });
    sim.faults.secondaryRateLimit({ times: 1, retryAfter: 1 });
    const t0 = Date.now();
    await octokit.issues.create({ ...R, title: "x" });
    expect(limited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(sim.issues("acme/web")).toHaveLength(1);
  });

  it("content-creation limit, rate-limit headers, measure", async () => {
    const octokit = client(sim.installationToken("acme/web"));
    sim.limits.contentPerMinute = 2;
    await octokit.issues.create({ ...R, title: "1" });
    const res = await octokit.issues.create({ ...R, title: "2" });
    expect(res.headers["x-ratelimit-remaining"]).toBeDefined();
    await expect(octokit.issues.create({ ...R, title: "3" })).rejects.toMatchObject({ status: 403, message: expect.stringContaining("secondary rate limit") });
    const reqs = await sim.measure(async () => {
      await octokit.issues.get({ ...R, issue_number: 1 });
      await octokit.issues.listForRepo(R);
    });
    expect(reqs.map((r) => r.route)).toEqual(["/repos/{owner}/{repo}/issues/{issue_number}", "/repos/{owner}/{repo}/issues"]);
    expect(reqs[0]!.identity).toBe("incident-desk[bot]");
  });
});

describe("clock and loopback server", () => {
  it("ticks one second per write; advance accepts durations", () => {
    expect(sim.clock.iso()).toBe("2026-03-02T09:00:00Z");
    const n = sim.as("a").openIssue("acme/web", { title: "x" });
    expect(sim.issue("acme/web", n).created_at).toBe("2026-03-02T09:00:00Z");
    sim.clock.advance("90m");
    sim.as("a").comment("acme/web", n, "c");
    expect(sim.issue("acme/web", n).comments[0]!.created_at).toBe("2026-03-02T10:30:01Z");
    sim.clock.advance("2h");
    expect(sim.clock.iso()).toBe("2026-03-02T12:30:02Z");
    sim.clock.autoTick = false;
    sim.as("a").comment("acme/web", n, "d");
    expect(sim.clock.iso()).toBe("2026-03-02T12:30:02Z");
  });

  it("serves the same routes over HTTP with Link headers pointing back at the server", async () => {
    const server = await sim.listen();
    try {
      const octokit = new Octokit({ auth: sim.installationToken("acme/web"), baseUrl: server.url });
      for (let i = 0; i < 5; i++) sim.as("a").openIssue("acme/web", { title: `i${i}` });
      const all = await octokit.paginate(octokit.issues.listForRepo, { ...R, per_page: 2 });
      expect(all).toHaveLength(5);
      const first = await octokit.issues.listForRepo({ ...R, per_page: 2 });
      expect(first.headers.link).toContain(server.url);
      await octokit.issues.addLabels({ ...R, issue_number: 1, labels: ["incident"] });
      expect(sim.issue("acme/web", 1).labels).toEqual(["incident"]);
    } finally {
      await server.close();
    }
  });
});
