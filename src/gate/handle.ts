import { z } from "zod";
import { ConfigError, configFor } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { isFrozenEnvironment, freezingIncidents, severityRank } from "../changes/freeze.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import { rateLimitWait } from "../github/pacing.js";
import { reconcileIssue, readIncident, type IncidentDeps } from "../incident/handle.js";
import type { History } from "../incident/history.js";
import { tracked } from "../cluster/inflight.js";
import { serialize } from "../serialize.js";
import { cutText } from "../text/limits.js";
import { parseDeclaration } from "../incident/declaration.js";
import { decideGate, passageFor, type DeployedCommit, type DeployedPull, type GateIncident, type GateVerdict } from "./decide.js";
import { gateKey, gateRunKey, readGateRecord, renderGateRecord, type GateDecision } from "./record.js";

/**
 * `deployment_protection_rule.requested`: GitHub asks the app, as a custom deployment protection
 * rule, whether a workflow job may deploy. The decision (src/gate/decide.ts) reads, at most:
 * the configuration; one listing of the open incidents (100 a page); the history of those whose
 * labels (and, with `changes.freeze.services`, their service) say they may freeze, accepted ones
 * before reports in triage, most severe first; only when one freezes, the pull requests of the
 * deployed commit; and only when their titles and bodies pass not every freezing incident, the
 * commits of (up to three of) those pull requests and the deployed commit's own message. The answer is always sent: an error approves, saying why. It is retried
 * through GitHub's 5xx and rate limits; a second answer to the same run (a duplicate delivery) is
 * refused by GitHub with 422 and changes nothing. Then the decision is recorded once on each
 * incident it concerns, and their cards updated.
 */

const requestSchema = z.object({
  action: z.string(),
  environment: z.string().min(1).max(255),
  deployment_callback_url: z.string().max(2000),
  deployment: z.object({ sha: z.string().regex(/^[0-9a-f]{7,40}$/i), created_at: z.string().optional() }).nullish(),
  // The run's pull requests (a `pull_request` run deploys a merge commit GitHub associates with none).
  pull_requests: z
    .array(
      z.object({
        number: z.number().int().positive(),
        title: z.string().max(1_000),
        body: z.string().nullish(),
        head: z.object({ repo: z.object({ full_name: z.string() }).nullish() }),
      }),
    )
    .max(100)
    .nullish()
    .catch([]),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
});

/** Timing, changeable by tests: answer in the background after this; retry the answer this often. */
export const gateTiming = {
  /** GitHub waits 10 s for a delivery's answer: past this, the delivery is acknowledged and the review follows on the callback. */
  acknowledgeAfterMs: 8_000,
  /** Attempts at the answer beyond the client's own retries (which already wait out 5xx and rate limits). */
  answerAttempts: 4,
  retryBaseMs: 1_000,
};

/** Open incidents whose histories are read for one decision, at most (most severe first). */
export const MAX_DERIVED = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface GateRequest {
  repo: RepoRef;
  runId: number;
  environment: string;
  sha?: string;
  at: string;
  /** The pull requests GitHub lists for the run. */
  pulls: DeployedPull[];
}

/** The run id of `…/actions/runs/{run_id}/deployment_protection_rule`. */
export function runIdOf(callbackUrl: string): number | undefined {
  const m = /\/actions\/runs\/(\d{1,19})\/deployment_protection_rule\/?$/.exec(callbackUrl);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function parseGateRequest(payload: unknown): GateRequest | { error: string } {
  const parsed = requestSchema.safeParse(payload);
  if (!parsed.success)
    return { error: `not a deployment protection rule request (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})` };
  const e = parsed.data;
  const runId = runIdOf(e.deployment_callback_url);
  if (runId === undefined) return { error: `no workflow run in deployment_callback_url ${JSON.stringify(e.deployment_callback_url.slice(0, 200))}` };
  return {
    repo: { owner: e.repository.owner.login, repo: e.repository.name },
    runId,
    environment: e.environment,
    ...(e.deployment?.sha ? { sha: e.deployment.sha.toLowerCase() } : {}),
    pulls: (e.pull_requests ?? []).map((p) => toDeployedPull(p, `${e.repository.owner.login}/${e.repository.name}`)),
    at:
      e.deployment?.created_at && !Number.isNaN(Date.parse(e.deployment.created_at))
        ? new Date(e.deployment.created_at).toISOString()
        : new Date().toISOString(),
  };
}

/**
 * Handle one request: decide and answer, within GitHub's delivery deadline if possible; past
 * `acknowledgeAfterMs` the delivery is acknowledged and the work goes on (tracked, so a graceful
 * stop waits for it).
 */
export async function handleGateRequest(deps: IncidentDeps, payload: unknown): Promise<void> {
  if ((payload as { action?: unknown } | null)?.action !== "requested") return;
  const request = parseGateRequest(payload);
  if ("error" in request) {
    deps.log.error(`incident-desk: deploy gate: ${request.error}; nothing can be answered`);
    return;
  }
  const key = `gate:${request.repo.owner}/${request.repo.repo}:${request.runId}:${request.environment}`.toLowerCase();
  const work = tracked(
    serialize(key, () => runGate(deps, request)).catch((error: unknown) => {
      deps.log.error(`incident-desk: deploy gate for run ${request.runId} failed: ${error instanceof Error ? error.message : String(error)}`);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), gateTiming.acknowledgeAfterMs)));
  const first = await Promise.race([work.then(() => "done" as const), late]);
  clearTimeout(timer);
  if (first === "late") {
    deps.log.warn(
      `incident-desk: deploy gate for run ${request.runId} (${request.environment}) is still deciding after ${gateTiming.acknowledgeAfterMs} ms: the delivery is acknowledged, the answer follows on the callback`,
    );
  }
}

interface Gathered {
  incidents: (GateIncident & { history: History })[];
  pulls: DeployedPull[];
  commit?: DeployedCommit;
}

export async function runGate(deps: IncidentDeps, request: GateRequest): Promise<{ verdict: GateVerdict; answer: Answer }> {
  const { github, log } = deps;
  const { repo, environment } = request;
  let verdict: GateVerdict;
  let gathered: Gathered = { incidents: [], pulls: [] };
  try {
    const config = await configFor(deps, repo);
    if (config instanceof ConfigError) {
      const error = config;
      log.error(`incident-desk: deploy gate: invalid configuration for ${repo.owner}/${repo.repo}: ${error.message}`);
      verdict = approveBecause(`the configuration is invalid, so no freeze could be checked (${error.message})`);
      return { verdict, answer: await answer(github, request, verdict, log) };
    }
    if (!request.sha) {
      verdict = approveBecause("the request names no commit, so no freeze could be checked");
    } else {
      gathered = await gather(github, repo, config, environment, request.sha, request.pulls);
      verdict = decideGate(config, environment, request.sha, gathered.incidents, gathered.pulls, repo, gathered.commit);
    }
    const sent = await answer(github, request, verdict, log);
    if (sent !== "failed" && verdict.record && request.sha) {
      // The answer is out: a record GitHub refuses now is logged, not answered again.
      await record(deps, config, request, verdict, gathered, sent).catch((error: unknown) => {
        log.error(
          `incident-desk: deploy gate answered run ${request.runId} (${verdict.state}) but could not record it on the incident: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    return { verdict, answer: sent };
  } catch (error) {
    // GitHub failing us (reads exhausted their retries, a permission missing): never hold a deployment for that.
    log.error(
      `incident-desk: deploy gate for ${repo.owner}/${repo.repo} run ${request.runId}: ${error instanceof Error ? error.message : String(error)}; approving`,
    );
    verdict = approveBecause(
      `incident-desk could not read the open incidents (${errorStatus(error) ?? "error"}: ${error instanceof Error ? error.message.slice(0, 200) : "unknown"}), so no freeze was checked`,
    );
    return { verdict, answer: await answer(github, request, verdict, log) };
  }
}

const approveBecause = (why: string): GateVerdict => ({ state: "approved", comment: `incident-desk: approved because ${why}.`, freezing: [] });

/**
 * The services an open incident may be on, from the listing alone: the service its declaration
 * names (the app's marker or the issue form, both read: more services only means one more history
 * read) and every service whose labels (`services.<name>.labels`) it carries. The incident's
 * state takes the declaration's, else the first labelled one (src/incident/state.ts): it is one of these.
 */
function possibleServices(config: Config, body: string | null | undefined, labels: Set<string>): string[] {
  const out = new Set<string>();
  for (const trusted of [true, false]) {
    const declared = parseDeclaration(body ?? "", config, trusted).service;
    if (declared) out.add(declared);
  }
  for (const [name, svc] of Object.entries(config.services)) if (svc.labels.some((l) => labels.has(l.toLowerCase()))) out.add(name);
  return [...out];
}

/** Labels (and, for its service, the body) say what the incident's state is, as the app last rendered it: those that cannot freeze are not read. */
function mayFreeze(config: Config, labels: string[], body?: string | null): boolean {
  const has = new Set(labels.map((l) => l.toLowerCase()));
  const frozen = config.changes.freeze!.services;
  // With `services` set, an incident on no service, or on none of them, cannot freeze.
  if (frozen.length > 0 && !possibleServices(config, body, has).some((s) => frozen.includes(s))) return false;
  const ranks = config.severities.filter((s) => has.has(s.label.toLowerCase())).map((s) => severityRank(config, s.name));
  if (ranks.length > 0 && Math.min(...ranks) > severityRank(config, config.changes.freeze!.min_severity)) return false;
  const status = config.labels.status;
  const active = has.has(status.investigating.toLowerCase()) || has.has(status.identified.toLowerCase());
  const over = has.has(status.mitigated.toLowerCase()) || has.has(status.resolved.toLowerCase());
  return active || !over;
}

function labelRank(config: Config, labels: string[]): number {
  const has = new Set(labels.map((l) => l.toLowerCase()));
  const ranks = config.severities.filter((s) => has.has(s.label.toLowerCase())).map((s) => severityRank(config, s.name));
  return ranks.length > 0 ? Math.min(...ranks) : config.severities.length;
}

/**
 * Reports in triage (anyone may open one, with any severity) come after accepted incidents: twenty
 * old sev1 reports must not push a real sev1 out of the histories read. They are still read when
 * there is room (their labels may be a moment behind a responder's `/ack`).
 */
function inTriage(config: Config, labels: string[]): number {
  const has = new Set(labels.map((l) => l.toLowerCase()));
  const status = config.labels.status;
  const accepted = [status.investigating, status.identified, status.mitigated, status.resolved].some((l) => has.has(l.toLowerCase()));
  return has.has(status.triage.toLowerCase()) && !accepted ? 1 : 0;
}

async function gather(github: GitHub, repo: RepoRef, config: Config, environment: string, sha: string, runPulls: DeployedPull[]): Promise<Gathered> {
  if (!config.changes.freeze || !isFrozenEnvironment(config, environment)) return { incidents: [], pulls: [] };
  const open = await github.paginate(github.rest.issues.listForRepo, { ...repo, labels: config.labels.incident, state: "open", per_page: 100 });
  const names = (issue: (typeof open)[number]) => issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  const candidates = open
    .filter((issue) => !issue.pull_request && mayFreeze(config, names(issue), issue.body))
    .sort((a, b) => inTriage(config, names(a)) - inTriage(config, names(b)) || labelRank(config, names(a)) - labelRank(config, names(b)) || a.number - b.number)
    .slice(0, MAX_DERIVED);
  const incidents: Gathered["incidents"] = [];
  for (const issue of candidates) {
    const read = await readIncident(github, repo, issue.number, config, undefined, issue);
    if (!read?.state.isIncident) continue;
    const s = read.state;
    incidents.push({
      number: s.number,
      title: s.title,
      url: s.url,
      severity: s.severity,
      status: s.status,
      ...(s.service ? { service: s.service } : {}),
      open: issue.state === "open",
      ...(s.declined ? { declined: true } : {}),
      ...(s.roles.commander ? { commander: s.roles.commander } : {}),
      allowances: s.allowances,
      ...(s.security ? { security: true } : {}),
      history: read.history,
    });
  }
  const freezing = freezingIncidents(config, incidents, environment);
  if (freezing.length === 0) return { incidents, pulls: [] };
  const associated = await deployedPulls(github, repo, sha);
  const pulls = [...associated, ...runPulls.filter((p) => !associated.some((a) => a.number === p.number))];
  if (freezing.every((i) => passageFor(i, sha, pulls, repo))) return { incidents, pulls };
  // Titles and bodies pass not every freezing incident: the commits may (SPEC section 3: "its title, body or commits").
  for (const pull of pulls.filter((p) => !p.fromFork).slice(0, MAX_PULLS_READ)) pull.commits = await pullCommits(github, repo, pull.number);
  if (pulls.some((p) => p.fromFork) || freezing.every((i) => passageFor(i, sha, pulls, repo))) return { incidents, pulls };
  const commit = await deployedCommit(github, repo, sha);
  return { incidents, pulls, ...(commit ? { commit } : {}) };
}

/** Pull requests of the deployed commit whose commits are read, at most (one page each). */
const MAX_PULLS_READ = 3;

/** The messages of a pull request's first 100 commits (GitHub lists 250 at most; one page is read). */
async function pullCommits(github: GitHub, repo: RepoRef, number: number): Promise<string[]> {
  const { data } = await github.rest.pulls.listCommits({ ...repo, pull_number: number, per_page: 100 });
  return data.map((c) => c.commit.message);
}

async function deployedCommit(github: GitHub, repo: RepoRef, sha: string): Promise<DeployedCommit | undefined> {
  try {
    const { data } = await github.rest.repos.getCommit({ ...repo, ref: sha, per_page: 1 });
    return { sha: data.sha.toLowerCase(), message: data.commit.message };
  } catch (error) {
    if (errorStatus(error) === 422 || errorStatus(error) === 404) return undefined;
    throw error;
  }
}

/** A pull request whose head lives elsewhere (or in a deleted fork) is a fork's. */
function toDeployedPull(p: { number: number; title: string; body?: string | null; head: { repo?: { full_name: string } | null } }, here: string): DeployedPull {
  return { number: p.number, title: p.title, body: p.body ?? "", fromFork: p.head.repo?.full_name?.toLowerCase() !== here.toLowerCase() };
}

async function deployedPulls(github: GitHub, repo: RepoRef, sha: string): Promise<DeployedPull[]> {
  try {
    const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
    return data.map((p) => toDeployedPull(p, `${repo.owner}/${repo.repo}`));
  } catch (error) {
    // A commit GitHub does not know (yet) belongs to no pull request.
    if (errorStatus(error) === 422 || errorStatus(error) === 404) return [];
    throw error;
  }
}

type Answer = "sent" | "already" | "failed";

/** Worth another attempt: no answer at all, GitHub's 5xx, a rate limit (not a 403 for a missing permission). */
const retried = (error: unknown): boolean => {
  const status = errorStatus(error);
  return status === undefined || status >= 500 || rateLimitWait(error as Parameters<typeof rateLimitWait>[0]) !== undefined;
};

/** The review, retried; a 422 means the run was reviewed already (a duplicate delivery): nothing more to do. */
async function answer(github: GitHub, request: GateRequest, verdict: GateVerdict, log: IncidentDeps["log"]): Promise<Answer> {
  const comment = cutText(verdict.comment, 1_000, () => "…");
  for (let attempt = 1; ; attempt++) {
    try {
      await github.rest.actions.reviewCustomGatesForRun({
        ...request.repo,
        run_id: request.runId,
        environment_name: request.environment,
        state: verdict.state,
        comment,
      });
      log.info(`incident-desk: deploy gate ${verdict.state} run ${request.runId} (${request.environment})`);
      return "sent";
    } catch (error) {
      const status = errorStatus(error);
      if (status === 422) {
        log.info(`incident-desk: deploy gate: run ${request.runId} (${request.environment}) was reviewed already`);
        return "already";
      }
      if (attempt >= gateTiming.answerAttempts || !retried(error)) {
        log.error(
          `incident-desk: deploy gate could not answer run ${request.runId} (${request.environment}): ${error instanceof Error ? error.message : String(error)}`,
        );
        return "failed";
      }
      await sleep(gateTiming.retryBaseMs * attempt ** 2);
    }
  }
}

/** Once per incident it concerns: a repeat (same run, environment, commit and outcome) finds its record. */
async function record(deps: IncidentDeps, config: Config, request: GateRequest, verdict: GateVerdict, gathered: Gathered, sent: Answer): Promise<void> {
  const decision: GateDecision = { runId: request.runId, environment: request.environment, sha: request.sha!, at: request.at, ...verdict.record! };
  const key = gateKey(decision);
  const runKey = gateRunKey(decision);
  for (const number of decision.incidents) {
    const incident = gathered.incidents.find((i) => i.number === number);
    if (!incident) continue;
    const recorded = incident.history.events.flatMap((e) => (e.type === "commented" && e.own ? [readGateRecord(e.body)] : [])).filter((r) => r !== undefined);
    // Reviewed already (GitHub refused this answer): record only if no outcome of this run is.
    const known = recorded.some((r) => r.key === key || (sent === "already" && gateRunKey(r.decision) === runKey));
    if (known) continue;
    const run = incident.history.issue.url.replace(/\/issues\/\d+$/, `/actions/runs/${request.runId}`);
    // How it passed this incident (a fix of one, the commander's allowance on another).
    const passage = verdict.passages?.get(number);
    const own: GateDecision = passage
      ? {
          runId: decision.runId,
          environment: decision.environment,
          sha: decision.sha,
          at: decision.at,
          outcome: decision.outcome,
          incidents: decision.incidents,
          ...passage,
        }
      : decision;
    await deps.github.rest.issues.createComment({ ...request.repo, issue_number: number, body: renderGateRecord(own, run) });
    await reconcileIssue({ ...deps, config }, request.repo, number, { kind: "issue" });
  }
}
