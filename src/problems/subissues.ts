import { z } from "zod";
import type { Config } from "../config/schema.js";
import { parseRepo, type RepoRef } from "../github/client.js";
import { reconcileIssue, type IncidentDeps } from "../incident/handle.js";

/**
 * Sub-issues as follow-ups: an issue a person attaches to an incident as a sub-issue counts as
 * one of its follow-ups (src/incident/state.ts, src/incident/subissues.ts). Two kinds of
 * deliveries concern the incident: the `sub_issues` event (attached, detached), and an `issues`
 * event on a sub-issue (closed, reopened, renamed, deleted) whose parent is the incident. Both
 * name the parent, so finding it costs no request; its relevance is judged from the payload
 * where the payload tells (the parent's labels and type).
 */
export const SUB_ISSUE_ACTIONS = ["sub_issue_added", "sub_issue_removed", "parent_issue_added", "parent_issue_removed"] as const;

const named = z.object({ name: z.string() });
const subIssuesEventSchema = z.object({
  action: z.enum(SUB_ISSUE_ACTIONS),
  repository: z.object({ full_name: z.string() }),
  parent_issue: z.object({
    number: z.number().int().positive(),
    labels: z.array(named).default([]),
    type: named.nullish(),
    pull_request: z.unknown().optional(),
  }),
  parent_issue_repo: z.object({ full_name: z.string() }).optional(),
});

/** Whether the parent, as the payload shows it, is (or was) an incident: its label or its type. */
function looksLikeIncident(parent: { labels: { name: string }[]; type?: { name: string } | null }, config: Config): boolean {
  const label = config.labels.incident.toLowerCase();
  if (parent.labels.some((l) => l.name.toLowerCase() === label)) return true;
  return config.issue_type !== false && parent.type?.name.toLowerCase() === config.issue_type.toLowerCase();
}

/** The configuration this delivery read belongs to its own repository: a parent elsewhere reads its own. */
const depsFor = (deps: IncidentDeps, from: string, parent: RepoRef): IncidentDeps =>
  `${parent.owner}/${parent.repo}`.toLowerCase() === from.toLowerCase() ? deps : { ...deps, config: undefined };

/** A `sub_issues` delivery: the parent incident is reconciled (its card counts the sub-issue, or no longer does). */
export async function trackSubIssue(deps: IncidentDeps, payload: unknown): Promise<void> {
  const parsed = subIssuesEventSchema.safeParse(payload);
  if (!parsed.success || parsed.data.parent_issue.pull_request) return;
  const e = parsed.data;
  const here = e.repository.full_name;
  let parentRepo: RepoRef;
  if (e.action === "sub_issue_added" || e.action === "sub_issue_removed") parentRepo = parseRepo(here);
  else {
    // The sub-issue's side: the parent's repository gets a `sub_issue_*` delivery of its own when in the same repository.
    const there = e.parent_issue_repo?.full_name;
    if (!there || there.toLowerCase() === here.toLowerCase()) return;
    parentRepo = parseRepo(there);
  }
  await reconcileIssue(depsFor(deps, here, parentRepo), parentRepo, e.parent_issue.number, { kind: "issue" }, (config) =>
    looksLikeIncident(e.parent_issue, config),
  );
}

const SUB_ISSUE_STATE_ACTIONS = new Set(["closed", "reopened", "deleted", "edited"]);

const issueWithParentSchema = z.object({
  action: z.string(),
  repository: z.object({ full_name: z.string() }),
  issue: z.object({ parent_issue_url: z.string().nullish(), pull_request: z.unknown().optional() }),
  changes: z.object({ title: z.unknown().optional() }).partial().optional(),
});

const PARENT_URL = /\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/;

/**
 * An `issues` delivery about a sub-issue (closed, reopened, deleted, or renamed): its parent is
 * reconciled when it lives with the same owner. The payload does not say whether the parent is an
 * incident; the pipeline reads it and writes nothing when it is not.
 */
export async function trackSubIssueState(deps: IncidentDeps, name: string, payload: unknown): Promise<void> {
  if (name !== "issues") return;
  const parsed = issueWithParentSchema.safeParse(payload);
  if (!parsed.success || parsed.data.issue.pull_request || !SUB_ISSUE_STATE_ACTIONS.has(parsed.data.action)) return;
  const e = parsed.data;
  if (e.action === "edited" && e.changes?.title === undefined) return;
  const match = PARENT_URL.exec(e.issue.parent_issue_url ?? "");
  if (!match) return;
  const parent = { owner: decodeURIComponent(match[1]!), repo: decodeURIComponent(match[2]!) };
  if (parent.owner.toLowerCase() !== parseRepo(e.repository.full_name).owner.toLowerCase()) return;
  await reconcileIssue(depsFor(deps, e.repository.full_name, parent), parent, Number(match[3]), { kind: "issue" });
}
