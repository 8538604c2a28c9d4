import { afterEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";
import { GitHubSim } from "./sim/index.js";
import { ACTIONS_BOT, ACTIONS_TOKEN, issuePayload, runAction } from "./action.fixtures.js";
import { validateWebhook } from "./sim/webhooks.js";
import { Octokit } from "@octokit/rest";

/**
 * GitHub issue types (SPEC section 1): in an organisation that defines an `Incident` issue type,
 * an incident gets it, and setting it declares an incident like the `incident` label; clearing or
 * changing it withdraws the incident like removing the label, under the same permission model.
 * Personal accounts have no issue types: they work as before, at one request an hour.
 */
const REPO = "bigco/api";
const TYPES = "/repos/{owner}/{repo}/issue-types";
const UPDATE = "/repos/{owner}/{repo}/issues/{issue_number}";
let h: Harness;

async function orgApp(options: { config?: string; types?: string[] } = {}): Promise<Harness> {
  const sim = new GitHubSim();
  sim.addRepo(REPO, { org: true });
  sim.setIssueTypes("bigco", options.types ?? ["Bug", "Feature", { name: "Incident", color: "red" }]);
  return startApp({ sim, repo: REPO, ...(options.config !== undefined ? { config: options.config } : {}) });
}

afterEach(async () => {
  if (!h) return;
  expect(h.sim.violations).toEqual([]);
  await h.close();
  h = undefined as unknown as Harness;
});

const issue = (n: number) => h.sim.issue(h.repo, n);
const typeLookups = () => h.sim.count({ method: "GET", route: TYPES });
const typeWrites = (n: number) =>
  h.sim.requests.filter(
    (r) => r.method === "PATCH" && r.path === `/repos/${h.repo}/issues/${n}` && (r.body as { type?: unknown } | undefined)?.type !== undefined,
  );
const replies = (n: number) => h.comments(n).filter((c) => c.body.includes("was put back"));

describe("issue types: a new incident gets the organisation's Incident type", () => {
  it("declared by the label, a /incident command or a dispatch: the type is set once, looked up once an hour", async () => {
    h = await orgApp();
    const labelled = h.sim.as("alice").openIssue(h.repo, { title: "API errors", labels: ["incident"] });
    await h.deliver();
    expect(issue(labelled).type).toBe("Incident");
    expect([...issue(labelled).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(typeWrites(labelled)).toHaveLength(1);
    expect(typeLookups()).toBe(1);

    const commanded = h.sim.as("bob").openIssue(h.repo, { title: "Checkout down", body: "/incident sev1" });
    h.sim.as("carol").dispatch(h.repo, "incident", { title: "Queue backlog", severity: "sev2" });
    await h.deliver();
    const dispatched = h.sim.issues(h.repo).find((i) => i.title === "Queue backlog")!.number;
    expect(issue(commanded).type).toBe("Incident");
    expect(issue(dispatched).type).toBe("Incident");
    // The repository's types are remembered: no other look-up for the next incidents.
    expect(typeLookups()).toBe(1);
    // The echo (`issues.typed` by the app) writes nothing more.
    expect(typeWrites(commanded)).toHaveLength(1);
    // An issue the app opens itself gets the type in the request that opens it.
    expect(typeWrites(dispatched)).toHaveLength(0);
    const opening = h.sim.requests.find((r) => r.method === "POST" && r.route === "/repos/{owner}/{repo}/issues");
    expect(opening?.body).toMatchObject({ title: "Queue backlog", type: "Incident" });
  });

  it("closing or retitling and typing go in one PATCH", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Old title" });
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("alice").comment(h.repo, n, "/incident sev2 Payments failing");
    await h.deliver();
    expect(issue(n)).toMatchObject({ title: "Payments failing", type: "Incident" });
    const patches = h.sim.requests.filter((r) => r.method === "PATCH" && r.path === `/repos/${h.repo}/issues/${n}`);
    expect(patches.map((r) => r.body)).toEqual([{ title: "Payments failing", type: "Incident" }]);
  });

  it("an issue that has the type keeps it; `issue_type: false` neither reads nor writes types", async () => {
    h = await orgApp({ config: "issue_type: false\n" });
    const n = h.sim.as("alice").openIssue(h.repo, { title: "DB down", labels: ["incident"] });
    await h.deliver();
    expect(issue(n).type).toBeNull();
    expect(typeLookups()).toBe(0);
    // Setting the type means nothing then.
    const other = h.sim.as("alice").openIssue(h.repo, { title: "Just a bug" });
    h.sim.as("alice").setType(h.repo, other, "Incident");
    await h.deliver();
    expect(issue(other).labels).toEqual([]);
    expect(h.card(other)).toBeUndefined();
  });

  it("an organisation without an Incident type: nothing is written, the types are read once", async () => {
    h = await orgApp({ types: ["Bug", "Task"] });
    for (const title of ["One", "Two"]) h.sim.as("alice").openIssue(h.repo, { title, labels: ["incident"] });
    await h.deliver();
    expect(h.sim.issues(h.repo).map((i) => issue(i.number).type)).toEqual([null, null]);
    expect(typeLookups()).toBe(1);
    expect(h.sim.count({ method: "PATCH", route: UPDATE })).toBe(0);
  });

  it("a personal account (no issue types: 404) works as before, at one request an hour", async () => {
    h = await startApp();
    expect(h.repo).toBe("acme/web");
    for (const title of ["One", "Two", "Three"]) h.sim.as("alice").openIssue(h.repo, { title, labels: ["incident"] });
    await h.deliver();
    for (const i of h.sim.issues(h.repo)) {
      expect([...issue(i.number).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
      expect(h.card(i.number)).toBeDefined();
    }
    expect(h.sim.count({ method: "GET", route: TYPES })).toBe(1);
    expect(h.sim.count({ method: "GET", route: TYPES, status: 404 })).toBe(1);
    expect(h.sim.count({ method: "PATCH", route: UPDATE })).toBe(0);
  });
});

describe("issue types: setting the type declares, clearing it withdraws", () => {
  it("a responder setting the type declares the incident, like the label", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Latency on /search" });
    await h.deliver();
    h.sim.as("alice").setType(h.repo, n, "Incident");
    await h.deliver();
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("Declared sev3 incident");
    expect(h.sim.count({ method: "PATCH", route: UPDATE })).toBe(0);
  });

  it("the declaration is the timeline's: a deleted card is rebuilt from it", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Latency on /search" });
    h.sim.as("alice").setType(h.repo, n, "Incident");
    h.sim.as("alice").comment(h.repo, n, "/sev 2");
    await h.deliver();
    const card = h.card(n)!;
    expect(card).toContain("Declared sev3 incident");
    const id = h.sim.comments(h.repo, n).find((c: { body: string }) => c.body === card)!.id;
    h.sim.as("alice").deleteComment(h.repo, id);
    h.sim.as("bob").comment(h.repo, n, "/ack");
    await h.deliver();
    expect(h.card(n)).toContain("Declared sev3 incident");
    expect(h.card(n)).toContain("Severity sev3 → sev2");
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev2", "status:investigating"]);
  });

  it("an issue opened with the type (an issue form's `type:`) is declared once", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Disk full", type: "Incident" });
    const delivered = await h.deliver();
    expect(
      delivered
        .filter((d) => d.name === "issues")
        .map((d) => d.payload.action)
        .slice(0, 2),
    ).toEqual(["opened", "typed"]);
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.sim.comments(h.repo, n)).toHaveLength(1);
  });

  it("a reporter below write setting the type opens a report in triage", async () => {
    h = await orgApp();
    const n = h.sim.as("rita").openIssue(h.repo, { title: "Site looks broken" });
    h.sim.as("rita").setType(h.repo, n, "Incident");
    await h.deliver();
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev3", "status:triage"]);
    expect(h.card(n)).toContain("awaits a responder");
    expect(issue(n).type).toBe("Incident");
  });

  it("a responder clearing the type, or changing it, withdraws the incident and its label", async () => {
    h = await orgApp();
    const cleared = h.sim.as("alice").openIssue(h.repo, { title: "False alarm", labels: ["incident"] });
    const changed = h.sim.as("alice").openIssue(h.repo, { title: "Actually a bug", labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").setType(h.repo, cleared, null);
    h.sim.as("bob").setType(h.repo, changed, "Bug");
    await h.deliver();
    expect(issue(cleared)).toMatchObject({ type: null, state: "open" });
    expect(issue(cleared).labels).not.toContain("incident");
    expect(issue(changed)).toMatchObject({ type: "Bug" });
    expect(issue(changed).labels).not.toContain("incident");
    expect(replies(cleared)).toEqual([]);
    // Withdrawn is withdrawn: a later delivery does not declare it again.
    h.sim.as("bob").comment(h.repo, cleared, "thanks");
    await h.deliver();
    expect(issue(cleared).labels).not.toContain("incident");
  });

  it("a responder removing the incident label withdraws it and clears the type", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Not an incident after all", labels: ["incident"] });
    await h.deliver();
    expect(issue(n).type).toBe("Incident");
    h.sim.as("bob").removeLabel(h.repo, n, "incident");
    await h.deliver();
    expect(issue(n).type).toBeNull();
    expect(issue(n).labels).not.toContain("incident");
  });

  it("someone below write clearing the type is put back with one reply; the verdict stands after a promotion", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Payments down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("rita").setType(h.repo, n, null);
    await h.deliver();
    expect(issue(n).type).toBe("Incident");
    expect(issue(n).labels).toContain("incident");
    expect(replies(n)).toHaveLength(1);
    expect(replies(n)[0]!.body).toContain("removed the issue type Incident");

    h.sim.as("rita").setType(h.repo, n, "Bug");
    await h.deliver();
    expect(issue(n).type).toBe("Incident");
    expect(replies(n)).toHaveLength(1);
    expect(replies(n)[0]!.body).toContain("changed the issue type to Bug");

    // Rita is promoted: her earlier changes stay refused (state rebuilt from the history and the card's verdicts).
    h.sim.setPermission(h.repo, "rita", "write");
    h.sim.as("alice").comment(h.repo, n, "/ack");
    await h.deliver();
    expect(issue(n).type).toBe("Incident");
    expect(issue(n).labels).toContain("incident");
  });
});

describe("issue types: duplicates, disorder, failures", () => {
  it("the `typed` delivery twice, and out of order with `opened`, writes everything once", async () => {
    h = await orgApp();
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Cache stampede" });
    h.sim.as("alice").setType(h.repo, n, "Incident");
    const queued = h.sim.webhooks.take();
    // GitHub delivers `typed` before `opened`, then `typed` again.
    for (const d of [...queued].reverse()) await h.receive(d);
    for (const d of queued.filter((d) => d.payload.action === "typed")) await h.receive(d);
    await h.deliver();
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.sim.comments(h.repo, n)).toHaveLength(1);
    expect(h.sim.count({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments" })).toBe(1);
  });

  it("a 500 on the type look-up leaves the type for the next delivery; a secondary rate limit is waited out", async () => {
    h = await orgApp();
    h.sim.faults.inject({ method: "GET", path: TYPES, status: 500, times: 20 });
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Login fails", labels: ["incident"] });
    await h.deliver();
    // Everything else is done; the type waits.
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(issue(n).type).toBeNull();
    h.sim.faults.clear();
    h.sim.faults.secondaryRateLimit({ method: "PATCH", path: UPDATE, retryAfter: 1 });
    h.sim.as("alice").comment(h.repo, n, "/ack");
    await h.deliver();
    expect(issue(n).type).toBe("Incident");
    expect(typeWrites(n).filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("a type removed from the organisation after it was read: the write is refused (422), the rest is done", async () => {
    h = await orgApp();
    h.sim.as("alice").openIssue(h.repo, { title: "First", labels: ["incident"] });
    await h.deliver();
    h.sim.setIssueTypes("bigco", ["Bug"]);
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Second", body: "/incident sev2 Second incident" });
    await h.deliver();
    expect(issue(n)).toMatchObject({ title: "Second incident", type: null });
    expect([...issue(n).labels].sort()).toEqual(["incident", "sev2", "status:investigating"]);
    expect(h.sim.count({ method: "PATCH", route: UPDATE, status: 422 })).toBe(1);
    // Forgotten: the next incident reads the types again, and writes none.
    const third = h.sim.as("alice").openIssue(h.repo, { title: "Third", labels: ["incident"] });
    await h.deliver();
    expect(issue(third).type).toBeNull();
    expect(typeLookups()).toBe(2);
  });
});

describe("issue types in the Action's `handle`", () => {
  it("an `issues.typed` event declares the incident and gives nothing twice on a re-run", async () => {
    const sim = new GitHubSim();
    sim.addRepo(REPO, { org: true });
    sim.setIssueTypes("bigco", ["Bug", "Incident"]);
    sim.addUser(ACTIONS_BOT, { type: "Bot" });
    sim.addToken(ACTIONS_TOKEN, ACTIONS_BOT);
    sim.setPermission(REPO, "alice", "write");
    const n = sim.as("alice").openIssue(REPO, { title: "Replica lag" });
    sim.as("alice").setType(REPO, n, "Incident");
    const payload = issuePayload(sim, REPO, n, "typed", { type: sim.issue(REPO, n).rest.type });
    const run = await runAction(sim, { repo: REPO, inputs: { command: "handle" }, event: { name: "issues", payload } });
    expect(run.error).toBeUndefined();
    expect([...sim.issue(REPO, n).labels].sort()).toEqual(["incident", "sev3", "status:investigating"]);
    sim.resetRequests();
    await runAction(sim, { repo: REPO, inputs: { command: "handle" }, event: { name: "issues", payload } });
    expect(sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(sim.violations).toEqual([]);
  });
});

describe("the simulator's issue types", () => {
  it("types per organisation, `type` on create and update (422 for an unknown one), the timeline events, validated webhooks", async () => {
    const sim = new GitHubSim({ validateResponses: true });
    sim.addRepo(REPO, { org: true });
    sim.addRepo("alice/home");
    sim.setIssueTypes("bigco", ["Bug", { name: "Incident", color: "red" }, { name: "Old", enabled: false }]);
    const octokit = new Octokit({ auth: sim.installationToken(REPO), request: { fetch: sim.fetch } });
    const repo = { owner: "bigco", repo: "api" };
    const { data: types } = await octokit.request("GET /repos/{owner}/{repo}/issue-types", repo);
    expect((types as { name: string }[]).map((t) => t.name)).toEqual(["Bug", "Incident"]);
    const { data: orgTypes } = await octokit.request("GET /orgs/{org}/issue-types", { org: "bigco" });
    expect((orgTypes as { name: string }[]).map((t) => t.name)).toEqual(["Bug", "Incident", "Old"]);

    const { data: created } = await octokit.rest.issues.create({ ...repo, title: "x", type: "incident" });
    expect(created.type?.name).toBe("Incident");
    await expect(octokit.rest.issues.update({ ...repo, issue_number: created.number, type: "Old", title: "changed" })).rejects.toMatchObject({ status: 422 });
    expect(sim.issue(REPO, created.number)).toMatchObject({ type: "Incident", title: "x" });
    await octokit.rest.issues.update({ ...repo, issue_number: created.number, type: "Bug" });
    await octokit.rest.issues.update({ ...repo, issue_number: created.number, type: null });
    const timeline = await octokit.paginate(octokit.rest.issues.listEventsForTimeline, { ...repo, issue_number: created.number });
    expect(
      timeline.map((e) => [
        e.event,
        (e as { issue_type?: { name: string } }).issue_type?.name ?? null,
        (e as { prev_issue_type?: { name: string } }).prev_issue_type?.name ?? null,
      ]),
    ).toEqual([
      ["issue_type_added", "Incident", null],
      ["issue_type_changed", "Bug", "Incident"],
      ["issue_type_removed", null, "Bug"],
    ]);
    expect(sim.webhooks.history.map((d) => `${d.name}.${d.payload.action}:${d.payload.type?.name ?? ""}`)).toEqual([
      "issues.opened:",
      "issues.typed:Incident",
      "issues.typed:Bug",
      "issues.untyped:Bug",
    ]);

    // A personal account has no issue types.
    const personal = new Octokit({ auth: sim.installationToken("alice/home"), request: { fetch: sim.fetch } });
    await expect(personal.request("GET /repos/{owner}/{repo}/issue-types", { owner: "alice", repo: "home" })).rejects.toMatchObject({ status: 404 });
    await expect(personal.rest.issues.create({ owner: "alice", repo: "home", title: "y", type: "Bug" })).rejects.toMatchObject({ status: 422 });
    expect(sim.issues("alice/home")).toEqual([]);
    expect(sim.violations).toEqual([]);

    // The check of emitted payloads is a real one.
    const typed = sim.webhooks.history.find((d) => d.payload.action === "typed")!;
    expect(validateWebhook("issues", "typed", typed.payload)).toBeUndefined();
    expect(validateWebhook("issues", "typed", { ...typed.payload, type: { name: "Bug" } })).toMatch(/type/);
    expect(validateWebhook("sub_issues", "sub_issue_added", { action: "sub_issue_added" })).toMatch(/sub_issue/);
  });
});
