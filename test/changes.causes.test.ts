import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";

/** `/cause` and `root cause:` lines, driven by webhooks into the app against the simulator. */

const repo = "acme/web";
const h = useApp();

const labels = (n: number) => h.sim.issue(repo, n).labels.sort();
const causeLines = (n: number) => (h.card(n) ?? "").split("\n").filter((l) => l.startsWith("- **Cause:**"));
const botComments = (n: number) => h.sim.comments(repo, n).filter((c: { user: { login: string } | null }) => c.user?.login === "incident-desk[bot]");
const reactions = (n: number, id: number) => h.sim.issue(repo, n).comments.find((c) => c.id === id)?.reactions ?? [];

/** A merged pull request whose merge commit was deployed to production; returns its number and merge sha. */
async function shippedChange(title = "Add caching"): Promise<{ pr: number; sha: string; deployment: number }> {
  const pr = h.sim.as("bob").openPullRequest(repo, { title, head: `feature-${title.length}`, commits: [{ message: title, files: { "cache.ts": title } }] });
  const sha = h.sim.as("bob").mergePullRequest(repo, pr);
  h.sim.clock.advance("5m");
  const deployment = h.sim.as("deployer").createDeployment(repo, { sha, environment: "production" });
  h.sim.as("deployer").setDeploymentStatus(repo, deployment, "success");
  await h.deliver();
  h.sim.clock.advance("30m");
  return { pr, sha, deployment };
}

async function incident(body = ""): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", body, labels: ["incident"] });
  await h.deliver();
  return n;
}

describe("/cause", () => {
  it("/cause #pr: the pull request gets incident-cause and one comment, the card shows it with the deployment that shipped it", async () => {
    const { pr, sha } = await shippedChange();
    const n = await incident();
    const c = h.sim.as("alice").comment(repo, n, `/cause #${pr}`);
    await h.deliver();
    expect(labels(pr)).toEqual(["incident-cause"]);
    const notes = botComments(pr);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(`marked by @alice as a cause of incident #${n}`);
    expect(causeLines(n)).toEqual([
      `- **Cause:** #${pr} Add caching · 🟣 merged (\`${sha.slice(0, 7)}\`) · shipped to production 2026-03-02 09:05 UTC · set by @alice`,
    ]);
    expect(reactions(n, c)).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);

    // Resolved: the failed-deployment recovery time runs from that deployment.
    h.sim.clock.advance("1h");
    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    expect(h.card(n)).toMatch(/- \*\*Failed-deployment recovery time:\*\* 1h 3\dm/);
  });

  it("another repository's pull request or commit is a mistake explained in a reply, not this repository's change of that number", async () => {
    const { pr, sha } = await shippedChange();
    const n = await incident();
    for (const ref of [`https://github.com/acme/other/pull/${pr}`, `https://github.com/acme/other/commit/${sha}`, `acme/other@${sha}`]) {
      const id = h.sim.as("alice").comment(repo, n, `/cause ${ref}`);
      await h.deliver();
      const reply = botComments(n).find((c: { body: string }) => c.body.includes(`incident-desk:reply:${id}`));
      expect(reply?.body).toContain("acme/other is another repository");
    }
    expect(labels(pr)).toEqual([]);
    expect(causeLines(n)).toEqual([]);
    // This repository's own URL names its own pull request.
    h.sim.as("alice").comment(repo, n, `/cause https://github.com/${repo}/pull/${pr}`);
    await h.deliver();
    expect(labels(pr)).toEqual(["incident-cause"]);
  });

  it("/cause <short sha> finds the commit's pull request", async () => {
    const { pr } = await shippedChange();
    const head = h.sim.pull(repo, pr).head.sha;
    const n = await incident();
    h.sim.as("alice").comment(repo, n, `/cause ${head.slice(0, 8)}`);
    await h.deliver();
    expect(labels(pr)).toEqual(["incident-cause"]);
    expect(causeLines(n)[0]).toContain(`#${pr} Add caching`);
  });

  it("several causes may be given", async () => {
    const a = await shippedChange("Add caching");
    const b = await shippedChange("Bump driver");
    const n = await incident();
    h.sim.as("alice").comment(repo, n, `/cause #${a.pr}\n/cause #${b.pr}`);
    await h.deliver();
    expect(labels(a.pr)).toEqual(["incident-cause"]);
    expect(labels(b.pr)).toEqual(["incident-cause"]);
    expect(causeLines(n)).toHaveLength(2);
  });

  it("an unknown sha gets a reply, and nothing else in that comment applies", async () => {
    const n = await incident();
    const before = labels(n);
    const c = h.sim.as("alice").comment(repo, n, "/sev 1\n/cause deadbee");
    await h.deliver();
    expect(labels(n)).toEqual(before);
    const reply = h.comments(n).filter((x) => x.user === "incident-desk[bot]");
    expect(reply).toHaveLength(1);
    expect(reply[0]!.body).toContain("`/cause deadbee`: there is no commit `deadbee` in acme/web");
    expect(reactions(n, c)).toEqual([]);
    expect(causeLines(n)).toEqual([]);
  });

  it("an issue number that is not a pull request gets a reply", async () => {
    const other = h.sim.as("alice").openIssue(repo, { title: "Just an issue" });
    const n = await incident();
    h.sim.as("alice").comment(repo, n, `/cause #${other}`);
    await h.deliver();
    expect(h.comments(n).find((x) => x.user === "incident-desk[bot]")?.body).toContain(`#${other} is not a pull request in acme/web`);
    expect(labels(other)).toEqual([]);
  });

  it("a `root cause: <sha>` line in the body counts (Four Keys)", async () => {
    const { pr, sha } = await shippedChange();
    const n = await incident(`Checkout fails.\n\nroot cause: ${sha}`);
    expect(labels(pr)).toEqual(["incident-cause"]);
    expect(causeLines(n)[0]).toContain(`#${pr} Add caching`);
  });

  it("a duplicate delivery writes nothing twice, and later deliveries read nothing more for the cause", async () => {
    const { pr } = await shippedChange();
    const n = await incident();
    h.sim.as("alice").comment(repo, n, `/cause #${pr}`);
    const deliveries = h.sim.webhooks.peek();
    await h.deliver();
    const comments = h.sim.comments(repo, pr).length;
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    expect(h.sim.comments(repo, pr)).toHaveLength(comments);
    expect(labels(pr)).toEqual(["incident-cause"]);

    h.sim.resetRequests();
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    expect(h.sim.count({ operationId: "pulls/get" })).toBe(0);
    expect(h.sim.count({ operationId: "repos/list-deployments" })).toBe(0);
    expect(h.sim.count({ operationId: "search/issues-and-pull-requests" })).toBe(0);
  });

  it("a GitHub 500 while resolving loses nothing: the redelivery completes it", async () => {
    const { pr } = await shippedChange();
    const n = await incident();
    h.sim.as("alice").comment(repo, n, `/cause #${pr}`);
    const deliveries = h.sim.webhooks.peek();
    h.sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 500, times: 10 });
    await expect(h.deliver()).rejects.toThrow();
    expect(labels(pr)).toEqual([]);
    h.sim.faults.clear();
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    expect(labels(pr)).toEqual(["incident-cause"]);
    expect(botComments(pr)).toHaveLength(1);
    expect(causeLines(n)).toHaveLength(1);
  });

  it("a secondary rate limit on the label write is waited out", async () => {
    const { pr } = await shippedChange();
    const n = await incident();
    h.sim.faults.secondaryRateLimit({ times: 1, retryAfter: 1, method: "POST", path: "/repos/{owner}/{repo}/issues/{issue_number}/labels" });
    h.sim.as("alice").comment(repo, n, `/cause #${pr}`);
    await h.deliver();
    expect(h.sim.count({ status: 403 })).toBe(1);
    expect(labels(pr)).toEqual(["incident-cause"]);
    expect(botComments(pr)).toHaveLength(1);
  });
});
