/**
 * Change risk: requests to GitHub per pull request event (cold, warm, a redelivery, a re-run, a
 * 3,000-file pull request, 60 cause pull requests), through the real app against the simulator;
 * and the glob matching on hostile paths. Run:
 *   npx tsx bench/risk.ts
 */
import { renderCauseComment } from "../src/changes/causes.js";
import { serviceMatcher, servicesTouched } from "../src/changes/services.js";
import { parseConfig } from "../src/config/load.js";
import { InProcessCoordination, useCoordination } from "../src/cluster/coordination.js";
import { startApp, type Harness } from "../test/harness.js";
import type { Delivery } from "../test/sim/index.js";

const repo = "acme/web";
const CONFIG = `
services:
  api:
    labels: [svc:api]
    paths: ["services/api/**", "libs/db/**/*.sql"]
  web:
    labels: [svc:web]
    paths: ["web/**", "**/*.css"]
changes:
  freeze:
    min_severity: sev2
`;

type Req = { method: string; operationId?: string | null; counted?: boolean };
function summary(requests: Req[]): string {
  const by = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.operationId ?? r.method}${r.counted === false ? " (304)" : ""}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  const writes = requests.filter((r) => r.method !== "GET").length;
  const uncounted = requests.filter((r) => r.counted === false).length;
  return `${requests.length} requests (${requests.length - writes} reads of which ${uncounted} are 304s GitHub does not count, ${writes} writes): ${[...by].map(([k, v]) => `${k}×${v}`).join(", ")}`;
}

async function measure(h: Harness, what: string, act: () => Promise<void> | void): Promise<void> {
  h.sim.resetRequests();
  await act();
  await h.deliver();
  console.log(`- ${what}\n  ${summary([...h.sim.requests] as Req[])}`);
}

/** Cause pull requests as the app leaves them: merged, labelled, with its cause comment. */
async function seedCauses(h: Harness, count: number, file: (i: number) => string): Promise<void> {
  const n = h.sim.as("alice").openIssue(repo, { title: "Earlier outage", labels: ["incident", "sev2"] });
  h.sim.as("alice").comment(repo, n, "/resolve");
  for (let i = 0; i < count; i++) {
    const pr = h.sim.as("bob").openPullRequest(repo, {
      title: `Cause ${i}`,
      head: `cause-${i}`,
      labels: ["incident-cause"],
      commits: [{ message: `c${i}`, files: { [file(i)]: `${i}` } }],
    });
    h.sim.as("bob").mergePullRequest(repo, pr);
    h.sim.as("incident-desk[bot]").comment(repo, pr, renderCauseComment({ owner: "acme", repo: "web" }, n, "alice"));
  }
  await h.deliver();
}

async function requests(): Promise<void> {
  console.log("## Change risk: requests per pull request event (bench/risk.ts)\n");
  console.log("Each figure counts every request of the delivery, the incident links of src/changes/pulls.ts included (list-commits).\n");
  const h = await startApp({ config: CONFIG });
  for (const [title, labels] of [
    ["API errors", ["sev2", "svc:api"]],
    ["Slow pages", ["sev3", "svc:web"]],
    ["Search down", ["sev1"]],
  ] as const) {
    h.sim.as("alice").openIssue(repo, { title, labels: ["incident", ...labels] });
  }
  h.sim.as("alice").openIssue(repo, { title: "Pool exhaustion", labels: ["problem", "svc:api"] });
  await seedCauses(h, 10, (i) => (i % 2 === 0 ? "services/api/db.ts" : `docs/${i}.md`));
  h.sim.as("alice").comment(repo, 3, "/mitigated");
  await h.deliver();

  let opened: Delivery | undefined;
  // A process just started: nothing remembered (no ETags, no files, no causes).
  useCoordination(new InProcessCoordination());
  await measure(
    h,
    "Cold: a pull request opened (3 open incidents, 1 problem, 10 cause pull requests: the files of each, the comments of the 5 that share a file)",
    () => {
      h.sim.as("carol").openPullRequest(repo, { title: "Tune the pool", head: "pool", commits: [{ message: "pool", files: { "services/api/db.ts": "new" } }] });
      opened = h.sim.webhooks.peek().find((d) => d.name === "pull_request" && d.payload.action === "opened");
    },
  );
  const pr = opened!.payload.pull_request.number as number;
  await measure(h, "Warm: its title edited (files and causes remembered, listings answered 304, the run unchanged: no write)", () =>
    h.sim.as("carol").editPullRequest(repo, pr, { title: "Tune the pool size" }),
  );
  await measure(h, "Redelivery of the `opened` delivery", () => h.receive(opened!));
  await measure(h, "Re-run of the check run, after a new incident on the service (the run updated)", () => {
    h.sim.as("alice").openIssue(repo, { title: "API latency", labels: ["incident", "sev3", "status:investigating", "svc:api"] });
    h.sim.webhooks.take();
    const sha = h.sim.pull(repo, pr).head.sha;
    h.sim.rerequestCheckRun(repo, "carol", (h.sim.checkRuns(repo, sha)[0] as { id: number }).id);
  });
  await measure(h, "A push to the pull request (a new head: its files read, the rest remembered)", () => {
    h.sim.as("carol").push(repo, "pool", [{ message: "more", files: { "services/api/db.ts": "newer" } }]);
  });
  await h.close();

  const big = await startApp({ config: CONFIG });
  const files: Record<string, string> = {};
  for (let i = 0; i < 3_200; i++) files[`services/api/${"deep/".repeat(i % 7)}file-${i}.ts`] = String(i);
  await measure(big, "A pull request of 3,200 files (GitHub lists 3,000: 30 pages, then it stops)", () => {
    big.sim.as("bob").openPullRequest(repo, { title: "Big move", head: "big", commits: [{ message: "move", files }] });
  });
  const bigPr = big.sim.pulls(repo).find((p: { title: string }) => p.title === "Big move")!.number;
  await measure(big, "The same 3,000-file pull request edited (files remembered per head commit)", () =>
    big.sim.as("bob").editPullRequest(repo, bigPr, { title: "Big move, renamed" }),
  );
  await big.close();

  const many = await startApp({ config: CONFIG });
  await seedCauses(many, 60, () => "services/api/db.ts");
  useCoordination(new InProcessCoordination());
  await measure(many, "60 cause pull requests on the same file (at most 50 read: files + comments each, cold)", () => {
    many.sim.as("bob").openPullRequest(repo, { title: "Touch db", head: "db", commits: [{ message: "db", files: { "services/api/db.ts": "x" } }] });
  });
  await measure(many, "The next pull request on that file (the 50 remembered)", () => {
    many.sim.as("bob").openPullRequest(repo, { title: "Touch db again", head: "db2", commits: [{ message: "db", files: { "services/api/db.ts": "y" } }] });
  });
  await many.close();
}

function globs(): void {
  console.log("\n## Change risk: glob matching on hostile paths (bench/risk.ts)\n");
  const hostileGlobs = [
    "**/a/**/b/**/c/**/d/**",
    "**/*a*a*a*a*a*a*a*b",
    "**/a*/**/b*/**/c*/**/x",
    "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}*",
    ...Array.from({ length: 196 }, (_, i) => `services/s${i}/**/*.{ts,tsx,js}`),
  ];
  const config = parseConfig({ services: { hostile: { paths: hostileGlobs } } });
  const t0 = performance.now();
  const matcher = serviceMatcher(config);
  const compileMs = performance.now() - t0;
  const paths = [`${"a/".repeat(2_047)}z`, "a".repeat(4_095), `${"a/b/c/".repeat(682)}e`, `${"aaaaaaaaaa/".repeat(372)}b`, `x/${"a".repeat(4_000)}`];
  const files = Array.from({ length: 3_000 }, (_, i) => paths[i % paths.length]!.slice(0, 4_096 - String(i).length) + String(i));
  const t1 = performance.now();
  const touched = servicesTouched(matcher, files);
  const matchMs = performance.now() - t1;
  let worst = 0;
  for (const p of paths) {
    const t = performance.now();
    matcher.servicesOf(p);
    worst = Math.max(worst, performance.now() - t);
  }
  console.log(`- 200 globs (4 hostile, one with 20 brace groups) compiled in ${compileMs.toFixed(1)} ms`);
  console.log(
    `- 3,000 hostile paths of ~4 KB against them: ${matchMs.toFixed(0)} ms in all (${((matchMs / 3_000) * 1000).toFixed(0)} µs a path); worst single path ${worst.toFixed(2)} ms; ${touched.size} service matched`,
  );
}

await requests();
globs();
