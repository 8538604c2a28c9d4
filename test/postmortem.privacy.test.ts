import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GitHubSim } from "./sim/index.js";
import { ACTIONS_BOT, ACTIONS_TOKEN, newSim, runAction, seedIncident, type ActionRun } from "./action.fixtures.js";

/**
 * What the Action writes in public never names a security incident or an issue of a private
 * repository, whatever its token can see; and nothing it generates carries a credential that
 * people pasted into the incident. Run as the Action against the simulator, whose timeline shows
 * cross-references from private repositories only to tokens that can see them, as GitHub does.
 */
const REPO = "acme/web";
const VAULT = "acme/security-incidents";
const INTERNAL = "acme/internal";
const STATUS = "acme/status";
const BRANCH = "incident-desk/postmortem-1";
/** A personal token of someone who can read every repository of acme, private ones included. */
const PAT = "pat-ops-lead";

let sim: GitHubSim;
let n: number;

afterEach(() => {
  expect(sim.violations).toEqual([]);
});

/** Everything the Action sent GitHub to write (people's own actions in the simulator send no requests). */
function written(): string {
  return sim.requests
    .filter((r) => r.method !== "GET")
    .map((r) => {
      const body = r.body as { content?: string } | undefined;
      return `${r.path} ${JSON.stringify(r.body)}${body?.content ? `\n${Buffer.from(body.content, "base64").toString("utf8")}` : ""}`;
    })
    .join("\n");
}

async function timelineTitles(token: string, repo: string, number: number): Promise<string[]> {
  const response = await sim.fetch(`https://api.github.com/repos/${repo}/issues/${number}/timeline?per_page=100`, { headers: { authorization: `token ${token}` } });
  const events = (await response.json()) as { event: string; source?: { issue: { title: string } } }[];
  return events.filter((e) => e.event === "cross-referenced").map((e) => e.source!.issue.title);
}

describe("private stays private: the post-mortem's related issues", () => {
  const SECRET_TITLES = ["SQL injection in /login", "Refund Contoso for the outage", "Signing key exposure"];
  const PUBLIC_TITLES = ["Checkout retries are too aggressive", "Status page lagged during the outage"];

  beforeEach(() => {
    sim = newSim(REPO);
    sim.addRepo(VAULT, { private: true });
    sim.addRepo(INTERNAL, { private: true });
    sim.addRepo(STATUS);
    sim.seedFile(REPO, ".github/incidents.yml", `private:\n  repo: ${VAULT}\n`);
    sim.addUser("ops-lead");
    sim.addToken(PAT, "ops-lead");
    for (const repo of [REPO, VAULT, INTERNAL, STATUS]) {
      sim.setPermission(repo, "ops-lead", "write");
      sim.setPermission(repo, "alice", "write");
    }
    n = seedIncident(sim);
    const alice = sim.as("alice");
    // A security report that mentioned the incident, then moved to the private repository.
    const report = alice.openIssue(REPO, { title: "SQL injection in /login", body: "Found while looking into #1." });
    alice.transfer(REPO, report, VAULT);
    // An issue of another private repository.
    alice.openIssue(INTERNAL, { title: "Refund Contoso for the outage", body: `Because of ${REPO}#1.` });
    // A security issue still in the public repository.
    alice.openIssue(REPO, { title: "Signing key exposure", body: "Related to #1.", labels: ["security"] });
    // Public ones, here and in another public repository.
    sim.as("bob").openIssue(REPO, { title: "Checkout retries are too aggressive", body: "Seen in #1." });
    sim.as("bob").openIssue(STATUS, { title: "Status page lagged during the outage", body: `${REPO}#1` });
  });

  const check = (run: ActionRun) => {
    expect(run.error).toBeUndefined();
    const doc = sim.file(REPO, run.outputs["postmortem-path"]!, BRANCH)!;
    const related = doc.slice(doc.indexOf("**Related issues:**"));
    for (const title of PUBLIC_TITLES) expect(related).toContain(title);
    const everything = `${written()}\n${run.summary}\n${run.log}`;
    for (const title of SECRET_TITLES) expect(everything).not.toContain(title);
    for (const repo of [VAULT, INTERNAL]) expect(doc).not.toContain(repo);
  };

  it("a token that can see the private repositories: they are on the timeline, not in the post-mortem", async () => {
    expect(await timelineTitles(PAT, REPO, n)).toEqual(expect.arrayContaining([...SECRET_TITLES, ...PUBLIC_TITLES]));
    check(await runAction(sim, { inputs: { command: "postmortem", issue: String(n), token: PAT } }));
  });

  it("the workflow's token given read access to them (an organisation-wide token) writes the same", async () => {
    sim.setPermission(VAULT, ACTIONS_BOT, "read");
    sim.setPermission(INTERNAL, ACTIONS_BOT, "read");
    expect(await timelineTitles(ACTIONS_TOKEN, REPO, n)).toEqual(expect.arrayContaining(SECRET_TITLES));
    check(await runAction(sim, { inputs: { command: "postmortem", issue: String(n) } }));
  });

  it("a token that cannot see them does not see them on the timeline either", async () => {
    const seen = await timelineTitles(ACTIONS_TOKEN, REPO, n);
    expect(seen).not.toContain("SQL injection in /login");
    expect(seen).not.toContain("Refund Contoso for the outage");
    check(await runAction(sim, { inputs: { command: "postmortem", issue: String(n) } }));
  });

  it("in the private repository, its post-mortem names its own issues and public ones, not another private repository's", async () => {
    const alice = sim.as("alice");
    // The moved report becomes a security incident there, and is resolved.
    const incident = 1;
    alice.addLabels(VAULT, incident, ["incident", "security", "sev2"]);
    alice.comment(VAULT, incident, "/resolve");
    alice.openIssue(VAULT, { title: "Rotate the database credentials", body: "For #1.", labels: ["security"] });
    alice.openIssue(REPO, { title: "Escape the login form's input", body: `Fixes ${VAULT}#1` });
    alice.openIssue(INTERNAL, { title: "Tell the auditors about the injection", body: `See ${VAULT}#1` });
    const run = await runAction(sim, { repo: VAULT, inputs: { command: "postmortem", issue: String(incident), token: PAT } });
    expect(run.error).toBeUndefined();
    const doc = sim.file(VAULT, run.outputs["postmortem-path"]!, BRANCH)!;
    expect(doc).toContain("SQL injection in /login");
    const related = doc.slice(doc.indexOf("**Related issues:**"));
    expect(related).toContain("Rotate the database credentials");
    expect(related).toContain("Escape the login form's input");
    expect(doc).not.toContain("Tell the auditors");
  });
});

describe("private stays private: a security incident in a public repository (no private.repo)", () => {
  beforeEach(() => {
    sim = newSim(REPO);
    const alice = sim.as("alice");
    n = alice.openIssue(REPO, { title: "Leaked signing key", body: "The release key was in a public gist.", labels: ["incident", "security", "sev1"] });
    sim.as("bob").comment(REPO, n, "/followup Rotate the release signing key @bob\n/resolve");
  });

  it("gets no problem tickets, like no post-mortem: the step says why and writes nothing", async () => {
    sim.resetRequests();
    const run = await runAction(sim, { inputs: { command: "problems", issue: String(n) } });
    expect(run.error).toBe(
      `#${n} is a security incident: its problem tickets are not opened in the public repository ${REPO} (set \`private.repo\` and run the Action there).`,
    );
    expect(sim.count({ writes: true })).toBe(0);
    expect(sim.issues(REPO)).toHaveLength(1);
  });

  it("is counted in the report without its title", async () => {
    // The report's period ends at the runner's clock: the simulator's, here.
    vi.useFakeTimers({ toFake: ["Date"], now: sim.clock.now(), shouldAdvanceTime: true });
    const run = await runAction(sim, { inputs: { command: "report" } }).finally(() => vi.useRealTimers());
    expect(run.error).toBeUndefined();
    expect(run.summary).toContain("(security incident)");
    expect(run.summary).not.toContain("Leaked signing key");
  });
});

describe("nothing generated carries a pasted credential", () => {
  const token = `ghp_${"A1b2C3d4E5".repeat(4)}`;
  const npm = `npm_${"x9".repeat(18)}`;
  const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXBsb3kifQ.${"s".repeat(43)}`;
  const keyLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
  const secrets = [token, npm, jwt, "hunter2", "dXNlcjpwYXNzd29yZA", "AccountKey=abc", "glpat-", keyLine];

  beforeEach(() => {
    sim = newSim(REPO);
    n = seedIncident(sim, REPO, {
      body: `Payments return 502.\n\n## Follow-ups\n- [ ] Revoke ${npm} @bob`,
      followups: [`/followup Rotate the DB password=hunter2 @carol`],
    });
    const alice = sim.as("alice");
    alice.editIssue(REPO, n, { title: `Checkout fails with 502 (token ${token})` });
    alice.comment(REPO, n, `/timeline 10:20 curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" failed, then with ${jwt}`);
    alice.comment(REPO, n, "/impact Storage was reachable with DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc+/def==;");
    // Shown in the timeline's table, where its line breaks become spaces.
    alice.comment(REPO, n, `/update The deploy key leaked:\n-----BEGIN OPENSSH PRIVATE KEY-----\n${keyLine}\n${keyLine}\n-----END OPENSSH PRIVATE KEY-----\nrotated.`);
    sim.as("bob").openPullRequest(REPO, { title: `Rotate glpat-${"x".repeat(20)}`, body: `Fixes #${n}`, head: "fix-rotate", commits: [{ message: "rotate" }] });
  });

  it("post-mortem (file, name, commit, pull request), tickets, link comment and job summaries", async () => {
    const tickets = await runAction(sim, { inputs: { command: "problems", issue: String(n) } });
    expect(tickets.error).toBeUndefined();
    const run = await runAction(sim, { inputs: { command: "postmortem", issue: String(n) } });
    expect(run.error).toBeUndefined();
    const path = run.outputs["postmortem-path"]!;
    expect(path).toMatch(/-1-checkout-fails-with-502-token-redacted\.md$/);
    const doc = sim.file(REPO, path, BRANCH)!;
    expect(doc).toContain("# Post-mortem: Checkout fails with 502 (token [redacted])");
    expect(doc).toContain("Authorization: Basic [redacted]");
    expect(doc).toContain("AccountKey=[redacted]");

    const pull = sim.pull(REPO, Number(run.outputs["pull-request"]));
    const ticketIssues = JSON.parse(tickets.outputs["problem-issues"]!) as number[];
    expect(ticketIssues).toHaveLength(2);
    const generated = [
      doc,
      path,
      pull.title,
      pull.body,
      ...sim.requests.filter((r) => r.method === "PUT").map((r) => (r.body as { message: string }).message),
      ...ticketIssues.flatMap((t) => [sim.issue(REPO, t).title, sim.issue(REPO, t).body]),
      ...sim.comments(REPO, n).filter((c: { body: string }) => c.body.includes("postmortem-link")).map((c: { body: string }) => c.body),
      tickets.summary,
      run.summary,
    ].join("\n");
    for (const secret of secrets) expect(generated).not.toContain(secret);
    expect(generated).toContain("Rotate the DB password=[redacted]");
  });
});
