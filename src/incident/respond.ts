import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { writtenByUs } from "../trust.js";
import { bundledTemplate } from "../templates.js";
import { cutText, fitBody, text } from "../text/limits.js";
import { USAGE } from "./commands.js";
import type { History } from "./history.js";
import { hasMarker, writeMarker } from "../markers.js";
import type { CommandOutcome, RefusedChange } from "./state.js";
import { neutraliseInline } from "../text/neutralise.js";
import { formatInstant } from "../time/duration.js";

const WHAT: Record<string, string> = {
  incident: "declare this issue an incident (`security` keeps it private)",
  ack: "acknowledge the incident; stops escalation",
  sev: "change the severity",
  status: "change the status (`monitoring` means mitigated)",
  mitigated: "the impact has stopped",
  resolve: "the incident is over; closes the issue",
  commander: "set the incident commander and assign them",
  role: "set another role",
  update: "a status update for stakeholders",
  timeline: "add a timeline entry, or set when the impact started",
  cause: "the change that caused the incident",
  summary: "the summary used by the post-mortem",
  impact: "the impact statement used by the post-mortem",
  followup: "an action item; becomes a follow-up ticket",
  problem: "link this incident to a problem record (incidents with one underlying cause), or open one",
  postmortem: "generate or refresh the post-mortem now",
  decline: "a report in triage is not an incident: close it, with the reason",
  "allow-deploy": "let one deployment through the change freeze (the commander; anyone who may command while there is none)",
  help: "this list",
};

const replyMarker = (key: number | string) => writeMarker("reply", key);

/** The app's reply to a comment, found by its marker. */
export function findReply(history: History, commentId: number | string): { id: number; body: string } | undefined {
  for (const e of history.events) {
    if (e.type === "commented" && e.own && hasMarker(e.body, "reply", commentId)) return { id: e.commentId, body: e.body };
  }
  return undefined;
}

/**
 * The reply, within GitHub's body limit: a comment of thousands of wrong command lines gets a reply
 * that lists the first of them (each line shown up to 200 characters) and says how much was cut;
 * its marker always stays.
 */
/**
 * The one reply to a person whose label change, close or reopen was put back: kept up to date with
 * their latest such changes (an edit, not a new comment each time, so nobody is pinged again and again).
 */
export function renderRefusals(login: string, changes: RefusedChange[], config: Config): string {
  const lines = changes.slice(-10).map((c) => `- ${neutraliseInline(c.what, 300)} (${formatInstant(c.at)})`);
  return [
    replyMarker(refusalKey(login)),
    `@${login}, changing an incident needs ${config.commands.permission} access to this repository, so this was put back:`,
    "",
    ...lines,
    "",
    "Someone with that access can make the change, or run a command (`/help` lists them).",
  ].join("\n");
}

export const refusalKey = (login: string): string => `p-${login.toLowerCase().replace(/[^a-z0-9-]/g, "_")}`;

/** `subject`: what the commands act on, as the refusal names them (a problem record's commands are problem commands). */
export function renderReply(outcome: CommandOutcome, config: Config, subject: "incident" | "problem" = "incident"): string | undefined {
  if (!outcome.refused && outcome.errors.length === 0 && !outcome.help) return undefined;
  const marker = replyMarker(outcome.commentId);
  const reply = bundledTemplate("reply.md.hbs")({
    marker,
    author: outcome.author,
    refused: outcome.refused,
    subject,
    errors: outcome.errors.map((e) => ({ ...e, line: cutText(e.line, 200, () => "…"), error: cutText(e.error, 300, () => "…") })),
    help: outcome.help,
    permission: config.commands.permission,
    commands: Object.entries(USAGE).map(([name, usage]) => ({ usage, what: WHAT[name] ?? "" })),
  }).trim();
  return reply.startsWith(marker) ? fitBody([marker, text(reply.slice(marker.length), { at: "line" })]) : fitBody([text(reply, { at: "line" })]);
}

/** How the app answers the comment a delivery is about: its reply and its 👍. */
export interface Response {
  commentId: number;
  reply?: { create: string } | { update: number; body: string } | { delete: number };
  /** `add`: the 👍; `withdraw`: take back the app's 👍 (the comment was edited into a mistake). */
  reaction?: "add" | "withdraw";
}

/**
 * Answer the comment that triggered this delivery: 👍 when its commands were carried out, a reply
 * when something was refused or wrong. Both follow the comment as it stands now: a comment edited
 * into shape loses the reply it no longer deserves, one edited into a mistake loses its 👍. A second
 * delivery finds the reply by its marker and plans nothing new. Pure; applyPlan carries it out.
 */
export function planResponse(outcome: CommandOutcome, history: History, config: Config): Response {
  const response: Response = { commentId: outcome.commentId };
  const reply = renderReply(outcome, config);
  const existing = findReply(history, outcome.commentId);
  if (reply && !existing) response.reply = { create: reply };
  if (reply && existing && existing.body !== reply) response.reply = { update: existing.id, body: reply };
  if (!reply && existing) response.reply = { delete: existing.id };
  if (outcome.commentId <= 0) return response;
  // GitHub answers 200 instead of 201 when the reaction exists: a repeat changes nothing.
  if (outcome.applied.length > 0) response.reaction = "add";
  // First time this comment is refused or wrong: it may have been fine before an edit.
  else if (existing === undefined && (outcome.refused || outcome.errors.length > 0)) response.reaction = "withdraw";
  return response;
}

export async function applyResponse(github: GitHub, repo: RepoRef, number: number, response: Response): Promise<void> {
  const { reply, reaction, commentId } = response;
  if (reply && "create" in reply) await github.rest.issues.createComment({ ...repo, issue_number: number, body: reply.create });
  if (reply && "update" in reply) await github.rest.issues.updateComment({ ...repo, comment_id: reply.update, body: reply.body });
  if (reply && "delete" in reply) await github.rest.issues.deleteComment({ ...repo, comment_id: reply.delete });
  if (reaction === "add") await github.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content: "+1" });
  if (reaction === "withdraw") {
    const reactions = await github.paginate(github.rest.reactions.listForIssueComment, { ...repo, comment_id: commentId, content: "+1", per_page: 100 });
    const ours = await writtenByUs(github, repo);
    for (const r of reactions) {
      if (ours(r)) await github.rest.reactions.deleteForIssueComment({ ...repo, comment_id: commentId, reaction_id: r.id });
    }
  }
}
