/**
 * What the deploy gate costs in requests to GitHub per deployment review, measured against the
 * simulator through the real app (a `deployment_protection_rule` delivery, its answer, its record
 * and the cards it updates, and the echoes). Run:
 *   npx tsx bench/gate.ts
 */
import { startApp, type Harness } from "../test/harness.js";

const repo = "acme/web";
const FREEZE = "changes:\n  freeze:\n    environments: [production]\n    min_severity: sev2\n";

type Req = { method: string; operationId?: string | null };
function summary(requests: Req[]): string {
  const by = new Map<string, number>();
  for (const r of requests) by.set(r.operationId ?? r.method, (by.get(r.operationId ?? r.method) ?? 0) + 1);
  const writes = requests.filter((r) => r.method !== "GET").length;
  return `${requests.length} requests (${requests.length - writes} reads, ${writes} writes): ${[...by].map(([k, v]) => `${k}×${v}`).join(", ")}`;
}

const rows: string[] = [];

async function measure(h: Harness, what: string, act: () => Promise<void> | void): Promise<void> {
  await h.deliver();
  h.sim.resetRequests();
  await act();
  await h.deliver();
  // Token minting is Probot's, once per installation and hour; left out.
  const requests = h.sim.requests.filter((r) => r.operationId !== "apps/create-installation-access-token") as Req[];
  const review = h.sim.deploymentReviews(repo).at(-1);
  console.log(`${what} → ${review?.state}\n  ${summary(requests)}`);
  rows.push(`| ${what} | ${review?.state} | ${requests.length} | ${requests.filter((r) => r.method !== "GET").length} |`);
}

async function incidents(h: Harness, severity: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(h.sim.as("alice").openIssue(repo, { title: `Incident ${severity} ${i}`, labels: ["incident", severity] }));
  await h.deliver();
  return out;
}

const ask = (h: Harness, sha = h.sim.branch(repo, "main")!, environment = "production") => h.sim.requestDeploymentReview(repo, { environment, sha });

async function main() {
  console.log("# incident-desk: cost of the deploy gate (requests to GitHub per review, simulator)\n");
  {
    const h = await startApp({ repo, config: FREEZE });
    await measure(h, "No open incident", () => void ask(h));
    await measure(h, "Environment not frozen (staging), a sev1 open", async () => {
      await incidents(h, "sev1", 1);
      h.sim.resetRequests();
      ask(h, undefined, "staging");
    });
    await h.close();
  }
  {
    const h = await startApp({ repo, config: FREEZE });
    await incidents(h, "sev3", 30);
    await measure(h, "30 open incidents, all below min_severity (labels filter them: no timeline read)", () => void ask(h));
    await h.close();
  }
  {
    const h = await startApp({ repo, config: FREEZE });
    await incidents(h, "sev3", 10);
    const [n] = await incidents(h, "sev1", 1);
    await measure(h, "Rejection: one sev1 among 11 open incidents (record + card)", () => void ask(h));
    const pr = h.sim
      .as("bob")
      .openPullRequest(repo, { title: "Fix", body: `Incident: #${n}`, head: "fix", commits: [{ message: "fix", files: { fix: "1" } }] });
    const sha = h.sim.as("bob").mergePullRequest(repo, pr);
    await h.deliver();
    await measure(h, "Fix let through (Incident: #n, merged) (record + card)", () => void ask(h, sha));
    ask(h);
    const delivery = h.sim.webhooks.peek().find((d) => d.name === "deployment_protection_rule")!;
    await h.deliver();
    await measure(h, "Duplicate delivery of that let-through (422 to the answer, nothing recorded)", () => h.receive(delivery));
    await h.close();
  }
  {
    const h = await startApp({ repo, config: FREEZE });
    const [n] = await incidents(h, "sev1", 1);
    const pr = h.sim.as("bob").openPullRequest(repo, {
      title: "Raise the pool size",
      body: "",
      head: "pool",
      commits: [{ message: `Raise the pool size\n\nFixes #${n}`, files: { pool: "50" } }],
    });
    await h.deliver();
    await measure(
      h,
      "Fix let through by a commit of its pull request (Fixes #n in a commit message, from its branch)",
      () => void ask(h, h.sim.pull(repo, pr).head.sha),
    );
    const sha = h.sim.as("bob").push(repo, "main", [{ message: `Raise the pool size\n\nIncident: #${n}`, files: { pool: "60" } }]);
    await h.deliver();
    await measure(h, "Fix let through by a direct push (Incident: #n in its commit message, no pull request)", () => void ask(h, sha));
    await h.close();
  }
  {
    const h = await startApp({ repo, config: FREEZE });
    await incidents(h, "sev1", 3);
    await measure(h, "Rejection: three sev1 incidents (three records + cards)", () => void ask(h));
    await h.close();
  }
  console.log("\n| review | answer | requests | writes |\n| --- | --- | --- | --- |\n" + rows.join("\n"));
}

await main();
