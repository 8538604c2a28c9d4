import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACTIONS_BOT, ACTIONS_TOKEN, newSim, runAction, seedIncident } from "./action.fixtures.js";
import { startApp, type Harness } from "./harness.js";
import type { GitHubSim } from "./sim/index.js";

/**
 * The `report` command, run as the Action against the simulator, over incidents people ran with
 * the app (so they carry their cards): what the summary and the file say, the output, what it
 * cost in requests, and that it wrote nothing to GitHub.
 */
const REPO = "acme/web";
let h: Harness;
let sim: GitHubSim;

beforeEach(async () => {
  h = await startApp({ repo: REPO, config: "services:\n  checkout:\n    team: payments\n    labels: [checkout]\n" });
  sim = h.sim;
  sim.addUser(ACTIONS_BOT, { type: "Bot" });
  sim.addToken(ACTIONS_TOKEN, ACTIONS_BOT);
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
  expect(sim.violations).toEqual([]);
});

/** The report as of the sim's clock ("now" is the runner's clock). */
async function report(inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  vi.useFakeTimers({ toFake: ["Date"], now: sim.clock.now(), shouldAdvanceTime: true });
  try {
    let run!: Awaited<ReturnType<typeof runAction>>;
    const requests = await sim.measure(async () => {
      run = await runAction(sim, { inputs: { command: "report", ...inputs }, env });
    });
    return { run, requests };
  } finally {
    vi.useRealTimers();
  }
}

/**
 * A month of incidents. An old one (declared before the period, resolved in it: listed, not
 * counted); a merged pull request shipped to production and then marked `/cause` of a sev1;
 * a sev2 of the checkout service; a sev3 still open; two more production deployments and one to
 * staging.
 */
async function month() {
  const alice = sim.as("alice");
  const bob = sim.as("bob");
  const old = alice.openIssue(REPO, { title: "Old outage", labels: ["incident", "sev2"] });
  await h.deliver();
  sim.clock.advance("35d"); // 2026-04-06: the period (30 days back from the end) began on 2026-03-11
  bob.comment(REPO, old, "/resolve");
  await h.deliver();

  alice.openIssue(REPO, { title: "Not an incident", body: "A feature request." });
  const pr = bob.openPullRequest(REPO, { title: "Add caching", head: "caching", commits: [{ message: "Add caching", files: { "cache.ts": "x" } }] });
  const sha = bob.mergePullRequest(REPO, pr);
  const shipped = sim.as("deployer").createDeployment(REPO, { sha, environment: "production" });
  sim.as("deployer").setDeploymentStatus(REPO, shipped, "success");
  await h.deliver();

  sim.clock.advance("30m");
  const a = alice.openIssue(REPO, { title: "Checkout returns 502", labels: ["incident", "sev1"] });
  await h.deliver();
  sim.clock.advance("5m");
  bob.comment(REPO, a, "/ack");
  sim.clock.advance("15m");
  alice.comment(REPO, a, `/cause #${pr}\n/mitigated`);
  await h.deliver();
  sim.clock.advance("40m");
  bob.comment(REPO, a, "/resolve");
  await h.deliver();

  sim.clock.advance("1d");
  const other = sim.as("deployer").createDeployment(REPO, { ref: "main", environment: "production" });
  sim.as("deployer").setDeploymentStatus(REPO, other, "success");
  const staging = sim.as("deployer").createDeployment(REPO, { ref: "main", environment: "staging" });
  sim.as("deployer").setDeploymentStatus(REPO, staging, "success");
  await h.deliver();

  sim.clock.advance("2h");
  const b = bob.openIssue(REPO, { title: "Payments slow", labels: ["incident", "sev2", "checkout"] });
  await h.deliver();
  sim.clock.advance("10m");
  alice.comment(REPO, b, "/commander @alice");
  sim.clock.advance("20m");
  alice.comment(REPO, b, "/status mitigated");
  sim.clock.advance("1h30m");
  sim.as("alice").close(REPO, b);
  await h.deliver();

  sim.clock.advance("3d");
  const third = sim.as("deployer").createDeployment(REPO, { ref: "main", environment: "production" });
  sim.as("deployer").setDeploymentStatus(REPO, third, "success");
  const c = alice.openIssue(REPO, { title: "Search index lagging", labels: ["incident"] });
  await h.deliver();
  sim.clock.advance("12m");
  bob.comment(REPO, c, "/ack");
  await h.deliver();
  sim.clock.advance("1h");
  return { old, a, b, c, pr };
}

describe("report", () => {
  it("counts, times and DORA over the last 30 days, in the job summary; reads only", async () => {
    const { old, a, b, c } = await month();
    const { run, requests } = await report();
    expect(run.error).toBeUndefined();
    expect(run.outputs).toEqual({});
    const md = run.summary;

    expect(md).toContain("## 📊 Incident report: acme/web");
    expect(md).toContain("**3** incidents declared · **2** resolved · **1** still open");
    // Acknowledged after 5m (#a), 10m (#b, /commander), 12m (#c); mitigated after 20m and 30m.
    expect(md).toContain("| Time to acknowledge | **10m** | 12m | 3 |");
    expect(md).toContain("| Time to mitigate | **25m** | 30m | 2 |");
    // Resolved after 1h 00m (#a) and 2h 00m (#b); #c is open.
    expect(md).toContain("| Time to resolve | **1h 30m** | 2h 00m | 2 |");
    // Three production deployments in the period (staging does not count); one shipped #a's cause.
    expect(md).toContain("| Change failure rate | **33.3%** (1 of 3 production deployments caused an incident) |");
    // From the deployment (09:00) to #a's resolution (10:30).
    expect(md).toContain("| Failed-deployment recovery time | **1h 30m** median · 1h 30m p90 · 1 resolved incident |");
    expect(md).toContain("| Incidents caused by a deployment | 1 |");
    expect(md).toContain("| sev1 | 1 | 33.3% |\n| sev2 | 1 | 33.3% |\n| sev3 | 1 | 33.3% |\n| sev4 | 0 | 0% |");
    expect(md).toContain("| checkout | 1 | 33.3% |");
    expect(md).toContain("| (no service) | 2 | 66.7% |");
    expect(md).toContain("```mermaid\npie showData title Incidents by severity\n");
    expect(md).toContain("```mermaid\nxychart-beta\n    title \"Incidents per week\"");
    expect(md).toContain(`| [#${a}](https://github.com/${REPO}/issues/${a}) Checkout returns 502 | sev1 | resolved | — |`);
    expect(md).toContain(`| [#${b}](https://github.com/${REPO}/issues/${b}) Payments slow | sev2 | resolved | checkout |`);
    expect(md).toContain(`| [#${c}](https://github.com/${REPO}/issues/${c}) Search index lagging | sev3 | investigating | — |`);
    expect(md).not.toContain(`[#${old}]`);
    expect(md).not.toContain("Not an incident");

    // Read-only: every request a GET (no write, so no webhook for the app either).
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(sim.webhooks.peek()).toEqual([]);
    const by = (op: string) => requests.filter((r) => r.operationId === op).length;
    // One listing of the incidents updated in the period (old one included), one timeline read
    // each, one permission per command author, one deployments page; the cards keep the causes.
    expect(by("issues/list-for-repo")).toBe(1);
    expect(by("issues/list-events-for-timeline")).toBe(4);
    expect(by("issues/get")).toBe(0);
    // None: the cards keep the verdicts on every command (src/incident/verdicts.ts).
    expect(by("repos/get-collaborator-permission-level")).toBe(0);
    expect(by("repos/list-deployments")).toBe(1);
    expect(by("pulls/get") + by("search/issues-and-pull-requests")).toBe(0);
    // One of them asks who the token writes as (users/get-authenticated), to know its own cards.
    expect(by("users/get-authenticated")).toBe(1);
    expect(requests.length - by("repos/get-content")).toBe(7);
  });

  it("writes the file the input report-path names, and outputs its path", async () => {
    await month();
    const workspace = mkdtempSync(join(tmpdir(), "incident-desk-report-"));
    const { run } = await report({ "report-path": "reports/incidents.md", since: "2026-04-01" }, { GITHUB_WORKSPACE: workspace });
    expect(run.error).toBeUndefined();
    const file = join(workspace, "reports/incidents.md");
    expect(run.outputs).toEqual({ "report-path": file });
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("2026-04-01 00:00 UTC → ");
    expect(text).toContain("**3** incidents declared");
    expect(run.summary.trim()).toBe(text.trim());
  });

  it("an empty period, and a `since` it cannot read", async () => {
    const quiet = await report({ since: "12w" });
    expect(quiet.run.error).toBeUndefined();
    expect(quiet.run.summary).toContain("No incident was declared in this period.");
    const bad = await report({ since: "last quarter" });
    expect(bad.run.failed).toBe(true);
    expect(bad.run.error).toMatch(/^input `since` "last quarter" is neither an ISO 8601 date/);
    expect(bad.requests.filter((r) => r.operationId !== "repos/get-content")).toEqual([]);
  });
});

describe("report without the app (no cards)", () => {
  it("resolves each cause itself: one pull request and one deployments read per cause, still no write", async () => {
    const bare = newSim(REPO);
    const pr = bare.as("bob").openPullRequest(REPO, { title: "Bump driver", head: "driver", commits: [{ message: "Bump driver", files: { "db.ts": "y" } }] });
    const sha = bare.as("bob").mergePullRequest(REPO, pr);
    bare.clock.advance("10m");
    const deployment = bare.as("deployer").createDeployment(REPO, { sha, environment: "production" });
    bare.as("deployer").setDeploymentStatus(REPO, deployment, "success");
    bare.clock.advance("50m");
    const n = seedIncident(bare, REPO); // declared 10:00, resolved 11:14 (started 08:50 by /timeline)
    bare.as("alice").comment(REPO, n, `/cause #${pr}`);
    bare.clock.advance("1h");
    vi.useFakeTimers({ toFake: ["Date"], now: bare.clock.now(), shouldAdvanceTime: true });
    let run!: Awaited<ReturnType<typeof runAction>>;
    const requests = await bare.measure(async () => {
      run = await runAction(bare, { inputs: { command: "report", since: "7d" } });
    });
    vi.useRealTimers();
    expect(run.error).toBeUndefined();
    expect(run.summary).toContain("| Change failure rate | **100%** (1 of 1 production deployment caused an incident) |");
    // The merge was deployed at about 09:10, and /resolve came at about 11:14.
    expect(run.summary).toMatch(/\| Failed-deployment recovery time \| \*\*2h 0\dm\*\* median/);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    const by = (op: string) => requests.filter((r) => r.operationId === op).length;
    expect(by("pulls/get")).toBe(1);
    expect(by("repos/list-deployments")).toBe(2); // the cause's sha, and the period's production deployments
    expect(by("search/issues-and-pull-requests")).toBe(0); // no suspects: they are not part of any metric
    expect(bare.violations).toEqual([]);
  });
});

describe("report and an invalid configuration", () => {
  it("fails the step and writes nothing, also when an issue is given", async () => {
    const bare = newSim(REPO);
    const n = seedIncident(bare, REPO);
    bare.seedFile(REPO, ".github/incidents.yml", "severities: nope\n");
    let run!: Awaited<ReturnType<typeof runAction>>;
    const requests = await bare.measure(async () => {
      run = await runAction(bare, { inputs: { command: "report", issue: String(n) } });
    });
    expect(run.failed).toBe(true);
    expect(run.error).toMatch(/^invalid configuration/);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(bare.violations).toEqual([]);
  });
});

describe("report: recurring incidents by cause files, over incidents run with the app", () => {
  it("a `root cause:` commit, a `/cause #pr` and a linked pull request labelled incident-cause: grouped by the file their changes share, from the causes the cards keep", async () => {
    const bob = sim.as("bob");
    const p1 = bob.openPullRequest(REPO, { title: "Tune pool", head: "pool", commits: [{ message: "Tune pool", files: { "src/db/pool.ts": "a", "src/db/a.ts": "a" } }] });
    const sha = bob.mergePullRequest(REPO, p1);
    const p2 = bob.openPullRequest(REPO, { title: "Pool size", head: "pool2", commits: [{ message: "Pool size", files: { "src/db/pool.ts": "b" } }] });
    const p3 = bob.openPullRequest(REPO, { title: "Docs", head: "docs", commits: [{ message: "Docs", files: { "docs/x.md": "x" } }] });
    await h.deliver();
    const a = sim.as("alice").openIssue(REPO, { title: "Checkout 502", body: `Pool exhausted.\n\nroot cause: ${sha}`, labels: ["incident", "sev1", "checkout"] });
    await h.deliver();
    sim.clock.advance("10m");
    const b = sim.as("alice").openIssue(REPO, { title: "Search slow", labels: ["incident", "sev2"] });
    await h.deliver();
    sim.as("alice").comment(REPO, b, `/cause #${p2}`);
    await h.deliver();
    sim.clock.advance("10m");
    const c = sim.as("alice").openIssue(REPO, { title: "Docs down", labels: ["incident", "sev3"] });
    await h.deliver();
    sim.as("alice").comment(REPO, c, `/cause #${p3}`);
    await h.deliver();
    sim.clock.advance("10m");
    const d = sim.as("alice").openIssue(REPO, { title: "Pool again", labels: ["incident", "sev3"] });
    await h.deliver();
    const p4 = bob.openPullRequest(REPO, {
      title: "Pool tweak",
      body: `Part of #${d}.`,
      head: "pool3",
      commits: [{ message: "Pool tweak", files: { "src/db/pool.ts": "c" } }],
    });
    bob.addLabels(REPO, p4, ["incident-cause"]);
    await h.deliver();
    sim.clock.advance("1h");

    const { run, requests } = await report({ since: "7d" });
    expect(run.error).toBeUndefined();
    const md = run.summary;
    const link = (n: number) => `[#${n}](https://github.com/${REPO}/issues/${n})`;
    expect(md).toContain("### Recurring incidents by cause files");
    expect(md).toContain(`| ${link(a)}, ${link(b)}, ${link(d)} | \`src/db/pool.ts\` | #${p1}, #${p2}, #${p4} |`);
    expect(md).not.toContain(`${link(c)},`);
    expect(md).not.toContain("`src/db/a.ts`");
    const by = (op: string) => requests.filter((r) => r.operationId === op).length;
    // The cards keep the causes (no pull request read for them); each cause's files once.
    expect(by("pulls/get") + by("repos/list-pull-requests-associated-with-commit")).toBe(0);
    expect(by("pulls/list-files")).toBe(4);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
