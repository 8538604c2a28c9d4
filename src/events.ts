import { z } from "zod";
import type { Trigger } from "./incident/handle.js";
import { commandParagraphs, mayHoldCommand } from "./text/markdown.js";

/**
 * The parts of GitHub's webhook bodies that incident-desk reads, validated once at the edge.
 * Anything else in a payload is ignored.
 */
const user = z.object({ login: z.string(), type: z.string().default("User") });
const label = z.object({ name: z.string() });
const issueType = z.object({ name: z.string() });

export const issueEventSchema = z.object({
  action: z.string(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }), private: z.boolean().default(false) }),
  issue: z.object({
    number: z.number().int().positive(),
    body: z.string().nullish(),
    labels: z.array(label).default([]),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
    pull_request: z.unknown().optional(),
    type: issueType.nullish(),
  }),
  label: label.optional(),
  /** `issues.typed` / `untyped`: the type set, or the one cleared. */
  type: issueType.nullish(),
  comment: z.object({ id: z.number(), body: z.string().nullish() }).optional(),
  changes: z.object({ body: z.object({ from: z.string().nullish() }).optional() }).partial().optional(),
  sender: user,
  installation: z.object({ id: z.number() }).optional(),
});

export interface IssueTarget {
  repo: { owner: string; repo: string };
  number: number;
  trigger: Trigger;
  /** Text of the issue or comment that might declare an incident. */
  text: string;
  labels: string[];
  removedLabel?: string;
  /** The issue's type (its name), and for `untyped` the type cleared. */
  issueType?: string;
  removedType?: string;
}


/**
 * Which issue an `issues` or `issue_comment` delivery is about, or nothing when it cannot concern
 * an incident: a comment with no `/command` line, an issue with no label and no command. This
 * check costs no request, so ordinary issue traffic costs nothing.
 */
export function issueTarget(name: string, raw: unknown): IssueTarget | undefined {
  const parsed = issueEventSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  if (e.issue.pull_request) return undefined;
  const repo = { owner: e.repository.owner.login, repo: e.repository.name };
  const labels = e.issue.labels.map((l) => l.name);
  const base = { repo, number: e.issue.number, labels, ...(e.issue.type ? { issueType: e.issue.type.name } : {}) };
  if (name === "issue_comment") {
    const body = e.comment?.body ?? "";
    const before = e.changes?.body?.from ?? "";
    const commands = mayHoldCommand(body) || (e.action === "edited" && mayHoldCommand(before));
    if (!e.comment || !commands) return undefined;
    if (e.action === "deleted") return { ...base, trigger: { kind: "issue" }, text: "" };
    return { ...base, trigger: { kind: "comment", commentId: e.comment.id }, text: body };
  }
  // A deleted issue is gone: nothing to reconcile (its incident, if it was a ticket, is; see app.ts).
  if (e.action === "deleted") return undefined;
  const body = e.issue.body ?? "";
  // An issue opened with labels (an issue form) comes as `opened` and then one `labeled` per label.
  // `opened` does the work; a `labeled` whose issue has not changed since it was created is one of
  // those, and would only repeat it. (Should GitHub ever stamp them a moment later, both are
  // handled: idempotent, a few reads more.)
  // The same for an issue type given as the issue is opened (an issue form's `type:`).
  if ((e.action === "labeled" || e.action === "typed") && e.issue.created_at !== undefined && e.issue.created_at === e.issue.updated_at) return undefined;
  if (e.action === "unlabeled" && e.label) return { ...base, trigger: { kind: "issue" }, text: body, removedLabel: e.label.name };
  if (e.action === "untyped" && e.type) return { ...base, trigger: { kind: "issue" }, text: body, removedType: e.type.name };
  if (labels.length === 0 && !e.issue.type && !mayHoldCommand(body) && !body.includes("incident-desk:declare")) return undefined;
  return { ...base, trigger: { kind: "issue" }, text: body };
}

/** After the configuration is known: is this issue (or is it becoming) an incident? `issueType`: the configured incident type. */
export function concernsIncident(target: IssueTarget, incidentLabel: string, issueType: string | false = false): boolean {
  const label = incidentLabel.toLowerCase();
  if (target.labels.some((l) => l.toLowerCase() === label)) return true;
  if (target.removedLabel?.toLowerCase() === label) return true;
  if (issueType && [target.issueType, target.removedType].some((t) => t?.toLowerCase() === issueType.toLowerCase())) return true;
  return declaresIncident(target.text) || target.text.includes("incident-desk:declare");
}

/** A visible `/incident` line (src/text/markdown.ts decides what is visible). */
function declaresIncident(text: string): boolean {
  return commandParagraphs(text).some((lines) => lines.some((line) => /^[ \t]*\/incident(?![A-Za-z-])/i.test(line)));
}
