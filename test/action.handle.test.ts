import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubSim } from "./sim/index.js";
import { ACTIONS_BOT, issuePayload, newSim, runAction } from "./action.fixtures.js";

/**
 * `command: handle`: the app's handlers inside the Action, with the workflow's token, on the event
 * that triggered the workflow. No server: each event is one run of the Action.
 */
const REPO = "acme/web";
let sim: GitHubSim;

beforeEach(() => {
  sim = newSim(REPO);
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

const handle = (name: string, payload: Record<string, unknown>) => runAction(sim, { inputs: { command: "handle" }, event: { name, payload } });
const card = (n: number) => sim.comments(REPO, n).find((c: { body: string }) => c.body.includes("<!-- incident-desk:card -->"));

describe("handle", () => {
  it("runs the incident lifecycle from issue and comment events", async () => {
    const n = sim.as("alice").openIssue(REPO, { title: "API latency", labels: ["incident"] });
    // An issue opened with labels: the `opened` event does the work (the `labeled` ones that follow repeat it).
    const opened = await handle("issues", issuePayload(sim, REPO, n, "opened"));
    expect(opened.error).toBeUndefined();
    expect(sim.issue(REPO, n).labels.sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(card(n)?.user.login).toBe(ACTIONS_BOT);

    const id = sim.as("bob").comment(REPO, n, "/sev 1\n/commander @bob");
    const comment = sim.comments(REPO, n).find((c: { id: number }) => c.id === id);
    const commented = await handle("issue_comment", issuePayload(sim, REPO, n, "created", { comment }));
    expect(commented.error).toBeUndefined();
    expect(sim.issue(REPO, n).labels).toContain("sev1");
    expect(sim.issue(REPO, n).assignees).toEqual(["bob"]);
    expect(sim.issue(REPO, n).comments.find((c) => c.id === id)?.reactions).toEqual([{ user: ACTIONS_BOT, content: "+1" }]);

    // A re-run of the same job writes nothing.
    sim.resetRequests();
    await handle("issue_comment", issuePayload(sim, REPO, n, "created", { comment }));
    expect(sim.count({ writes: true, status: 201 })).toBe(0);
    expect(sim.requests.filter((r) => r.method !== "GET" && r.status !== 200)).toEqual([]);
  });

  it("a problem ticket closed updates its incident's card", async () => {
    const n = sim.as("alice").openIssue(REPO, { title: "Queue backlog", labels: ["incident"] });
    sim.as("alice").comment(REPO, n, "/followup Alert on backlog @bob");
    await runAction(sim, { inputs: { command: "problems", issue: String(n) } });
    const ticket = sim.issues(REPO).find((i) => i.labels.includes("follow-up"))!;
    sim.as("bob").close(REPO, ticket.number);
    sim.resetRequests();
    const run = await handle("issues", issuePayload(sim, REPO, ticket.number, "closed"));
    expect(run.error).toBeUndefined();
    // The configuration the runner read serves the handlers: one read of each file in the run.
    const reads = sim.requests.filter((r) => r.method === "GET").map((r) => r.path);
    expect(reads.filter((p) => p.includes("incidents.yml"))).toHaveLength(2);
    expect(new Set(reads).size).toBe(reads.length);
    expect(card(n)?.body).toContain(`### Follow-ups · 1 of 1 done\n- ✅ Alert on backlog · @bob · #${ticket.number} closed`);
    expect(sim.comments(REPO, n).filter((c: { body: string }) => c.body.includes("All follow-ups are done"))).toHaveLength(1);
  });

  it("a failure fails the step, it is not only logged", async () => {
    const n = sim.as("alice").openIssue(REPO, { title: "DB down", labels: ["incident"] });
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 500, times: 100 });
    const run = await handle("issues", issuePayload(sim, REPO, n, "opened"));
    expect(run.failed).toBe(true);
    expect(run.error).toMatch(/^GitHub answered 500 to POST \/repos\/acme\/web\/issues\/1\/comments/);
  });

  it("events it has no handler for do nothing", async () => {
    sim.resetRequests();
    const run = await handle("schedule", {});
    expect(run.failed).toBe(false);
    expect(sim.count({ writes: true })).toBe(0);
    expect(run.summary).toContain("No handler for `schedule` events");
  });
});
