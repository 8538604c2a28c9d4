/**
 * GitHub's budget (issue 9): requests per operation as GitHub counts them (a `304 Not Modified`
 * to a conditional request is not counted), next to the fewest it allows; and the time until the
 * card of a new incident appears with production pacing (writes 1 s apart, searches 2 s apart).
 * The app in-process against the simulator; duplicates also with a Redis coordination (replicas).
 */
import { alertmanagerFiring } from "../test/alerts.fixtures.js";
import { startApp, type Harness } from "../test/harness.js";
import { startRedis } from "../test/redis.js";
import { DegradingCoordination } from "../src/cluster/degrading.js";
import { RedisCoordination } from "../src/cluster/redis.js";
import type { RequestRecord } from "../test/sim/index.js";

const REPO = "acme/web";
const LABELS = ["incident", "sev1", "sev2", "sev3", "sev4", "status:investigating", "status:identified", "status:mitigated", "status:resolved"];
const CONFIG = "changes:\n  lookback: 24h\n";
const TOKEN = "bench-alerts-token-of-at-least-32-characters";
const SETUP = new Set(["apps/create-installation-access-token", "apps/get-authenticated", "apps/get-repo-installation"]);

interface Row {
  operation: string;
  sent: number;
  counted: number;
  countedReads: number;
  notModified: number;
  writes: number;
  fewest: string;
  detail: string;
}
const rows: Row[] = [];

function describe(reqs: RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of reqs) {
    const key = `${r.method} ${(r.route ?? r.path).replace("/repos/{owner}/{repo}", "")}${r.status === 304 ? " (304)" : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${n}× ${k}` : k)).join(", ");
}

async function measure(operation: string, fewest: string, setup: (h: Harness) => Promise<void>, act: (h: Harness) => Promise<void>, options: Parameters<typeof startApp>[0] = {}) {
  const h = await startApp({ config: CONFIG, ...options });
  h.sim.seedLabels(REPO, LABELS);
  await setup(h);
  await h.deliver();
  h.sim.resetRequests();
  await act(h);
  const reqs = h.sim.requests.filter((r) => !SETUP.has(r.operationId ?? ""));
  rows.push({
    operation,
    sent: reqs.length,
    counted: reqs.filter((r) => r.counted).length,
    countedReads: reqs.filter((r) => r.counted && r.method === "GET").length,
    notModified: reqs.filter((r) => !r.counted).length,
    writes: reqs.filter((r) => r.method !== "GET").length,
    fewest,
    detail: describe(reqs),
  });
  if (h.sim.violations.length > 0) throw new Error(`${operation}: ${JSON.stringify(h.sim.violations)}`);
  await h.close();
}

let n = 0;
const opened = async (h: Harness) => {
  n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
  await h.deliver();
  h.sim.as("bob").comment(REPO, n, "/update Looking");
};
const alert = (h: Harness, body: unknown) =>
  fetch(`${h.url}/api/alerts/alertmanager?repo=${REPO}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => void (await r.arrayBuffer()));
const changed = () => {
  const base = alertmanagerFiring();
  return { ...base, alerts: [...base.alerts, { ...base.alerts[0]!, labels: { ...base.alerts[0]!.labels, instance: "10.0.0.9:8080" }, fingerprint: "ffff" }] };
};

process.env.ALERTS_TOKEN = TOKEN;
process.env.ALERTS_REPO = REPO;
await measure(
  "declare by label",
  "2 writes (labels, card) + the timeline and the suspects (1 search, 1 deployments page): 5",
  async () => undefined,
  async (h) => {
    n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
  },
);
await measure("`/ack` on a quiet incident", "target: ≤ 3 counted reads + 2 writes (card, 👍)", opened, async (h) => {
  await h.deliver();
  h.sim.resetRequests();
  h.sim.as("bob").comment(REPO, n, "/ack");
  await h.deliver();
});
await measure("`/update` on a quiet incident", "target: ≤ 3 counted reads + 2 writes (card, 👍)", opened, async (h) => {
  await h.deliver();
  h.sim.resetRequests();
  h.sim.as("bob").comment(REPO, n, "/update Rolled back");
  await h.deliver();
});
let duplicate: Awaited<ReturnType<Harness["deliver"]>>[number] | undefined;
await measure(
  "duplicate delivery, one process",
  "0 (nothing changed); one process keeps no memory of deliveries",
  async (h) => {
    await opened(h);
    duplicate = (await h.deliver()).find((d) => d.name === "issue_comment");
  },
  async (h) => h.receive(duplicate!),
);
const redis = await startRedis();
const shared = new DegradingCoordination(new RedisCoordination(redis.url), { info: () => undefined, warn: () => undefined, error: () => undefined });
await shared.redis.connect();
await measure(
  "duplicate delivery, replicas on Redis",
  "0",
  async (h) => {
    await opened(h);
    duplicate = (await h.deliver()).find((d) => d.name === "issue_comment");
  },
  async (h) => h.receive(duplicate!),
  { coordination: shared },
);
await shared.close();
await redis.stop();
await measure("alert, new group", "2 writes (issue with its labels, card) + the open-incident listing, the timeline, the suspects", async () => undefined, async (h) => alert(h, alertmanagerFiring()), { http: true });
await measure("alert, changed group", "2 writes (comment, card) + the timeline", async (h) => void (await alert(h, alertmanagerFiring())), async (h) => alert(h, changed()), { http: true });
await measure("alert, identical redelivery", "0", async (h) => {
  await alert(h, alertmanagerFiring());
  await alert(h, alertmanagerFiring());
}, async (h) => alert(h, alertmanagerFiring()), { http: true });

console.log("## GitHub's budget: requests per operation (bench/budget.ts)\n");
console.log("Counted: what GitHub counts against the rate limit; a 304 to a conditional request is not. The repository has a `.github/incidents.yml` (without one, each delivery also spends 2 counted 404s on it and the owner's `.github`).\n");
console.log("| operation | sent | counted (reads + writes) | 304 | fewest GitHub allows | requests |");
console.log("| --- | ---: | ---: | ---: | --- | --- |");
for (const r of rows) console.log(`| ${r.operation} | ${r.sent} | ${r.counted} (${r.countedReads} + ${r.writes}) | ${r.notModified} | ${r.fewest} | ${r.detail || "—"} |`);

// ---- time to the card with production pacing ------------------------------------------------------
async function timeToCard(title: string, config: string, seed: boolean) {
  const h = await startApp({ config, writeSpacingMs: 1000, octokit: { searchSpacingMs: 2000 } });
  if (seed) h.sim.seedLabels(REPO, LABELS);
  // Warm: the token and the app's identity are fetched once an hour, not per incident.
  const warm = h.sim.as("alice").openIssue(REPO, { title: "warm-up" });
  await h.deliver();
  void warm;
  const arrivals: { t: number; method: string; url: string }[] = [];
  const handle = h.sim.handle.bind(h.sim);
  h.sim.handle = (req) => {
    arrivals.push({ t: performance.now(), method: req.method, url: req.url });
    return handle(req);
  };
  const number = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"], body: "### Service\n\ncheckout" });
  const t0 = performance.now();
  await h.deliver();
  const card = arrivals.find((a) => a.method === "POST" && a.url.endsWith(`/issues/${number}/comments`));
  const writes = arrivals.filter((a) => a.method !== "GET").map((a) => `${a.method} ${new URL(a.url).pathname.replace(`/repos/${REPO}`, "")} +${((a.t - t0) / 1000).toFixed(2)} s`);
  console.log(`- ${title}: card after **${card ? ((card.t - t0) / 1000).toFixed(2) : "?"} s**; writes: ${writes.join(", ")}`);
  await h.close();
}
console.log("\n## Time until the card of a new incident, production pacing (writes 1 s apart)\n");
await timeToCard("labels exist, no rotation", CONFIG, true);
await timeToCard("labels exist, on-call rotation (an assignee)", `${CONFIG}oncall:\n  rotations:\n    - { name: main, members: [bob], start: "2026-01-01T00:00:00Z", every: 1w }\n`, true);
await timeToCard("first incident of the repository (labels created)", CONFIG, false);
process.exit(0);
