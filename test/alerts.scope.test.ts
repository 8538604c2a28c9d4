/**
 * Which repositories an alert token reaches, through the real HTTP routes: ALERTS_TOKEN reaches
 * ALERTS_REPO and ALERTS_REPOS only; ALERTS_TOKENS / ALERTS_TOKENS_FILE give tokens scopes of their
 * own; anything else is 403, the same whether or not the app is installed there; a weak token
 * configuration disables the routes (503) without stopping the app.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alertmanagerFiring } from "./alerts.fixtures.js";
import { startApp, type Harness } from "./harness.js";
import { GitHubSim } from "./sim/index.js";

const TOKEN = "acme-alerts-token-0123456789abcdef0123456789";
const BETA = "beta-alerts-token-fedcba9876543210fedcba98765";
const VARS = ["ALERTS_TOKEN", "ALERTS_REPO", "ALERTS_REPOS", "ALERTS_TOKENS", "ALERTS_TOKENS_FILE"];
let h: Harness;

afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
  for (const name of VARS) delete process.env[name];
});

/** A GitHub with the app installed on acme/web, acme/api, othercorp/private and beta/app; acme/other and othercorp/plain without it. */
async function start(env: Record<string, string>, config?: string) {
  for (const name of VARS) delete process.env[name];
  Object.assign(process.env, env);
  const sim = new GitHubSim();
  for (const repo of ["acme/api", "othercorp/private", "beta/app"]) sim.addRepo(repo, { private: repo === "othercorp/private" });
  sim.addRepo("acme/other", { installed: false });
  sim.addRepo("othercorp/plain", { installed: false });
  h = await startApp({ http: true, sim, ...(config ? { config } : {}) });
  h.sim.resetRequests();
}

async function alert(query: string, token = TOKEN, body: unknown = alertmanagerFiring()) {
  const res = await fetch(`${h.url}/api/alerts/alertmanager${query}`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const allIssues = () => ["acme/web", "acme/api", "acme/other", "othercorp/private", "othercorp/plain", "beta/app"].flatMap((r) => h.sim.issues(r));

describe("ALERTS_TOKEN with ALERTS_REPO and ALERTS_REPOS", () => {
  it("reaches only ALERTS_REPO: another organisation's repository is 403 whether or not the app is installed there, and GitHub is not asked", async () => {
    await start({ ALERTS_TOKEN: TOKEN, ALERTS_REPO: "acme/web" });
    const answers = await Promise.all(["othercorp/private", "othercorp/plain", "othercorp/missing", "acme/api"].map((r) => alert(`?repo=${r}`)));
    for (const [i, repo] of ["othercorp/private", "othercorp/plain", "othercorp/missing", "acme/api"].entries()) {
      expect(answers[i]).toEqual({ status: 403, json: { error: `this token may not send alerts to ${repo}` } });
    }
    expect(h.sim.requests).toEqual([]);
    expect(allIssues()).toEqual([]);
    expect(await alert("")).toMatchObject({ status: 201, json: { repository: "acme/web", issue: 1 } });
  });

  it("ALERTS_REPOS adds repositories and owners: in scope and not installed is 404; the repository's case does not matter", async () => {
    await start({ ALERTS_TOKEN: TOKEN, ALERTS_REPO: "acme/web", ALERTS_REPOS: "acme/*, beta/app" });
    expect(await alert("?repo=ACME/Api")).toMatchObject({ status: 201, json: { repository: "ACME/Api" } });
    expect(await alert("?repo=beta/app")).toMatchObject({ status: 201 });
    expect(await alert("?repo=acme/other")).toEqual({ status: 404, json: { error: "incident-desk is not installed on acme/other" } });
    expect(await alert("?repo=beta/other")).toMatchObject({ status: 403 });
    expect(await alert("?repo=othercorp/private")).toMatchObject({ status: 403 });
    expect(h.sim.issues("acme/api")).toHaveLength(1);
    expect(h.sim.issues("beta/app")).toHaveLength(1);
    expect(h.sim.issues("othercorp/private")).toEqual([]);
  });
});

describe("ALERTS_TOKENS and ALERTS_TOKENS_FILE: one token per set of repositories", () => {
  it("each token reaches its own repositories only; a token with only owner/* needs ?repo=", async () => {
    await start({ ALERTS_TOKENS: `${TOKEN}=acme/web|acme/api; ${BETA}=beta/*` });
    expect(await alert("", TOKEN)).toMatchObject({ status: 201, json: { repository: "acme/web" } });
    expect(await alert("?repo=acme/api", TOKEN)).toMatchObject({ status: 201 });
    expect(await alert("?repo=beta/app", TOKEN)).toMatchObject({ status: 403 });
    expect(await alert("?repo=acme/web", BETA)).toMatchObject({ status: 403 });
    expect(await alert("", BETA)).toMatchObject({ status: 400, json: { error: expect.stringContaining("?repo=owner/name") } });
    expect(await alert("?repo=beta/app", BETA)).toMatchObject({ status: 201, json: { repository: "beta/app" } });
  });

  it("a file of tokens, with comments, works beside ALERTS_TOKEN; the log lists the scopes, never the tokens", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "alerts-tokens-")), "tokens");
    writeFileSync(file, `# one line per sender\n${BETA}=beta/app\n\n`);
    await start({ ALERTS_TOKEN: TOKEN, ALERTS_REPO: "acme/web", ALERTS_TOKENS_FILE: file });
    expect(await alert("", BETA)).toMatchObject({ status: 201, json: { repository: "beta/app" } });
    expect(await alert("", TOKEN)).toMatchObject({ status: 201, json: { repository: "acme/web" } });
    const started = h.logs.find((l) => l.msg.includes("alert routes accept"))!;
    expect(started.msg).toContain("ALERTS_TOKEN (acme/web)");
    expect(started.msg).toContain("(beta/app)");
    expect(h.logs.some((l) => l.msg.includes(TOKEN) || l.msg.includes(BETA))).toBe(false);
  });
});

describe("a token configuration that is not safe disables the routes, not the app", () => {
  it.each([
    ["a short ALERTS_TOKEN", { ALERTS_TOKEN: "s3cret", ALERTS_REPO: "acme/web" }, "ALERTS_TOKEN: the token is 6 characters long; use at least 32"],
    ["ALERTS_TOKEN reaching nothing", { ALERTS_TOKEN: TOKEN }, "set ALERTS_REPO (or ALERTS_REPOS)"],
    ["a scope that is not a repository", { ALERTS_TOKEN: TOKEN, ALERTS_REPO: "acme/web", ALERTS_REPOS: "acme" }, '"acme" is not a repository'],
    ["a short token in ALERTS_TOKENS", { ALERTS_TOKENS: `${TOKEN}=acme/web; short=beta/*` }, "ALERTS_TOKENS entry 2: the token is 5 characters long"],
    ["the same token twice", { ALERTS_TOKENS: `${TOKEN}=acme/web; ${TOKEN}=beta/*` }, "the same token as ALERTS_TOKENS entry 1"],
    ["a missing token file", { ALERTS_TOKENS_FILE: "/nonexistent/incident-desk-tokens" }, "cannot read /nonexistent/incident-desk-tokens"],
  ])("%s: one clear error in the log, 503 to every alert, webhooks still handled", async (_, env, problem) => {
    await start(env);
    const error = h.logs.find((l) => l.level >= 50 && l.msg.includes("alert routes are disabled"));
    expect(error?.msg).toContain(problem);
    expect(error?.msg).not.toContain(TOKEN);
    for (const token of [TOKEN, "s3cret", "short"]) {
      expect(await alert("?repo=acme/web", token)).toEqual({ status: 503, json: { error: expect.stringContaining("alert routes are disabled") } });
    }
    expect(allIssues()).toEqual([]);
    // The app itself works.
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    expect(h.card(n)).toBeDefined();
  });
});

describe("answers that would tell what a configuration says", () => {
  it("a security alert whose private repository belongs to another owner: 422 naming only the repository; nothing anywhere", async () => {
    await start({ ALERTS_TOKEN: TOKEN, ALERTS_REPO: "acme/web" }, "private:\n  repo: othercorp/private\n");
    const body = alertmanagerFiring({ commonLabels: { alertname: "SuspiciousLogin", security: "true" } });
    expect(await alert("", TOKEN, body)).toEqual({ status: 422, json: { error: "invalid configuration in acme/web" } });
    expect(allIssues()).toEqual([]);
    expect(h.logs.some((l) => l.msg.includes("othercorp/private does not belong to acme"))).toBe(true);
  });

  it("a private repository of the same owner without the app: 422, not a 404 that names it", async () => {
    await start({ ALERTS_TOKEN: TOKEN, ALERTS_REPO: "acme/web" }, "private:\n  repo: acme/other\n");
    const body = alertmanagerFiring({ commonLabels: { alertname: "SuspiciousLogin", security: "true" } });
    const res = await alert("", TOKEN, body);
    expect(res).toEqual({ status: 422, json: { error: "invalid configuration in acme/web" } });
    expect(JSON.stringify(res.json)).not.toContain("acme/other");
    expect(h.logs.some((l) => l.msg.includes("not installed on acme/other"))).toBe(true);
    expect(allIssues()).toEqual([]);
  });

  it("a security dispatch is held to the same owner: nothing is written in another organisation's repository", async () => {
    await start({}, "private:\n  repo: othercorp/private\n");
    h.sim.as("alice").dispatch("acme/web", "incident", { title: "Leaked key", severity: "sev1", security: true });
    await h.deliver();
    expect(allIssues()).toEqual([]);
    expect(h.logs.some((l) => l.msg.includes("othercorp/private does not belong to acme"))).toBe(true);
  });
});
