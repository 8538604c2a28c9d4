import { z } from "zod";
import { ConfigError, configFor, renderConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import type { IncidentDeps } from "../incident/deps.js";
import { writeMarker } from "../markers.js";
import { serialize } from "../serialize.js";
import { fitBody } from "../text/limits.js";
import { writeCheckRun, type CheckRunResult } from "./check-run.js";
import { assessRisk, CHECK_NAME, CHECK_SUMMARY_LIMIT, type PullFacts } from "./risk.js";
import { readEarlierIncidents, readOpenIncidents, readOpenProblems, readPullFiles } from "./risk-reads.js";
import { serviceMatcher, servicesTouched } from "./services.js";

/**
 * Change risk's entry points (SPEC section 9): a pull request opened, pushed to, reopened or edited
 * (an edit can make it a fix, or no longer one), and a person's "Re-run" of the check run or of
 * its check suite. Each ends in one check run on the pull request's head commit.
 */

export const RISK_ACTIONS = ["opened", "synchronize", "reopened", "edited"] as const;

const side = z.object({ sha: z.string(), repo: z.object({ full_name: z.string() }).nullish() });
const pullSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  html_url: z.string(),
  updated_at: z.string(),
  head: side,
  base: side,
});
type Pull = z.infer<typeof pullSchema>;

const repository = z.object({ name: z.string(), owner: z.object({ login: z.string() }) });
const pullEvent = z.object({ action: z.string(), repository, pull_request: pullSchema });
const minimalPull = z.object({ number: z.number().int().positive() });
const checkRunEvent = z.object({
  action: z.literal("rerequested"),
  repository,
  check_run: z.object({
    name: z.string(),
    head_sha: z.string(),
    external_id: z.string().nullish(),
    pull_requests: z.array(minimalPull).default([]),
    check_suite: z.object({ updated_at: z.string().nullish() }).passthrough().nullish(),
  }),
});
const checkSuiteEvent = z.object({
  action: z.literal("rerequested"),
  repository,
  check_suite: z.object({ head_sha: z.string(), updated_at: z.string().nullish(), pull_requests: z.array(minimalPull).default([]) }),
});

const repoOf = (r: z.infer<typeof repository>): RepoRef => ({ owner: r.owner.login, repo: r.name });

export interface RiskOutcome {
  /** The configuration read, for the other handlers of the same delivery. */
  config?: Config;
  /** The configuration was invalid and the check run says so. */
  configError?: ConfigError;
  run?: CheckRunResult;
}

/** A configuration that cannot be read: a neutral check run that says which file, key and what. */
function configErrorOutput(error: ConfigError, pull: Pull) {
  const comment = renderConfigError(error).replace(writeMarker("config-error"), "").trimStart();
  return {
    conclusion: "neutral" as const,
    title: "incident-desk cannot read its configuration",
    summary: fitBody([comment], CHECK_SUMMARY_LIMIT),
    detailsUrl: pull.html_url,
  };
}

/** Assess one pull request at its head commit and write the check run (the caller holds its lock). */
export async function checkPull(deps: IncidentDeps, repo: RepoRef, pull: Pull, now: number): Promise<RiskOutcome> {
  const { github } = deps;
  const config = await configFor(deps, repo);
  if (config instanceof ConfigError) {
    deps.log.warn(`incident-desk: invalid configuration for ${repo.owner}/${repo.repo}: ${config.message}`);
    const run = await writeCheckRun(github, repo, pull.number, pull.head.sha, configErrorOutput(config, pull));
    return { configError: config, run };
  }
  const here = `${repo.owner}/${repo.repo}`.toLowerCase();
  const facts: PullFacts = {
    number: pull.number,
    title: pull.title,
    body: pull.body ?? "",
    url: pull.html_url,
    sameRepo: pull.head.repo?.full_name.toLowerCase() === here,
  };
  const { files, cut } = await readPullFiles(github, repo, pull.number, pull.head.sha);
  const touched = servicesTouched(serviceMatcher(config), files);
  const services = [...touched.keys()];
  // Listed once for this delivery: the incidents matter to the freeze and to the services touched.
  const incidents = config.changes.freeze || services.length > 0 ? await readOpenIncidents(github, repo, config) : [];
  const problems = await readOpenProblems(github, repo, config, services);
  const earlier = await readEarlierIncidents(github, repo, config, files, now, pull.number);
  const assessment = assessRisk({ repo, pull: facts, touched, fileCount: files.length, filesCut: cut, incidents, earlier, problems }, config);
  const run = await writeCheckRun(github, repo, pull.number, pull.head.sha, assessment);
  return { config, run };
}

/** `pull_request` opened, synchronize, reopened or edited. */
export async function handlePullRisk(deps: IncidentDeps, payload: unknown): Promise<RiskOutcome> {
  const parsed = pullEvent.safeParse(payload);
  if (!parsed.success || !(RISK_ACTIONS as readonly string[]).includes(parsed.data.action)) return {};
  const e = parsed.data;
  const repo = repoOf(e.repository);
  // Deliveries arrive out of order (an edit before the push that preceded it): the pull request is
  // read as it is now, its head and its title and body (which decide whether it is a fix).
  return serialize(lockKey(repo, e.pull_request.number), async () => {
    const pull = await readPull(deps.github, repo, e.pull_request.number);
    return pull ? checkPull(deps, repo, pull, Date.parse(pull.updated_at)) : {};
  });
}

/**
 * Assess again a pull request as the open pull requests' listing gave it (src/changes/freeze-end.ts:
 * a freeze ended), under its lock. Nothing is written when the run would not change.
 */
export async function recheckListedPull(deps: IncidentDeps, repo: RepoRef, listed: unknown): Promise<RiskOutcome> {
  const pull = pullSchema.parse(listed);
  return serialize(lockKey(repo, pull.number), () => checkPull(deps, repo, pull, Date.parse(pull.updated_at)));
}

/** One assessment at a time per pull request (across replicas with Redis): reads and write together. */
const lockKey = (repo: RepoRef, number: number) => `risk ${repo.owner}/${repo.repo}#${number}`.toLowerCase();

async function readPull(github: GitHub, repo: RepoRef, number: number): Promise<Pull | undefined> {
  try {
    return pullSchema.parse((await github.rest.pulls.get({ ...repo, pull_number: number })).data);
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

/** Open pull requests whose head is `sha` (GitHub leaves forks' out of a check's `pull_requests`). */
async function pullsAt(github: GitHub, repo: RepoRef, sha: string): Promise<number[]> {
  const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
  return data.filter((p) => p.state === "open" && p.head.sha === sha).map((p) => p.number);
}

async function recheck(deps: IncidentDeps, repo: RepoRef, numbers: number[], at: string | null | undefined): Promise<void> {
  for (const number of [...new Set(numbers)].slice(0, 10)) {
    await serialize(lockKey(repo, number), async () => {
      const pull = await readPull(deps.github, repo, number);
      if (!pull) return;
      const times = [pull.updated_at, at].filter((t): t is string => typeof t === "string").map(Date.parse);
      await checkPull(deps, repo, pull, Math.max(...times.filter((t) => !Number.isNaN(t))));
    });
  }
}

/** `check_run.rerequested` on our check run, or `check_suite.rerequested` on our suite: run again. */
export async function handleRiskRerequest(deps: IncidentDeps, name: string, payload: unknown): Promise<void> {
  if (name === "check_run") {
    const parsed = checkRunEvent.safeParse(payload);
    if (!parsed.success || parsed.data.check_run.name !== CHECK_NAME) return;
    const { check_run: run } = parsed.data;
    const repo = repoOf(parsed.data.repository);
    // Our external_id is the pull request's number: it also names a fork's pull request, which
    // GitHub leaves out of `pull_requests`.
    const external = /^\d{1,9}$/.test(run.external_id ?? "") ? [Number(run.external_id)] : [];
    const numbers = [...run.pull_requests.map((p) => p.number), ...external];
    await recheck(deps, repo, numbers.length > 0 ? numbers : await pullsAt(deps.github, repo, run.head_sha), run.check_suite?.updated_at);
    return;
  }
  const parsed = checkSuiteEvent.safeParse(payload);
  if (!parsed.success) return;
  const { check_suite: suite } = parsed.data;
  const repo = repoOf(parsed.data.repository);
  const numbers = suite.pull_requests.map((p) => p.number);
  await recheck(deps, repo, numbers.length > 0 ? numbers : await pullsAt(deps.github, repo, suite.head_sha), suite.updated_at);
}
