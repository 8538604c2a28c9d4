/**
 * Benchmark of the Action's GitHub client (issue 11): the Action's own operations run in this
 * process (src/action/runner.ts `main`, as the runner runs it) against the simulator over real
 * HTTP on loopback, with
 *
 *   (a) the client the Action ships: `getOctokit` + our pacing plugin (src/github/pacing.ts);
 *   (b) `getOctokit` + @octokit/plugin-retry + @octokit/plugin-throttling with their defaults;
 *
 * and, for the cost of one request, (c) `getOctokit` with no plugin at all, (d) with plugin-retry
 * alone, (e) with plugin-throttling alone.
 *
 * Operations: the post-mortem of a resolved incident, 30 problem tickets from one incident, a
 * report over 20 incidents; then 300 sequential reads (GET /repos/{owner}/{repo}) for the cost of
 * one idle request. Not a test: `npx tsx bench/client.ts` (takes about three minutes: (b) spaces
 * its writes).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { buildOctokit, type OctokitSettings } from "../src/action/octokit.js";
import { main } from "../src/action/runner.js";
import type { GitHub } from "../src/github/client.js";
import { ACTIONS_TOKEN, newSim, seedIncident } from "../test/action.fixtures.js";
import type { GitHubSim } from "../test/sim/index.js";
import { timeSimulator } from "./sim-time.js";

const REPO = "acme/web";
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

type Client = (s: OctokitSettings) => GitHub;
const clients: Record<string, Client> = {
  "(a) getOctokit + pacing (shipped)": buildOctokit,
  "(b) getOctokit + plugin-retry + plugin-throttling": (s) =>
    getOctokit(
      s.token,
      {
        baseUrl: s.baseUrl,
        log: quiet,
        // Their defaults, with the two handlers the plugin requires: retry as its README does.
        throttle: {
          onRateLimit: (_after: number, _o: unknown, _k: unknown, count: number) => count < 3,
          onSecondaryRateLimit: (_after: number, _o: unknown, _k: unknown, count: number) => count < 3,
        },
      },
      retry,
      throttling,
    ),
  "(c) getOctokit alone": (s) => getOctokit(s.token, { baseUrl: s.baseUrl, log: quiet }),
  "(d) getOctokit + plugin-retry alone": (s) => getOctokit(s.token, { baseUrl: s.baseUrl, log: quiet }, retry),
  "(e) getOctokit + plugin-throttling alone": (s) =>
    getOctokit(s.token, { baseUrl: s.baseUrl, log: quiet, throttle: { onRateLimit: () => true, onSecondaryRateLimit: () => true } }, throttling),
};

interface Measured {
  wallMs: number;
  simMs: number;
  cpuMs: number;
  requests: number;
  writes: number;
}

/** Run `work` with the simulator listening, timing the simulator's own share. */
async function measure(sim: GitHubSim, work: (url: string) => Promise<void>): Promise<Measured> {
  const server = await sim.listen();
  const simMs = timeSimulator(sim);
  sim.resetRequests();
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    await work(server.url);
  } finally {
    await server.close();
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    wallMs,
    simMs: simMs(),
    cpuMs: (used.user + used.system) / 1000,
    requests: sim.requests.length,
    writes: sim.requests.filter((r) => r.method !== "GET").length,
  };
}

/** The Action's `main` as a runner starts it: INPUT_* and GITHUB_* variables, the event in a file. */
async function runAction(client: Client, url: string, inputs: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "incident-desk-client-"));
  writeFileSync(join(dir, "event.json"), "{}");
  const env: Record<string, string> = {
    GITHUB_REPOSITORY: REPO,
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_EVENT_PATH: join(dir, "event.json"),
    GITHUB_API_URL: url,
    INPUT_TOKEN: ACTIONS_TOKEN,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  // The step's log (core.info) is not the benchmark's.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    await main({ client });
  } finally {
    process.stdout.write = write;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const operations: Record<string, { seed: (sim: GitHubSim) => Record<string, string> }> = {
  "post-mortem of a resolved incident": { seed: (sim) => ({ command: "postmortem", issue: String(seedIncident(sim, REPO)) }) },
  "30 problem tickets": {
    seed: (sim) => {
      const followups = Array.from({ length: 30 }, (_, i) => `/followup Follow-up number ${i + 1} @${["alice", "bob", "carol"][i % 3]}`);
      return { command: "problems", issue: String(seedIncident(sim, REPO, { followups })) };
    },
  },
  "report over 20 incidents": {
    seed: (sim) => {
      for (let i = 0; i < 20; i++) seedIncident(sim, REPO);
      return { command: "report", since: "2000-01-01" };
    },
  },
  // Each with a `/cause #pr` (no card: the report resolves it); pairs of causes share a file.
  "report over 20 incidents with causes": {
    seed: (sim) => {
      for (let i = 0; i < 20; i++) {
        const head = `cause-${i}`;
        const files = { [`svc/${Math.floor(i / 2)}/handler.ts`]: head, [`svc/${i}.ts`]: head };
        const pr = sim.as("bob").openPullRequest(REPO, { title: `Change ${i}`, head, commits: [{ message: `Change ${i}`, files }] });
        const n = seedIncident(sim, REPO);
        sim.as("alice").comment(REPO, n, `/cause #${pr}`);
      }
      return { command: "report", since: "2000-01-01" };
    },
  },
};
/** `BENCH_ONLY=report npx tsx bench/client.ts`: only the operations whose name contains it, and no idle reads. */
const only = process.env.BENCH_ONLY;

const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

// Warm-up (module loading, JIT), not counted.
{
  const sim = newSim(REPO);
  const inputs = operations["post-mortem of a resolved incident"]!.seed(sim);
  await measure(sim, (url) => runAction(buildOctokit, url, inputs));
}

console.log("### The Action's client: getOctokit + our pacing vs plugin-retry + plugin-throttling\n");
console.log("| operation | client | requests (writes) | wall | of which the simulator | CPU of the process |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [operation, { seed }] of Object.entries(operations)) {
  if (only && !operation.includes(only)) continue;
  for (const [name, client] of Object.entries(clients)) {
    if (!name.startsWith("(a)") && !name.startsWith("(b)")) continue;
    const sim = newSim(REPO);
    const inputs = seed(sim);
    const m = await measure(sim, (url) => runAction(client, url, inputs));
    if (sim.violations.length > 0) throw new Error(`${name}: ${sim.violations.length} violations`);
    console.log(`| ${operation} | ${name} | ${m.requests} (${m.writes}) | ${s(m.wallMs)} | ${s(m.simMs)} | ${s(m.cpuMs)} |`);
  }
}

if (only) process.exit(0);
const READS = 300;
const ROUNDS = 5;
console.log(
  `\n${READS} sequential reads (GET /repos/{owner}/{repo}), idle (no limit hit), after 20 to warm up; median of ${ROUNDS} rounds, the clients taking turns:\n`,
);
console.log("| client | per request (wall) | per request (wall − simulator) | CPU per request (client + simulator) |");
console.log("| --- | --- | --- | --- |");
const rounds = new Map<string, { wall: number; own: number; cpu: number }[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, client] of Object.entries(clients)) {
    const sim = newSim(REPO);
    let wall = 0;
    const timed = await measure(sim, async (url) => {
      const github = client({ token: ACTIONS_TOKEN, baseUrl: url });
      for (let i = 0; i < 20; i++) await github.rest.repos.get({ owner: "acme", repo: "web" });
      const t = performance.now();
      for (let i = 0; i < READS; i++) await github.rest.repos.get({ owner: "acme", repo: "web" });
      wall = performance.now() - t;
    });
    const list = rounds.get(name) ?? [];
    list.push({ wall: wall / READS, own: (timed.wallMs - timed.simMs) / (READS + 20), cpu: timed.cpuMs / (READS + 20) });
    rounds.set(name, list);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, list] of rounds) {
  console.log(
    `| ${name} | ${median(list.map((r) => r.wall)).toFixed(2)} ms | ${median(list.map((r) => r.own)).toFixed(2)} ms | ${median(list.map((r) => r.cpu)).toFixed(2)} ms |`,
  );
}
