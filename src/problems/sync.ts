import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { errorStatus } from "../github/client.js";
import { atLeast, fetchPermissions } from "../github/permissions.js";
import { fetchHistory } from "../incident/fetch.js";
import type { History } from "../incident/history.js";
import { renderReply, type Response, applyResponse } from "../incident/respond.js";
import type { CommandOutcome, ProblemView } from "../incident/types.js";
import { readVerdicts } from "../incident/verdicts.js";
import { serialize } from "../serialize.js";
import { bundledTemplate } from "../templates.js";
import { hasMarker, writeMarker } from "../markers.js";
import { renderProblemCard } from "./card.js";
import {
  deriveProblem,
  digest,
  isProblemCard,
  notAProblem,
  parseCardNote,
  parseLinkMarker,
  problemCommandAuthors,
  problemView,
  renderLinkMarker,
  type IncidentSummary,
  type LinkRecord,
  type ProblemState,
} from "./records.js";

/**
 * The problem side's one writer: bring a problem issue's link record for one incident (when
 * given) and its card in line, and answer the comment that asked (when given). Serialised per
 * problem issue, like an incident; every write is a diff against what the history shows, so a
 * duplicate or late delivery writes nothing.
 */
export interface RefreshOptions {
  /** The link record of one incident, as it should read now. */
  record?: LinkRecord & { by?: string };
  /** The comment on the problem this delivery is about (its reply and 👍). */
  commentId?: number;
  /**
   * The digest of the view the linked incidents were told (notePushed writes it once they were):
   * never noted before the push is done, so a push that fails half-way is redone by the retry.
   */
  /** The problem issue, when this delivery has just read it. */
  issue?: unknown;
  /** A pull request that refers to the problem, as its delivery has it. */
  pull?: { number: number; title: string; url: string; state: "open" | "closed"; mergedAt: string | null };
}

export type Refreshed =
  | { error: string }
  | {
      state: ProblemState;
      view: ProblemView;
      /** The incident's link record comment, when one was asked for. */
      recordComment?: number;
      /** The view differs from what the linked incidents were last told. */
      changed: boolean;
      /** The card's comment. */
      card: number;
    };

export const problemKey = (repo: RepoRef, number: number) => `problem:${repo.owner}/${repo.repo}#${number}`.toLowerCase();

export async function refreshProblem(github: GitHub, repo: RepoRef, number: number, config: Config, options: RefreshOptions = {}): Promise<Refreshed> {
  return serialize(problemKey(repo, number), () => refresh(github, repo, number, config, options));
}

function findCard(history: History): { id: number; body: string } | undefined {
  for (const e of history.events) if (e.type === "commented" && e.own && isProblemCard(e.body)) return { id: e.commentId, body: e.body };
  return undefined;
}

async function refresh(github: GitHub, repo: RepoRef, number: number, config: Config, options: RefreshOptions): Promise<Refreshed> {
  let history: History;
  try {
    history = await fetchHistory(github, repo, number, options.issue);
  } catch (error) {
    if (errorStatus(error) === 404 || errorStatus(error) === 410) return { error: `there is no issue #${number} in this repository` };
    throw error;
  }
  const issue = history.issue;
  const why = notAProblem({ number, labels: issue.labels, body: issue.body, isPullRequest: issue.url.includes("/pull/"), own: issue.own === true }, config);
  if (why) return { error: why };

  let recordComment: number | undefined;
  let pendingRecord: { event: { commentId: number }; body: string } | undefined;
  if (options.record) {
    const { by, ...record } = options.record;
    const body = bundledTemplate("problem-link.md.hbs")({ marker: renderLinkMarker(record), incident: record.incident, unlinked: record.unlinked, by }).trim();
    const existing = history.events.find(
      (e): e is Extract<History["events"][number], { type: "commented" }> =>
        e.type === "commented" && e.own === true && parseLinkMarker(e.body)?.incident === record.incident,
    );
    if (!existing) {
      const event: Extract<History["events"][number], { type: "commented" }> = {
        type: "commented",
        commentId: 0,
        body,
        author: { login: "", type: "Bot" },
        at: new Date().toISOString(),
        url: "",
        own: true,
      };
      history.events.push(event);
      // A problem's first comment from the app is its card: the record follows it.
      if (!findCard(history)) pendingRecord = { event, body };
      else {
        const { data } = await github.rest.issues.createComment({ ...repo, issue_number: number, body });
        event.commentId = recordComment = data.id;
      }
    } else {
      recordComment = existing.commentId;
      if (existing.body !== body) {
        await github.rest.issues.updateComment({ ...repo, comment_id: existing.commentId, body });
        existing.body = body;
      }
    }
  }

  const card = findCard(history);
  const verdicts = readVerdicts(card?.body);
  const permissions = await fetchPermissions(github, repo, problemCommandAuthors(history, verdicts));
  const mayCommand = (login: string) => atLeast(permissions.get(login) ?? "none", config.commands.permission);
  const state = deriveProblem(history, { config, mayCommand, verdicts });
  if (options.pull) withPull(state, options.pull);
  const view = problemView(state);
  const before = parseCardNote(card?.body).pushed;
  const now = digest(view);
  const body = renderProblemCard(state, before ? { pushed: before } : {});
  let cardId = card?.id;
  if (!card) cardId = (await github.rest.issues.createComment({ ...repo, issue_number: number, body })).data.id;
  else if (card.body !== body) await github.rest.issues.updateComment({ ...repo, comment_id: card.id, body });
  if (pendingRecord) {
    const { data } = await github.rest.issues.createComment({ ...repo, issue_number: number, body: pendingRecord.body });
    pendingRecord.event.commentId = recordComment = data.id;
  }

  if (options.commentId !== undefined) await respond(github, repo, history, state, config, options.commentId);
  return { state, view, ...(recordComment !== undefined ? { recordComment } : {}), changed: before !== now, card: cardId! };
}

/**
 * Note on the problem's card that the linked incidents were told the view with this digest: after
 * the push, so that a delivery failing half-way through it finds the view still untold and pushes
 * again when GitHub delivers it again. The card is read afresh (another delivery may have
 * rewritten it meanwhile) and only its note changes.
 */
export async function notePushed(github: GitHub, repo: RepoRef, number: number, cardId: number, pushed: string): Promise<void> {
  await serialize(problemKey(repo, number), async () => {
    let body: string;
    try {
      body = (await github.rest.issues.getComment({ ...repo, comment_id: cardId })).data.body ?? "";
    } catch (error) {
      // The card was deleted meanwhile: the problem's next event writes it again, its view untold.
      if (errorStatus(error) === 404) return;
      throw error;
    }
    const note = writeMarker("problem-card", parseCardNote(body));
    if (!isProblemCard(body) || !body.startsWith(note) || parseCardNote(body).pushed === pushed) return;
    await github.rest.issues.updateComment({ ...repo, comment_id: cardId, body: writeMarker("problem-card", { pushed }) + body.slice(note.length) });
  });
}

/** The pull request as its delivery has it: fresher than the cross-reference, which GitHub may add later. */
function withPull(state: ProblemState, pull: NonNullable<RefreshOptions["pull"]>): void {
  const others = state.fixes.filter((f) => f.number !== pull.number);
  const fix = { number: pull.number, title: pull.title, url: pull.url, state: pull.mergedAt ? ("merged" as const) : pull.state };
  state.fixes = [...others, fix].sort((a, b) => a.number - b.number);
}

/** The 👍 for a carried-out command, one reply for a refused or wrong one (the incident's own reply format). */
async function respond(github: GitHub, repo: RepoRef, history: History, state: ProblemState, config: Config, commentId: number): Promise<void> {
  const outcome = state.commands.find((c) => c.commentId === commentId);
  if (!outcome) return;
  const as: CommandOutcome = { ...outcome, url: "", applied: outcome.applied as never, help: false };
  const reply = renderReply(as, config, "problem");
  const existing = history.events.find(
    (e): e is Extract<History["events"][number], { type: "commented" }> => e.type === "commented" && e.own === true && hasMarker(e.body, "reply", commentId),
  );
  const response: Response = { commentId };
  if (reply && !existing) response.reply = { create: reply };
  else if (reply && existing && existing.body !== reply) response.reply = { update: existing.commentId, body: reply };
  else if (!reply && existing) response.reply = { delete: existing.commentId };
  if (outcome.applied.length > 0) response.reaction = "add";
  await applyResponse(github, repo, history.issue.number, response);
}

/** The incidents linked to an issue as its link records tell (newest first), whatever the issue is now. */
export async function linkedIncidents(github: GitHub, repo: RepoRef, number: number, config: Config): Promise<IncidentSummary[]> {
  let history: History;
  try {
    history = await fetchHistory(github, repo, number);
  } catch (error) {
    if (errorStatus(error) === 404 || errorStatus(error) === 410) return [];
    throw error;
  }
  return deriveProblem(history, { config, mayCommand: () => false, verdicts: new Map() }).incidents;
}
