/**
 * Benchmark of the app's incident lifecycle (issue 2): requests per operation next to the fewest
 * GitHub allows, deliveries per second and the app's own time per delivery for 1,000 signed
 * deliveries through the real server, and peak memory. Not a test: `npm run bench`.
 */
import { fork } from "node:child_process";
import { pino } from "pino";
import { Probot, Server } from "probot";
import incidentDesk from "../src/app.js";
import { incidentOctokit } from "../src/github/octokit.js";
import { freePort, privateKey, startApp, WEBHOOK_SECRET } from "../test/harness.js";

const REPO = "acme/web";
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sample, 20);

// ---- 2. 1,000 signed deliveries through the real server ------------------------------------------
// The simulator runs in a child process, so this process holds the app alone and its CPU time is
// the app's own.
const child = fork(new URL("./sim-host.ts", import.meta.url), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
await new Promise<void>((resolve) => child.once("message", () => resolve()));
interface Signed {
  name: string;
  sender?: string;
  headers: Record<string, string>;
  body: string;
}
let seq = 0;
const call = (op: string, ...args: unknown[]) =>
  new Promise<{ result: any; deliveries: Signed[] }>((resolve, reject) => {
    const id = ++seq;
    const onMessage = (m: { id: number; result: unknown; error?: string; deliveries: Signed[] }) => {
      if (m.id !== id) return;
      child.off("message", onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    };
    child.on("message", onMessage);
    child.send({ id, op, args });
  });
const { result: simInfo } = await call("setup", REPO, { alice: "write", bob: "write" }, WEBHOOK_SECRET);

const log = pino({ level: "error" });
let inFetch = 0;
const timedFetch: typeof fetch = async (input, init) => {
  const t = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    inFetch += performance.now() - t;
  }
};
const server = new Server({
  Probot: Probot.defaults({
    appId: simInfo.appId,
    privateKey: privateKey(),
    secret: WEBHOOK_SECRET,
    baseUrl: simInfo.url,
    log,
    request: { fetch: timedFetch },
    Octokit: incidentOctokit({ writeSpacingMs: 0, searchSpacingMs: 0 }),
  }),
  host: "127.0.0.1",
  port: await freePort(),
  log,
  request: { fetch: timedFetch },
});
await server.load(incidentDesk);
const httpServer = await server.start();
const url = `http://127.0.0.1:${server.port}/api/github/webhooks`;

// Measured inside the app's process, from a delivery's arrival to its answer: the simulator posts
// the deliveries one at a time from its own process, so nothing else runs here meanwhile.
const own: number[] = [];
const cpu: number[] = [];
const wall: number[] = [];
const userCpu: number[] = [];
httpServer.prependListener("request", (req, res) => {
  const c = process.cpuUsage();
  const t = performance.now();
  inFetch = 0;
  res.on("finish", () => {
    const elapsed = performance.now() - t;
    const used = process.cpuUsage(c);
    const ms = (used.user + used.system) / 1000;
    wall.push(elapsed);
    own.push(Math.max(0, elapsed - inFetch));
    cpu.push(ms);
    if (req.headers["x-bench-from"] === "people") userCpu.push(ms);
    sample();
  });
});
let userDeliveries = 0;
const drain = async () => {
  const { result } = await call("drain", url);
  userDeliveries += (result as { fromPeople: number }).fromPeople;
};
const script = ["/ack", "/sev 1", "/commander @bob", "/update Rolling back", "/timeline 08:55 alert fired", "/status identified", "/mitigated", "/update Recovered", "/resolve"];
const started = performance.now();
let issue = 0;
while (own.length < 1000) {
  issue = (await call("as", "alice", "openIssue", REPO, { title: `Incident ${issue + 1}`, labels: ["incident"] })).result as number;
  await drain();
  for (const command of script) {
    await call("as", command === "/ack" ? "bob" : "alice", "comment", REPO, issue, command);
    await drain();
    if (own.length >= 1000) break;
  }
}
const seconds = (performance.now() - started) / 1000;
const peakRssApp = peakRss;
const stats = (await call("stats")).result as { requests: number; violations: number };
child.kill();
await server.stop();
clearInterval(sampler);
sample();

// ---- 1. Requests per operation -----------------------------------------------------------------
interface Row {
  operation: string;
  sent: number;
  fewest: number;
  detail: string;
  why: string;
}
const rows: Row[] = [];
const describe = (reqs: { method: string; route: string | null; path: string }[]) => {
  const counts = new Map<string, number>();
  for (const r of reqs) {
    const key = `${r.method} ${r.route ?? r.path}`.replace("/repos/{owner}/{repo}", "");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${n}× ${k}` : k)).join(", ");
};

async function measure(operation: string, fewest: number, why: string, setup: (h: Awaited<ReturnType<typeof startApp>>) => Promise<void>, act: (h: Awaited<ReturnType<typeof startApp>>) => void) {
  const h = await startApp({ config: "changes:\n  lookback: 24h\n" });
  h.sim.seedLabels(REPO, ["incident", "sev1", "sev2", "sev3", "sev4", "status:investigating", "status:identified", "status:mitigated", "status:resolved"]);
  await setup(h);
  await h.deliver();
  h.sim.resetRequests();
  act(h);
  await h.deliver();
  // The installation token is fetched once an hour, not per operation.
  const reqs = h.sim.requests.filter((r) => r.operationId !== "apps/create-installation-access-token" && r.operationId !== "apps/get-authenticated");
  rows.push({ operation, sent: reqs.length, fewest, detail: describe(reqs), why });
  await h.close();
}

let n = 0;
await measure(
  "declare by label",
  7,
  "config, timeline, labels list (so none is created grey), add labels, card; suspects: one search, one deployments page",
  async () => undefined,
  (h) => void (n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] })),
);
await measure(
  "declare by form",
  7,
  "same as by label: the form's fields are in the body",
  async () => undefined,
  (h) =>
    void (n = h.sim.as("alice").openIssue(REPO, {
      title: "Checkout down",
      labels: ["incident"],
      body: "### Severity\n\nsev2\n\n### Started at\n\n2026-03-02 08:40\n\n### Impact\n\nEU checkout fails",
    })),
);
await measure(
  "one command (/sev 1)",
  8,
  "config, timeline, permission, labels list, add label, remove label, card, reaction",
  async (h) => void (n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] })),
  (h) => void h.sim.as("alice").comment(REPO, n, "/sev 1"),
);
await measure(
  "card rebuild (card deleted, next event: /help)",
  6,
  "config, timeline, card, the /help reply; the suspects lived in the deleted card, so one search and one deployments page",
  async (h) => {
    n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    const card = h.sim.comments(REPO, n).find((c: { body?: string | null }) => c.body?.includes("incident-desk:card"))!;
    h.sim.as("alice").deleteComment(REPO, card.id);
  },
  (h) => void h.sim.as("alice").comment(REPO, n, "/help"),
);
await measure(
  "comment without a command",
  0,
  "nothing to do: decided from the payload",
  async (h) => void (n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] })),
  (h) => void h.sim.as("alice").comment(REPO, n, "Looking at the dashboards now."),
);

const ownSorted = [...own].sort((a, b) => a - b);
const cpuSorted = [...cpu].sort((a, b) => a - b);
const userCpuSorted = [...userCpu].sort((a, b) => a - b);
const wallSorted = [...wall].sort((a, b) => a - b);
console.log("## Incident lifecycle (app)\n");
console.log("Requests sent per operation, next to the fewest GitHub's API allows for it. The one read above the fewest is `GET /issues/{n}`: the payload's copy of the issue can be stale when deliveries arrive out of order, so the app reads it fresh.\n");
console.log("| operation | requests sent | fewest GitHub allows | requests | why the fewest |");
console.log("| --- | ---: | ---: | --- | --- |");
for (const r of rows) console.log(`| ${r.operation} | ${r.sent} | ${r.fewest} | ${r.detail || "—"} | ${r.why} |`);
console.log(`\n${own.length} signed deliveries (${userDeliveries} from people, ${own.length - userDeliveries} echoes of the app's own writes) over ${issue} incidents, in ${seconds.toFixed(1)} s: ${(own.length / seconds).toFixed(0)} deliveries/s`);
console.log(`CPU time of the app's process per delivery, from arrival to answer (the app's work and its HTTP client's work for every GitHub request): p50 ${quantile(cpuSorted, 0.5).toFixed(2)} ms, p99 ${quantile(cpuSorted, 0.99).toFixed(2)} ms, max ${cpuSorted[cpuSorted.length - 1]!.toFixed(2)} ms`);
console.log(`  of deliveries from people (the ones that do work): p50 ${quantile(userCpuSorted, 0.5).toFixed(2)} ms, p99 ${quantile(userCpuSorted, 0.99).toFixed(2)} ms`);
console.log(`the app's own time per delivery (wall time minus the time waiting for GitHub's answers): p50 ${quantile(ownSorted, 0.5).toFixed(2)} ms, p99 ${quantile(ownSorted, 0.99).toFixed(2)} ms`);
console.log(`wall time per delivery (arrival to answer, including GitHub's answers on loopback): p50 ${quantile(wallSorted, 0.5).toFixed(2)} ms, p99 ${quantile(wallSorted, 0.99).toFixed(2)} ms`);
console.log(`GitHub requests: ${stats.requests} (${(stats.requests / userDeliveries).toFixed(2)} per delivery from people); OpenAPI violations: ${stats.violations}`);
console.log(`peak RSS of the app's process ${(peakRssApp / 1048576).toFixed(0)} MB (the simulator runs in a child process; heap used ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB at the end)`);
process.exit(0);
