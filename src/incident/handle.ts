import { ACTIONS_BOT, identityOf, writtenByUs } from "../trust.js";
import type { Config } from "../config/schema.js";
import type { IncidentDeps } from "./deps.js";

export type { IncidentDeps } from "./deps.js";
export type { Logger } from "../log.js";
import { ConfigError, configFor, parseConfig, renderConfigError } from "../config/load.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { atLeast, fetchPermissions } from "../github/permissions.js";
import { serialize } from "../serialize.js";
import { gatherChangeFacts, type PullUpdate } from "../changes/gather.js";
import { applyPlan } from "./apply.js";
import { fetchHistory } from "./fetch.js";
import type { History } from "./history.js";
import { findCards, planReconcile } from "./reconcile.js";
import { commandAuthors, deriveIncident, type IncidentState } from "./state.js";
import { readVerdicts } from "./verdicts.js";
import { freezeEnded, releaseHeldPulls } from "../changes/freeze-end.js";
import { incidentTypeToSet } from "./issue-type.js";
import { readFactsBlock } from "../changes/facts.js";
import { checkProblems, linkProblem } from "../problems/link.js";
import { readProblemFacts } from "../problems/facts.js";
import type { ProblemChecks } from "./types.js";

export type Trigger =
  | { kind: "issue" }
  | { kind: "comment"; commentId: number }
  /** A pull request that refers to the incident changed: its fresh data (src/changes/pulls.ts). */
  | { kind: "pull"; update: PullUpdate; issue?: unknown };

export interface Reconciled {
  config: Config;
  history: History;
  state: IncidentState;
}

/**
 * Bring one issue in line with its history: read the configuration and the history, derive the
 * state, and write only what differs. Every incident event ends here.
 */
export async function reconcileIssue(
  deps: IncidentDeps,
  repo: RepoRef,
  number: number,
  trigger: Trigger,
  relevant: (config: Config) => boolean = () => true,
): Promise<Reconciled | undefined> {
  const after: { freezeEnded: boolean; config?: Config } = { freezeEnded: false };
  try {
    return await serialize(`${repo.owner}/${repo.repo}#${number}`.toLowerCase(), () => run(deps, repo, number, trigger, relevant, after));
  } finally {
    // After the incident's own writes and outside its lock: the pull requests its freeze held are
    // assessed again, each under its own lock (src/changes/freeze-end.ts). Also when a write of the
    // incident failed after its labels may have gone (a redelivery would find them changed and
    // see no freeze end): the assessment reads the labels as they are. Never throws.
    if (after.freezeEnded) await releaseHeldPulls(after.config ? { ...deps, config: after.config } : deps, repo, number);
  }
}

async function run(
  deps: IncidentDeps,
  repo: RepoRef,
  number: number,
  trigger: Trigger,
  relevant: (config: Config) => boolean,
  after: { freezeEnded: boolean; config?: Config },
): Promise<Reconciled | undefined> {
  const { github } = deps;
  const config = await configFor(deps, repo);
  if (config instanceof ConfigError) {
    // Told only where the event would concern an incident (judged with the default labels): a
    // broken file must not bring a comment to every labelled issue of the repository.
    if (relevant(parseConfig({}))) await reportConfigError(deps, repo, number, config);
    else deps.log.warn(`incident-desk: invalid configuration for ${repo.owner}/${repo.repo}: ${config.message}`);
    return undefined;
  }
  if (!relevant(config)) return undefined;
  const pull = trigger.kind === "pull" ? trigger : undefined;
  // Problem issues read to check a `/problem`, so that linking does not read them again.
  const problems = new Map<number, unknown>();
  const read = await readIncident(github, repo, number, config, pull?.update, pull?.issue, (history, draft) =>
    checkProblems(deps, repo, history, draft, config, problems),
  );
  if (!read) return undefined;
  const { history, state } = read;
  // Problem records (src/problems/): the link record on the problem, and what the card shows of it.
  // One that is no longer an incident has its link record taken back.
  if (state.isIncident || state.problemFacts?.record) await linkProblem(deps, repo, state, config, problems);
  const issueType = await incidentTypeToSet(github, repo, config, state, history, deps.log);
  const plan = planReconcile(state, history, config, {
    ...(trigger.kind === "comment" ? { commentId: trigger.commentId } : {}),
    ...(issueType ? { issueType } : {}),
  });
  // The Action writes no change risk runs: only the app re-checks held pull requests.
  after.freezeEnded = !plan.transfer && freezeEnded(config, history, state) && (await identityOf(github))?.self !== ACTIONS_BOT;
  // The re-checks use the configuration this delivery read, not one read again per pull request.
  after.config = config;
  const { moved } = await applyPlan(deps, repo, history, plan, config);
  // A security incident moved to the private repository is reconciled there, as a delivery of its own.
  if (moved) await reconcileIssue(deps, { owner: moved.owner, repo: moved.repo }, moved.number, { kind: "issue" });
  return { config, history, state };
}

/**
 * Read an issue's history and derive its state, writing nothing: what reconcileIssue acts on,
 * and what the Action's post-mortem and problem tickets are made from. Nothing for a pull request.
 */
export async function readIncident(
  github: GitHub,
  repo: RepoRef,
  number: number,
  config: Config,
  update?: PullUpdate,
  /** The issue, when this delivery has just read it (src/changes/pulls.ts). */
  issue?: unknown,
  /** Check what new `/problem` commands name (the app's pipeline; src/problems/link.ts). Without it they stay pending. */
  problems?: (history: History, draft: IncidentState) => Promise<ProblemChecks>,
): Promise<{ history: History; state: IncidentState } | undefined> {
  const history = await fetchHistory(github, repo, number, issue);
  if (history.issue.url.includes("/pull/")) return undefined;
  // Verdicts already taken stand (src/incident/verdicts.ts): only new changes' authors are asked about.
  const verdicts = readVerdicts(findCards(history)[0]?.body);
  const authors = commandAuthors(history, config, verdicts);
  const permissions = await fetchPermissions(github, repo, authors);
  const mayCommand = (login: string) => atLeast(permissions.get(login) ?? "none", config.commands.permission);
  // Derived once with the facts the card keeps; again only when GitHub had something new to say
  // about the changes (reads only: what `/cause`, the suspects and commit references name).
  const card = readFactsBlock(findCards(history)[0]?.body ?? "");
  const problemFacts = readProblemFacts(findCards(history)[0]?.body);
  let checks = problemFacts.checks;
  const draft = deriveIncident(history, { config, mayCommand, changes: card, verdicts, problems: checks });
  const { facts, fresh } = await gatherChangeFacts(github, repo, history, config, draft, update);
  let state = fresh ? deriveIncident(history, { config, mayCommand, changes: facts, verdicts, problems: checks }) : draft;
  if (problems && state.pendingProblems.length > 0) {
    checks = { ...checks, ...(await problems(history, state)) };
    state = deriveIncident(history, { config, mayCommand, changes: facts, verdicts, problems: checks });
  }
  state.problemFacts = { ...problemFacts, checks };
  return { history, state };
}

/** One comment on the issue that triggered the work, not one per delivery. */
export async function reportConfigError(deps: IncidentDeps, repo: RepoRef, number: number, error: ConfigError): Promise<void> {
  deps.log.warn(`incident-desk: invalid configuration for ${repo.owner}/${repo.repo}: ${error.message}`);
  const body = renderConfigError(error);
  const comments = await deps.github.paginate(deps.github.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 });
  const ours = await writtenByUs(deps.github, repo);
  if (comments.some((c) => c.body === body && ours(c))) return;
  await deps.github.rest.issues.createComment({ ...repo, issue_number: number, body });
}
