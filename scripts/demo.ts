/**
 * `npm run demo`: one whole incident, played against the GitHub simulator on loopback.
 *
 * The app runs as it does in production — Probot's HTTP server, webhooks signed with the
 * secret, every GitHub call over HTTP to the simulator — then the Action's bundle writes the
 * post-mortem as a pull request, run the way a GitHub runner runs it. No account, no network.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { Probot, Server } from "probot";
import incidentDesk from "../src/app.js";
import { incidentOctokit } from "../src/github/octokit.js";
import { settleNotifications } from "../src/notify/send.js";
import { freePort, privateKey, WEBHOOK_SECRET } from "../test/harness.js";
import { GitHubSim } from "../test/sim/index.js";

const REPO = "acme/shop";
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;

const sim = new GitHubSim();
// An organisation's repository: the organisation defines an `Incident` issue type, which new incidents get.
sim.addRepo(REPO, { org: true });
sim.setIssueTypes("acme", ["Bug", "Feature", { name: "Incident", color: "red" }]);
for (const [login, level] of [
  ["alice", "write"],
  ["bob", "write"],
  ["carol", "admin"],
] as const)
  sim.setPermission(REPO, login, level);
sim.seedFile(
  REPO,
  ".github/incidents.yml",
  [
    "services:",
    "  checkout:",
    "    team: '@acme/payments'",
    "    rotation: payments",
    "    paths: ['src/checkout/**']",
    "changes:",
    "  freeze:",
    "    environments: [production]",
    "    min_severity: sev2",
    "notifications:",
    "  - { name: slack-incidents, url_env: SLACK_WEBHOOK_URL, format: slack }",
    "  - { name: teams-ops, url_env: TEAMS_WEBHOOK_URL, format: teams }",
    "oncall:",
    "  rotations:",
    "    - name: payments",
    "      members: [bob, carol]",
    "      start: 2026-03-02T00:00:00Z",
    "      every: 1w",
  ].join("\n"),
);
const api = await sim.listen();

// Slack's and Teams' incoming webhooks, on loopback: the messages the app sends are kept here.
const notifications: { channel: string; body: { text?: string } }[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => {
    notifications.push({ channel: req.url?.slice(1) ?? "", body: JSON.parse(body) as { text?: string } });
    res.end("ok");
  });
});
await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
process.env.SLACK_WEBHOOK_URL = `${hooks}/slack`;
process.env.TEAMS_WEBHOOK_URL = `${hooks}/teams`;

const log = pino({ level: process.env.LOG_LEVEL ?? "warn" });
const server = new Server({
  Probot: Probot.defaults({
    appId: sim.app.id,
    privateKey: privateKey(),
    secret: WEBHOOK_SECRET,
    baseUrl: api.url,
    log,
    // Against the simulator there is no reason to pace writes as for github.com.
    Octokit: incidentOctokit({ writeSpacingMs: 0, searchSpacingMs: 0 }),
  }),
  host: "127.0.0.1",
  port: await freePort(),
  log,
});
await server.load(incidentDesk);
await server.start();
const appUrl = `http://${server.host}:${server.port}`;

/** What went wrong: the demo still shows the rest, and exits 1 (the quick start's test reads that). */
const failures: string[] = [];

let deliveries = 0;
/** GitHub delivering every queued webhook, signed, to the app's server, until all is quiet. */
async function deliverAll(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const queue = sim.webhooks.take();
    if (queue.length === 0) return;
    for (const d of queue) {
      const { headers, body } = sim.webhooks.toRequest(d, WEBHOOK_SECRET);
      const res = await fetch(`${appUrl}/api/github/webhooks`, { method: "POST", headers, body });
      deliveries++;
      if (!res.ok) throw new Error(`delivery ${d.name} answered ${res.status}: ${await res.text()}`);
    }
  }
  throw new Error("the app never went quiet");
}

/** The runner's GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const block = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (block) {
      const value: string[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== block[2]) value.push(lines[++i]!);
      i++;
      out[block[1]!] = value.join("\n");
    } else if (lines[i]!.includes("=")) {
      const [k, ...v] = lines[i]!.split("=");
      out[k!] = v.join("=");
    }
  }
  return out;
}

let number = 0;
/** One thing someone does, delivered to the app; then what it did (the incident's labels, or `report`'s lines). */
async function step(minutes: number, who: string, what: string, act: () => void, report?: () => string[]): Promise<void> {
  sim.clock.advance(minutes * 60_000);
  act();
  await deliverAll();
  const issue = sim.issue(REPO, number);
  console.log(`${dim(sim.clock.iso().slice(11, 16))}  ${bold(`@${who}`)} ${what}`);
  const lines = report?.() ?? [
    `labels: ${issue.labels.sort().join(", ")} · assignees: ${issue.assignees.join(", ") || "—"} · ${issue.state}${issue.type ? ` · type: ${issue.type}` : ""}`,
  ];
  for (const line of lines) console.log(`       ${dim(`→ ${line}`)}`);
}

const RISK = "incident-desk / change risk";
/** The change risk check run on a pull request's head commit: its conclusion and title, or a failure. */
function riskOf(pr: number, expected: string): string[] {
  const sha = sim.pull(REPO, pr).head.sha;
  const run = (sim.checkRuns(REPO, sha) as { name: string; conclusion: string | null; output: { title: string | null } }[]).find((r) => r.name === RISK);
  if (!run) {
    failures.push(`no "${RISK}" check run on pull request #${pr}`);
    return [`no "${RISK}" check run`];
  }
  if (run.conclusion !== expected) failures.push(`the check run on pull request #${pr} concluded ${run.conclusion}, not ${expected}`);
  return [`pull request #${pr} · check run "${RISK}": ${run.conclusion} — ${run.output.title ?? ""}`];
}

/** A workflow job deploying `sha` to production waits for the app's deployment protection rule. */
function deploy(sha: string, ref: string): number {
  return sim.requestDeploymentReview(REPO, { environment: "production", sha, ref }).runId;
}
/** GitHub's record of the app's answer to the deployment of run `runId`. */
function gateAnswer(runId: number, expected: "approved" | "rejected"): string[] {
  const review = sim.deploymentReviews(REPO).find((r) => r.runId === runId);
  if (review?.state !== expected) failures.push(`the deploy gate answered ${review?.state ?? "nothing"} for run ${runId}, not ${expected}`);
  return [`deploy gate: ${review?.state ?? "no answer"} — "${review?.comment?.split("\n")[0] ?? ""}"`];
}

const cardOf = (n: number) => sim.comments(REPO, n).find((c: { body?: string | null }) => c.body?.includes("incident-desk:card"))?.body ?? "";
const problemCardOf = (n: number) => sim.comments(REPO, n).find((c: { body?: string | null }) => c.body?.includes("incident-desk:problem-card"))?.body ?? "";

console.log(bold(`\nincident-desk demo — ${REPO} on a local GitHub simulator (${api.url}), app at ${appUrl}\n`));

await step(0, "alice", "opens an incident from the issue form", () => {
  number = sim.as("alice").openIssue(REPO, {
    title: "[Incident] Checkout returns 502 for card payments",
    labels: ["incident"],
    body: [
      "### Severity",
      "",
      "sev2 — Major: a core feature is degraded for many users",
      "",
      "### Service",
      "",
      "checkout",
      "",
      "### Started at",
      "",
      "2026-03-02 08:52",
      "",
      "### Impact",
      "",
      "Card payments fail for about 30% of customers in the EU.",
      "",
      "### Summary",
      "",
      "Error rate on /pay jumped after 08:50.",
    ].join("\n"),
  });
});
await step(3, "bob", "acknowledges: `/ack`", () => sim.as("bob").comment(REPO, number, "/ack"));
await step(2, "bob", "raises the severity and takes command: `/sev 1` + `/commander @bob`", () =>
  sim.as("bob").comment(REPO, number, "/sev 1\n/commander @bob"),
);
await step(1, "bob", "names a scribe: `/role scribe @alice`", () => sim.as("bob").comment(REPO, number, "/role scribe @alice"));
await step(4, "alice", "adds a timeline entry: `/timeline 08:55 Pager alert: 5xx on /pay above 5%`", () =>
  sim.as("alice").comment(REPO, number, "/timeline 08:55 Pager alert: 5xx on /pay above 5%"),
);
await step(2, "bob", "posts an update: `/update …`", () =>
  sim.as("bob").comment(REPO, number, "/update We suspect the 08:45 deploy of payments-gateway; rolling back now."),
);
await step(6, "bob", "has found it: `/status identified`", () => sim.as("bob").comment(REPO, number, "/status identified"));

// Change management during the incident: the change freeze (changes.freeze) holds production.
let feature = 0;
await step(
  1,
  "carol",
  'opens a feature pull request touching src/checkout/: "Add Apple Pay to checkout"',
  () => {
    feature = sim.as("carol").openPullRequest(REPO, {
      title: "Add Apple Pay to checkout",
      body: "A new payment method.",
      head: "apple-pay",
      commits: [{ message: "Add Apple Pay", files: { "src/checkout/apple-pay.ts": "export const applePay = true;\n" } }],
    });
  },
  () => riskOf(feature, "action_required"),
);
let featureRun = 0;
await step(
  1,
  "carol",
  "deploys the feature branch to production (a workflow job reaches the protected environment)",
  () => {
    featureRun = deploy(sim.pull(REPO, feature).head.sha, "apple-pay");
  },
  () => gateAnswer(featureRun, "rejected"),
);
let fix = 0;
await step(
  2,
  "bob",
  `opens the revert from a branch of the repo, its description saying \`Incident: #${number}\``,
  () => {
    fix = sim.as("bob").openPullRequest(REPO, {
      title: "Revert the gateway's TLS settings",
      body: `Incident: #${number}\n\nReverts the 08:45 change of the card processor's TLS settings.`,
      head: "revert-gateway-tls",
      commits: [{ message: "Revert the gateway's TLS settings", files: { "src/checkout/gateway-tls.ts": "export const tls = { minVersion: 'TLSv1.2' };\n" } }],
    });
  },
  () => riskOf(fix, "neutral"),
);
let fixRun = 0;
await step(
  1,
  "bob",
  "merges the revert; the workflow deploys it to production",
  () => {
    fixRun = deploy(sim.as("bob").mergePullRequest(REPO, fix), "main");
  },
  () => gateAnswer(fixRun, "approved"),
);
const gateLines = cardOf(number)
  .split("\n")
  .filter((l) => l.includes("Deploy gate"));
console.log(`       ${dim("→ on the incident card:")}`);
for (const line of gateLines) console.log(`         ${dim(line)}`);
if (!gateLines.some((l) => l.includes("rejected"))) failures.push("the incident card does not show the rejected deployment");
if (!gateLines.some((l) => l.includes("through the freeze"))) failures.push("the incident card does not show the deployment let through");

await step(4, "bob", "rolled back: `/mitigated` + `/update …`", () =>
  sim.as("bob").comment(REPO, number, "/mitigated\n/update Rollback complete, error rate back to baseline. Monitoring."),
);
await step(1, "alice", "writes the summary and impact: `/summary …` + `/impact …`", () =>
  sim
    .as("alice")
    .comment(
      REPO,
      number,
      "/summary A gateway release changed the TLS settings for the card processor; payments failed until it was rolled back.\n\n/impact About 30% of EU card payments failed for 35 minutes.",
    ),
);

// Problem management: the underlying cause gets its own record, with a workaround.
let problem = 0;
await step(
  2,
  "alice",
  "opens a problem record: `/problem new Gateway releases change TLS settings unreviewed`",
  () => sim.as("alice").comment(REPO, number, "/problem new Gateway releases change TLS settings unreviewed"),
  () => {
    const opened = sim.issues(REPO).find((i) => i.labels.includes("problem"));
    if (!opened) {
      failures.push("/problem new opened no problem issue");
      return ["no problem was opened"];
    }
    problem = opened.number;
    return [`problem #${problem} opened: "${opened.title}" · labels: ${opened.labels.join(", ")}`];
  },
);
await step(
  3,
  "carol",
  "on the problem: `/known-error` + `/workaround …`",
  () => {
    if (problem > 0)
      sim.as("carol").comment(REPO, problem, "/known-error\n/workaround Pin the card processor's TLS settings in the gateway's config before each release.");
  },
  () => {
    const status = /\*\*Status:\*\*[^\n]*/.exec(problemCardOf(problem))?.[0] ?? "no problem card";
    return [`problem #${problem}: ${status}`];
  },
);
const problemCard = problemCardOf(problem);
console.log(bold(`\nThe problem's card (#${problem}):\n`));
console.log(problemCard);
const top = cardOf(number).split("\n## ")[0] ?? "";
console.log(bold(`The top of the incident's card (#${number}) now shows the workaround:\n`));
console.log(top.trim(), "\n");
if (!problemCard.includes("known error")) failures.push("the problem is not a known error");
if (!top.includes("Known error — workaround") || !top.includes("Pin the card processor"))
  failures.push("the incident card does not show the workaround at the top");

await step(1, "rita", "(read-only) tries `/sev 4` — politely refused, nothing changes", () => {
  sim.setPermission(REPO, "rita", "read");
  sim.as("rita").comment(REPO, number, "/sev 4");
});
await step(2, "alice", "adds a follow-up: `/followup Alert on TLS handshake failures @carol`", () =>
  sim.as("alice").comment(REPO, number, "/followup Alert on TLS handshake failures @carol"),
);
await step(20, "bob", "closes it out: `/resolve`", () => sim.as("bob").comment(REPO, number, "/resolve"));

const card = cardOf(number) || "(no card)";
if (sim.issue(REPO, number).type !== "Incident") failures.push("the incident did not get the organisation's Incident issue type");
console.log(bold("\nThe incident card, as it stands on the issue:\n"));
console.log(card);

console.log(bold("Everything that happened on the issue (GitHub's timeline):\n"));
for (const e of sim.timeline(REPO, number) as {
  event: string;
  actor?: { login: string } | null;
  created_at?: string;
  label?: { name: string };
  body?: string;
}[]) {
  const detail = e.label ? e.label.name : e.body ? e.body.split("\n")[0]!.slice(0, 70) : "";
  console.log(`  ${dim((e.created_at ?? "").slice(11, 16))}  ${e.event.padEnd(12)} ${`@${e.actor?.login ?? "?"}`.padEnd(20)} ${detail}`);
}

await settleNotifications();
console.log(bold("\nNotifications sent to the chat channels (notifications:, Slack and Teams incoming webhooks on loopback):\n"));
for (const channel of ["slack", "teams"]) {
  const sent = notifications.filter((n) => n.channel === channel);
  console.log(`  ${channel.padEnd(6)} ${sent.length} messages${sent[0]?.body.text ? `, the first: "${sent[0].body.text.split("\n")[0]}"` : ""}`);
  if (sent.length === 0) failures.push(`no notification reached ${channel}`);
}

// The companion Action, run as a GitHub runner runs it: the committed bundle, INPUT_* variables,
// the event file, GITHUB_API_URL pointing at the simulator.
const bundle = new URL("../dist/index.js", import.meta.url).pathname;
if (existsSync(bundle)) {
  const work = mkdtempSync(join(tmpdir(), "incident-desk-demo-"));
  const event = join(work, "event.json");
  writeFileSync(event, JSON.stringify({ action: "closed", issue: sim.issue(REPO, number).rest, repository: { full_name: REPO } }));
  for (const f of ["output", "summary"]) writeFileSync(join(work, f), "");
  sim.addToken("ghs_demo_actions_token", "github-actions[bot]");
  console.log(bold("\nThe Action runs on `issues.closed` (command: auto → post-mortem, problem tickets):\n"));
  // Asynchronously: the simulator answering it runs in this very process.
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "issues",
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: api.url,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_OUTPUT: join(work, "output"),
      GITHUB_STEP_SUMMARY: join(work, "summary"),
      INPUT_COMMAND: "auto",
      INPUT_TOKEN: "ghs_demo_actions_token",
      // The app runs beside the Action: its cards and records are this deployment's own.
      INPUT_APP: sim.app.slug,
      INPUT_CONFIG: ".github/incidents.yml",
      "INPUT_DRY-RUN": "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const run = { stdout, stderr, status };
  process.stdout.write(
    run.stdout
      .split("\n")
      .map((l) => `  ${dim(l)}`)
      .join("\n"),
  );
  if (run.status !== 0) {
    console.error(run.stderr);
    console.error(`the Action failed (exit ${run.status})`);
    failures.push(`the Action's post-mortem run exited ${run.status}`);
  }
  const outputs = readOutputs(readFileSync(join(work, "output"), "utf8"));
  console.log(
    bold("\nOutputs:"),
    Object.entries(outputs)
      .map(([k, v]) => `${k}=${v}`)
      .join(" · "),
  );
  const pr = sim.pulls(REPO).find((p: { labels?: { name: string }[] }) => p.labels?.some((l) => l.name === "postmortem")) as
    { number: number; title: string; head: { ref: string } } | undefined;
  if (pr) {
    const path = outputs["postmortem-path"];
    const text = path ? sim.file(REPO, path, pr.head.ref) : undefined;
    if (text) {
      mkdirSync("demo-output", { recursive: true });
      writeFileSync("demo-output/postmortem.md", text);
      console.log(bold(`\nPost-mortem pull request #${pr.number} "${pr.title}" — ${path} (copied to demo-output/postmortem.md):\n`));
      console.log(text);
      const lines = text.split("\n");
      // The "Deploy gate" paragraph: its heading line and its list.
      const from = lines.findIndex((l) => l.startsWith("**Deploy gate**"));
      const gate = from < 0 ? [] : [lines[from]!, ...lines.slice(from + 1, lines.indexOf("", from))];
      const problemLines = lines.filter(
        (l) => l.startsWith("**Problem record:**") || l.startsWith("It is a **known error**") || l.startsWith("> Pin the card"),
      );
      console.log(bold("The post-mortem has the deploy gate's decisions and the problem record:\n"));
      for (const line of [...gate, ...problemLines]) console.log(`  ${line}`);
      if (!gate.some((l) => l.includes(": rejected")) || !gate.some((l) => l.includes("let through")))
        failures.push("the post-mortem lacks the deploy gate's decisions");
      if (!problemLines.some((l) => l.includes(`#${problem}`))) failures.push("the post-mortem does not name the problem record");
    } else failures.push("the post-mortem pull request has no post-mortem file");
  } else failures.push("no post-mortem pull request was opened");
  const tickets = sim.issues(REPO).filter((i) => i.labels.includes("follow-up"));
  for (const t of tickets)
    console.log(
      `\nFollow-up ticket #${t.number}: ${t.title} (labels: ${t.labels.join(", ")}; assigned to ${t.assignees.join(", ") || "nobody"}${t.parent ? `; sub-issue of #${t.parent.number}` : ""})`,
    );
  if (tickets.length === 0) failures.push("no follow-up ticket labelled follow-up was opened");

  // The status page, as a scheduled workflow would build it for GitHub Pages. The simulator's
  // clock is the page's "now" (SOURCE_DATE_EPOCH), so the demo's incident is today's.
  const site = resolve("demo-output/status");
  const scheduleEvent = join(work, "schedule.json");
  writeFileSync(scheduleEvent, JSON.stringify({ schedule: "*/10 * * * *" }));
  console.log(bold("\nThe Action writes the status page (command: statuspage):\n"));
  const page = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "schedule",
      GITHUB_EVENT_PATH: scheduleEvent,
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: api.url,
      GITHUB_OUTPUT: join(work, "output"),
      GITHUB_STEP_SUMMARY: join(work, "summary"),
      INPUT_COMMAND: "statuspage",
      INPUT_TOKEN: "ghs_demo_actions_token",
      // The app runs beside the Action: its cards and records are this deployment's own.
      INPUT_APP: sim.app.slug,
      INPUT_CONFIG: ".github/incidents.yml",
      "INPUT_STATUSPAGE-DIR": site,
      "INPUT_DRY-RUN": "false",
      SOURCE_DATE_EPOCH: String(Math.floor(sim.clock.now().getTime() / 1000)),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let pageOut = "";
  page.stdout.on("data", (chunk: Buffer) => (pageOut += chunk.toString()));
  page.stderr.on("data", (chunk: Buffer) => (pageOut += chunk.toString()));
  const pageStatus = await new Promise<number | null>((resolve) => page.on("close", resolve));
  process.stdout.write(
    pageOut
      .split("\n")
      .filter((l) => !l.startsWith("::"))
      .map((l) => `  ${dim(l)}`)
      .join("\n"),
  );
  if (pageStatus !== 0) {
    console.error(`the status page failed (exit ${pageStatus})`);
    failures.push(`the status page run exited ${pageStatus}`);
  } else {
    console.log(bold(`\nStatus page written to demo-output/status/. Open it in a browser, no server needed:\n`));
    console.log(`  ${pathToFileURL(join(site, "index.html")).href}`);
    console.log(
      dim(`  (or serve the folder, as GitHub Pages would: npx http-server demo-output/status; JSON API at api/v2/summary.json, feeds feed.atom and feed.rss)`),
    );
  }
} else {
  console.log(dim("\n(dist/index.js is not built: `npm run build` to include the Action's post-mortem in the demo)"));
  failures.push("dist/index.js is missing");
}

console.log(bold(`\n${deliveries} signed webhook deliveries, ${sim.requests.length} GitHub API requests, ${sim.violations.length} OpenAPI violations.`));
if (sim.violations.length > 0) {
  console.log(sim.violations);
  failures.push(`${sim.violations.length} OpenAPI violations`);
}
await server.stop();
await api.close();
receiver.close();
if (failures.length > 0) console.error(`\nThe demo did not go as it should: ${failures.join("; ")}`);
process.exit(failures.length > 0 ? 1 : 0);
