import { describe, expect, it } from "vitest";
import { MAX_RECHECKED } from "../src/changes/freeze-end.js";
import { useApp, type Harness } from "./harness.js";

/**
 * The end of a change freeze (SPEC section 9): the pull requests whose change risk run a freezing
 * incident held are assessed again when the freeze ends, without a push or a Re-run.
 */

const repo = "acme/web";
const NAME = "incident-desk / change risk";
const CONFIG = `
changes:
  freeze:
    environments: [production]
    min_severity: sev2
`;

type Run = { id: number; name: string; conclusion: string | null; details_url: string };

function run(h: Harness, pr: number): Run {
  const sha = h.sim.pull(repo, pr).head.sha;
  const found = (h.sim.checkRuns(repo, sha) as Run[]).filter((r) => r.name === NAME);
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function incident(h: Harness, title: string, labels: string[]): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title, labels: ["incident", ...labels] });
  await h.deliver();
  return n;
}

async function feature(h: Harness, name: string): Promise<number> {
  const pr = h.sim
    .as("bob")
    .openPullRequest(repo, { title: `Add ${name}`, body: "", head: name, commits: [{ message: name, files: { [`docs/${name}.md`]: "x" } }] });
  await h.deliver();
  return pr;
}

async function command(h: Harness, n: number, text: string) {
  h.sim.as("alice").comment(repo, n, text);
  return h.deliver();
}

const pullReads = (h: Harness) =>
  h.sim.requests.filter((r) => r.method === "GET" && (r.route === "/repos/{owner}/{repo}/pulls" || r.route?.endsWith("/check-runs")));

describe("change risk: the end of a freeze re-checks the held pull requests", () => {
  const h = useApp({ config: CONFIG });

  it("a feature pull request held during a sev1 is released by /mitigated, without a push; its run is the same one", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-a");
    const held = run(h, pr);
    expect(held.conclusion).toBe("action_required");
    await command(h, n, "/mitigated");
    expect(h.sim.issue(repo, n).labels).toContain("status:mitigated");
    expect(run(h, pr)).toMatchObject({ id: held.id, conclusion: "success" });
    expect(h.sim.violations).toEqual([]);
  });

  it("a second freezing incident keeps the pull request held until it too ends", async () => {
    const first = await incident(h, "Checkout down", ["sev1"]);
    const second = await incident(h, "Payments down", ["sev2"]);
    const pr = await feature(h, "feature-b");
    await command(h, first, "/resolve");
    expect(run(h, pr)).toMatchObject({ conclusion: "action_required", details_url: `https://github.com/${repo}/issues/${second}` });
    await command(h, second, "/mitigated");
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("/sev 3, below min_severity, ends the freeze", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-c");
    expect(run(h, pr).conclusion).toBe("action_required");
    await command(h, n, "/sev 3");
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("closing the incident by hand ends the freeze", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-d");
    h.sim.as("alice").close(repo, n);
    await h.deliver();
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("a duplicate delivery of the mitigation writes nothing more", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-e");
    h.sim.as("alice").comment(repo, n, "/mitigated");
    const [mitigation] = h.sim.webhooks.take();
    await h.receive(mitigation!);
    await h.deliver();
    expect(run(h, pr).conclusion).toBe("success");
    const again = await h.sim.measure(async () => {
      await h.receive(mitigation!);
      await h.deliver();
    });
    // No check run written; the pipeline's only request that is not a read is its 👍 again, which GitHub answers 200 (already there).
    expect(again.filter((r) => r.method !== "GET" && r.route?.includes("check-runs"))).toEqual([]);
    expect(again.filter((r) => r.method !== "GET").map((r) => [r.operationId, r.status])).toEqual([["reactions/create-for-issue-comment", 200]]);
    // The labels as read no longer say it froze: nothing is listed either.
    expect(again.filter((r) => r.route === "/repos/{owner}/{repo}/pulls")).toEqual([]);
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("a status change of an incident that never froze reads no pull requests", async () => {
    const n = await incident(h, "Search slow", ["sev3"]);
    const pr = await feature(h, "feature-f");
    expect(run(h, pr).conclusion).toBe("success");
    h.sim.resetRequests();
    await command(h, n, "/mitigated");
    await command(h, n, "/resolve");
    expect(pullReads(h)).toEqual([]);
    expect(h.sim.issue(repo, n).state).toBe("closed");
  });

  it("a comment on a freezing incident that does not end the freeze reads no pull requests", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-g");
    h.sim.resetRequests();
    await command(h, n, "/identified the pool is too small");
    expect(pullReads(h)).toEqual([]);
    expect(run(h, pr).conclusion).toBe("action_required");
  });

  it("a 500 on one pull request's check run lookup: the incident's writes stand, the other pull request is released", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const broken = await feature(h, "feature-h");
    const fine = await feature(h, "feature-i");
    const sha = h.sim.pull(repo, broken).head.sha;
    h.sim.faults.inject({ method: "GET", path: `/repos/${repo}/commits/${sha}/check-runs`, status: 500, times: Infinity });
    await command(h, n, "/mitigated");
    h.sim.faults.clear();
    expect(h.sim.issue(repo, n).labels).toContain("status:mitigated");
    expect(h.card(n)).toContain("mitigated");
    expect(run(h, fine).conclusion).toBe("success");
    expect(run(h, broken).conclusion).toBe("action_required");
    expect(h.logs.some((l) => l.msg.includes(`#${broken} not re-checked after the freeze of #${n} ended`))).toBe(true);
    // Its next push assesses it, as any push does.
    h.sim.as("bob").push(repo, "feature-h", [{ message: "more", files: { "docs/feature-h.md": "y" } }]);
    await h.deliver();
    expect(run(h, broken).conclusion).toBe("success");
  });

  it("a write of the incident failing after its labels went: the held pull request is released all the same, and the redelivery writes no run", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-k");
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", status: 500, times: Infinity });
    h.sim.as("alice").comment(repo, n, "/mitigated");
    const [mitigation] = h.sim.webhooks.take();
    const failed = await h.receive(mitigation!).then(
      () => h.logs.some((l) => l.level >= 50),
      () => true,
    );
    expect(failed).toBe(true);
    await h.deliver();
    h.sim.faults.clear();
    expect(h.sim.issue(repo, n).labels).toContain("status:mitigated");
    expect(run(h, pr).conclusion).toBe("success");
    // GitHub redelivers the failed delivery: the 👍 goes out, no run is written again.
    const again = await h.sim.measure(async () => {
      await h.receive(mitigation!);
      await h.deliver();
    });
    expect(again.filter((r) => r.method !== "GET").map((r) => r.operationId)).toEqual(["reactions/create-for-issue-comment"]);
    expect(run(h, pr).conclusion).toBe("success");
  });

  it(`at most ${MAX_RECHECKED} held pull requests are re-checked per event, the most recently updated first; the others at their next push`, async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const prs: number[] = [];
    for (let i = 0; i < MAX_RECHECKED + 2; i++) prs.push(await feature(h, `many-${i}`));
    await command(h, n, "/mitigated");
    const [oldest, second, ...rest] = prs;
    expect(rest.map((pr) => run(h, pr).conclusion)).toEqual(rest.map(() => "success"));
    expect([run(h, oldest!).conclusion, run(h, second!).conclusion]).toEqual(["action_required", "action_required"]);
    expect(h.logs.some((l) => l.msg.includes(`with ${MAX_RECHECKED + 2} pull requests held: the ${MAX_RECHECKED} most recently updated are re-checked`))).toBe(
      true,
    );
    h.sim.as("bob").push(repo, "many-0", [{ message: "more", files: { "docs/many-0.md": "y" } }]);
    await h.deliver();
    expect(run(h, oldest!).conclusion).toBe("success");
  });

  it("a responder replacing the sev1 label by sev3 by hand ends the freeze", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-l");
    h.sim.as("alice").removeLabel(repo, n, "sev1");
    h.sim.as("alice").addLabels(repo, n, ["sev3"]);
    await h.deliver();
    expect(h.sim.issue(repo, n).labels).toContain("sev3");
    expect(h.sim.issue(repo, n).labels).not.toContain("sev1");
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("withdrawing the incident (its label removed) ends the freeze", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const pr = await feature(h, "feature-j");
    h.sim.as("alice").removeLabel(repo, n, "incident");
    await h.deliver();
    expect(h.sim.issue(repo, n).labels).not.toContain("incident");
    expect(run(h, pr).conclusion).toBe("success");
  });

  it("a mitigation with 10 held pull requests: one listing, one lookup each, one update each (BENCHMARKS.md)", async () => {
    const n = await incident(h, "Checkout down", ["sev1"]);
    const prs: number[] = [];
    for (let i = 0; i < 10; i++) prs.push(await feature(h, `bench-${i}`));
    for (const pr of prs) expect(run(h, pr).conclusion).toBe("action_required");
    const requests = await h.sim.measure(async () => void (await command(h, n, "/mitigated")));
    for (const pr of prs) expect(run(h, pr).conclusion).toBe("success");
    const count = (route: string, method = "GET") => requests.filter((r) => r.route === route && r.method === method).length;
    expect(count("/repos/{owner}/{repo}/pulls")).toBe(1);
    expect(count("/repos/{owner}/{repo}/check-runs/{check_run_id}", "PATCH")).toBe(10);
    expect(count("/repos/{owner}/{repo}/check-runs", "POST")).toBe(0);
    const lookups = requests.filter((r) => r.route === "/repos/{owner}/{repo}/commits/{ref}/check-runs");
    // Each head looked at twice (held? then the write's own lookup): the second is a 304.
    expect(lookups).toHaveLength(20);
    expect(lookups.filter((r) => r.status === 304)).toHaveLength(10);
    const total = requests.length;
    const counted = requests.filter((r) => r.status !== 304).length;
    const writes = requests.filter((r) => r.method !== "GET").length;
    console.log(`freeze end, 10 held pull requests: ${total} requests (${counted} counted by GitHub, ${writes} writes)`);
  });
});
