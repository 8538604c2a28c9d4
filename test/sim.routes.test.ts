import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubSim } from "./sim/index.js";

let sim: GitHubSim;
let octokit: Octokit;
const R = { owner: "acme", repo: "web" };

beforeEach(() => {
  sim = new GitHubSim();
  sim.addRepo("acme/web");
  sim.addRepo("acme/ops");
  octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

describe("labels", () => {
  it("creates, edits and refuses duplicates case-insensitively", async () => {
    await octokit.issues.createLabel({ ...R, name: "Status:Investigating", color: "fbca04", description: "d" });
    await expect(octokit.issues.createLabel({ ...R, name: "status:investigating" })).rejects.toMatchObject({ status: 422 });
    const { data } = await octokit.issues.getLabel({ ...R, name: "STATUS:INVESTIGATING" });
    expect(data.name).toBe("Status:Investigating");
    await octokit.issues.updateLabel({ ...R, name: "status:investigating", color: "000000" });
    expect(sim.labels("acme/web")[0]).toMatchObject({ name: "Status:Investigating", color: "000000" });
    sim.violations = sim.violations.filter((v) => v.kind !== "invalid-body");
  });

  it("sets and removes labels on an issue", async () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "t" });
    await octokit.issues.setLabels({ ...R, issue_number: n, labels: ["a", "b"] });
    await octokit.issues.addLabels({ ...R, issue_number: n, labels: ["c"] });
    await octokit.issues.setLabels({ ...R, issue_number: n, labels: ["b", "d"] });
    expect(sim.issue("acme/web", n).labels).toEqual(["b", "d"]);
    await expect(octokit.issues.removeLabel({ ...R, issue_number: n, name: "zzz" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("comments, reactions, pagination", () => {
  it("paginates a 250-comment issue with GitHub's Link headers", async () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "long" });
    for (let i = 0; i < 250; i++) sim.as("bob").comment("acme/web", n, `c${i}`);
    const first = await octokit.issues.listComments({ ...R, issue_number: n, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toBe(
      '<https://api.github.com/repos/acme/web/issues/1/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repos/acme/web/issues/1/comments?per_page=100&page=3>; rel="last"',
    );
    const mid = await octokit.issues.listComments({ ...R, issue_number: n, per_page: 100, page: 2 });
    expect(mid.headers.link).toContain('rel="prev"');
    expect(mid.headers.link).toContain('rel="first"');
    const all = await octokit.paginate(octokit.issues.listComments, { ...R, issue_number: n, per_page: 100 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
    const def = await octokit.issues.listComments({ ...R, issue_number: n });
    expect(def.data).toHaveLength(30);
    const clamped = await octokit.issues.listComments({ ...R, issue_number: n, per_page: 500 });
    expect(clamped.data).toHaveLength(100);
  });

  it("edits, deletes, lists since, reacts 201 then 200", async () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "t" });
    const c1 = sim.as("alice").comment("acme/web", n, "one");
    sim.clock.advance("1h");
    const since = sim.clock.iso();
    const { data: c2 } = await octokit.issues.createComment({ ...R, issue_number: n, body: "two" });
    expect((await octokit.issues.listComments({ ...R, issue_number: n, since })).data.map((c) => c.body)).toEqual(["two"]);
    await octokit.issues.updateComment({ ...R, comment_id: c2.id, body: "two!" });
    await octokit.issues.deleteComment({ ...R, comment_id: c1 });
    expect(sim.issue("acme/web", n).comments.map((c) => c.body)).toEqual(["two!"]);
    const r1 = await octokit.reactions.createForIssueComment({ ...R, comment_id: c2.id, content: "eyes" });
    const r2 = await octokit.reactions.createForIssueComment({ ...R, comment_id: c2.id, content: "eyes" });
    expect([r1.status, r2.status]).toEqual([201, 200]);
    expect((await octokit.reactions.listForIssueComment({ ...R, comment_id: c2.id })).data).toHaveLength(1);
  });
});

describe("timeline", () => {
  it("records events in order with GitHub's shapes", async () => {
    sim.addUser("carol");
    const n = sim.as("alice").openIssue("acme/web", { title: "DB down", labels: ["incident"] });
    const cid = sim.as("alice").comment("acme/web", n, "first");
    sim.as("bob").comment("acme/web", n, "deleted soon");
    const del = sim.issue("acme/web", n).comments[1]!.id;
    sim.as("bob").deleteComment("acme/web", del);
    sim.as("alice").editComment("acme/web", cid, "first (edited)");
    await octokit.issues.addAssignees({ ...R, issue_number: n, assignees: ["carol"] });
    await octokit.issues.update({ ...R, issue_number: n, title: "DB really down" });
    await octokit.issues.removeLabel({ ...R, issue_number: n, name: "incident" });
    await octokit.issues.removeAssignees({ ...R, issue_number: n, assignees: ["carol"] });
    sim.as("bob").openIssue("acme/ops", { title: "follow-up", body: "see acme/web#1" });
    await octokit.issues.update({ ...R, issue_number: n, state: "closed", state_reason: "not_planned" });
    sim.as("alice").reopen("acme/web", n);
    const pr = sim.as("bob").openPullRequest("acme/web", { title: "fix", head: "fix", commits: [{ message: "Fix pool, refs #1" }] });
    expect(pr).toBe(2);

    const tl = await octokit.paginate(octokit.issues.listEventsForTimeline, { ...R, issue_number: n });
    expect(tl.map((e) => e.event)).toEqual(["labeled", "commented", "assigned", "renamed", "unlabeled", "unassigned", "cross-referenced", "closed", "reopened", "referenced"]);
    const ev = tl as any[];
    expect(ev[0]).toMatchObject({ label: { name: "incident", color: "ededed" }, actor: { login: "alice" }, performed_via_github_app: null });
    expect(ev[1]).toMatchObject({ body: "first (edited)", user: { login: "alice" }, actor: { login: "alice" }, author_association: "NONE" });
    expect(ev[1].html_url).toMatch(/#issuecomment-\d+$/);
    expect(ev[2]).toMatchObject({ assignee: { login: "carol" }, actor: { login: "incident-desk[bot]", type: "Bot" } });
    expect(ev[2].performed_via_github_app).toMatchObject({ slug: "incident-desk" });
    expect(ev[3].rename).toEqual({ from: "DB down", to: "DB really down" });
    expect(ev[6].source.issue).toMatchObject({ number: 1, repository: { full_name: "acme/ops" } });
    expect(ev[7].state_reason).toBe("not_planned");
    expect(ev[9].commit_id).toMatch(/^[0-9a-f]{40}$/);
    const times = ev.map((e) => Date.parse(e.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const events = await octokit.issues.listEvents({ ...R, issue_number: n });
    expect(events.data.map((e) => e.event)).toEqual(["labeled", "assigned", "renamed", "unlabeled", "unassigned", "closed", "reopened", "referenced"]);
  });

  it("cross-references from a PR carry the pull_request key", async () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "x" });
    sim.as("bob").openPullRequest("acme/web", { title: "fix", body: `Fixes #${n}`, head: "f", commits: [{ message: "m" }] });
    const tl = (await octokit.issues.listEventsForTimeline({ ...R, issue_number: n })).data as any[];
    expect(tl[0].event).toBe("cross-referenced");
    expect(tl[0].source.issue.pull_request.url).toContain("/pulls/2");
  });
});

describe("pull requests, commits, merge", () => {
  it("creates, lists commits, merges, finds PRs by commit, closes referenced issues", async () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "bug" });
    const prn = sim.as("bob").openPullRequest("acme/web", { title: "fix", body: `Fixes #${n}`, head: "fix/db", commits: [{ message: "one" }, { message: "two" }] });
    const { data: pr } = await octokit.pulls.get({ ...R, pull_number: prn });
    expect(pr).toMatchObject({ merged: false, state: "open", head: { ref: "fix/db" }, base: { ref: "main" }, commits: 2 });
    const commits = await octokit.pulls.listCommits({ ...R, pull_number: prn });
    expect(commits.data.map((c) => c.commit.message)).toEqual(["one", "two"]);
    const short = commits.data[0]!.sha.slice(0, 7);
    expect((await octokit.repos.getCommit({ ...R, ref: short })).data.sha).toBe(commits.data[0]!.sha);
    const { data: merge } = await octokit.pulls.merge({ ...R, pull_number: prn });
    expect(merge.merged).toBe(true);
    const after = (await octokit.pulls.get({ ...R, pull_number: prn })).data;
    expect(after).toMatchObject({ merged: true, state: "closed", merge_commit_sha: merge.sha });
    expect(sim.branch("acme/web", "main")).toBe(merge.sha);
    const assoc = await octokit.repos.listPullRequestsAssociatedWithCommit({ ...R, commit_sha: commits.data[1]!.sha });
    expect(assoc.data.map((p) => p.number)).toEqual([prn]);
    expect(sim.issue("acme/web", n)).toMatchObject({ state: "closed", state_reason: "completed" });
    await expect(octokit.pulls.merge({ ...R, pull_number: prn })).rejects.toMatchObject({ status: 405 });
    const hooks = sim.webhooks.take("pull_request").map((h) => h.payload.action);
    expect(hooks).toEqual(["opened", "closed"]);
  });

  it("marks fork PRs and synchronizes on push", async () => {
    const prn = sim.as("mallory").openPullRequest("acme/web", { title: "x", head: "patch", commits: [{ message: "a" }], fromFork: true });
    const pr = sim.pull("acme/web", prn);
    expect(pr.head.repo.full_name).toBe("mallory/web");
    expect(pr.head.repo.fork).toBe(true);
    const prn2 = sim.as("bob").openPullRequest("acme/web", { title: "y", head: "feat", commits: [{ message: "b" }] });
    sim.webhooks.take();
    sim.as("bob").push("acme/web", "feat", [{ message: "c" }]);
    expect(sim.webhooks.take("pull_request").map((h) => h.payload.action)).toEqual(["synchronize"]);
    expect(sim.pull("acme/web", prn2).commits).toBe(2);
  });

  it("lists issues including PRs, filtered by labels/state/since", async () => {
    sim.as("a").openIssue("acme/web", { title: "i1", labels: ["incident", "sev1"] });
    sim.as("a").openIssue("acme/web", { title: "i2", labels: ["incident"] });
    sim.as("a").openPullRequest("acme/web", { title: "p", head: "x", commits: [{ message: "m" }] });
    sim.as("a").close("acme/web", 2);
    const open = await octokit.issues.listForRepo({ ...R });
    expect(open.data.map((i) => i.number)).toEqual([3, 1]);
    expect(open.data[0]!.pull_request).toBeDefined();
    const inc = await octokit.issues.listForRepo({ ...R, labels: "Incident", state: "all" });
    expect(inc.data.map((i) => i.number)).toEqual([2, 1]);
    const both = await octokit.issues.listForRepo({ ...R, labels: "incident,sev1", state: "all" });
    expect(both.data.map((i) => i.number)).toEqual([1]);
  });
});

describe("search", () => {
  it("supports the qualifiers incident-desk uses", async () => {
    sim.as("a").openIssue("acme/web", { title: "DB down", body: "postgres pool exhausted", labels: ["incident"] });
    sim.clock.advance("2h");
    const mark = sim.clock.iso();
    sim.as("a").openIssue("acme/web", { title: "Cache", body: "redis", labels: ["Incident", "sev1"] });
    const pr = sim.as("a").openPullRequest("acme/web", { title: "fix", head: "f", commits: [{ message: "m" }] });
    sim.as("a").mergePullRequest("acme/web", pr);
    sim.as("a").openIssue("acme/ops", { title: "other repo", labels: ["incident"] });
    const q = async (s: string, extra: Record<string, unknown> = {}) =>
      (await octokit.search.issuesAndPullRequests({ q: s, ...extra })).data.items.map((i) => i.number);
    expect(await q("repo:acme/web is:issue label:incident")).toEqual([2, 1]);
    expect(await q("repo:acme/web is:issue label:incident", { sort: "created", order: "asc" })).toEqual([1, 2]);
    expect(await q(`repo:acme/web is:issue created:>=${mark}`)).toEqual([2]);
    expect(await q("repo:acme/web is:pr is:merged")).toEqual([3]);
    expect(await q(`repo:acme/web is:pr merged:>=${mark}`)).toEqual([3]);
    expect(await q("repo:acme/web postgres in:body")).toEqual([1]);
    expect(await q("repo:acme/web is:open -label:sev1")).toEqual([1]);
    expect(await q("is:closed")).toEqual([3]);
    const page = await octokit.search.issuesAndPullRequests({ q: "label:incident", per_page: 2 });
    expect(page.data.total_count).toBe(3);
    expect(page.headers.link).toContain('rel="next"');
  });
});

describe("contents, refs, branches", () => {
  it("reads and writes files with sha checks on branches", async () => {
    sim.seedFile("acme/web", "docs/a.md", "hello");
    const { data } = await octokit.repos.getContent({ ...R, path: "docs/a.md" });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(Buffer.from(data.content, "base64").toString()).toBe("hello");
    await expect(octokit.repos.createOrUpdateFileContents({ ...R, path: "docs/a.md", message: "m", content: Buffer.from("x").toString("base64") })).rejects.toMatchObject({ status: 422 });
    await expect(octokit.repos.createOrUpdateFileContents({ ...R, path: "docs/a.md", message: "m", content: "eA==", sha: "0".repeat(40) })).rejects.toMatchObject({ status: 409 });
    const up = await octokit.repos.createOrUpdateFileContents({ ...R, path: "docs/a.md", message: "m", content: "eA==", sha: data.sha });
    expect(up.status).toBe(200);
    const created = await octokit.repos.createOrUpdateFileContents({ ...R, path: "docs/b.md", message: "m", content: "eQ==" });
    expect(created.status).toBe(201);
    expect(sim.file("acme/web", "docs/a.md")).toBe("x");
    const dir = await octokit.repos.getContent({ ...R, path: "docs" });
    expect((dir.data as { name: string }[]).map((e) => e.name).sort()).toEqual(["a.md", "b.md"]);
    await expect(octokit.repos.getContent({ ...R, path: "nope.md" })).rejects.toMatchObject({ status: 404 });

    // branch + ref
    const main = await octokit.git.getRef({ ...R, ref: "heads/main" });
    await octokit.git.createRef({ ...R, ref: "refs/heads/postmortem/1", sha: main.data.object.sha });
    await expect(octokit.git.createRef({ ...R, ref: "refs/heads/postmortem/1", sha: main.data.object.sha })).rejects.toMatchObject({ status: 422 });
    await octokit.repos.createOrUpdateFileContents({ ...R, path: "pm.md", message: "pm", content: "cG0=", branch: "postmortem/1" });
    expect(sim.file("acme/web", "pm.md", "postmortem/1")).toBe("pm");
    expect(sim.file("acme/web", "pm.md")).toBeUndefined();
    const onBranch = await octokit.repos.getContent({ ...R, path: "pm.md", ref: "postmortem/1" });
    expect((onBranch.data as { sha: string }).sha).toMatch(/^[0-9a-f]{40}$/);
    const br = await octokit.repos.getBranch({ ...R, branch: "postmortem/1" });
    expect(br.data.commit.sha).toBe(sim.branch("acme/web", "postmortem/1"));
    await expect(octokit.git.updateRef({ ...R, ref: "heads/postmortem/1", sha: main.data.object.sha })).rejects.toMatchObject({ status: 422 });
    await octokit.git.updateRef({ ...R, ref: "heads/postmortem/1", sha: main.data.object.sha, force: true });
    await expect(octokit.git.getRef({ ...R, ref: "heads/nope" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("deployments, dispatch, permissions, transfer, sub-issues", () => {
  it("deployments with filters and statuses", async () => {
    const sha = sim.branch("acme/web", "main")!;
    const d1 = sim.as("deployer").createDeployment("acme/web", { sha, environment: "production" });
    sim.as("deployer").setDeploymentStatus("acme/web", d1, "success");
    const { data: d2 } = await octokit.repos.createDeployment({ ...R, ref: "main", environment: "staging", auto_merge: false, required_contexts: [] });
    if (!("id" in d2)) throw new Error("no deployment");
    await octokit.repos.createDeploymentStatus({ ...R, deployment_id: d2.id, state: "failure" });
    expect((await octokit.repos.listDeployments({ ...R, environment: "production" })).data.map((d) => d.id)).toEqual([d1]);
    expect((await octokit.repos.listDeployments({ ...R, sha })).data).toHaveLength(2);
    expect((await octokit.repos.listDeploymentStatuses({ ...R, deployment_id: d1 })).data[0]!.state).toBe("success");
    expect(sim.webhooks.take().map((h) => h.name)).toEqual(["deployment", "deployment_status", "deployment", "deployment_status"]);
  });

  it("permission levels and dispatch", async () => {
    sim.setPermission("acme/web", "alice", "maintain");
    const { data } = await octokit.repos.getCollaboratorPermissionLevel({ ...R, username: "alice" });
    expect(data).toMatchObject({ permission: "write", role_name: "maintain" });
    sim.addUser("zed");
    expect((await octokit.repos.getCollaboratorPermissionLevel({ ...R, username: "zed" })).data.permission).toBe("read");
    expect((await octokit.repos.getCollaboratorPermissionLevel({ ...R, username: "acme" })).data.permission).toBe("admin");
    await octokit.repos.createDispatchEvent({ ...R, event_type: "incident", client_payload: { title: "x" } });
    const [d] = sim.webhooks.take("repository_dispatch");
    expect(d!.payload).toMatchObject({ action: "incident", client_payload: { title: "x" }, branch: "main" });
  });

  it("sub-issues by id, and transfer via GraphQL", async () => {
    const p = sim.as("a").openIssue("acme/web", { title: "incident" });
    const c = sim.as("a").openIssue("acme/web", { title: "follow-up" });
    await octokit.issues.addSubIssue({ ...R, issue_number: p, sub_issue_id: sim.issue("acme/web", c).id });
    expect(sim.issue("acme/web", p).subIssues).toEqual([{ repo: "acme/web", number: c }]);
    expect((await octokit.issues.listSubIssues({ ...R, issue_number: p })).data.map((i) => i.number)).toEqual([c]);
    const repo = await octokit.repos.get({ owner: "acme", repo: "ops" });
    const res = await octokit.graphql<{ transferIssue: { issue: { number: number; url: string } } }>(
      `mutation($issueId: ID!, $repositoryId: ID!) { transferIssue(input: {issueId: $issueId, repositoryId: $repositoryId}) { issue { number url } } }`,
      { issueId: sim.issue("acme/web", c).node_id, repositoryId: repo.data.node_id },
    );
    expect(res.transferIssue.issue.number).toBe(1);
    expect(sim.issue("acme/ops", 1).title).toBe("follow-up");
    // old number redirects like GitHub (fetch follows the 301)
    const moved = await octokit.issues.get({ ...R, issue_number: c });
    expect(moved.data.title).toBe("follow-up");
    expect(moved.data.repository_url).toContain("/acme/ops");
    await expect(octokit.graphql(`query { viewer { login } }`)).rejects.toThrow();
    expect(sim.violations.map((v) => v.kind)).toEqual(["graphql"]);
    sim.violations = [];
  });
});

describe("GitHub's length limits", () => {
  const tooLong = (resource: string, field = "body") => ({
    status: 422,
    response: {
      data: {
        message: "Validation Failed",
        errors: [{ resource, code: "custom", field, message: `${field} is too long (maximum is ${field === "body" ? 65536 : 256} characters)` }],
      },
    },
  });
  const atLimit = "x".repeat(65_536);
  const over = `${atLimit}x`;

  it("refuses an issue, comment or pull request body over 65,536 characters with GitHub's 422, and changes nothing", async () => {
    await expect(octokit.issues.create({ ...R, title: "t", body: over })).rejects.toMatchObject(tooLong("Issue"));
    expect(sim.issues("acme/web")).toEqual([]);
    const { data: issue } = await octokit.issues.create({ ...R, title: "t", body: atLimit });
    await expect(octokit.issues.update({ ...R, issue_number: issue.number, body: over })).rejects.toMatchObject(tooLong("Issue"));
    await expect(octokit.issues.createComment({ ...R, issue_number: issue.number, body: over })).rejects.toMatchObject(tooLong("IssueComment"));
    const { data: comment } = await octokit.issues.createComment({ ...R, issue_number: issue.number, body: atLimit });
    await expect(octokit.issues.updateComment({ ...R, comment_id: comment.id, body: over })).rejects.toMatchObject(tooLong("IssueComment"));
    expect(sim.issue("acme/web", issue.number).body).toBe(atLimit);
    expect(sim.comments("acme/web", issue.number).map((c: { body: string }) => c.body.length)).toEqual([65_536]);
    // Only the writes that were accepted sent webhooks.
    expect(sim.webhooks.take().map((d) => `${d.name}.${(d.payload as { action: string }).action}`)).toEqual(["issues.opened", "issue_comment.created"]);

    sim.seedBranch("acme/web", "pm");
    sim.as("bob").writeFile("acme/web", "a.md", "a", "pm");
    sim.webhooks.take();
    await expect(octokit.pulls.create({ ...R, head: "pm", base: "main", title: "pm", body: over })).rejects.toMatchObject(tooLong("Issue"));
    expect(sim.pulls("acme/web")).toEqual([]);
    const { data: pull } = await octokit.pulls.create({ ...R, head: "pm", base: "main", title: "pm", body: atLimit });
    await expect(octokit.pulls.update({ ...R, pull_number: pull.number, body: over })).rejects.toMatchObject(tooLong("Issue"));
    // Review comments and reviews are not simulated, but their bodies are held to the limit all the same.
    await expect(octokit.pulls.createReview({ ...R, pull_number: pull.number, body: over, event: "COMMENT" })).rejects.toMatchObject(tooLong("PullRequestReview"));
    expect(sim.webhooks.take().map((d) => `${d.name}.${(d.payload as { action: string }).action}`)).toEqual(["pull_request.opened"]);
  });

  it("counts characters as GitHub does (an emoji is one), and titles stop at 256", async () => {
    const { data } = await octokit.issues.create({ ...R, title: "🔥".repeat(256), body: "🔥".repeat(65_536) });
    expect(sim.issue("acme/web", data.number).body).toHaveLength(131_072);
    await expect(octokit.issues.create({ ...R, title: "t".repeat(257) })).rejects.toMatchObject(tooLong("Issue", "title"));
    await expect(octokit.issues.update({ ...R, issue_number: data.number, title: "t".repeat(257) })).rejects.toMatchObject(tooLong("Issue", "title"));
  });

  it("people cannot write longer bodies either", () => {
    const n = sim.as("alice").openIssue("acme/web", { title: "t" });
    expect(() => sim.as("alice").comment("acme/web", n, over)).toThrow("Validation Failed");
    expect(() => sim.as("alice").openIssue("acme/web", { title: "t", body: over })).toThrow("Validation Failed");
    expect(() => sim.as("alice").openPullRequest("acme/web", { title: "t", body: over, head: "x", commits: [{ message: "m" }] })).toThrow("Validation Failed");
    expect(sim.state.repoByName("acme/web").refs.has("refs/heads/x")).toBe(false);
  });
});
