import type { Config } from "../config/schema.js";
import { errorStatus, type GitHub, type RepoRef } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import type { History } from "../incident/history.js";
import type { IncidentDeps } from "../incident/deps.js";
import { labelSpec } from "../incident/labels.js";
import type { IncidentState, PendingProblem, ProblemChecks, ProblemFacts } from "../incident/types.js";
import { redact } from "../postmortem/redact.js";
import { bundledTemplate } from "../templates.js";
import { cutText, fitBody, text } from "../text/limits.js";
import { identityOf, writtenByUs } from "../trust.js";
import { digest, incidentSummary, notAProblem, parseRecordMarker, renderRecordMarker } from "./records.js";
import { refreshProblem } from "./sync.js";

/**
 * The incident's side of problem records: check what `/problem` commands name (once: the answer is
 * kept in the card's `problem-facts` marker), open the problem `/problem new` asks for (exactly
 * once), and keep the incident's link record on its problem up to date. The card then shows the
 * problem, and its workaround at the top when it is a known error.
 */

// ---- checking and opening ------------------------------------------------------------------------

/** Check the pending `/problem` commands of comments that are otherwise fine (reads; `/problem new` opens the problem). */
export async function checkProblems(
  deps: IncidentDeps,
  repo: RepoRef,
  history: History,
  state: IncidentState,
  config: Config,
  /** The problem issues read here, for linkProblem to use instead of reading them again. */
  read: Map<number, unknown> = new Map(),
): Promise<ProblemChecks> {
  const checks: ProblemChecks = {};
  for (const pending of state.pendingProblems) {
    const outcome = state.commands.find((c) => c.commentId === pending.commentId);
    if (!outcome || outcome.refused || outcome.errors.length > 0) continue;
    const key = pending.key;
    if (pending.ref.kind === "number") {
      const n = pending.ref.number;
      if (n === state.number) {
        checks[key] = "an incident cannot be its own problem record";
        continue;
      }
      // The problem's card and this incident's link record are written when the state is final (linkProblem).
      const refreshed = await peekProblem(deps.github, repo, n, config, read);
      checks[key] = refreshed ?? n;
    } else {
      checks[key] = await openProblem(deps.github, repo, history, state, config, pending, key, read);
    }
  }
  return checks;
}

/** Why #n is not a problem record, or nothing: a read of the issue. */
async function peekProblem(github: GitHub, repo: RepoRef, n: number, config: Config, read: Map<number, unknown>): Promise<string | undefined> {
  try {
    const { data } = await github.rest.issues.get({ ...repo, issue_number: n });
    read.set(n, data);
    const ours = await writtenByUs(github, repo);
    const labels = data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    return notAProblem({ number: n, labels, body: data.body ?? "", isPullRequest: Boolean(data.pull_request), own: ours(data) }, config);
  } catch (error) {
    const status = errorStatus(error);
    if (status === 404 || status === 410) return `there is no issue #${n} in this repository`;
    throw error;
  }
}

/**
 * The problem `/problem new` asked for: the one this command already opened (found by the marker
 * in its body among the issues this app opened since the command, a listing GitHub answers at once,
 * unlike cross-references, which come later), else a new one.
 */
async function openProblem(
  github: GitHub,
  repo: RepoRef,
  history: History,
  state: IncidentState,
  config: Config,
  pending: PendingProblem,
  key: string,
  read: Map<number, unknown>,
): Promise<number> {
  if (pending.ref.kind !== "new") throw new Error("not a /problem new");
  const identity = await identityOf(github);
  const ours = await writtenByUs(github, repo);
  const origin = { repo: state.repo, incident: state.number, key };
  if (identity) {
    const opened = await github.paginate(github.rest.issues.listForRepo, { ...repo, creator: identity.self, state: "all", since: pending.at, per_page: 100 });
    for (const issue of opened) {
      const marker = parseRecordMarker(issue.body);
      if (
        !issue.pull_request &&
        ours(issue) &&
        marker &&
        marker.key === key &&
        marker.incident === state.number &&
        marker.repo.toLowerCase() === state.repo.toLowerCase()
      ) {
        read.set(issue.number, issue);
        return issue.number;
      }
    }
  }
  // The problem carries the incident's service labels, so it shows where the service's work is.
  const serviceLabels = new Set(Object.values(config.services).flatMap((s) => s.labels.map((l) => l.toLowerCase())));
  const labels = [
    config.labels.problem,
    ...history.issue.labels.filter((l) => serviceLabels.has(l.toLowerCase()) && l.toLowerCase() !== config.labels.problem.toLowerCase()),
  ];
  await ensureLabels(
    github,
    repo,
    labels.map((l) => labelSpec(config, l)),
  );
  const marker = renderRecordMarker(origin);
  const body = bundledTemplate("problem-record.md.hbs")({ marker, incident: state.number, by: pending.by }).trim();
  const { data } = await github.rest.issues.create({
    ...repo,
    title: cutText(redact(pending.ref.title), 256, () => "…"),
    body: fitBody([marker, text(body.slice(marker.length), { at: "line" })]),
    labels,
  });
  read.set(data.number, data);
  return data.number;
}

/**
 * The digest of what the link record says, kept in the card. Once the incident was declared more
 * than once (withdrawn and declared again; a report accepted), the last declaration is in it: the
 * record taken back at the withdrawal is then written again, even if the summary reads the same.
 */
function recordDigest(state: IncidentState, summary: ReturnType<typeof incidentSummary>): string {
  const declarations = state.timeline.filter((e) => e.kind === "declared");
  return declarations.length > 1 ? digest({ summary, declared: declarations.at(-1)!.at }) : digest(summary);
}

// ---- the link record ----------------------------------------------------------------------------

/**
 * After the incident's state is final: write (or update) its link record on its problem when the
 * link or the incident's summary changed, take it back from a problem it left, and set what the
 * card shows and keeps. Reads the problem only then; otherwise the card's facts serve.
 */
export async function linkProblem(
  deps: IncidentDeps,
  repo: RepoRef,
  state: IncidentState,
  config: Config,
  read: Map<number, unknown> = new Map(),
): Promise<void> {
  const facts: ProblemFacts = state.problemFacts ?? { checks: {} };
  // An issue that is no longer an incident (withdrawn, declined) stops counting on its problem.
  const current = state.isIncident ? state.problem : undefined;
  let { view, record } = facts;
  if (record && record.problem !== current?.number) {
    // Linked elsewhere since (or the link was withdrawn): the former problem stops counting this incident.
    await refreshProblem(deps.github, repo, record.problem, config, { record: { incident: state.number, unlinked: true } });
    record = undefined;
    view = undefined;
  }
  if (current) {
    const summary = incidentSummary(state);
    const d = recordDigest(state, summary);
    if (!record || record.digest !== d || !view || deps.problemGone === current.number) {
      const refreshed = await refreshProblem(deps.github, repo, current.number, config, {
        record: { incident: state.number, summary, by: current.by },
        issue: read.get(current.number),
      });
      if ("error" in refreshed) {
        // It stopped being a problem record after the link (its label removed): nothing to show.
        deps.log.warn(`incident-desk: #${state.number}'s problem #${current.number}: ${refreshed.error}`);
        view = undefined;
      } else {
        view = refreshed.view;
        record = { problem: current.number, comment: refreshed.recordComment!, digest: d };
      }
    }
    if (deps.problemView?.number === current.number) view = deps.problemView;
  }
  state.problemFacts = { checks: facts.checks, ...(view ? { view } : {}), ...(record ? { record } : {}) };
}
