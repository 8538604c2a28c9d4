/**
 * What changes cost in requests to GitHub, measured against the simulator through the real app:
 * linking a pull request, listing suspects at declaration, `/cause`, a deployment note, and the
 * steady state (a delivery on an incident whose changes are already known). Run:
 *   npx tsx bench/changes.ts
 */
import { localReferences } from "../src/changes/references.js";
import { startApp, type Harness } from "../test/harness.js";

const repo = "acme/web";

type Req = { method: string; operationId?: string | null };
function summary(requests: Req[]): string {
  const by = new Map<string, number>();
  for (const r of requests) by.set(r.operationId ?? r.method, (by.get(r.operationId ?? r.method) ?? 0) + 1);
  const writes = requests.filter((r) => r.method !== "GET").length;
  return `${requests.length} requests (${requests.length - writes} reads, ${writes} writes): ${[...by].map(([k, v]) => `${k}×${v}`).join(", ")}`;
}

async function measure(h: Harness, what: string, act: () => void): Promise<Req[]> {
  act();
  h.sim.resetRequests();
  await h.deliver();
  const requests = [...h.sim.requests] as Req[];
  console.log(`${what}\n  ${summary(requests)}`);
  return requests;
}

function mergedPull(h: Harness, i: number): { pr: number; sha: string } {
  const pr = h.sim.as("bob").openPullRequest(repo, { title: `Change ${i}`, head: `b${i}`, commits: [{ message: `change ${i}`, files: { [`f${i}`]: `${i}` } }] });
  return { pr, sha: h.sim.as("bob").mergePullRequest(repo, pr) };
}

async function main() {
  console.log("# incident-desk: cost of changes (requests to GitHub, simulator)\n");

  // 1. Declaration with an empty look-back window vs one with 30 merged PRs and 300 deployments (250 older than the window).
  {
    const h = await startApp();
    await measure(h, "Declare an incident, empty window (baseline incl. suspects: 1 search + 1 deployments page)", () =>
      h.sim.as("alice").openIssue(repo, { title: "Down", labels: ["incident"] }),
    );
    await h.close();
  }
  {
    const h = await startApp({ config: "changes:\n  lookback: 24h\n" });
    for (let i = 0; i < 250; i++) {
      h.sim.as("deployer").createDeployment(repo, { sha: "main", environment: "production" });
      h.sim.clock.advance("1m");
    }
    h.sim.clock.advance("2d");
    for (let i = 0; i < 30; i++) {
      const { sha } = mergedPull(h, i);
      const d = h.sim.as("deployer").createDeployment(repo, { sha, environment: "production" });
      h.sim.as("deployer").setDeploymentStatus(repo, d, i % 10 === 0 ? "failure" : "success");
      h.sim.clock.advance("10m");
    }
    for (let i = 0; i < 20; i++) h.sim.as("deployer").createDeployment(repo, { sha: "main", environment: "staging" });
    h.sim.webhooks.take();
    const req = await measure(h, "Declare an incident, window with 30 merged PRs + 30 production deployments (300 deployments in all, 250 older)", () =>
      h.sim.as("alice").openIssue(repo, { title: "Down", labels: ["incident"] }),
    );
    const count = (op: string) => req.filter((r) => r.operationId === op).length;
    console.log(`  suspects: search ×${count("search/issues-and-pull-requests")}, deployment pages ×${count("repos/list-deployments")}, status reads ×${count("repos/list-deployment-statuses")} (cap 30)`);
    const n = h.sim.issues(repo).find((i: { title: string }) => i.title === "Down")!.number;
    await measure(h, "Steady state: `/ack` on that incident (suspects kept in the card: no re-read)", () => h.sim.as("alice").comment(repo, n, "/ack"));
    await h.close();
  }

  // 2. Linking a pull request.
  {
    const h = await startApp();
    const n = h.sim.as("alice").openIssue(repo, { title: "Down", labels: ["incident"] });
    await h.deliver();
    await measure(h, "Open a PR with `Fixes #n` (label + card update)", () =>
      h.sim.as("bob").openPullRequest(repo, { title: "Fix", body: `Fixes #${n}`, head: "fix", commits: [{ message: "fix" }] }),
    );
    await measure(h, "Edit that PR's title (still linked: card refresh only)", () => h.sim.as("bob").editPullRequest(repo, 2, { title: "Fix, renamed" }));
    const bug = h.sim.as("alice").openIssue(repo, { title: "A bug" });
    await h.deliver();
    await measure(h, "Open a PR referring to a non-incident issue", () =>
      h.sim.as("bob").openPullRequest(repo, { title: "Bug fix", body: `Fixes #${bug}`, head: "bug", commits: [{ message: "x" }] }),
    );
    await measure(h, "Open a PR referring to nothing", () => h.sim.as("bob").openPullRequest(repo, { title: "Chore", head: "chore", commits: [{ message: "x" }] }));

    // 3. /cause and a deployment note.
    const { pr, sha } = mergedPull(h, 99);
    const d = h.sim.as("deployer").createDeployment(repo, { sha, environment: "production" });
    h.sim.as("deployer").setDeploymentStatus(repo, d, "success");
    h.sim.webhooks.take();
    await measure(h, "`/cause #pr` (resolve PR + deployment once, label + comment on the PR)", () => h.sim.as("alice").comment(repo, n, `/cause #${pr}`));
    await measure(h, "`/cause <sha>` (commit, its PRs, its deployments)", () => h.sim.as("alice").comment(repo, n, `/cause ${sha.slice(0, 7)}`));
    await measure(h, "A production deployment_status success with one open incident", () => {
      const d2 = h.sim.as("deployer").createDeployment(repo, { sha, environment: "production" });
      h.sim.as("deployer").setDeploymentStatus(repo, d2, "success");
    });
    await measure(h, "A deployment_status success to an unknown environment", () => {
      const d3 = h.sim.as("deployer").createDeployment(repo, { sha, environment: "qa" });
      h.sim.as("deployer").setDeploymentStatus(repo, d3, "success");
    });
    await h.close();
  }

  // 4. Parsing cost of a maximal body.
  {
    const body = `${"log line with #hash and `#1` code\n".repeat(2_000)}`.slice(0, 64_990) + "\nFixes #42";
    const runs = 200;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) localReferences([body], { owner: "acme", repo: "web" });
    console.log(`Reference parsing of a ${body.length}-character body: ${((performance.now() - t0) / runs).toFixed(2)} ms`);
  }
}

await main();
