/**
 * Running the Action in-process, as the runner would: INPUT_* variables, the event in a file at
 * GITHUB_EVENT_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. Requests go to the simulator
 * through its fetch; everything else is the real entry point (run() in src/action/runner.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, type RunOptions } from "../src/action/runner.js";
import { GitHubSim } from "./sim/index.js";

export const ACTIONS_TOKEN = "ghs_workflow_token";
export const ACTIONS_BOT = "github-actions[bot]";

export interface ActionRun {
  failed: boolean;
  /** The `::error::` line, when the step failed. */
  error?: string;
  outputs: Record<string, string>;
  summary: string;
  log: string;
}

/** `name<<delimiter\nvalue\ndelimiter` blocks, the format @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join("\n");
  }
  return out;
}

export function newSim(repo = "acme/web"): GitHubSim {
  const sim = new GitHubSim();
  sim.addRepo(repo);
  sim.addUser(ACTIONS_BOT, { type: "Bot" });
  sim.addToken(ACTIONS_TOKEN, ACTIONS_BOT);
  for (const login of ["alice", "bob", "carol"]) sim.setPermission(repo, login, "write");
  return sim;
}

export interface RunSpec {
  inputs?: Record<string, string>;
  event?: { name: string; payload?: Record<string, unknown> };
  repo?: string;
  /** Extra environment (or `undefined` to remove a variable). */
  env?: Record<string, string | undefined>;
  /** The client's settings in place of the fast ones below (an injected clock, real back-off). */
  octokit?: RunOptions["octokit"];
}

export function issuePayload(sim: GitHubSim, repo: string, n: number, action: string, extra: Record<string, unknown> = {}) {
  const issue = sim.issue(repo, n).rest;
  const [owner, name] = repo.split("/");
  return { action, issue, repository: { name, full_name: repo, owner: { login: owner } }, sender: { login: "alice", type: "User" }, ...extra };
}

export async function runAction(sim: GitHubSim, spec: RunSpec = {}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "incident-desk-action-"));
  const eventPath = join(dir, "event.json");
  const outputPath = join(dir, "output");
  const summaryPath = join(dir, "summary");
  writeFileSync(eventPath, JSON.stringify(spec.event?.payload ?? {}));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  // As a repository with the app installed runs it: the Action knows the app beside it.
  const inputs = { token: ACTIONS_TOKEN, app: sim.app.slug, ...spec.inputs };
  const env: Record<string, string | undefined> = {
    GITHUB_REPOSITORY: spec.repo ?? "acme/web",
    GITHUB_EVENT_NAME: spec.event?.name ?? "workflow_dispatch",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: "https://api.github.com",
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...spec.env,
  };
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("INPUT_")) delete process.env[key];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
  process.exitCode = 0;
  try {
    await run({ fetch: sim.fetch as unknown as typeof fetch, octokit: spec.octokit ?? { retryBaseMs: 1, maxRetryAfterS: 5, searchSpacingMs: 0 } });
  } finally {
    process.stdout.write = write;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const failed = process.exitCode === 1;
  process.exitCode = 0;
  const log = written.join("");
  const error = /::error::(.*)/.exec(log)?.[1];
  return {
    failed,
    ...(error !== undefined ? { error: decodeURIComponent(error.replace(/%25/g, "%2525")).replace(/%0A/g, "\n") } : {}),
    outputs: parseOutputFile(readFileSync(outputPath, "utf8")),
    summary: readFileSync(summaryPath, "utf8"),
    log,
  };
}

/** A resolved incident as people would run it, with commands from alice and bob. */
export function seedIncident(sim: GitHubSim, repo = "acme/web", options: { followups?: string[]; body?: string } = {}): number {
  const alice = sim.as("alice");
  const n = alice.openIssue(repo, { title: "Checkout fails with 502", body: options.body ?? "Payments return 502 for all users.", labels: ["incident", "sev2"] });
  sim.clock.advance("4m");
  sim.as("bob").comment(repo, n, "/ack\n/commander @bob");
  sim.clock.advance("10m");
  alice.comment(repo, n, "/timeline start 08:50\n/summary The payment gateway's connection pool was exhausted after a config change.\n/impact 30% of checkouts failed for 40 minutes.");
  sim.clock.advance("20m");
  alice.comment(repo, n, "/update Rolled back the pool config; error rate is dropping.\n/mitigated");
  for (const f of options.followups ?? ["/followup Alert on pool saturation @bob", "/followup Load-test config changes before rollout @carol"]) {
    sim.clock.advance("5m");
    sim.as("bob").comment(repo, n, f);
  }
  sim.clock.advance("30m");
  sim.as("bob").comment(repo, n, "/resolve");
  return n;
}

/** The repository's workflow runs the Action beside the app: its token writes as `github-actions[bot]`. */
export function addActionToken(sim: GitHubSim): void {
  sim.addUser(ACTIONS_BOT, { type: "Bot" });
  sim.addToken(ACTIONS_TOKEN, ACTIONS_BOT);
}
