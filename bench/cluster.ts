/**
 * Benchmark of replicas (issue 9): the burst of the cluster test at full size — 1,000 deliveries
 * over 50 incidents, duplicates sent to two replicas at once, alert groups sent to every replica
 * at once — through one process alone and through three replicas on one Redis, each replica the
 * real server (`src/main.ts`) in a process of its own, behind a round-robin proxy, against the
 * simulator over HTTP in this process. Deliveries per second, answer times, peak memory per
 * replica, and what every run must end with (one card per incident, one incident per group).
 * Writes are not spaced (WRITE_SPACING_MS=0) and the content budget is out of the way: these are
 * the processes' own figures, not GitHub's pacing.
 */
import { ACTIONS_BOT, ACTIONS_TOKEN, runAction } from "../test/action.fixtures.js";
import { GitHubSim } from "../test/sim/index.js";
import { startRedis } from "../test/redis.js";
import { expectedLabels, post, runBurst, sampleMemory, startProxy, startReplica, stopReplica, type Replica } from "../test/cluster.fixtures.js";

const REPO = "acme/web";
const UNLIMITED = { CONTENT_PER_MINUTE: "100000", CONTENT_PER_HOUR: "1000000" };
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function scenario(name: string, replicasWanted: number, withRedis: boolean, kill = false) {
  const redis = withRedis ? await startRedis() : undefined;
  const sim = new GitHubSim();
  sim.addRepo(REPO);
  for (const login of ["alice", "bob"]) sim.setPermission(REPO, login, "write");
  sim.addUser(ACTIONS_BOT, { type: "Bot" });
  sim.addToken(ACTIONS_TOKEN, ACTIONS_BOT);
  const api = await sim.listen();
  const replicas: Replica[] = [];
  for (let i = 0; i < replicasWanted; i++) replicas.push(await startReplica(`r${i + 1}`, { sim, simUrl: api.url, ...(redis ? { redisUrl: redis.url } : {}), env: { ...UNLIMITED, LOG_LEVEL: "warn", ALERTS_REPO: REPO } }));
  const proxy = await startProxy(replicas);
  const sampler = setInterval(() => void sampleMemory(replicas), 100);
  const cpuBefore = process.cpuUsage();
  const burst = await runBurst({ sim, repo: REPO, proxy: proxy.url, replicas, incidents: 50, groups: 10, width: 16, duplicateEvery: 5, maxDeliveries: 1000, ...(kill ? { killAtRound: 4 } : {}) });
  clearInterval(sampler);
  await sampleMemory(replicas);
  const simCpu = process.cpuUsage(cpuBefore);
  let repaired = "";
  if (kill) {
    // What the killed replica left undone: the scheduled reconcile (the Action's escalate).
    const wrong = () => burst.issues.filter((n, i) => !expectedLabels(i, burst.rounds).every((l) => sim.issue(REPO, n).labels.includes(l))).length;
    const before = wrong();
    const run = await runAction(sim, { event: { name: "schedule", payload: {} } });
    if (run.failed) throw new Error(run.error);
    for (let i = 0; i < 10 && sim.webhooks.peek().length > 0; i++) await Promise.all(sim.webhooks.take().map((d) => post(sim, proxy.url, d)));
    repaired = `; ${burst.sent.filter((s) => s.answer.status >= 300).length} deliveries lost with the killed replica, ${before} incidents not yet in line after the burst, ${wrong()} after the scheduled reconcile`;
  }

  const answered = burst.sent.map((s) => s.answer.ms).sort((a, b) => a - b);
  const alertMs = burst.alerts.map((a) => a.ms).sort((a, b) => a - b);
  const incidents = sim.issues(REPO).filter((i: { labels: string[] }) => i.labels.includes("incident"));
  const cards = incidents.map((i: { number: number }) => sim.comments(REPO, i.number).filter((c: { body?: string | null }) => c.body?.includes("<!-- incident-desk:card -->")).length);
  const duplicates = burst.sent.filter((s) => s.people).length;
  console.log(`### ${name}\n`);
  console.log(`- ${burst.sent.length} deliveries (${duplicates} from people, duplicates included; ${burst.sent.length - duplicates} echoes of the app's own writes) + ${burst.alerts.length} alert posts, in ${burst.seconds.toFixed(1)} s: **${((burst.sent.length + burst.alerts.length) / burst.seconds).toFixed(0)} deliveries/s**`);
  console.log(`- answer time of a delivery: p50 ${quantile(answered, 0.5).toFixed(0)} ms, **p99 ${quantile(answered, 0.99).toFixed(0)} ms**, max ${answered.at(-1)!.toFixed(0)} ms; of an alert post: p50 ${quantile(alertMs, 0.5).toFixed(0)} ms, p99 ${quantile(alertMs, 0.99).toFixed(0)} ms`);
  console.log(`- answers: ${[...new Set(burst.sent.map((s) => s.answer.status))].map((st) => `${st}×${burst.sent.filter((s) => s.answer.status === st).length}`).join(", ")}; alerts: ${[...new Set(burst.alerts.map((a) => (a.body as { status?: string } | undefined)?.status ?? String(a.status)))].map((st) => `${st}×${burst.alerts.filter((a) => ((a.body as { status?: string } | undefined)?.status ?? String(a.status)) === st).length}`).join(", ")}`);
  console.log(`- ${burst.rounds} rounds of commands; ended with ${incidents.length} incidents (50 declared + 10 groups + 1 dispatch = 61 expected), cards per incident: ${[...new Set(cards)].join(", ")}; GitHub requests ${sim.requests.length} (${sim.count({ counted: false })} answered 304); OpenAPI violations ${sim.violations.length}${repaired}`);
  console.log(`- peak RSS per replica: ${replicas.map((r) => `${r.name} ${(r.peakRss / 1048576).toFixed(0)} MB`).join(", ")} (tsx loader included, ~55 MB); the simulator's process spent ${((simCpu.user + simCpu.system) / 1e6).toFixed(1)} s of CPU\n`);
  await proxy.close();
  await Promise.all(replicas.map((r) => stopReplica(r)));
  await api.close();
  await redis?.stop();
}

console.log("## Replicas (bench/cluster.ts)\n");
await scenario("One process, no Redis", 1, false);
await scenario("Three replicas on one Redis", 3, true);
await scenario("Three replicas on one Redis, one killed (SIGKILL) in the middle, then the scheduled reconcile", 3, true, true);
process.exit(0);
