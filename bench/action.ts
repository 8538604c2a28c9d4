/**
 * Benchmark of the Action (issue 4), run as GitHub runs it: `node dist/index.js` in a child
 * process, against the simulator on loopback.
 *
 *   - the post-mortem of an incident with 5,000 timeline events and 2,000 comments: requests
 *     (next to the fewest GitHub allows), the Action's own time, its peak memory;
 *   - cold start: from starting `node dist/index.js` to its first request;
 *   - the bundle's size.
 *
 * Not a test: `npx tsx bench/action.ts`. Build the bundle first (`node scripts/build-action.mjs`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { ACTIONS_TOKEN, newSim } from "../test/action.fixtures.js";
import type { GitHubSim } from "../test/sim/index.js";
import { timeSimulator } from "./sim-time.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist/index.js");
const REPO = "acme/web";
const EVENTS = 5_000;
const COMMENTS = 2_000;

/** An incident with EVENTS non-comment timeline events and COMMENTS comments, some of them commands. */
function bigIncident(sim: GitHubSim): number {
  const people = ["alice", "bob", "carol", "dave", "erin"];
  for (const p of people) sim.setPermission(REPO, p, "write");
  sim.seedLabels(REPO, ["incident", "sev1", "sev2", "sev3", "sev4", "status:investigating", "status:identified", "status:mitigated", "status:resolved", "needs-info"]);
  const n = sim.as("alice").openIssue(REPO, { title: "Global outage of the checkout service", labels: ["incident", "sev1"] });
  let events = 2; // opened with two labels: two `labeled` events
  let comments = 0;
  const comment = (who: string, body: string) => {
    sim.as(who).comment(REPO, n, body);
    comments++;
  };
  comment("bob", "/ack\n/commander @bob");
  comment("alice", "/summary A bad config push exhausted the payment gateway's connection pool.\n/impact Checkout failed for most users.");
  // The comments added after the loop: /mitigated and /resolve.
  const loopComments = COMMENTS - 2;
  while (events < EVENTS || comments < loopComments) {
    const who = people[(events + comments) % people.length]!;
    if (events < EVENTS) {
      // Label churn and assignments, the bulk of a long incident's events.
      const step = events % 4;
      const actor = people[Math.floor(events / 4) % people.length]!;
      if (step === 0) sim.as(actor).addLabels(REPO, n, ["needs-info"]);
      else if (step === 1) sim.as(actor).removeLabel(REPO, n, "needs-info");
      else if (step === 2) sim.as(actor).assign(REPO, n, [actor]);
      else sim.as(actor).unassign(REPO, n, [actor]);
      events++;
    }
    if (comments < loopComments && (events % 2 === 0 || events >= EVENTS)) {
      // One comment in ten is a command; the rest is conversation.
      comment(who, comments % 10 === 0 ? `/timeline note ${comments}: checked shard ${comments % 64}` : `Looking at shard ${comments % 64}; nothing unusual yet (${comments}).`);
      if (comments % 200 === 0 && comments < loopComments) comment(who, `/followup Follow-up number ${comments} @${who}`);
    }
    sim.clock.advance("20s");
  }
  comment("bob", "/mitigated");
  sim.clock.advance("30m");
  comment("bob", "/resolve");
  sim.webhooks.take();
  return n;
}

interface ChildRun {
  code: number;
  wallMs: number;
  maxRssKb: number;
  /** User + system CPU time of the Action's process. */
  cpuMs: number;
  stdout: string;
  stderr: string;
  outputs: string;
}

/** `node dist/index.js` as the runner starts it, under /usr/bin/time for its peak memory. */
function runDist(url: string, inputs: Record<string, string>, onSpawn?: () => void): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), "incident-desk-bench-"));
  const files = { event: join(dir, "event.json"), output: join(dir, "output"), summary: join(dir, "summary"), time: join(dir, "time") };
  writeFileSync(files.event, "{}");
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const env = {
    PATH: process.env.PATH,
    GITHUB_REPOSITORY: REPO,
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_EVENT_PATH: files.event,
    GITHUB_API_URL: url,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    INPUT_TOKEN: ACTIONS_TOKEN,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%M %U %S", "-o", files.time, process.execPath, DIST], { cwd: ROOT, env });
    onSpawn?.();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const [rss, user, sys] = readFileSync(files.time, "utf8").trim().split("\n").pop()!.split(" ").map(Number) as [number, number, number];
      resolve({
        code: code ?? -1,
        wallMs: performance.now() - started,
        maxRssKb: rss,
        cpuMs: (user + sys) * 1000,
        stdout,
        stderr,
        outputs: readFileSync(files.output, "utf8"),
      });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${Math.round(x)} ms`;

async function main() {
  // ---- bundle ---------------------------------------------------------------------------------
  const bundle = readFileSync(DIST);
  console.log(`Bundle: dist/index.js ${(bundle.length / 1024).toFixed(0)} KiB (${(gzipSync(bundle).length / 1024).toFixed(0)} KiB gzipped)`);

  // ---- cold start: spawn → first request --------------------------------------------------------
  {
    const sim = newSim(REPO);
    const server = await sim.listen();
    const starts: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < 7; i++) {
      let spawned = 0;
      let first = 0;
      const handle = sim.handle.bind(sim);
      sim.handle = (req) => {
        first ||= performance.now();
        return handle(req);
      };
      await runDist(server.url, { command: "escalate" }, () => (spawned = performance.now()));
      sim.handle = handle;
      starts.push(first - spawned);
      const t = performance.now();
      await new Promise((resolve) => spawn(process.execPath, ["-e", ""]).on("close", resolve));
      bare.push(performance.now() - t);
    }
    await server.close();
    console.log(`Cold start (spawn of \`node dist/index.js\` → its first request), median of 7: ${ms(median(starts))}; of which Node itself starting (\`node -e ""\`): ${ms(median(bare))}`);
  }

  // ---- post-mortem of a large incident ------------------------------------------------------------
  const sim = newSim(REPO);
  const seedStart = performance.now();
  const n = bigIncident(sim);
  const timeline = sim.timeline(REPO, n);
  const commented = timeline.filter((e) => e.event === "commented").length;
  console.log(`\nIncident #${n}: ${timeline.length - commented} timeline events + ${commented} comments = ${timeline.length} timeline items (seeded in ${ms(performance.now() - seedStart)})`);

  const server = await sim.listen();
  const simMs = timeSimulator(sim);
  sim.resetRequests();
  const run = await runDist(server.url, { command: "postmortem", issue: String(n) });
  await server.close();
  if (run.code !== 0) throw new Error(`the Action failed: ${run.stdout}${run.stderr}`);

  const byRoute = new Map<string, number>();
  for (const r of sim.requests) {
    const key = `${r.method} ${(r.route ?? r.path).replace("/repos/{owner}/{repo}", "")}`;
    byRoute.set(key, (byRoute.get(key) ?? 0) + 1);
  }
  const items = timeline.length;
  const pages = Math.ceil(items / 100);
  console.log(`Requests: ${sim.requests.length} (${sim.requests.filter((r) => r.method !== "GET").length} writes)`);
  for (const [route, count] of [...byRoute].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(4)} × ${route}`);
  console.log(`  timeline pages: ${byRoute.get("GET /issues/{issue_number}/timeline") ?? 0}; the fewest GitHub allows is ceil(${items} / 100 per page) = ${pages}`);
  const own = run.wallMs - simMs();
  console.log(`Time: ${ms(run.wallMs)} for the whole run, of which ${ms(simMs())} inside the simulator answering (wall − simulator ≈ ${ms(own)})`);
  console.log(`The Action's own time (CPU, user + system, of its process, start-up included): ${ms(run.cpuMs)} (target < 2000 ms)`);
  console.log(`Peak memory of the Action (max RSS): ${(run.maxRssKb / 1024).toFixed(0)} MiB (target < 200 MiB)`);
  const doc = sim.file(REPO, /postmortem-path<<(\S+)\n(.*)\n/.exec(run.outputs)?.[2] ?? "", `incident-desk/postmortem-${n}`) ?? "";
  console.log(`Post-mortem: ${(doc.length / 1024).toFixed(0)} KiB, ${doc.split("\n").length} lines`);
}

await main();
