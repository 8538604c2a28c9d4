/**
 * Three replicas of the real server (`src/main.ts`, what `npm start` runs) on one real Redis,
 * behind a round-robin proxy, against the simulator over HTTP. A burst of deliveries over many
 * incidents, with duplicates sent to two replicas at once, alert groups sent to all three at
 * once, and one replica killed in the middle; then the scheduled reconcile (the Action's
 * escalate). The burst is scaled down here (12 incidents, about 300 deliveries); `npm run bench`
 * runs it at 50 incidents and 1,000 deliveries.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIONS_BOT, ACTIONS_TOKEN, runAction } from "./action.fixtures.js";
import { ALERTS_TOKEN, post, runBurst, SCRIPT, startProxy, startReplica, stopReplica, type BurstResult, type Replica } from "./cluster.fixtures.js";
import { startRedis, type RedisServer } from "./redis.js";
import { GitHubSim } from "./sim/index.js";

const REPO = "acme/web";
const OTHER = "bigco/api";
const CARD = "<!-- incident-desk:card -->";
// Writes unspaced and GitHub's content budget out of the way: this test is about the replicas
// agreeing; the budget has its own test (test/budget.test.ts).
const UNLIMITED = { CONTENT_PER_MINUTE: "100000", CONTENT_PER_HOUR: "1000000" };

let redis: RedisServer;
let sim: GitHubSim;
let api: { url: string; close(): Promise<void> };
let replicas: Replica[] = [];
let proxy: { url: string; close(): Promise<void> };
/** Real time at which the simulator received each request (same order as sim.requests). */
const arrivals: number[] = [];

beforeAll(async () => {
  redis = await startRedis();
  sim = new GitHubSim();
  sim.addRepo(REPO);
  sim.addRepo(OTHER, { org: true });
  for (const login of ["alice", "bob", "carol"]) {
    sim.setPermission(REPO, login, "write");
    sim.setPermission(OTHER, login, "write");
  }
  sim.addUser(ACTIONS_BOT, { type: "Bot" });
  sim.addToken(ACTIONS_TOKEN, ACTIONS_BOT);
  const handle = sim.handle.bind(sim);
  sim.handle = (req) => {
    arrivals.push(performance.now());
    return handle(req);
  };
  api = await sim.listen();
  replicas = await Promise.all(["r1", "r2", "r3"].map((name) => startReplica(name, { sim, simUrl: api.url, redisUrl: redis.url, env: { ALERTS_REPO: REPO, ALERTS_REPOS: OTHER, ...UNLIMITED } })));
  proxy = await startProxy(replicas);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all(replicas.map((r) => stopReplica(r)));
  await api?.close();
  await redis?.stop();
});

const botComments = (repo: string, n: number) => sim.comments(repo, n).filter((c: { user: { type?: string } | null }) => c.user?.type === "Bot");

describe("three replicas on one Redis", () => {
  let burst: BurstResult;

  it("a burst with duplicates, alert groups sent to all three and a replica killed ends with one card per incident and nothing written twice", async () => {
    burst = await runBurst({ sim, repo: REPO, proxy: proxy.url, replicas, incidents: 12, groups: 4, width: 12, duplicateEvery: 5, killAtRound: 4 });
    expect(burst.killed?.name).toBe("r3");

    // Every delivery was answered by a live replica; only those in flight at the one killed were not.
    const unanswered = burst.sent.filter((s) => s.answer.status < 200 || s.answer.status >= 300);
    for (const s of unanswered) expect(s.answer.replica).toBe("r3");
    expect(burst.sent.length).toBeGreaterThan(250);
    // Duplicates of one delivery sent to two replicas at once: the second one answered without working.
    const survivors = replicas.filter((r) => r.name !== "r3");
    expect(survivors.some((r) => r.logs.some((l) => l.includes("is handled by another replica")))).toBe(true);

    // The scheduled reconcile (the Action's escalate) repairs what the killed replica left undone.
    const scheduled = await runAction(sim, { event: { name: "schedule", payload: { schedule: "*/10 * * * *" } } });
    expect(scheduled.failed).toBe(false);
    for (let i = 0; i < 10 && sim.webhooks.peek().length > 0; i++) {
      await Promise.all(sim.webhooks.take().map((d) => post(sim, proxy.url, d)));
    }

    const incidents = sim.issues(REPO).filter((i: { labels: string[]; isPullRequest: boolean }) => !i.isPullRequest && i.labels.includes("incident"));
    // 12 declared by people, one per alert group, one dispatch.
    expect(incidents).toHaveLength(12 + 4 + 1);
    for (const issue of incidents) {
      const comments = botComments(REPO, issue.number);
      expect(comments.filter((c: { body?: string | null }) => c.body?.includes(CARD)), `cards on #${issue.number}`).toHaveLength(1);
      // Nothing written twice: no two comments of the app alike.
      const bodies = comments.map((c: { body?: string | null }) => c.body ?? "");
      expect(new Set(bodies).size, `duplicate comment on #${issue.number}`).toBe(bodies.length);
      expect(issue.labels.filter((l: string) => /^sev\d$/.test(l)), `#${issue.number}`).toHaveLength(1);
      expect(issue.labels.filter((l: string) => l.startsWith("status:")), `#${issue.number}`).toHaveLength(1);
    }
    expect(burst.rounds).toBe(SCRIPT.length);
    for (const n of burst.issues) {
      const issue = sim.issue(REPO, n);
      expect(issue.labels).toEqual(expect.arrayContaining(["sev2", "status:mitigated"]));
      expect(issue.assignees).toEqual(["bob"]);
      const card = botComments(REPO, n).find((c: { body?: string | null }) => c.body?.includes(CARD))!.body;
      expect(card).toContain("mitigated");
      expect(card).toContain("Recovered");
      // Each command carried out has one 👍 (deliveries the killed replica took may have lost theirs).
      for (const c of issue.comments.filter((c) => c.user !== "incident-desk[bot]" && c.body.startsWith("/"))) {
        const thumbs = c.reactions.filter((r) => r.content === "+1" && r.user === "incident-desk[bot]").length;
        if (burst.lostComments.has(c.id)) expect(thumbs).toBeLessThanOrEqual(1);
        else expect(thumbs, `👍 on "${c.body}" of #${n}`).toBe(1);
      }
    }
    // One incident per alert group, each told once of the change.
    for (let g = 0; g < 4; g++) {
      const mine = incidents.filter((i: { body: string | null }) => (i.body ?? "").includes(`Errors${g}`));
      expect(mine, `group ${g}`).toHaveLength(1);
      const told = botComments(REPO, mine[0]!.number).filter((c: { body?: string | null }) => !c.body?.includes(CARD) && c.body?.includes("10.0.0.2"));
      expect(told, `group ${g} change`).toHaveLength(1);
    }
    // Sent to all three at once: exactly one answer says "opened" per group.
    for (let g = 0; g < 4; g++) {
      const opened = burst.alerts.filter((a) => a.group === g && a.phase === "firing" && (a.body as { status?: string } | undefined)?.status === "opened");
      expect(opened).toHaveLength(1);
    }
    // The pacing is ours, per installation: Probot's cluster-wide Bottleneck queue (`b_octokit-…`
    // keys) never appears, since Probot is never given REDIS_URL (nor installs ioredis with npx).
    const raw = new Redis(redis.url);
    expect(await raw.keys("b_*")).toEqual([]);
    expect((await raw.keys("incident-desk:claim:delivery:*")).length).toBeGreaterThan(100);
    raw.disconnect();
    expect(survivors.every((r) => !r.logs.some((l) => /npx|npm exec/i.test(l)))).toBe(true);
    expect(sim.violations).toEqual([]);
  }, 120_000);

  it("paces two installations independently, and shares one installation's rate-limit wait between replicas", async () => {
    const live = replicas.filter((r) => r.alive);
    expect(live.length).toBe(2);
    // acme's next write meets a secondary rate limit: every replica must then hold acme's requests for 3 s.
    sim.faults.secondaryRateLimit({ times: 1, retryAfter: 3, method: "POST", path: /^\/repos\/acme\/web\// });
    const from = sim.requests.length;
    const acme = [0, 1, 2].map((i) => sim.as("alice").openIssue(REPO, { title: `Second wave ${i}`, labels: ["incident"] }));
    const other = sim.as("alice").openIssue(OTHER, { title: "API down", labels: ["incident"] });
    const deliveries = sim.webhooks.take();
    await Promise.all(deliveries.map((d) => post(sim, proxy.url, d)));
    for (let i = 0; i < 10 && sim.webhooks.peek().length > 0; i++) await Promise.all(sim.webhooks.take().map((d) => post(sim, proxy.url, d)));

    const requests = sim.requests.slice(from).map((r, i) => ({ ...r, t: arrivals[from + i]! }));
    const limited = requests.find((r) => r.status === 403 && r.path.startsWith("/repos/acme/web/"))!;
    expect(limited).toBeDefined();
    const acmeAfter = requests.filter((r) => r.t > limited.t && r.path.startsWith("/repos/acme/web/") && r.method !== "GET");
    // No replica wrote for acme until the wait was over…
    expect(acmeAfter[0]!.t - limited.t).toBeGreaterThanOrEqual(2900);
    // Nor read (requests already on their way when the limit came aside).
    expect(requests.filter((r) => r.t > limited.t + 200 && r.t < limited.t + 2800 && r.path.startsWith("/repos/acme/web/"))).toEqual([]);
    // …while bigco's card was written meanwhile: its writes never waited for acme's.
    const otherCard = requests.find((r) => r.method === "POST" && r.path === `/repos/${OTHER}/issues/${other}/comments`)!;
    expect(otherCard.t).toBeLessThan(acmeAfter[0]!.t);
    for (const n of [...acme]) expect(botComments(REPO, n).filter((c: { body?: string | null }) => c.body?.includes(CARD))).toHaveLength(1);
    expect(botComments(OTHER, other).filter((c: { body?: string | null }) => c.body?.includes(CARD))).toHaveLength(1);
    expect(sim.violations).toEqual([]);
  }, 60_000);

  it("says on /healthz whether Redis is reachable, and stops gracefully on SIGTERM", async () => {
    const [r1, r2] = replicas;
    const health = await (await fetch(`${r1!.url}/healthz`)).json();
    expect(health).toMatchObject({ status: "ok", coordination: "redis", redis: "reachable" });
    // An alert whose work is still running when SIGTERM comes: it is finished before the exit.
    sim.latencyMs = 300;
    const alert = fetch(`${r2!.url}/api/alerts/alertmanager?repo=${REPO}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ALERTS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ ...(await import("./cluster.fixtures.js")).alertGroup(99) }),
    });
    await new Promise((r) => setTimeout(r, 200));
    await stopReplica(r2!, "SIGTERM");
    sim.latencyMs = 0;
    const answered = await alert;
    expect(answered.status).toBe(201);
    expect(r2!.child.exitCode).toBe(0);
    expect(r2!.logs.some((l) => l.includes("SIGTERM: stopping; 1 deliveries in flight"))).toBe(true);
    expect(r2!.logs.some((l) => l.includes("incident-desk: stopped"))).toBe(true);
    const opened = sim.issues(REPO).filter((i: { body: string | null }) => (i.body ?? "").includes("Errors99"));
    expect(opened).toHaveLength(1);
    expect(botComments(REPO, opened[0]!.number).filter((c: { body?: string | null }) => c.body?.includes(CARD))).toHaveLength(1);

    await redis.down();
    const degraded = await fetch(`${r1!.url}/healthz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: "ok", redis: "unreachable" });
    // Still answering: a new incident is handled alone, in memory.
    const n = sim.as("alice").openIssue(REPO, { title: "During the Redis outage", labels: ["incident"] });
    for (let i = 0; i < 10 && sim.webhooks.peek().length > 0; i++) {
      const answers = await Promise.all(sim.webhooks.take().map((d) => post(sim, r1!.url, d)));
      for (const a of answers) expect(a.status).toBeLessThan(300);
    }
    expect(botComments(REPO, n).filter((c: { body?: string | null }) => c.body?.includes(CARD))).toHaveLength(1);
    expect(r1!.logs.some((l) => l.includes("Redis unreachable"))).toBe(true);
    await redis.up();
    expect(sim.violations).toEqual([]);
  }, 60_000);
});
