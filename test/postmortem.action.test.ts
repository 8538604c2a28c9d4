import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubSim } from "./sim/index.js";
import { ACTIONS_BOT, issuePayload, newSim, runAction, seedIncident } from "./action.fixtures.js";

/**
 * The `postmortem` command, run as the Action against the simulator: what the repository holds
 * afterwards (branch, file, pull request, label, comment), and what a second run changes.
 */
const REPO = "acme/web";
const PATH = "docs/postmortems/2026-03-02-1-checkout-fails-with-502.md";
const BRANCH = "incident-desk/postmortem-1";

let sim: GitHubSim;
let n: number;

beforeEach(() => {
  sim = newSim(REPO);
  n = seedIncident(sim);
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

const postmortem = (extra: Record<string, string> = {}) => runAction(sim, { inputs: { command: "postmortem", issue: String(n), ...extra } });
const linkComments = () => sim.comments(REPO, n).filter((c: { body: string }) => c.body.includes("incident-desk:postmortem-link"));

describe("postmortem", () => {
  it("writes the post-mortem on its branch, opens one labelled pull request and comments its link", async () => {
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    expect(run.outputs).toEqual({ "postmortem-path": PATH, "pull-request": "2" });

    const doc = sim.file(REPO, PATH, BRANCH)!;
    expect(doc).toBeDefined();
    expect(sim.file(REPO, PATH)).toBeUndefined(); // not on main: it goes through review
    expect(doc).toContain("# Post-mortem: Checkout fails with 502");
    expect(doc).toContain("The payment gateway's connection pool was exhausted after a config change.");
    expect(doc).toContain("30% of checkouts failed for 40 minutes.");
    // Real durations from the key times: started 08:50 (/timeline start), declared 09:00, ack 09:04, mitigated 09:34, resolved 10:14.
    expect(doc).toContain("| Time to detect | **10m** | started → detected |");
    expect(doc).toContain("| Time to acknowledge | **4m** | detected → acknowledged |");
    expect(doc).toContain("| Time to mitigate | **34m** | detected → mitigated |");
    expect(doc).toContain("| Time to resolve | **1h 24m** | started → resolved |");
    expect(doc).toMatch(/```mermaid\ngantt\n[\s\S]*section Impact\n {2}Impact :crit, 2026-03-02 08:50:00, 2026-03-02 09:34:/);
    // Names inside entries' text are shown without pinging anyone again (a zero-width space after @).
    expect(doc).toContain("| 2026-03-02 09:04 UTC | @\u200bbob is commander | @bob |");
    expect(doc).toContain("| commander | @bob |");
    expect(doc).toContain("Also involved: @alice.");
    for (const heading of ["Summary", "Impact", "Key times and durations", "Timeline", "Responders", "Changes involved", "Root cause and contributing factors", "Detection", "Resolution", "What went well", "What went poorly", "Where we got lucky", "Follow-ups", "Lessons learned"]) {
      expect(doc).toContain(`\n## ${heading}\n`);
    }
    expect(doc).toContain("| [Alert on pool saturation](");
    expect(doc).toContain("✍️ _What made this possible?");

    const pulls = sim.pulls(REPO);
    expect(pulls).toHaveLength(1);
    const pull = sim.pull(REPO, 2);
    expect(pull.head.ref).toBe(BRANCH);
    expect(pull.base.ref).toBe("main");
    expect(pull.title).toBe("Post-mortem: Checkout fails with 502 (#1)");
    expect(pull.body).toContain("#1");
    expect(sim.issue(REPO, 2).labels).toEqual(["postmortem"]);
    expect(sim.labels(REPO).find((l: { name: string }) => l.name === "postmortem")).toMatchObject({ color: "0052cc" });

    const links = linkComments();
    expect(links).toHaveLength(1);
    expect(links[0]!.body).toContain("#2");
    expect(links[0]!.user.login).toBe(ACTIONS_BOT);

    expect(run.summary).toContain("### 📝 Post-mortem of #1");
    expect(run.summary).toContain("[#2](https://github.com/acme/web/pull/2)");
  });

  it("a second run writes nothing; a change on the incident updates the same branch and pull request", async () => {
    await postmortem();
    const headBefore = sim.branch(REPO, BRANCH);
    sim.resetRequests();
    const again = await postmortem();
    expect(again.error).toBeUndefined();
    expect(sim.count({ writes: true })).toBe(0);
    expect(sim.branch(REPO, BRANCH)).toBe(headBefore);
    expect(again.outputs).toEqual({ "postmortem-path": PATH, "pull-request": "2" });

    sim.clock.advance("1h");
    sim.as("alice").comment(REPO, n, "/timeline 10:30 Customer support confirmed no more failed payments");
    const third = await postmortem();
    expect(third.error).toBeUndefined();
    expect(sim.file(REPO, PATH, BRANCH)).toContain("Customer support confirmed no more failed payments");
    expect(sim.pulls(REPO)).toHaveLength(1);
    expect(linkComments()).toHaveLength(1);
    expect(third.summary).toContain("| Result | updated |");
  });

  it("leaves a merged post-mortem alone", async () => {
    await postmortem();
    sim.as("alice").mergePullRequest(REPO, 2);
    const merged = sim.file(REPO, PATH)!;
    sim.as("alice").comment(REPO, n, "/timeline 11:00 A late note");
    sim.resetRequests();
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    expect(sim.count({ writes: true })).toBe(0);
    expect(sim.file(REPO, PATH)).toBe(merged);
    expect(run.outputs).toEqual({ "postmortem-path": PATH, "pull-request": "2" });
    expect(run.summary).toContain("already merged: left alone");
  });

  it("keeps what people wrote on the branch instead of regenerating over it", async () => {
    await postmortem();
    const edited = sim.file(REPO, PATH, BRANCH)!.replace("✍️ _Practices, tools and decisions that helped._", "The rollback runbook worked first time.");
    sim.as("alice").writeFile(REPO, PATH, edited, BRANCH);
    sim.as("alice").comment(REPO, n, "/timeline 11:00 A late note");
    sim.resetRequests();
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    expect(sim.file(REPO, PATH, BRANCH)).toBe(edited);
    expect(sim.count({ writes: true, route: "/repos/{owner}/{repo}/contents/{path}" })).toBe(0);
    expect(run.summary).toContain("edited by people since it was generated");
  });

  it("uses the repository's own template (postmortem.template)", async () => {
    sim.seedFile(REPO, ".github/incidents.yml", "postmortem:\n  template: .github/postmortem.hbs\n  path: incidents\n");
    sim.seedFile(REPO, ".github/postmortem.hbs", "# {{incident.title}}\n\nSeverity {{severity.name}}, resolved in {{durations.3.text}}.\n{{#each followups.items}}\n- {{title}}\n{{/each}}\n");
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    const path = "incidents/2026-03-02-1-checkout-fails-with-502.md";
    expect(run.outputs["postmortem-path"]).toBe(path);
    const doc = sim.file(REPO, path, BRANCH)!;
    expect(doc.split("\n").slice(1).join("\n")).toBe(
      "# Checkout fails with 502\n\nSeverity sev2, resolved in 1h 24m.\n- Alert on pool saturation\n- Load-test config changes before rollout\n",
    );
  });

  it("a repository template that does not compile fails the step with its error and writes nothing", async () => {
    sim.seedFile(REPO, ".github/incidents.yml", "postmortem:\n  template: .github/postmortem.hbs\n");
    sim.seedFile(REPO, ".github/postmortem.hbs", "# {{incident.title}\n");
    sim.resetRequests();
    const run = await postmortem();
    expect(run.failed).toBe(true);
    expect(run.error).toMatch(/^\.github\/postmortem\.hbs does not compile: Parse error on line 1/);
    expect(sim.count({ writes: true })).toBe(0);
    expect(sim.branch(REPO, BRANCH)).toBeUndefined();
  });

  it("a template that fails while rendering (unknown helper) fails the step and writes nothing", async () => {
    sim.seedFile(REPO, ".github/incidents.yml", "postmortem:\n  template: .github/postmortem.hbs\n");
    sim.seedFile(REPO, ".github/postmortem.hbs", "{{#frobnicate incident}}x{{/frobnicate}}\n");
    sim.resetRequests();
    const run = await postmortem();
    expect(run.error).toMatch(/^\.github\/postmortem\.hbs cannot be rendered: Missing helper: "frobnicate"/);
    expect(sim.count({ writes: true })).toBe(0);
  });

  it("redacts credentials that appear in the history, in the file, the pull request and the commit", async () => {
    const token = `ghp_${"A1b2C3d4E5".repeat(4)}`;
    sim.as("alice").comment(REPO, n, `/timeline 10:20 curl -H "Authorization: Bearer abcdefghijklmnop1234" failed; token ${token}; key AKIAIOSFODNN7EXAMPLE; slack xoxb-1234567890-abcdefghij`);
    sim.as("alice").comment(REPO, n, "/impact Leaked -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- in logs");
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    const doc = sim.file(REPO, PATH, BRANCH)!;
    expect(doc).toContain('curl -H "Authorization: Bearer [redacted]" failed; token [redacted]; key [redacted]; slack [redacted]');
    expect(doc).toContain("Leaked [redacted] in logs");
    for (const secret of [token, "abcdefghijklmnop1234", "AKIAIOSFODNN7EXAMPLE", "xoxb-", "MIIEowIBAAKCAQEA"]) expect(doc).not.toContain(secret);
  });

  it("survives GitHub 500s and a secondary rate limit without losing or doubling anything", async () => {
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/pulls", status: 500, times: 2 });
    sim.faults.inject({ method: "PUT", path: "/repos/{owner}/{repo}/contents/{path}", status: 502, times: 1 });
    sim.faults.secondaryRateLimit({ method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", times: 1, retryAfter: 1 });
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    expect(sim.pulls(REPO)).toHaveLength(1);
    expect(sim.file(REPO, PATH, BRANCH)).toContain("# Post-mortem");
    expect(linkComments()).toHaveLength(1);
  });

  it("after a run that failed half-way, a re-run finishes the job with one of everything", async () => {
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/pulls", status: 500, times: 10 });
    const failed = await postmortem();
    expect(failed.failed).toBe(true);
    expect(sim.branch(REPO, BRANCH)).toBeDefined();
    expect(sim.pulls(REPO)).toHaveLength(0);
    sim.faults.clear();
    const run = await postmortem();
    expect(run.error).toBeUndefined();
    expect(sim.pulls(REPO)).toHaveLength(1);
    expect(linkComments()).toHaveLength(1);
    expect(run.outputs["pull-request"]).toBe("2");
  });

  it("a security incident gets no post-mortem in a public repository", async () => {
    const secret = sim.as("alice").openIssue(REPO, { title: "Leaked signing key", labels: ["incident", "security"] });
    sim.resetRequests();
    const run = await runAction(sim, { inputs: { command: "postmortem", issue: String(secret) } });
    expect(run.error).toBe(
      `#${secret} is a security incident: its post-mortem is not written to the public repository acme/web (set \`private.repo\` and run the Action there).`,
    );
    expect(sim.count({ writes: true })).toBe(0);
  });

  it("a dry run shows the document and writes nothing", async () => {
    sim.resetRequests();
    const run = await postmortem({ "dry-run": "true" });
    expect(run.error).toBeUndefined();
    expect(sim.count({ writes: true })).toBe(0);
    expect(run.outputs["postmortem-path"]).toBe(PATH);
    expect(run.summary).toContain("(dry run: nothing written)");
    expect(run.summary).toContain("# Post-mortem: Checkout fails with 502");
  });

  it("auto: closing the incident writes the post-mortem; a /postmortem comment refreshes it; other issues do nothing", async () => {
    sim.as("bob").close(REPO, n);
    const closed = await runAction(sim, { event: { name: "issues", payload: issuePayload(sim, REPO, n, "closed") } });
    expect(closed.error).toBeUndefined();
    // Tickets first (#2, #3), so the post-mortem (#4) links them from its first version.
    expect(closed.outputs).toEqual({ "postmortem-path": PATH, "pull-request": "4", "problem-issues": "[2,3]" });
    expect(sim.file(REPO, PATH, BRANCH)).toContain("| [#2](https://github.com/acme/web/issues/2) |");

    const other = sim.as("alice").openIssue(REPO, { title: "Typo on the pricing page" });
    sim.as("alice").close(REPO, other);
    sim.resetRequests();
    const ignored = await runAction(sim, { event: { name: "issues", payload: issuePayload(sim, REPO, other, "closed") } });
    expect(ignored.failed).toBe(false);
    expect(sim.count({ writes: true })).toBe(0);
    expect(ignored.summary).toContain("nothing to do");

    const commentId = sim.as("alice").comment(REPO, n, "/postmortem");
    const comment = sim.comments(REPO, n).find((c: { id: number }) => c.id === commentId);
    const refreshed = await runAction(sim, { event: { name: "issue_comment", payload: issuePayload(sim, REPO, n, "created", { comment }) } });
    expect(refreshed.error).toBeUndefined();
    expect(refreshed.outputs).toEqual({ "postmortem-path": PATH, "pull-request": "4" });

    // Anyone can comment on a public repository; only those who may command are obeyed.
    sim.as("alice").comment(REPO, n, "/timeline 12:00 A late note");
    const ritaId = sim.as("rita").comment(REPO, n, "/postmortem");
    const ritas = sim.comments(REPO, n).find((c: { id: number }) => c.id === ritaId);
    sim.resetRequests();
    const refused = await runAction(sim, { event: { name: "issue_comment", payload: issuePayload(sim, REPO, n, "created", { comment: ritas }) } });
    expect(refused.failed).toBe(false);
    expect(refused.summary).toContain("Skipped `postmortem`: the comment's author may not run commands on incident #1.");
    expect(sim.count({ writes: true })).toBe(0);
  });
});

describe("wrong use fails with one line and writes nothing", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["no issue", { command: "postmortem" }, /^the `postmortem` command needs an incident: set the input `issue`/],
    ["not an incident", { command: "postmortem", issue: "99" }, /./],
    ["an unknown command", { command: "postmortems", issue: "1" }, /^input `command` unknown command "postmortems": use one of auto, postmortem, problems, escalate, report, handle, statuspage$/],
    ["a missing token", { command: "postmortem", issue: "1", token: "" }, /^input `token` is empty: pass `token: \$\{\{ github.token \}\}`/],
    ["a bad issue number", { command: "postmortem", issue: "twelve" }, /^input `issue` must be an issue number such as 42$/],
  ];
  for (const [what, inputs, expected] of cases) {
    it(what, async () => {
      let message = expected;
      if (what === "not an incident") {
        const plain = sim.as("alice").openIssue(REPO, { title: "Dark mode request" });
        inputs.issue = String(plain);
        message = new RegExp(`^#${plain} is not an incident \\(no \`incident\` label or /incident command\\): give \`issue\` the number of an incident issue`);
      }
      sim.resetRequests();
      const run = await runAction(sim, { inputs });
      expect(run.failed).toBe(true);
      expect(run.error).toMatch(message);
      expect(run.error).not.toContain("\n");
      expect(sim.count({ writes: true })).toBe(0);
    });
  }

  it("an invalid configuration names the key, comments once on the incident and writes nothing else", async () => {
    sim.seedFile(REPO, ".github/incidents.yml", "postmortem:\n  paht: docs\n");
    const run = await runAction(sim, { inputs: { command: "postmortem", issue: String(n) } });
    expect(run.error).toMatch(/^invalid configuration: .*postmortem: unknown key `paht`/);
    await runAction(sim, { inputs: { command: "postmortem", issue: String(n) } });
    expect(sim.comments(REPO, n).filter((c: { body: string }) => c.body.includes("incident-desk:config-error"))).toHaveLength(1);
    expect(sim.pulls(REPO)).toHaveLength(0);
  });
});
