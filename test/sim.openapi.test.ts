import { Octokit } from "@octokit/rest";
import { beforeAll, describe, expect, it } from "vitest";
import { GitHubSim } from "./sim/index.js";
import { operationById, validateResponse } from "./sim/openapi.js";

const R = { owner: "acme", repo: "web" };

describe("OpenAPI enforcement", () => {
  it("answers 404 and records a violation for an unknown operation", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
    await expect(octokit.request("POST /repos/{owner}/{repo}/issues/{n}/frobnicate", { ...R, n: 1 })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining("not in GitHub's OpenAPI description: POST /repos/acme/web/issues/1/frobnicate"),
    });
    expect(sim.violations).toHaveLength(1);
    expect(sim.violations[0]!.kind).toBe("unknown-operation");
  });

  it("answers 422 with ajv errors for an invalid body and changes nothing", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
    await expect(octokit.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "x", labels: 5 as never })).rejects.toMatchObject({ status: 422, message: expect.stringContaining("/labels") });
    expect(sim.violations.map((v) => v.kind)).toEqual(["invalid-body"]);
    expect(sim.issues("acme/web")).toEqual([]);
  });

  it("checks query parameter types", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
    await expect(octokit.request("GET /repos/{owner}/{repo}/issues?per_page=lots", R)).rejects.toMatchObject({ status: 422 });
    expect(sim.violations[0]!.kind).toBe("invalid-params");
  });

  it("records operations the sim does not implement", async () => {
    const sim = new GitHubSim();
    sim.addRepo("acme/web");
    const octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
    await expect(octokit.request("GET /repos/{owner}/{repo}/topics", R)).rejects.toMatchObject({ status: 501 });
    expect(sim.violations[0]!.kind).toBe("unimplemented");
  });
});

describe("responses match the description", () => {
  let sim: GitHubSim;
  let octokit: Octokit;
  beforeAll(() => {
    sim = new GitHubSim({ validateResponses: true });
    sim.addRepo("acme/web");
    sim.addRepo("bigco/api", { org: true });
    sim.seedFile("acme/web", "a.md", "hi");
    octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
  });

  it("validates the main operations (runtime validateResponses + explicit checks)", async () => {
    const check = (operationId: string, status: number, body: unknown) => {
      const v = validateResponse(operationById(operationId)!, status, body);
      expect(v, operationId).toEqual({ ok: true });
    };
    const issue = await octokit.issues.create({ ...R, title: "DB down", body: "b", labels: ["incident"], assignees: ["acme"] });
    check("issues/create", 201, issue.data);
    const n = issue.data.number;
    check("issues/get", 200, (await octokit.issues.get({ ...R, issue_number: n })).data);
    check("issues/update", 200, (await octokit.issues.update({ ...R, issue_number: n, title: "DB down!", state: "closed" })).data);
    await octokit.issues.update({ ...R, issue_number: n, state: "open" });
    check("issues/list-for-repo", 200, (await octokit.issues.listForRepo(R)).data);
    const c = await octokit.issues.createComment({ ...R, issue_number: n, body: "hi" });
    check("issues/create-comment", 201, c.data);
    check("issues/list-comments", 200, (await octokit.issues.listComments({ ...R, issue_number: n })).data);
    check("reactions/create-for-issue-comment", 201, (await octokit.reactions.createForIssueComment({ ...R, comment_id: c.data.id, content: "+1" })).data);
    check("issues/add-labels", 200, (await octokit.issues.addLabels({ ...R, issue_number: n, labels: ["sev1"] })).data);
    check("issues/list-labels-for-repo", 200, (await octokit.issues.listLabelsForRepo(R)).data);
    check("issues/create-label", 201, (await octokit.issues.createLabel({ ...R, name: "problem", color: "aaaaaa" })).data);
    const prn = sim.as("bob").openPullRequest("acme/web", { title: "fix", body: `Fixes #${n}`, head: "fix", commits: [{ message: "fix #1" }] });
    sim.as("bob").openIssue("acme/web", { title: "mention", body: `#${n}` });
    sim.as("bob").comment("acme/web", n, "x");
    const tl = await octokit.issues.listEventsForTimeline({ ...R, issue_number: n });
    check("issues/list-events-for-timeline", 200, tl.data);
    check("issues/list-events", 200, (await octokit.issues.listEvents({ ...R, issue_number: n })).data);
    check("pulls/get", 200, (await octokit.pulls.get({ ...R, pull_number: prn })).data);
    check("pulls/list", 200, (await octokit.pulls.list(R)).data);
    check("pulls/list-commits", 200, (await octokit.pulls.listCommits({ ...R, pull_number: prn })).data);
    check("pulls/merge", 200, (await octokit.pulls.merge({ ...R, pull_number: prn })).data);
    const sha = sim.branch("acme/web", "main")!;
    check("repos/get-commit", 200, (await octokit.repos.getCommit({ ...R, ref: sha })).data);
    check("repos/list-pull-requests-associated-with-commit", 200, (await octokit.repos.listPullRequestsAssociatedWithCommit({ ...R, commit_sha: sha })).data);
    check("search/issues-and-pull-requests", 200, (await octokit.search.issuesAndPullRequests({ q: "repo:acme/web" })).data);
    check("repos/get", 200, (await octokit.repos.get(R)).data);
    check("repos/get", 200, (await octokit.repos.get({ owner: "bigco", repo: "api" })).data);
    check("repos/get-content", 200, (await octokit.repos.getContent({ ...R, path: "a.md" })).data);
    check("repos/create-or-update-file-contents", 201, (await octokit.repos.createOrUpdateFileContents({ ...R, path: "b.md", message: "m", content: "eA==" })).data);
    check("git/get-ref", 200, (await octokit.git.getRef({ ...R, ref: "heads/main" })).data);
    check("git/create-ref", 201, (await octokit.git.createRef({ ...R, ref: "refs/heads/x", sha })).data);
    check("repos/get-branch", 200, (await octokit.repos.getBranch({ ...R, branch: "main" })).data);
    const d = await octokit.repos.createDeployment({ ...R, ref: "main", environment: "production", required_contexts: [] });
    check("repos/create-deployment", 201, d.data);
    const id = (d.data as { id: number }).id;
    check("repos/create-deployment-status", 201, (await octokit.repos.createDeploymentStatus({ ...R, deployment_id: id, state: "success" })).data);
    check("repos/list-deployments", 200, (await octokit.repos.listDeployments(R)).data);
    check("repos/list-deployment-statuses", 200, (await octokit.repos.listDeploymentStatuses({ ...R, deployment_id: id })).data);
    sim.setPermission("acme/web", "alice", "triage");
    check("repos/get-collaborator-permission-level", 200, (await octokit.repos.getCollaboratorPermissionLevel({ ...R, username: "alice" })).data);
    const sub = sim.as("a").openIssue("acme/web", { title: "sub" });
    check("issues/add-sub-issue", 201, (await octokit.issues.addSubIssue({ ...R, issue_number: n, sub_issue_id: sim.issue("acme/web", sub).id })).data);
    expect(sim.violations).toEqual([]);
  });
});
