/**
 * The scheduled `escalate` against the 1,000 requests an hour a workflow's GITHUB_TOKEN has per
 * repository (issue 9): requests of one run for 10, 100 and 1,000 open incidents, without its
 * memory (every open incident read, as before) and with it (only what changed or falls due),
 * and the hourly cost at the usual schedule of every 10 minutes. The Action in-process against
 * the simulator.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIONS_BOT, ACTIONS_TOKEN, newSim, runAction } from "../test/action.fixtures.js";
import type { GitHubSim } from "../test/sim/index.js";
import { InProcessCoordination } from "../src/cluster/coordination.js";

const REPO = "acme/web";
const RUNS_PER_HOUR = 6;

/**
 * The content budget's waits (80 content-creating requests a minute, 500 an hour) pass on a clock
 * that only moves when the client waits: this bench counts requests, and the first run over 1,000
 * incidents would otherwise wait out GitHub's hourly budget in real time.
 */
function virtualClock() {
  let t = Date.now();
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

async function escalate(sim: GitHubSim, workspace: string, stateFile: string) {
  sim.resetRequests();
  const t = performance.now();
  const clock = virtualClock();
  const octokit = { coordination: new InProcessCoordination({ clock }), sleep: clock.sleep, searchSpacingMs: 0, retryBaseMs: 1, maxRetryAfterS: 5 };
  const run = await runAction(sim, { inputs: { command: "escalate", "state-file": stateFile }, event: { name: "schedule" }, env: { GITHUB_WORKSPACE: workspace }, octokit });
  if (run.failed) throw new Error(run.error);
  const mine = sim.requests.filter((r) => r.identity === ACTIONS_BOT);
  return { requests: mine.filter((r) => r.counted).length, writes: mine.filter((r) => r.method !== "GET").length, ms: performance.now() - t };
}

console.log("## Scheduled escalate against a GITHUB_TOKEN's 1,000 requests an hour (bench/escalate.ts)\n");
console.log("Requests of one run (all counted: the Action keeps no ETags between runs), and per hour at a run every 10 minutes. \"Changed\": 1% of the incidents (at least one) got a comment since the last run.\n");
console.log("| open incidents | without memory: per run | per hour | with memory, nothing changed: per run | per hour | with memory, 1% changed: per run | per hour |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const count of [10, 100, 1000]) {
  const sim = newSim(REPO);
  // Declared an hour ago; the runs happen now (the runner's clock).
  sim.clock.set(new Date(Date.now() - 3_600_000));
  sim.clock.autoTick = false;
  sim.seedLabels(REPO, ["incident", "sev3", "status:investigating"]);
  const numbers: number[] = [];
  for (let i = 0; i < count; i++) numbers.push(sim.as("alice").openIssue(REPO, { title: `Incident ${i}`, labels: ["incident", "sev3"] }));
  sim.webhooks.take();
  const workspace = mkdtempSync(join(tmpdir(), "incident-desk-bench-"));
  // The first run brings every incident in line (labels, cards): a healthy repository from then on.
  await escalate(sim, workspace, "");
  sim.webhooks.take();
  const full = await escalate(sim, workspace, "");
  await escalate(sim, workspace, ".incident-desk/escalate.json"); // writes the memory
  const quiet = await escalate(sim, workspace, ".incident-desk/escalate.json");
  sim.clock.set(new Date());
  for (const n of numbers.slice(0, Math.max(1, Math.floor(count / 100)))) sim.as("bob").comment(REPO, n, "Still looking.");
  sim.webhooks.take();
  const changed = await escalate(sim, workspace, ".incident-desk/escalate.json");
  const hour = (n: number) => `${n * RUNS_PER_HOUR}${n * RUNS_PER_HOUR > 1000 ? " (over)" : ""}`;
  console.log(`| ${count} | ${full.requests} | ${hour(full.requests)} | ${quiet.requests} | ${hour(quiet.requests)} | ${changed.requests} | ${hour(changed.requests)} |`);
  if (sim.violations.length > 0) throw new Error(JSON.stringify(sim.violations));
  void ACTIONS_TOKEN;
}
console.log("\nAn incident with an escalation level or an update reminder falling due is read at that run (3 requests, 4 with the comment), whether or not it changed.");
process.exit(0);
