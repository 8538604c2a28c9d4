import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { settleNotifications } from "../src/notify/send.js";
import { alertmanagerFiring } from "./alerts.fixtures.js";
import { startApp, type Harness } from "./harness.js";

const SECRET_TITLE = "Leaked deploy key for payments-prod";
const PRIVATE = "acme/security";
let h: Harness;
let slack: { server: Server; texts: string[] };

beforeEach(async () => {
  const texts: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      texts.push((JSON.parse(body) as { text: string }).text);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  slack = { server, texts };
  process.env.SLACK_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  await settleNotifications();
  expect(h.sim.violations).toEqual([]);
  await h.close();
  slack.server.closeAllConnections();
  await new Promise((resolve) => slack.server.close(resolve));
  delete process.env.SLACK_URL;
  delete process.env.ALERTS_TOKEN;
  delete process.env.ALERTS_REPO;
});

const NOTIFY = "notifications:\n  - { url_env: SLACK_URL, format: slack }\n";

async function withPrivateRepo(privateRepo = PRIVATE, options: { http?: boolean } = {}) {
  h = await startApp({ config: `private:\n  repo: ${privateRepo}\n${NOTIFY}`, ...options });
  h.sim.addRepo(privateRepo, { private: true });
  h.sim.seedFile(privateRepo, ".github/incidents.yml", NOTIFY);
  for (const login of ["alice", "bob"]) h.sim.setPermission(privateRepo, login, "write");
  return h;
}

/** Everything the app wrote in the public repository. */
const publicWrites = () => h.sim.requests.filter((r) => r.method !== "GET" && r.path.startsWith("/repos/acme/web"));

describe("private security incidents", () => {
  it("`/incident security …` moves the issue to the private repository before writing anything in public", async () => {
    await withPrivateRepo();
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Something odd in the deploy logs", body: "See the attached log." });
    await h.deliver();
    h.sim.as("alice").comment("acme/web", n, `/incident sev1 security ${SECRET_TITLE}`);
    await h.deliver();
    await settleNotifications();

    expect(h.sim.issues("acme/web")).toEqual([]);
    const moved = h.sim.issues(PRIVATE)[0]!;
    const issue = h.sim.issue(PRIVATE, moved.number);
    expect(issue.title).toBe(SECRET_TITLE);
    expect(issue.labels).toEqual(expect.arrayContaining(["incident", "sev1", "status:investigating"]));
    expect(h.sim.comments(PRIVATE, moved.number).some((c: { body?: string }) => c.body?.includes("<!-- incident-desk:card -->"))).toBe(true);
    // In public: only the transfer itself (GraphQL) — no label, comment, reaction or card.
    expect(publicWrites()).toEqual([]);
    expect(h.sim.count({ method: "POST", path: "/graphql" })).toBe(1);
    // The channel hears of it, without its title.
    expect(slack.texts).toHaveLength(1);
    expect(slack.texts[0]).toContain("Security incident (details in the private repository)");
    expect(slack.texts[0]).not.toContain("deploy key");
  });

  it("an issue labelled incident and security is transferred too", async () => {
    await withPrivateRepo();
    h.sim.as("alice").openIssue("acme/web", { title: SECRET_TITLE, labels: ["incident", "security"] });
    await h.deliver();
    expect(h.sim.issues("acme/web")).toEqual([]);
    expect(h.sim.issues(PRIVATE).map((i: { title: string }) => i.title)).toEqual([SECRET_TITLE]);
    expect(publicWrites()).toEqual([]);
  });

  it("another owner's private repository: one reply that says what to do and names nothing of the incident", async () => {
    await withPrivateRepo("secops/vault");
    const n = h.sim.as("alice").openIssue("acme/web", { title: SECRET_TITLE, body: "The key is AKIA…", labels: ["incident", "security"] });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/sev 1");
    await h.deliver();
    await settleNotifications();

    const comments = h.comments(n).filter((c) => c.user === "incident-desk[bot]");
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("GitHub can only move issues between repositories of the same owner, and `secops/vault` belongs to `secops`");
    expect(comments[0]!.body).not.toMatch(/deploy key|AKIA/);
    expect(h.card(n)).toBeUndefined();
    expect(h.sim.issue("acme/web", n).labels.sort()).toEqual(["incident", "security"]);
    expect(slack.texts).toEqual([]);
    expect(h.sim.issues("secops/vault")).toEqual([]);
  });

  it("without access to the private repository: a reply asking to install the app there", async () => {
    h = await startApp({ config: `private:\n  repo: ${PRIVATE}\n` });
    h.sim.addRepo(PRIVATE, { private: true, installed: false });
    const n = h.sim.as("alice").openIssue("acme/web", { title: SECRET_TITLE, labels: ["incident", "security"] });
    await h.deliver();
    const replies = h.comments(n).filter((c) => c.user === "incident-desk[bot]");
    expect(replies).toEqual([expect.objectContaining({ body: expect.stringContaining("it needs to be installed on `acme/security`") })]);
    expect(h.card(n)).toBeUndefined();
  });

  it("a security alert opens its incident in the private repository directly", async () => {
    const token = "security-test-alerts-token-0123456789abcdef";
    process.env.ALERTS_TOKEN = token;
    process.env.ALERTS_REPO = "acme/web";
    await withPrivateRepo(PRIVATE, { http: true });
    const body = alertmanagerFiring({ commonLabels: { alertname: "SuspiciousLogin", security: "true" }, commonAnnotations: { summary: SECRET_TITLE } });
    const res = await fetch(`${h.url}/api/alerts/alertmanager?repo=acme/web`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ repository: PRIVATE });
    await h.deliver();
    expect(h.sim.issues("acme/web")).toEqual([]);
    expect(publicWrites()).toEqual([]);
    const issue = h.sim.issues(PRIVATE)[0]!;
    expect(issue.title).toBe(`SuspiciousLogin: ${SECRET_TITLE}`);
  });

  it("a security dispatch opens its incident in the private repository directly", async () => {
    await withPrivateRepo();
    h.sim.as("alice").dispatch("acme/web", "incident", { title: SECRET_TITLE, severity: "sev1", security: true });
    await h.deliver();
    expect(h.sim.issues("acme/web")).toEqual([]);
    expect(h.sim.issues(PRIVATE).map((i: { title: string }) => i.title)).toEqual([SECRET_TITLE]);
  });
});
