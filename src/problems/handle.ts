import { z } from "zod";
import { ConfigError, configFor } from "../config/load.js";
import { parseRepo } from "../github/client.js";
import { reconcileIssue, type IncidentDeps } from "../incident/handle.js";
import { mayHoldCommand } from "../text/markdown.js";
import { digest, PUSH_LIMIT } from "./records.js";
import { parseTicketMarker } from "./marker.js";
import { identityOf, wroteIt } from "../trust.js";
import { linkedIncidents, notePushed, refreshProblem } from "./sync.js";

/**
 * Events on a problem issue (an issue labelled `labels.problem`): `/known-error` and `/workaround`
 * comments, closing (resolved) and reopening, edits of its title. The problem's card is rebuilt
 * from its own history; when what linked incidents show of it changed (the workaround, the
 * status, the title), the newest open linked incidents' cards get it at once (at most
 * PUSH_LIMIT: the others when they next change).
 */
const problemEventSchema = z.object({
  action: z.string(),
  repository: z.object({ full_name: z.string() }),
  issue: z.object({
    number: z.number().int().positive(),
    labels: z.array(z.object({ name: z.string() })).default([]),
    pull_request: z.unknown().optional(),
    body: z.string().nullish(),
    user: z.object({ login: z.string() }).nullish(),
  }),
  comment: z.object({ id: z.number(), body: z.string().nullish() }).optional(),
  label: z.object({ name: z.string() }).optional(),
  changes: z
    .object({ body: z.object({ from: z.string().nullish() }).optional() })
    .partial()
    .optional(),
});

/** Labelling is left out: an issue labelled `problem` gets its card at its first command or link (and a form's labels cost nothing). */
const ISSUE_ACTIONS = new Set(["closed", "reopened", "edited"]);

export async function handleProblemEvent(deps: IncidentDeps, name: string, payload: unknown): Promise<void> {
  if (name !== "issues" && name !== "issue_comment") return;
  const parsed = problemEventSchema.safeParse(payload);
  if (!parsed.success || parsed.data.issue.pull_request) return;
  const e = parsed.data;
  if (name === "issues" && e.action === "unlabeled") return problemUnlabeled(deps, e);
  if (name === "issues" && !ISSUE_ACTIONS.has(e.action)) return;
  if (name === "issue_comment" && !(mayHoldCommand(e.comment?.body ?? "") || mayHoldCommand(e.changes?.body?.from ?? ""))) return;
  const labels = e.issue.labels.map((l) => l.name.toLowerCase());
  // Cheap first look with the default label; the configured one is checked once the configuration is read.
  if (labels.length === 0) return;
  const config = await configFor(deps, parseRepo(e.repository.full_name));
  if (config instanceof ConfigError) return;
  if (!labels.includes(config.labels.problem.toLowerCase()) || labels.includes(config.labels.incident.toLowerCase())) return;
  const repo = parseRepo(e.repository.full_name);
  // A follow-up ticket this app opened, still labelled `problem` from before labels.followup: a ticket, not a problem (no reads).
  if (
    parseTicketMarker(e.issue.body) &&
    wroteIt(await identityOf(deps.github), { login: e.issue.user?.login ?? "" }, e.repository.full_name, e.repository.full_name)
  )
    return;
  const commentId = name === "issue_comment" && e.action !== "deleted" ? e.comment?.id : undefined;
  const refreshed = await refreshProblem(deps.github, repo, e.issue.number, config, commentId !== undefined ? { commentId } : {});
  if ("error" in refreshed || !refreshed.changed) return;
  // Outside the problem's lock: each incident takes its own (and may take the problem's again).
  const open = refreshed.state.incidents.filter((i) => i.open).slice(0, PUSH_LIMIT);
  for (const incident of open) {
    await reconcileIssue({ ...deps, config, problemView: refreshed.view }, repo, incident.number, { kind: "issue" });
  }
  // Only now told: a push that failed half-way is done again by GitHub's redelivery.
  await notePushed(deps.github, repo, e.issue.number, refreshed.card, digest(refreshed.view));
}

/**
 * The `problem` label removed: no longer a problem record. Its newest open linked incidents (at most
 * PUSH_LIMIT, found by its link records) read it again at once, so their cards stop showing its
 * workaround; the others when they next change.
 */
async function problemUnlabeled(deps: IncidentDeps, e: z.infer<typeof problemEventSchema>): Promise<void> {
  if (!e.label) return;
  const config = await configFor(deps, parseRepo(e.repository.full_name));
  if (config instanceof ConfigError) return;
  if (e.label.name.toLowerCase() !== config.labels.problem.toLowerCase()) return;
  const repo = parseRepo(e.repository.full_name);
  const open = (await linkedIncidents(deps.github, repo, e.issue.number, config)).filter((i) => i.open).slice(0, PUSH_LIMIT);
  for (const incident of open) {
    await reconcileIssue({ ...deps, config, problemGone: e.issue.number }, repo, incident.number, { kind: "issue" });
  }
}
