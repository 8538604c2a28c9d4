import { describe, expect, it } from "vitest";
import { useApp, type Harness } from "./harness.js";

/**
 * Change risk (SPEC section 9): the `incident-desk / change risk` check run on pull requests,
 * driven by webhooks into the app against the simulator.
 */

const repo = "acme/web";
const NAME = "incident-desk / change risk";

const SERVICES = `
services:
  api:
    labels: [svc:api]
    paths: ["services/api/**"]
  web:
    labels: [svc:web]
    paths: ["web/**", "**/*.css"]
`;
const FREEZE = `
changes:
  freeze:
    environments: [production]
    min_severity: sev2
`;

type Run = {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  details_url: string;
  external_id: string;
  output: { title: string | null; summary: string | null };
};

function runs(h: Harness, pr: number): Run[] {
  const sha = h.sim.pull(repo, pr).head.sha;
  return (h.sim.checkRuns(repo, sha) as Run[]).filter((r) => r.name === NAME);
}

/** The one check run on the pull request's head commit (fails if there are two). */
function run(h: Harness, pr: number): Run {
  const found = runs(h, pr);
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function incident(h: Harness, title: string, labels: string[]): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title, labels: ["incident", ...labels] });
  await h.deliver();
  return n;
}

async function pull(
  h: Harness,
  input: { title?: string; body?: string; files: Record<string, string>; fromFork?: boolean; login?: string; head?: string },
): Promise<number> {
  const head = input.head ?? `change-${Object.keys(input.files).join("-").replace(/\W+/g, "-").slice(0, 40)}`;
  const pr = h.sim.as(input.login ?? "bob").openPullRequest(repo, {
    title: input.title ?? "A change",
    body: input.body ?? "",
    head,
    commits: [{ message: input.title ?? "A change", files: input.files }],
    ...(input.fromFork ? { fromFork: true } : {}),
  });
  await h.deliver();
  return pr;
}

describe("change risk: nothing to report", () => {
  const h = useApp({ config: "" });

  it("no services configured and nothing open: success, saying what was looked at", async () => {
    const pr = await pull(h, { files: { "README.md": "hello" } });
    const r = run(h, pr);
    expect(r.status).toBe("completed");
    expect(r.conclusion).toBe("success");
    expect(r.external_id).toBe(String(pr));
    expect(r.output.summary).toContain("No service has `paths`");
  });
});

describe("change risk: services", () => {
  const h = useApp({ config: SERVICES });

  it("a pull request touching a service with an open sev2 incident: neutral, listing it", async () => {
    const n = await incident(h, "API returns 500s", ["sev2", "svc:api"]);
    await incident(h, "Web is slow", ["sev3", "svc:web"]);
    const pr = await pull(h, { files: { "services/api/handler.ts": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.title).toBe("1 open incident");
    expect(r.output.summary).toContain(`[#${n}](https://github.com/${repo}/issues/${n}) API returns 500s — sev2, investigating, service api`);
    expect(r.output.summary).not.toContain("Web is slow");
    expect(r.output.summary).toContain("Services this changes: **api** (1 file)");
  });

  it("a pull request touching no service while incidents are open elsewhere: success", async () => {
    await incident(h, "API returns 500s", ["sev2", "svc:api"]);
    const pr = await pull(h, { files: { "docs/intro.md": "x" } });
    expect(run(h, pr).conclusion).toBe("success");
    expect(run(h, pr).output.summary).toContain("This changes no configured service");
  });

  it("open problems on the touched service are listed", async () => {
    const problem = h.sim.as("alice").openIssue(repo, { title: "Connection pool exhaustion", labels: ["problem", "svc:web"] });
    h.sim.as("alice").openIssue(repo, { title: "Unrelated problem", labels: ["problem", "svc:api"] });
    await h.deliver();
    const pr = await pull(h, { files: { "web/style.css": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.summary).toContain(`[#${problem}](https://github.com/${repo}/issues/${problem}) Connection pool exhaustion — web`);
    expect(r.output.summary).not.toContain("Unrelated problem");
  });

  it("reports in triage are not listed", async () => {
    h.sim.as("rita").openIssue(repo, { title: "I think the API is down", labels: ["incident", "svc:api"] });
    await h.deliver();
    const pr = await pull(h, { files: { "services/api/x.ts": "x" } });
    expect(run(h, pr).conclusion).toBe("success");
  });
});

describe("change risk: the change freeze", () => {
  const h = useApp({ config: SERVICES + FREEZE });

  it("a feature pull request during a freeze: action_required, pointing at the incident", async () => {
    const n = await incident(h, "Checkout down", ["sev1", "svc:api"]);
    const pr = await pull(h, { title: "Add a feature", files: { "web/page.ts": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("action_required");
    expect(r.details_url).toBe(`https://github.com/${repo}/issues/${n}`);
    expect(r.output.title).toBe(`Change freeze: incident #${n} holds changes`);
    expect(r.output.summary).toContain("this pull request is held");
  });

  it("a fix naming the freezing incident with a keyword, from a branch of this repository: not held", async () => {
    const n = await incident(h, "Checkout down", ["sev1", "svc:api"]);
    for (const body of [`Fixes #${n}`, `closes #${n}`, `Resolves #${n}`, `Incident: #${n}`]) {
      const pr = await pull(h, { title: "Raise the pool", body, files: { [`services/api/pool-${body.length}.ts`]: body }, head: `fix-${body.length}` });
      const r = run(h, pr);
      expect(r.conclusion).toBe("neutral");
      expect(r.output.summary).toContain(`this pull request fixes #${n}, so it is not held`);
      expect(r.details_url).toBe(`https://github.com/${repo}/pull/${pr}`);
    }
  });

  it("a bare mention is not a fix; a fork claiming `Fixes #n` is held", async () => {
    const n = await incident(h, "Checkout down", ["sev2", "svc:api"]);
    const mention = await pull(h, { title: "Related to the outage", body: `See #${n}`, files: { "services/api/a.ts": "x" } });
    expect(run(h, mention).conclusion).toBe("action_required");
    const fork = await pull(h, { title: "Fix it", body: `Fixes #${n}`, files: { "services/api/b.ts": "x" }, fromFork: true, login: "mallory", head: "fix" });
    expect(h.sim.pull(repo, fork).head.repo.full_name).toBe("mallory/web");
    expect(run(h, fork).conclusion).toBe("action_required");
  });

  it("an edit that adds the keyword turns a held pull request into a fix, and back", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await pull(h, { title: "Raise the pool", files: { "services/api/pool.ts": "x" } });
    const id = run(h, pr).id;
    expect(run(h, pr).conclusion).toBe("action_required");
    h.sim.as("bob").editPullRequest(repo, pr, { body: `Fixes #${n}` });
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id, conclusion: "neutral" });
    h.sim.as("bob").editPullRequest(repo, pr, { body: "Nothing to do with it" });
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id, conclusion: "action_required" });
  });

  it("two edits delivered out of order: the run follows the pull request as it is now", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await pull(h, { title: "Raise the pool", files: { "services/api/pool.ts": "x" } });
    h.sim.as("bob").editPullRequest(repo, pr, { body: `Fixes #${n}` });
    h.sim.as("bob").editPullRequest(repo, pr, { body: "Not a fix after all" });
    const edits = h.sim.webhooks.take();
    for (const d of edits.reverse()) await h.receive(d);
    await h.deliver();
    expect(run(h, pr).conclusion).toBe("action_required");
  });

  it("a freezing sev1 behind 1,000 newer reports in triage (anyone may open one) still holds a pull request", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    for (let i = 0; i < 1_000; i++) h.sim.as("alice").openIssue(repo, { title: `Report ${i}`, labels: ["incident", "sev3", "status:triage"] });
    h.sim.webhooks.take();
    const pr = await pull(h, { title: "Add a feature", files: { "docs/feature.md": "x" }, head: "feature-flood" });
    expect(run(h, pr)).toMatchObject({ conclusion: "action_required", details_url: `https://github.com/${repo}/issues/${n}` });
  });

  it("below min_severity, or once mitigated, there is no freeze", async () => {
    const n = await incident(h, "Slow search", ["sev3", "svc:api"]);
    const pr = await pull(h, { files: { "services/api/search.ts": "x" } });
    expect(run(h, pr).conclusion).toBe("neutral");
    h.sim.as("alice").comment(repo, n, "/sev 1");
    await h.deliver();
    h.sim.as("bob").push(repo, "change-services-api-search-ts", [{ message: "more", files: { "services/api/search.ts": "y" } }]);
    await h.deliver();
    expect(run(h, pr).conclusion).toBe("action_required");
    h.sim.as("alice").comment(repo, n, "/mitigated");
    await h.deliver();
    h.sim.as("bob").push(repo, "change-services-api-search-ts", [{ message: "more", files: { "services/api/search.ts": "z" } }]);
    await h.deliver();
    expect(run(h, pr).conclusion).toBe("neutral");
  });

  it("a revert from a branch of this repository that names the freezing incident is not held, as the deploy gate lets it through; a fork's is", async () => {
    const n = await incident(h, "Checkout down", ["sev1", "svc:api"]);
    const revert = await pull(h, {
      title: 'Revert "Add caching"',
      body: `Reverts the cause of #${n}`,
      files: { "services/api/cache.ts": "x" },
      head: "revert-cache",
    });
    expect(run(h, revert).conclusion).toBe("neutral");
    expect(run(h, revert).output.summary).toContain(`this pull request fixes #${n}, so it is not held`);
    const fork = await pull(h, {
      title: 'Revert "Add caching"',
      body: `For #${n}`,
      files: { "services/api/cache2.ts": "x" },
      fromFork: true,
      login: "mallory",
      head: "revert",
    });
    expect(run(h, fork).conclusion).toBe("action_required");
    const other = await pull(h, {
      title: 'Revert "Add caching"',
      body: "Reverts the caching change",
      files: { "services/api/cache3.ts": "x" },
      head: "revert-other",
    });
    expect(run(h, other).conclusion).toBe("action_required");
  });

  it("once changes.freeze is removed, a re-run of a held pull request's check run succeeds", async () => {
    await incident(h, "Checkout down", ["sev1"]);
    const pr = await pull(h, { title: "Add a feature", files: { "docs/feature.md": "x" }, head: "feature-unfreeze" });
    const held = run(h, pr);
    expect(held.conclusion).toBe("action_required");
    h.sim.seedFile(repo, ".github/incidents.yml", SERVICES);
    h.sim.rerequestCheckRun(repo, "bob", held.id);
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id: held.id, conclusion: "success" });
  });
});

describe("change risk: earlier incidents caused by changes to the same files", () => {
  const h = useApp({ config: SERVICES });

  it("an incident caused by a pull request that changed the same file is listed; other files are not", async () => {
    const cause = h.sim
      .as("bob")
      .openPullRequest(repo, { title: "Add caching", head: "cache", commits: [{ message: "cache", files: { "lib/cache.ts": "v1", "lib/other.ts": "o" } }] });
    h.sim.as("bob").mergePullRequest(repo, cause);
    await h.deliver();
    const n = await incident(h, "Stale prices", ["sev2"]);
    h.sim.as("alice").comment(repo, n, `/cause #${cause}`);
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    h.sim.clock.advance("10d");

    const same = await pull(h, { title: "Tune the cache", files: { "lib/cache.ts": "v2" } });
    const r = run(h, same);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.summary).toContain(`- #${n}: caused by [#${cause}](https://github.com/${repo}/pull/${cause}), which changed lib/cache.ts`);
    const elsewhere = await pull(h, { title: "Docs", files: { "docs/a.md": "x" } });
    expect(run(h, elsewhere).conclusion).toBe("success");
  });

  it("a cause pull request buried under 1,500 comments is read 1,000 comments deep at most", async () => {
    const cause = h.sim
      .as("bob")
      .openPullRequest(repo, { title: "Add caching", head: "cache", commits: [{ message: "cache", files: { "lib/cache.ts": "v1" } }] });
    h.sim.as("bob").mergePullRequest(repo, cause);
    await h.deliver();
    const n = await incident(h, "Stale prices", ["sev2"]);
    h.sim.as("alice").comment(repo, n, `/cause #${cause}`);
    await h.deliver();
    for (let i = 0; i < 1_500; i++) h.sim.as("mallory").comment(repo, cause, `me too ${i}`);
    h.sim.webhooks.take();
    h.sim.resetRequests();
    const same = await pull(h, { title: "Tune the cache", files: { "lib/cache.ts": "v2" } });
    expect(run(h, same).output.summary).toContain(`- #${n}: caused by [#${cause}]`);
    expect(h.sim.count({ operationId: "issues/list-comments", path: `/repos/${repo}/issues/${cause}/comments` })).toBeLessThanOrEqual(10);
  });

  it("a cause older than 90 days is not listed", async () => {
    const cause = h.sim
      .as("bob")
      .openPullRequest(repo, { title: "Add caching", head: "cache", commits: [{ message: "cache", files: { "lib/cache.ts": "v1" } }] });
    h.sim.as("bob").mergePullRequest(repo, cause);
    const n = await incident(h, "Stale prices", ["sev2"]);
    h.sim.as("alice").comment(repo, n, `/cause #${cause}`);
    await h.deliver();
    h.sim.clock.advance("91d");
    const pr = await pull(h, { files: { "lib/cache.ts": "v2" } });
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("a cause label set by hand, without the app's cause comment, names no incident", async () => {
    const cause = h.sim.as("bob").openPullRequest(repo, {
      title: "Add caching",
      head: "cache",
      labels: ["incident-cause"],
      commits: [{ message: "cache", files: { "lib/cache.ts": "v1" } }],
    });
    h.sim.as("mallory").comment(repo, cause, "<!-- incident-desk:cause acme/web#1 -->");
    await h.deliver();
    const pr = await pull(h, { files: { "lib/cache.ts": "v2" } });
    expect(run(h, pr).output.summary).not.toContain("Earlier incidents");
  });
});

describe("change risk: one run per head commit", () => {
  const h = useApp({ config: SERVICES });

  it("a push gets a new run on the new head; the old head keeps its own", async () => {
    const pr = await pull(h, { files: { "docs/a.md": "x" }, head: "feature" });
    const first = h.sim.pull(repo, pr).head.sha;
    expect(run(h, pr).conclusion).toBe("success");
    await incident(h, "API down", ["sev2", "svc:api"]);
    h.sim.as("bob").push(repo, "feature", [{ message: "touch the api", files: { "services/api/a.ts": "x" } }]);
    await h.deliver();
    expect(h.sim.pull(repo, pr).head.sha).not.toBe(first);
    expect(run(h, pr).conclusion).toBe("neutral");
    expect(h.sim.checkRuns(repo, first)).toHaveLength(1);
  });

  it("a re-run (check run or check suite) updates the same run on the same commit", async () => {
    const pr = await pull(h, { files: { "services/api/a.ts": "x" } });
    const before = run(h, pr);
    expect(before.conclusion).toBe("success");
    const n = await incident(h, "API down", ["sev2", "svc:api"]);
    h.sim.rerequestCheckRun(repo, "bob", before.id);
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id: before.id, conclusion: "neutral" });
    expect(run(h, pr).output.summary).toContain(`#${n}`);

    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    const suite = (h.sim.checkRuns(repo, h.sim.pull(repo, pr).head.sha) as unknown as { check_suite: { id: number } }[])[0]!.check_suite.id;
    h.sim.rerequestCheckSuite(repo, "bob", suite);
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id: before.id, conclusion: "success" });
  });

  it("a fork's pull request is re-run too (GitHub leaves it out of the check's pull_requests)", async () => {
    const pr = await pull(h, { files: { "services/api/a.ts": "x" }, fromFork: true, login: "mallory", head: "x" });
    const before = run(h, pr);
    const n = await incident(h, "API down", ["sev2", "svc:api"]);
    h.sim.rerequestCheckRun(repo, "mallory", before.id);
    const [delivery] = h.sim.webhooks.peek().filter((d) => d.name === "check_run");
    expect(delivery!.payload.check_run.pull_requests).toEqual([]);
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id: before.id, conclusion: "neutral" });

    // "Re-run all checks" on a fork's suite: found through the commit's pull requests.
    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    h.sim.rerequestCheckSuite(
      repo,
      "mallory",
      (h.sim.checkRuns(repo, h.sim.pull(repo, pr).head.sha)[0] as unknown as { check_suite: { id: number } }).check_suite.id,
    );
    await h.deliver();
    expect(run(h, pr)).toMatchObject({ id: before.id, conclusion: "success" });
  });

  it("a duplicate delivery, and two copies handled at once, make one run; a copy with nothing new writes nothing", async () => {
    h.sim.as("bob").openPullRequest(repo, { title: "A change", head: "dup", commits: [{ message: "x", files: { "services/api/a.ts": "x" } }] });
    const deliveries = h.sim.webhooks.take();
    const opened = deliveries.find((d) => d.name === "pull_request" && d.payload.action === "opened")!;
    await Promise.all([h.receive(opened), h.receive({ ...opened, id: `${opened.id}-again` })]);
    await h.deliver();
    const pr = opened.payload.pull_request.number as number;
    expect(runs(h, pr)).toHaveLength(1);
    h.sim.resetRequests();
    await h.receive({ ...opened, id: `${opened.id}-third` });
    expect(h.sim.count({ writes: true })).toBe(0);
    expect(runs(h, pr)).toHaveLength(1);
  });
});

describe("change risk: GitHub failing", () => {
  const h = useApp({ config: SERVICES + FREEZE });

  it("500s and a secondary rate limit along the way: one run, with the right conclusion", async () => {
    const n = await incident(h, "API down", ["sev1", "svc:api"]);
    h.sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: 500, times: 2 });
    h.sim.faults.secondaryRateLimit({ method: "GET", path: "/repos/{owner}/{repo}/commits/{ref}/check-runs", retryAfter: 1, times: 1 });
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/check-runs", status: 502, times: 2 });
    const pr = await pull(h, { files: { "services/api/a.ts": "x" } });
    expect(run(h, pr)).toMatchObject({ conclusion: "action_required", details_url: `https://github.com/${repo}/issues/${n}` });
    expect(h.sim.count({ method: "POST", route: "/repos/{owner}/{repo}/check-runs", status: 201 })).toBe(1);
  });

  it("a delivery that fails for good is given back; its redelivery makes the one run", async () => {
    await incident(h, "API down", ["sev2", "svc:api"]);
    h.sim.as("bob").openPullRequest(repo, { title: "A change", head: "again", commits: [{ message: "x", files: { "services/api/a.ts": "x" } }] });
    const opened = h.sim.webhooks.take().find((d) => d.name === "pull_request" && d.payload.action === "opened")!;
    h.sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}/issues", status: 503, times: 4 });
    await expect(h.receive(opened)).rejects.toThrow();
    const pr = opened.payload.pull_request.number as number;
    expect(runs(h, pr)).toHaveLength(0);
    await h.receive(opened);
    expect(run(h, pr).conclusion).toBe("action_required");
  });
});

describe("change risk: people's text", () => {
  const h = useApp({ config: SERVICES });

  it("hostile titles are shown neutralised: no ping, no marker, no HTML, no broken Markdown", async () => {
    const hostile = "@alice @acme/everyone <!-- incident-desk:card --> <img src=x onerror=alert(1)> | ] (x) \\";
    const n = await incident(h, hostile, ["sev2", "svc:api"]);
    h.sim.as("rita").openIssue(repo, { title: `${hostile} problem`, labels: ["problem", "svc:api"] });
    await h.deliver();
    const pr = await pull(h, { files: { "services/api/a.ts": "x" } });
    const summary = run(h, pr).output.summary!;
    expect(summary).toContain(`#${n}`);
    expect(summary).not.toMatch(/@alice|@acme\/everyone/);
    expect(summary).toContain("@\u200balice");
    expect(summary).not.toContain("<!--");
    expect(summary).not.toContain("<img");
    expect(summary).toContain("&lt;img src=x onerror=alert(1)&gt; \\| ] (x) \\\\");
  });

  it("a security incident is listed by its number only", async () => {
    h.sim.as("alice").openIssue(repo, { title: "Token leak in the API logs", labels: ["incident", "sev2", "status:investigating", "security", "svc:api"] });
    h.sim.webhooks.take();
    const pr = await pull(h, { files: { "services/api/a.ts": "x" } });
    const summary = run(h, pr).output.summary!;
    expect(summary).toContain("_(a security incident: details withheld)_");
    expect(summary).not.toContain("Token leak");
  });

  it("hundreds of open incidents with long titles: the summary fits GitHub's 65,535 characters", async () => {
    for (let i = 0; i < 300; i++) {
      h.sim.as("alice").openIssue(repo, { title: `${"Ω".repeat(200)} ${i}`, labels: ["incident", "sev2", "status:investigating", "svc:api"] });
    }
    h.sim.webhooks.take();
    const pr = await pull(h, { files: { "services/api/a.ts": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.title).toBe("300 open incidents");
    expect(r.output.summary!.length).toBeLessThanOrEqual(65_535);
    expect(r.output.summary).toMatch(/- … and \d+ more/);
  });
});

describe("change risk: an invalid configuration", () => {
  const h = useApp({ config: "services:\n  api:\n    paths: api/**\n" });

  it("a neutral run that says the file, the key and what is wrong, and no comment", async () => {
    const bug = h.sim.as("alice").openIssue(repo, { title: "Bug" });
    const pr = await pull(h, { title: "Fix the bug", body: `Fixes #${bug}`, files: { "api/a.ts": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.title).toBe("incident-desk cannot read its configuration");
    expect(r.output.summary).toContain("`acme/web/.github/incidents.yml`");
    expect(r.output.summary).toMatch(/\| `services\.api\.paths` \| .*expected array/i);
    expect(h.comments(pr)).toEqual([]);
    expect(h.comments(bug)).toEqual([]);
  });
});

describe("change risk: big and hostile file lists", () => {
  const h = useApp({
    config: `${SERVICES}  hostile:\n    paths: ["**/a/**/b/**/c/**/d/**", "**/*a*a*a*a*a*a*a*b", "${"{a,b}".repeat(20)}*"]\n`,
  });

  it("4 KB paths against hostile globs: matched like any other", async () => {
    const n = await incident(h, "Styles broken", ["sev3", "svc:web"]);
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`${"a/b/c/".repeat(600)}x${i}`] = String(i);
    files[`${"a/".repeat(2_000)}deep.css`] = "css";
    const pr = await pull(h, { files, head: "hostile" });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.summary).toContain(`[#${n}]`);
    expect(r.output.summary).toContain("**web** (1 file)");
  });

  it("GitHub lists 3,000 files of a pull request: the summary says when only those were looked at", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3_010; i++) files[`docs/${String(i).padStart(4, "0")}.md`] = String(i);
    const pr = await pull(h, { files, head: "big" });
    const r = run(h, pr);
    expect(r.conclusion).toBe("success");
    expect(r.output.summary).toContain("Only the first 3,000 files were looked at");
    expect(h.sim.count({ route: "/repos/{owner}/{repo}/pulls/{pull_number}/files" })).toBe(30);
  });
});
