import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { gateTiming } from "../src/gate/handle.js";
import { runAction, addActionToken } from "./action.fixtures.js";
import { startApp, type Harness } from "./harness.js";
import type { DeploymentReview } from "./sim/index.js";
import { validateWebhook } from "./sim/webhook-schemas.js";

/**
 * The deploy gate (SPEC section 9): the app as a custom deployment protection rule. A workflow
 * job reaches a protected environment (sim.requestDeploymentReview), GitHub asks the app, and the
 * test looks at the review GitHub received and at what the incidents show afterwards.
 */
const REPO = "acme/web";
const FREEZE = "changes:\n  freeze:\n    environments: [production]\n    min_severity: sev2\n";

let h: Harness;
const saved = { ...gateTiming };

async function start(config = FREEZE, http = false) {
  h = await startApp({ repo: REPO, config, http });
}
beforeEach(() => Object.assign(gateTiming, { retryBaseMs: 5 }));
afterEach(async () => {
  Object.assign(gateTiming, saved);
  await h.close();
  expect(h.sim.violations).toEqual([]);
});

/** An incident as people declare it, delivered to the app. */
async function incident(severity = "sev1", title = "Checkout is down", by = "alice"): Promise<number> {
  const n = h.sim.as(by).openIssue(REPO, { title, labels: ["incident", severity] });
  await h.deliver();
  return n;
}

async function say(who: string, n: number, text: string): Promise<number> {
  const id = h.sim.as(who).comment(REPO, n, text);
  await h.deliver();
  return id;
}

const main = () => h.sim.branch(REPO, "main")!;

/** A job deploys `sha` to `environment`: the app is asked; returns the review as GitHub has it. */
async function deploy(sha = main(), environment = "production"): Promise<DeploymentReview> {
  const { runId } = h.sim.requestDeploymentReview(REPO, { environment, sha });
  await h.deliver();
  return h.sim.deploymentReviews(REPO).find((r) => r.runId === runId && r.environment === environment)!;
}

const records = (n: number) => h.comments(n).filter((c) => c.body.includes("<!-- incident-desk:gate "));

function mergedPull(title: string, body: string, options: { fromFork?: boolean; by?: string } = {}): { pr: number; sha: string } {
  const head = `b-${title.replace(/\W+/g, "-").toLowerCase()}`;
  const author = options.by ?? "bob";
  const pr = h.sim.as(author).openPullRequest(REPO, {
    title,
    body,
    head,
    commits: [{ message: title, files: { [`${head}.txt`]: title } }],
    ...(options.fromFork ? { fromFork: true } : {}),
  });
  const sha = h.sim.as("bob").mergePullRequest(REPO, pr);
  return { pr, sha };
}

describe("a deployment to a frozen environment", () => {
  it("is rejected during a sev1, with a comment naming the incident and how to proceed; the decision is on the incident", async () => {
    await start();
    const n = await incident("sev1");
    await say("alice", n, "/commander @bob");
    const sha = main();
    const review = await deploy(sha);

    expect(review.state).toBe("rejected");
    expect(review.answers).toHaveLength(1);
    expect(review.comment).toContain(`#${n} Checkout is down (sev1, investigating) https://github.com/${REPO}/issues/${n}`);
    expect(review.comment).toContain(`Fixes #${n}`);
    expect(review.comment).toContain(`/allow-deploy ${sha.slice(0, 7)}`);

    const [record, ...more] = records(n);
    expect(more).toEqual([]);
    expect(record!.user).toBe("incident-desk[bot]");
    expect(record!.body).toContain(`rejected the deployment of \`${sha.slice(0, 7)}\` to **production**`);
    expect(record!.body).toContain(`(https://github.com/${REPO}/actions/runs/${review.runId})`);
    // Nobody is pinged by the record, the commander included.
    expect(record!.body).not.toMatch(/@[A-Za-z]/);
    expect(h.card(n)).toContain(`| Deploy gate rejected \`${sha.slice(0, 7)}\` to production (change freeze) |`);
    expect(h.card(n)).toContain("- **Deploy gate:** 1 deployment rejected, 0 let through the freeze");
  });

  it("names every freezing incident, most severe first, and records it on each", async () => {
    await start();
    const a = await incident("sev2", "Search is slow");
    const b = await incident("sev1", "Checkout is down");
    const review = await deploy();
    expect(review.state).toBe("rejected");
    expect(review.comment!.indexOf(`#${b} `)).toBeLessThan(review.comment!.indexOf(`#${a} `));
    expect(records(a)).toHaveLength(1);
    expect(records(b)).toHaveLength(1);
    expect(records(b)[0]!.body).toContain(`frozen by #${b}, #${a}`);
  });

  it("costs the configuration, one listing, one timeline, the commit's pull requests, the answer and the record", async () => {
    await start();
    const n = await incident("sev1");
    const requests = await h.sim.measure(() => deploy());
    const ops = requests.map((r) => r.operationId);
    expect(ops.filter((o) => o === "issues/list-for-repo")).toHaveLength(1);
    expect(ops.filter((o) => o === "repos/list-pull-requests-associated-with-commit")).toHaveLength(1);
    expect(ops.filter((o) => o === "actions/review-custom-gates-for-run")).toHaveLength(1);
    expect(ops.filter((o) => o === "issues/create-comment")).toHaveLength(1);
    expect(records(n)).toHaveLength(1);
  });
});

describe("a deployment passes", () => {
  it("when nothing freezes: one listing and the answer, nothing recorded", async () => {
    await start();
    const requests = await h.sim.measure(async () => expect((await deploy()).state).toBe("approved"));
    expect(requests.map((r) => r.operationId).filter((o) => o !== "repos/get-content" && o !== "apps/create-installation-access-token")).toEqual([
      "issues/list-for-repo",
      "actions/review-custom-gates-for-run",
    ]);
    expect(h.sim.deploymentReviews(REPO)[0]!.comment).toBe("incident-desk: no open incident freezes production.");
  });

  it("to an environment that is not frozen, without reading any incident", async () => {
    await start();
    const n = await incident("sev1");
    const requests = await h.sim.measure(async () => expect((await deploy(main(), "staging")).state).toBe("approved"));
    expect(requests.filter((r) => r.operationId === "issues/list-for-repo")).toHaveLength(0);
    expect(records(n)).toEqual([]);
  });

  it("keeps a security incident's title out of the review", async () => {
    await start();
    const n = h.sim.as("alice").openIssue(REPO, { title: "Leaked signing key", labels: ["incident", "sev1", "security"] });
    await h.deliver();
    const review = await deploy();
    expect(review.state).toBe("rejected");
    expect(review.comment).toContain(`#${n} (security incident) (sev1, investigating)`);
    expect(review.comment).not.toContain("Leaked");
  });

  it("when no freeze is configured", async () => {
    await start("");
    await incident("sev1");
    const review = await deploy();
    expect(review).toMatchObject({ state: "approved", comment: "incident-desk: no change freeze is configured (changes.freeze)." });
  });

  it("when the incident is below the freeze's severity", async () => {
    await start();
    const n = await incident("sev3");
    expect((await deploy()).state).toBe("approved");
    expect(records(n)).toEqual([]);
  });

  it("when the incident's service is not one the freeze covers, and not when it is", async () => {
    await start(`services:\n  checkout:\n    labels: [checkout]\n  search:\n    labels: [search]\n${FREEZE}    services: [checkout]\n`);
    const search = h.sim.as("alice").openIssue(REPO, { title: "Search is slow", labels: ["incident", "sev1", "search"] });
    await h.deliver();
    expect((await deploy()).state).toBe("approved");
    const checkout = h.sim.as("alice").openIssue(REPO, { title: "Checkout is down", labels: ["incident", "sev1", "checkout"] });
    await h.deliver();
    const review = await deploy();
    expect(review.state).toBe("rejected");
    expect(review.comment).toContain(`#${checkout} `);
    expect(review.comment).not.toContain(`#${search} `);
  });

  it("not when twenty sev1 incidents on services the freeze does not cover come before the frozen service's", async () => {
    await start(`services:\n  checkout:\n    labels: [checkout]\n  search:\n    labels: [search]\n${FREEZE}    services: [checkout]\n`);
    for (let i = 0; i < 20; i++) h.sim.as("alice").openIssue(REPO, { title: `Search ${i}`, labels: ["incident", "sev1", "search"] });
    await h.deliver();
    const checkout = h.sim.as("alice").openIssue(REPO, { title: "Checkout is down", labels: ["incident", "sev1", "checkout"] });
    await h.deliver();
    h.sim.resetRequests();
    const review = await deploy();
    expect(review.state).toBe("rejected");
    expect(review.comment).toContain(`#${checkout} Checkout is down`);
    // Only the checkout incident's history is read: the others' labels say they cannot freeze.
    expect(h.sim.count({ operationId: "issues/list-events-for-timeline" })).toBeLessThanOrEqual(2);
    await say("alice", checkout, "/mitigated");
    // A service declared in the issue form (no service label) is read all the same.
    const declared = h.sim
      .as("alice")
      .openIssue(REPO, { title: "Carts are lost", body: "### Service\n\ncheckout\n\n### Impact\n\nCarts are lost", labels: ["incident", "sev1"] });
    await h.deliver();
    const again = await deploy();
    expect(again.state).toBe("rejected");
    expect(again.comment).toContain(`#${declared} Carts are lost`);
  });

  it("once the incident is mitigated", async () => {
    await start();
    const n = await incident("sev1");
    expect((await deploy()).state).toBe("rejected");
    await say("alice", n, "/mitigated");
    expect((await deploy()).state).toBe("approved");
    expect(records(n)).toHaveLength(1);
  });

  it("while the incident is a report in triage", async () => {
    await start();
    const n = await incident("sev1", "Checkout is down", "rita");
    expect(h.sim.issue(REPO, n).labels).toContain("status:triage");
    expect((await deploy()).state).toBe("approved");
    await say("alice", n, "/ack");
    expect((await deploy()).state).toBe("rejected");
  });

  it("not when twenty older sev1 reports in triage, opened by anyone, come before the incident", async () => {
    await start();
    for (let i = 0; i < 20; i++) await incident("sev1", `Report ${i}`, "rita");
    const n = await incident("sev1", "Checkout is down");
    const review = await deploy();
    expect(review.state).toBe("rejected");
    expect(review.comment).toContain(`#${n} Checkout is down`);
  });

  it("when it ships a fix of the incident: its pull request says Fixes #n (deployed from its branch)", async () => {
    await start();
    const n = await incident("sev1");
    // Merged, `Fixes #n` would close the incident (GitHub does): a job deploying the branch is asked before that.
    const pr = h.sim.as("bob").openPullRequest(REPO, {
      title: "Raise the pool size",
      body: `Fixes #${n}`,
      head: "pool",
      commits: [{ message: "Raise the pool size", files: { "pool.txt": "50" } }],
    });
    await h.deliver();
    const sha = h.sim.pull(REPO, pr).head.sha;
    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    expect(review.comment).toContain(`#${n}: ships fix #${pr}`);
    const [record] = records(n);
    expect(record!.body).toContain(`through the freeze at 2026-03-02`);
    expect(record!.body).toContain(`it ships fix #${pr}`);
    expect(h.card(n)).toContain(`Deploy gate let \`${sha.slice(0, 7)}\` to production through the freeze: it ships fix #${pr}`);
  });

  it("when the workflow run is the fix's pull_request run (GitHub lists the pull request; the merge commit has none)", async () => {
    await start();
    const n = await incident("sev1");
    const pr = h.sim.as("bob").openPullRequest(REPO, {
      title: "Raise the pool size",
      body: `Fixes #${n}`,
      head: "pool",
      commits: [{ message: "Raise the pool size", files: { "pool.txt": "50" } }],
    });
    await h.deliver();
    const { runId } = h.sim.requestDeploymentReview(REPO, { environment: "production", sha: main(), event: "pull_request", pullRequests: [pr] });
    await h.deliver();
    expect(h.sim.deploymentReviews(REPO).find((r) => r.runId === runId)).toMatchObject({ state: "approved" });
    const fork = h.sim.as("mallory").openPullRequest(REPO, {
      title: "Raise the pool size",
      body: `Fixes #${n}`,
      head: "pool2",
      fromFork: true,
      commits: [{ message: "x", files: { "pool.txt": "51" } }],
    });
    await h.deliver();
    const again = h.sim.requestDeploymentReview(REPO, { environment: "production", sha: main(), event: "pull_request", pullRequests: [fork] });
    await h.deliver();
    expect(h.sim.deploymentReviews(REPO).find((r) => r.runId === again.runId)).toMatchObject({ state: "rejected" });
  });

  it("when it ships a merged pull request that says Incident: #n", async () => {
    await start();
    const n = await incident("sev1");
    const { pr, sha } = mergedPull("Raise the pool size", `Incident: #${n}`);
    await h.deliver();
    expect(h.sim.issue(REPO, n).state).toBe("open");
    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    expect(review.comment).toContain(`#${n}: ships fix #${pr}`);
  });

  it("when it ships a revert that names the incident", async () => {
    await start();
    const n = await incident("sev1");
    const { pr, sha } = mergedPull('Revert "Add caching"', `Reverts #1 for #${n}`);
    await h.deliver();
    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    expect(review.comment).toContain(`ships revert #${pr}`);
  });

  it("but not when its pull request only mentions the incident, or comes from a fork", async () => {
    await start();
    const n = await incident("sev1");
    const mention = mergedPull("Tune the cache", `Unrelated; wait until #${n} is mitigated before merging`);
    await h.deliver();
    expect((await deploy(mention.sha)).state).toBe("rejected");
    const fork = mergedPull("Raise the pool size", `Incident: #${n}`, { fromFork: true, by: "mallory" });
    await h.deliver();
    expect((await deploy(fork.sha)).state).toBe("rejected");
  });

  it("when a commit of its pull request says Fixes #n, though its title and body do not; recorded once through a duplicate delivery", async () => {
    await start();
    const n = await incident("sev1");
    const pr = h.sim.as("bob").openPullRequest(REPO, {
      title: "Raise the pool size",
      body: "Connections run out under load.",
      head: "pool",
      commits: [
        { message: "Add a pool metric", files: { "metric.txt": "1" } },
        { message: `Raise the pool size\n\nFixes #${n}`, files: { "pool.txt": "50" } },
      ],
    });
    await h.deliver();
    const sha = h.sim.pull(REPO, pr).head.sha;
    h.sim.resetRequests();
    const { runId } = h.sim.requestDeploymentReview(REPO, { environment: "production", sha });
    const [delivery] = h.sim.webhooks.take("deployment_protection_rule");
    await h.receive(delivery!);
    await h.receive(delivery!);
    await h.deliver();
    const review = h.sim.deploymentReviews(REPO).find((r) => r.runId === runId)!;
    expect(review.state).toBe("approved");
    expect(review.comment).toContain(`#${n}: ships fix #${pr}`);
    expect(records(n)).toHaveLength(1);
    expect(records(n)[0]!.body).toContain(`it ships fix #${pr}`);
    // One page of the pull request's commits, read once per decision.
    expect(h.sim.count({ operationId: "pulls/list-commits" })).toBe(2);
  });

  it("when it ships a direct push (no pull request) whose commit message says Incident: #n, or a revert naming it", async () => {
    await start();
    const n = await incident("sev1");
    const sha = h.sim.as("bob").push(REPO, "main", [{ message: `Raise the pool size\n\nIncident: #${n}`, files: { "pool.txt": "50" } }]);
    await h.deliver();
    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    expect(review.comment).toContain(`#${n}: ships fix commit ${sha.slice(0, 7)}`);
    expect(records(n)[0]!.body).toContain(`it ships fix commit ${sha.slice(0, 7)}`);
    expect(h.card(n)).toContain(`through the freeze: it ships fix commit ${sha.slice(0, 7)}`);
    const revert = h.sim
      .as("bob")
      .push(REPO, "main", [{ message: `Revert "Add caching"\n\nThis reverts commit ${sha}, for #${n}.`, files: { "cache.txt": "0" } }]);
    await h.deliver();
    const again = await deploy(revert);
    expect(again.state).toBe("approved");
    expect(again.comment).toContain(`ships revert commit ${revert.slice(0, 7)}`);
  });

  it("but not when a commit only mentions the incident, hides the keyword, or is a fork's", async () => {
    await start();
    const n = await incident("sev1");
    const mention = h.sim.as("bob").push(REPO, "main", [{ message: `Tune the cache; wait for #${n} before deploying`, files: { "cache.txt": "1" } }]);
    await h.deliver();
    expect((await deploy(mention)).state).toBe("rejected");
    const hidden = h.sim.as("bob").push(REPO, "main", [{ message: `Tune the cache\n\n<!-- Fixes #${n} -->`, files: { "cache.txt": "2" } }]);
    await h.deliver();
    expect((await deploy(hidden)).state).toBe("rejected");
    const fork = h.sim.as("mallory").openPullRequest(REPO, {
      title: "Raise the pool size",
      body: "",
      head: "pool",
      fromFork: true,
      commits: [{ message: `Raise the pool size\n\nIncident: #${n}`, files: { "pool.txt": "51" } }],
    });
    const merged = h.sim.as("bob").mergePullRequest(REPO, fork);
    await h.deliver();
    h.sim.resetRequests();
    expect((await deploy(merged)).state).toBe("rejected");
    expect(h.sim.count({ operationId: "pulls/list-commits" })).toBe(0);
  });

  it("when every freezing incident lets it through, not only one", async () => {
    await start();
    const a = await incident("sev1", "Checkout is down");
    const b = await incident("sev1", "Payments fail");
    const { sha } = mergedPull("Raise the pool size", `Incident: #${a}`);
    await h.deliver();
    const review = await deploy(sha);
    expect(review.state).toBe("rejected");
    expect(review.comment).toContain(`#${b} `);
    expect(review.comment).not.toContain(`#${a} Checkout`);
    expect(records(a)).toEqual([]);
    expect(records(b)).toHaveLength(1);
  });
});

describe("a deployment passing several freezing incidents", () => {
  it("is recorded on each with how it passed that one", async () => {
    await start();
    const a = await incident("sev1", "Checkout is down");
    const b = await incident("sev1", "Payments fail");
    const { pr, sha } = mergedPull("Retry the payments", `Incident: #${b}`);
    await h.deliver();
    await say("alice", a, "/commander @bob");
    await say("bob", a, `/allow-deploy ${sha} ships with the payments fix`);
    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    const [onA] = records(a);
    const [onB] = records(b);
    expect(onA!.body).toContain("the commander (bob) allowed it with /allow-deploy: ships with the payments fix");
    expect(onB!.body).toContain(`it ships fix #${pr}`);
    expect(onB!.body).not.toContain("allowed it");
    expect(h.card(b)).toContain(`through the freeze: it ships fix #${pr}`);
  });
});

describe("/allow-deploy", () => {
  it("by the commander lets one commit through, shown on the card and the timeline", async () => {
    await start();
    const n = await incident("sev1");
    await say("alice", n, "/commander @bob");
    const sha = main();
    const id = await say("bob", n, `/allow-deploy ${sha.slice(0, 10)} config rollback, tested on staging`);
    expect(h.sim.issue(REPO, n).comments.find((c) => c.id === id)!.reactions).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);
    expect(h.card(n)).toContain(`- **Deploy allowed** (\`/allow-deploy\`): \`${sha.slice(0, 7)}\` · by bob 2026-03-02`);
    expect(h.card(n)).toContain(`| Deployment of \`${sha.slice(0, 7)}\` allowed through the freeze: config rollback, tested on staging | @bob |`);

    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    expect(review.comment).toContain(`#${n}: allowed by its commander (bob): config rollback, tested on staging`);
    const [record] = records(n);
    expect(record!.body).toContain("the commander (bob) allowed it with /allow-deploy: config rollback, tested on staging");
    expect(record!.body).not.toContain("@bob");
    // Another commit is still held.
    const other = h.sim.as("carol").writeFile(REPO, "x.txt", "x");
    expect((await deploy(other)).state).toBe("rejected");
  });

  it("names a pull request: the deployment of its head passes", async () => {
    await start();
    const n = await incident("sev1");
    await say("alice", n, "/commander @bob");
    const pr = h.sim.as("carol").openPullRequest(REPO, { title: "Hotfix", head: "hotfix", commits: [{ message: "Hotfix", files: { "hotfix.txt": "1" } }] });
    await h.deliver();
    await say("bob", n, `/allow-deploy #${pr}`);
    const review = await deploy(h.sim.pull(REPO, pr).head.sha, "production");
    expect(review.state).toBe("approved");
    expect(h.card(n)).toContain(`- **Deploy allowed** (\`/allow-deploy\`): #${pr} · by bob`);
  });

  it("by someone else than the commander is refused, with a reply saying who may", async () => {
    await start();
    const n = await incident("sev1");
    await say("alice", n, "/commander @bob");
    const sha = main();
    const id = await say("carol", n, `/allow-deploy ${sha}`);
    const reply = h.comments(n).find((c) => c.body.includes(`incident-desk:reply:${id}`))!;
    expect(reply.body).toContain("only the incident's commander (bob) may let a deployment through the freeze");
    expect(h.card(n)).not.toContain("Deploy allowed");
    expect((await deploy(sha)).state).toBe("rejected");
  });

  it("by anyone who may command while the incident has no commander; never by a reader", async () => {
    await start();
    const n = await incident("sev1");
    const sha = main();
    await say("rita", n, `/allow-deploy ${sha}`);
    expect((await deploy(sha)).state).toBe("rejected");
    await say("carol", n, `/allow-deploy ${sha} carol is on it`);
    expect((await deploy(sha)).state).toBe("approved");
  });

  it("written by editing a comment from before the incident had a commander is the commander's call all the same: refused", async () => {
    await start();
    const n = await incident("sev1");
    const early = await say("carol", n, "Looking at the load balancer");
    await say("alice", n, "/commander @bob");
    const sha = main();
    h.sim.as("carol").editComment(REPO, early, `/allow-deploy ${sha} carol says so`);
    await h.deliver();
    expect(h.card(n)).not.toContain("Deploy allowed");
    const reply = h.comments(n).find((c) => c.body.includes(`incident-desk:reply:${early}`))!;
    expect(reply.body).toContain("only the incident's commander (bob) may let a deployment through the freeze");
    expect((await deploy(sha)).state).toBe("rejected");
    // The commander's own edit is the commander's call.
    const own = await say("bob", n, "On it");
    h.sim.as("bob").editComment(REPO, own, `/allow-deploy ${sha} rollback`);
    await h.deliver();
    expect(h.card(n)).toContain("Deploy allowed");
    expect((await deploy(sha)).state).toBe("approved");
  });

  it("added to the issue's body by editing it, once the incident has a commander, is left out; the declaration stands", async () => {
    await start();
    const n = h.sim.as("carol").openIssue(REPO, { title: "Checkout is down", body: "/incident sev1" });
    await h.deliver();
    await say("alice", n, "/sev 1\n/commander @bob");
    const labels = h.sim.issue(REPO, n).labels;
    expect(labels).toEqual(expect.arrayContaining(["incident", "sev1"]));
    const sha = main();
    h.sim.as("carol").editIssue(REPO, n, { body: `/incident sev1\n/allow-deploy ${sha}` });
    await h.deliver();
    expect(h.card(n)).not.toContain("Deploy allowed");
    expect(h.sim.issue(REPO, n).labels).toEqual(labels);
    expect((await deploy(sha)).state).toBe("rejected");
  });

  it("shows a hostile reason as text: no ping, no marker, no broken table", async () => {
    await start();
    const n = await incident("sev1");
    const sha = main();
    const reason = "ping @alice | x --> <!-- incident-desk:card --> <b>bold</b>";
    await say("alice", n, `/allow-deploy ${sha} ${reason}`);
    const review = await deploy(sha);
    expect(review.state).toBe("approved");
    expect(review.comment).not.toMatch(/@alice/);
    const [record] = records(n);
    expect(record!.body).not.toMatch(/@alice/);
    expect(record!.body.match(/<!--/g)).toHaveLength(1);
    expect(record!.body.split("\n")).toHaveLength(2);
    const card = h.card(n)!;
    expect(card).not.toContain("ping @alice");
    expect(card.match(/<!-- incident-desk:card -->/g)).toHaveLength(1);
    // HTML in a command's text is dropped, as GitHub drops it from the page (src/text/markdown.ts).
    expect(card).toContain("· ping @\u200balice \\| x --&gt; bold\n");
  });

  it("naming another repository's pull request or commit is a mistake explained in a reply: this repository's #n is not allowed", async () => {
    await start();
    const n = await incident("sev1");
    const { pr, sha } = mergedPull("Tune the cache", "");
    await h.deliver();
    for (const ref of [`https://github.com/acme/other/pull/${pr}`, `https://github.com/acme/other/commit/${sha}`, `acme/other@${sha}`]) {
      const id = await say("alice", n, `/allow-deploy ${ref}`);
      const reply = h.comments(n).find((c) => c.body.includes(`incident-desk:reply:${id}`));
      expect(reply?.body).toContain("another repository");
    }
    expect(h.card(n)).not.toContain("Deploy allowed");
    expect((await deploy(sha)).state).toBe("rejected");
    const id = await say("alice", n, `/allow-deploy https://github.com/${REPO}/pull/${pr}`);
    expect(h.sim.issue(REPO, n).comments.find((c) => c.id === id)!.reactions).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);
    expect((await deploy(sha)).state).toBe("approved");
  });

  it("without a commit or pull request is a mistake explained in a reply", async () => {
    await start();
    const n = await incident("sev1");
    const id = await say("alice", n, "/allow-deploy soon please");
    const reply = h.comments(n).find((c) => c.body.includes(`incident-desk:reply:${id}`))!;
    expect(reply.body).toContain(`"soon" is neither a pull request (#123) nor a commit sha`);
    expect(reply.body).toContain("Write it as `/allow-deploy <commit sha or #pr> [reason]`");
  });
});

describe("the answer", () => {
  it("a duplicate delivery records nothing twice; GitHub's 422 to the second answer breaks nothing", async () => {
    await start();
    const n = await incident("sev1");
    const { runId } = h.sim.requestDeploymentReview(REPO, { environment: "production", sha: main() });
    const [delivery] = h.sim.webhooks.take("deployment_protection_rule");
    await h.deliver();
    await h.receive(delivery!);
    await h.receive(delivery!);
    await h.deliver();
    expect(h.sim.count({ operationId: "actions/review-custom-gates-for-run", status: 204 })).toBe(1);
    expect(h.sim.count({ operationId: "actions/review-custom-gates-for-run", status: 422 })).toBe(1);
    expect(h.sim.deploymentReviews(REPO).find((r) => r.runId === runId)).toMatchObject({ state: "rejected" });
    expect(records(n)).toHaveLength(1);
    expect(h.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("a re-run of the same workflow run after /allow-deploy is decided again and recorded as a new decision", async () => {
    await start();
    const n = await incident("sev1");
    const sha = main();
    const first = await deploy(sha);
    expect(first.state).toBe("rejected");
    await say("alice", n, `/allow-deploy ${sha} the fix itself`);
    h.sim.requestDeploymentReview(REPO, { environment: "production", sha, runId: first.runId });
    await h.deliver();
    const reviews = h.sim.deploymentReviews(REPO).filter((r) => r.runId === first.runId);
    expect(reviews.map((r) => r.state)).toEqual(["rejected", "approved"]);
    expect(records(n).map((c) => (c.body.includes("rejected the deployment") ? "rejected" : "allowed"))).toEqual(["rejected", "allowed"]);
    expect(h.card(n)).toContain("- **Deploy gate:** 1 deployment rejected, 1 let through the freeze");
  });

  it("is retried through 500s and a secondary rate limit", async () => {
    await start();
    const n = await incident("sev1");
    const path = /\/deployment_protection_rule$/;
    h.sim.faults.inject({ method: "POST", path, status: 500, times: 5 });
    h.sim.faults.secondaryRateLimit({ method: "POST", path, times: 1, retryAfter: 1 });
    const review = await deploy();
    expect(review.state).toBe("rejected");
    expect(h.sim.count({ operationId: "actions/review-custom-gates-for-run", status: 500 })).toBe(5);
    expect(h.sim.count({ operationId: "actions/review-custom-gates-for-run", status: 403 })).toBe(1);
    expect(records(n)).toHaveLength(1);
  });

  it("that GitHub refuses for good is logged as an error, and nothing is recorded", async () => {
    await start();
    const n = await incident("sev1");
    h.sim.faults.inject({ method: "POST", path: /\/deployment_protection_rule$/, status: 503, times: 1000 });
    const review = await deploy();
    h.sim.faults.clear();
    expect(review.state).toBe("waiting");
    expect(h.sim.count({ operationId: "actions/review-custom-gates-for-run", status: 503 })).toBe(4 * gateTiming.answerAttempts);
    expect(h.logs.some((l) => l.level >= 50 && l.msg.includes(`could not answer run ${review.runId}`))).toBe(true);
    expect(records(n)).toEqual([]);
  });

  it("approves, saying why, when the configuration is invalid", async () => {
    await start("changes:\n  freeze:\n    min_severity: sev9\n");
    const review = await deploy();
    expect(review.state).toBe("approved");
    expect(review.comment).toContain("incident-desk: approved because the configuration is invalid");
    expect(review.comment).toContain("changes.freeze.min_severity");
    expect(h.logs.some((l) => l.level >= 50 && l.msg.includes("invalid configuration"))).toBe(true);
  });

  it("approves, saying why, when GitHub fails to list the incidents", async () => {
    await start();
    await incident("sev1");
    h.sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}/issues", status: 502, times: 20 });
    const review = await deploy();
    h.sim.faults.clear();
    expect(review.state).toBe("approved");
    expect(review.comment).toContain("could not read the open incidents (502");
    expect(h.logs.some((l) => l.level >= 50 && l.msg.includes("approving"))).toBe(true);
  });

  it("goes on after the delivery is acknowledged when the decision is slow, and is sent on the callback", async () => {
    await start(FREEZE, true);
    const n = await incident("sev1");
    gateTiming.acknowledgeAfterMs = 20;
    h.sim.latencyMs = 15;
    const { runId } = h.sim.requestDeploymentReview(REPO, { environment: "production", sha: main() });
    const [delivery] = h.sim.webhooks.take("deployment_protection_rule");
    // The signed delivery, over HTTP as GitHub sends it: answered before the review is.
    const response = await h.post(delivery!);
    expect(response.status).toBe(200);
    expect(h.sim.deploymentReviews(REPO).find((r) => r.runId === runId)!.state).toBe("waiting");
    expect(h.logs.some((l) => l.msg.includes("the delivery is acknowledged, the answer follows on the callback"))).toBe(true);
    await vi.waitFor(() => expect(h.sim.deploymentReviews(REPO).find((r) => r.runId === runId)!.state).toBe("rejected"), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(records(n)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    h.sim.latencyMs = 0;
    await h.deliver();
  });
});

describe("the record", () => {
  it("is in the post-mortem's changes and in the report's deploy gate table", async () => {
    await start();
    addActionToken(h.sim);
    const n = await incident("sev1");
    await say("alice", n, "/commander @bob");
    const rejected = main();
    await deploy(rejected);
    const { pr, sha } = mergedPull("Raise the pool size", `Incident: #${n}`);
    await h.deliver();
    await deploy(sha);
    await say("bob", n, "/resolve");

    const pm = await runAction(h.sim, { inputs: { command: "postmortem", issue: String(n) } });
    expect(pm.error).toBeUndefined();
    const doc = h.sim.file(REPO, pm.outputs["postmortem-path"]!, `incident-desk/postmortem-${n}`)!;
    expect(doc).toContain("**Deploy gate** (deployments to frozen environments while this incident was open):");
    expect(doc).toMatch(
      new RegExp(
        `- \`${rejected.slice(0, 7)}\` to production at 2026-03-02 \\d\\d:\\d\\d UTC \\(\\[run\\]\\(https://github.com/${REPO}/actions/runs/\\d+\\)\\): rejected`,
      ),
    );
    expect(doc).toContain(`: let through: ships fix #${pr}`);

    vi.useFakeTimers({ toFake: ["Date"], now: h.sim.clock.now(), shouldAdvanceTime: true });
    let report;
    try {
      report = await runAction(h.sim, { inputs: { command: "report", since: "7d" } });
    } finally {
      vi.useRealTimers();
    }
    expect(report.error).toBeUndefined();
    expect(report.summary).toContain("### Deploy gate");
    expect(report.summary).toContain("| Rejected (change freeze) | **1** |");
    expect(report.summary).toContain("| Let through the freeze (fix, revert or `/allow-deploy`) | **1** |");
    expect(report.summary).toContain(`| production | \`${rejected.slice(0, 7)}\` | ⛔ rejected | #${n} | change freeze |`);
    expect(report.summary).toContain(`| production | \`${sha.slice(0, 7)}\` | ✅ let through | #${n} | fix #${pr} |`);
  });

  it("is believed only where the app wrote it", async () => {
    await start();
    const n = await incident("sev1");
    const forged = `<!-- incident-desk:gate {"run":1,"environment":"production","sha":"abcdef1","outcome":"allowed","at":"2026-03-02T09:00:00Z","incidents":[${n}]} -->`;
    await say("carol", n, forged);
    expect(h.card(n)).not.toContain("Deploy gate");
  });
});

describe("the simulator's deployment_protection_rule webhook", () => {
  it("is answered only by the app's installation, once per run and environment", async () => {
    await start();
    const { runId } = h.sim.requestDeploymentReview(REPO, { environment: "production", sha: main() });
    h.sim.webhooks.take("deployment_protection_rule");
    h.sim.addToken("ghp_alice", "alice");
    const as = (auth: string) => new Octokit({ auth, request: { fetch: h.sim.fetch } }).rest.actions;
    const review = { owner: "acme", repo: "web", run_id: runId, environment_name: "production", state: "approved" as const, comment: "ok" };
    await expect(as("ghp_alice").reviewCustomGatesForRun(review)).rejects.toMatchObject({ status: 403 });
    await expect(as(h.sim.installationToken(REPO)).reviewCustomGatesForRun({ ...review, run_id: runId + 1 })).rejects.toMatchObject({ status: 404 });
    await expect(as(h.sim.installationToken(REPO)).reviewCustomGatesForRun({ ...review, environment_name: "staging" })).rejects.toMatchObject({ status: 422 });
    await as(h.sim.installationToken(REPO)).reviewCustomGatesForRun(review);
    await expect(as(h.sim.installationToken(REPO)).reviewCustomGatesForRun({ ...review, state: "rejected" })).rejects.toMatchObject({ status: 422 });
    expect(h.sim.deploymentReviews(REPO)[0]).toMatchObject({ state: "approved", comment: "ok", answers: [{ state: "approved", by: "incident-desk[bot]" }] });
  });

  it("is checked against GitHub's webhook schema", () => {
    expect(validateWebhook("webhook-deployment-protection-rule-requested", { action: "requested", repository: {}, sender: {} }).ok).toBe(false);
    expect(validateWebhook("webhook-deployment-protection-rule-requested", { action: "approved", repository: {}, sender: {} }).ok).toBe(false);
  });
});
