import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubSim } from "./sim/index.js";
import { newSim, runAction, seedIncident } from "./action.fixtures.js";

/** The `problems` command, run as the Action: the tickets that exist afterwards, and only once. */
const REPO = "acme/web";
let sim: GitHubSim;

beforeEach(() => {
  sim = newSim(REPO);
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

const problems = (n: number, extra: Record<string, string> = {}) => runAction(sim, { inputs: { command: "problems", issue: String(n), ...extra } });
const tickets = () => sim.issues(REPO).filter((i) => i.labels.includes("follow-up"));

describe("problems", () => {
  it("opens one ticket per follow-up (comments and the body's Follow-ups list): owner, labels, links, sub-issue", async () => {
    sim.seedFile(REPO, ".github/incidents.yml", "problems:\n  labels: [reliability]\n");
    const body = "Payments fail.\n\n## Follow-ups\n- [ ] Document the rollback @carol\n- [x] Already done elsewhere\n- [ ] Add a canary stage\n\n## Notes\n- [ ] not a follow-up\n";
    const n = seedIncident(sim, REPO, { body });
    const run = await problems(n);
    expect(run.error).toBeUndefined();

    const all = tickets();
    expect(all.map((t) => [t.title, t.assignees, t.labels])).toEqual([
      ["Alert on pool saturation", ["bob"], ["follow-up", "reliability"]],
      ["Load-test config changes before rollout", ["carol"], ["follow-up", "reliability"]],
      ["Document the rollback", ["carol"], ["follow-up", "reliability"]],
      ["Add a canary stage", [], ["follow-up", "reliability"]],
    ]);
    expect(run.outputs["problem-issues"]).toBe(JSON.stringify(all.map((t) => t.number)));
    expect(sim.issue(REPO, n).subIssues).toEqual(all.map((t) => ({ repo: REPO, number: t.number })));

    const first = all[0]!;
    const followupComment = sim.comments(REPO, n).find((c: { body: string }) => c.body === "/followup Alert on pool saturation @bob");
    expect(first.body).toContain(`A follow-up of incident ${REPO}#${n} (Checkout fails with 502).`);
    expect(first.body).toContain(followupComment!.html_url);
    expect(first.body).toContain("**Owner:** @bob\n");
    expect(first.body).toMatch(/<!-- incident-desk:problem incident=acme\/web#1 key=c\d+-[0-9a-z]+ -->/);
    expect(all[3]!.body).toContain(sim.issue(REPO, n).rest.html_url);

    // The incident's card lists them (the command refreshes it).
    const card = sim.comments(REPO, n).find((c: { body: string }) => c.body.includes("<!-- incident-desk:card -->"));
    expect(card!.body).toContain(`### Follow-ups · 0 of 4 done\n- ⬜ Alert on pool saturation · @bob · #${first.number} open`);
    expect(run.summary).toContain(`| Alert on pool saturation | [#${first.number}](${first.rest.html_url}) | opened |`);
  });

  it("running it again creates nothing", async () => {
    const n = seedIncident(sim);
    await problems(n);
    const before = tickets().map((t) => t.number);
    sim.resetRequests();
    const again = await problems(n);
    expect(again.error).toBeUndefined();
    expect(sim.count({ writes: true })).toBe(0);
    expect(tickets().map((t) => t.number)).toEqual(before);
    expect(again.outputs["problem-issues"]).toBe(JSON.stringify(before));
    expect(again.summary).toContain("already open");
  });

  it("a follow-up added later gets its ticket on the next run, the others stay as they are", async () => {
    const n = seedIncident(sim);
    await problems(n);
    sim.as("alice").comment(REPO, n, "/followup Write the runbook @alice");
    await problems(n);
    expect(tickets().map((t) => t.title)).toEqual(["Alert on pool saturation", "Load-test config changes before rollout", "Write the runbook"]);
    expect(sim.issue(REPO, n).subIssues).toHaveLength(3);
  });

  it("a 500 on the third ticket fails the step; the re-run leaves every ticket existing exactly once", async () => {
    const n = seedIncident(sim, REPO, {
      followups: ["/followup One @bob", "/followup Two @bob", "/followup Three @carol", "/followup Four @carol"],
    });
    let creates = 0;
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 500, times: 1 }); // retried: harmless
    const unsubscribe = sim.onWebhook((d) => {
      if (d.name === "issues" && d.payload.action === "opened") creates++;
      // After the second ticket is opened, GitHub breaks for longer than the retries last.
      if (creates === 2) sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 500, times: 100 });
    });
    const failed = await problems(n);
    unsubscribe();
    expect(failed.failed).toBe(true);
    expect(failed.error).toBe(
      "GitHub answered 500 to POST /repos/acme/web/issues (Server Error): GitHub failed or limited us; re-run the job: what was done is kept and nothing is done twice",
    );
    expect(tickets().map((t) => t.title)).toEqual(["One", "Two"]);

    sim.faults.clear();
    const rerun = await problems(n);
    expect(rerun.error).toBeUndefined();
    expect(tickets().map((t) => t.title)).toEqual(["One", "Two", "Three", "Four"]);
    expect(sim.issue(REPO, n).subIssues).toHaveLength(4);
  });

  it("a ticket opened by a run that stopped before attaching it is attached, not opened again", async () => {
    const n = seedIncident(sim);
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues", status: 500, times: 100 });
    const failed = await problems(n);
    expect(failed.failed).toBe(true);
    expect(tickets()).toHaveLength(1);
    expect(sim.issue(REPO, n).subIssues).toEqual([]);
    sim.faults.clear();
    const rerun = await problems(n);
    expect(rerun.error).toBeUndefined();
    expect(tickets()).toHaveLength(2);
    expect(sim.issue(REPO, n).subIssues).toHaveLength(2);
    expect(rerun.summary).toContain("attached as a sub-issue");
  });

  it("a secondary rate limit is waited out", async () => {
    const n = seedIncident(sim);
    sim.faults.secondaryRateLimit({ method: "POST", path: "/repos/{owner}/{repo}/issues", times: 1, retryAfter: 1 });
    const run = await problems(n);
    expect(run.error).toBeUndefined();
    expect(tickets()).toHaveLength(2);
  });

  it("an owner who cannot be assigned still gets a ticket that says so", async () => {
    const n = seedIncident(sim, REPO, { followups: ["/followup Rotate the keys @mallory"] });
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 422, times: 1, body: { message: "Validation Failed", errors: [{ resource: "Issue", field: "assignees", code: "invalid" }] } });
    const run = await problems(n);
    expect(run.error).toBeUndefined();
    const [ticket] = tickets();
    expect(ticket!.assignees).toEqual([]);
    expect(ticket!.body).toContain("**Owner:** @mallory (could not be assigned");
  });

  it("credentials in a follow-up are redacted in the ticket", async () => {
    const n = seedIncident(sim, REPO, { followups: ["/followup Revoke ghp_0123456789abcdefghijABCDEFGHIJ012345 @bob"] });
    await problems(n);
    expect(tickets()[0]!.title).toBe("Revoke [redacted]");
  });

  it("an incident with no follow-ups creates nothing; a dry run lists what it would open and writes nothing", async () => {
    const bare = seedIncident(sim, REPO, { followups: [] });
    const none = await problems(bare);
    expect(none.outputs["problem-issues"]).toBe("[]");
    expect(none.summary).toContain("has no follow-ups");

    const n = seedIncident(sim);
    sim.resetRequests();
    const dry = await problems(n, { "dry-run": "yes" });
    expect(dry.error).toBeUndefined();
    expect(sim.count({ writes: true })).toBe(0);
    expect(dry.summary).toContain("| Alert on pool saturation | — | would be opened |");
  });

  it("an issue that is not an incident fails the step and writes nothing", async () => {
    const plain = sim.as("alice").openIssue(REPO, { title: "Question", body: "## Action items\n- [ ] something" });
    sim.resetRequests();
    const run = await problems(plain);
    expect(run.error).toBe("#1 is not an incident (no `incident` label or /incident command): give `issue` the number of an incident issue for `problems`");
    expect(sim.count({ writes: true })).toBe(0);
  });
});
