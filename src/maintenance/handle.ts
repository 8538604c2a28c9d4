import { z } from "zod";
import { ConfigError, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import { atLeast, fetchPermissions } from "../github/permissions.js";
import { fetchHistory } from "../incident/fetch.js";
import type { IncidentDeps } from "../incident/handle.js";
import type { History } from "../incident/history.js";
import { serialize } from "../serialize.js";
import { findMaintenanceCard, renderMaintenanceCard } from "./card.js";
import { deriveMaintenance, maintenanceActors, maintenancePhase, type MaintenancePhase, type MaintenanceState } from "./state.js";

/**
 * A maintenance issue brought in line with its history: the `maintenance` label on a window
 * declared by command, the card, a 👍 on each `/maintenance` comment carried out. Like an
 * incident's reconcile, it writes only what differs, so a duplicate delivery writes nothing.
 */
export interface ReadMaintenance {
  history: History;
  state: MaintenanceState;
}

/** Read an issue's history and derive its maintenance state, writing nothing. */
export async function readMaintenance(github: GitHub, repo: RepoRef, number: number, config: Config, issue?: unknown): Promise<ReadMaintenance | undefined> {
  const history = await fetchHistory(github, repo, number, issue);
  if (history.issue.url.includes("/pull/")) return undefined;
  const permissions = await fetchPermissions(github, repo, maintenanceActors(history, config));
  const mayCommand = (login: string) => atLeast(permissions.get(login) ?? "none", config.commands.permission);
  return { history, state: deriveMaintenance(history, { config, mayCommand }) };
}

export async function reconcileMaintenance(
  github: GitHub,
  repo: RepoRef,
  number: number,
  config: Config,
  now: Date,
  /** The comment that triggered the work: its `/maintenance` gets a 👍 when carried out. */
  commentId?: number,
): Promise<(ReadMaintenance & { phase: MaintenancePhase }) | undefined> {
  return serialize(`maintenance:${repo.owner}/${repo.repo}#${number}`.toLowerCase(), async () => {
    const read = await readMaintenance(github, repo, number, config);
    if (!read?.state.isMaintenance) return undefined;
    const { history, state } = read;
    const label = config.labels.maintenance;
    if (!history.issue.labels.some((l) => l.toLowerCase() === label.toLowerCase())) {
      await ensureLabels(github, repo, [{ name: label, color: "c5def5", description: "A planned maintenance window (incident-desk)" }]);
      await github.rest.issues.addLabels({ ...repo, issue_number: number, labels: [label] });
    }
    const body = renderMaintenanceCard(state, config, now);
    const card = findMaintenanceCard(history);
    if (!card) await github.rest.issues.createComment({ ...repo, issue_number: number, body });
    else if (card.body !== body) await github.rest.issues.updateComment({ ...repo, comment_id: card.id, body });
    if (commentId !== undefined && state.applied.includes(commentId)) {
      // GitHub answers 200 instead of 201 when the reaction exists: a repeat changes nothing.
      await github.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content: "+1" });
    }
    return { ...read, phase: maintenancePhase(state, now) };
  });
}

const eventSchema = z.object({
  action: z.string(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  issue: z.object({ number: z.number().int().positive(), body: z.string().nullish(), labels: z.array(z.object({ name: z.string() })).default([]), pull_request: z.unknown().optional() }),
  label: z.object({ name: z.string() }).optional(),
  comment: z.object({ id: z.number(), body: z.string().nullish() }).optional(),
  changes: z.object({ body: z.object({ from: z.string().nullish() }).optional() }).partial().optional(),
});

// `[ \t]*`, not `\s*`: with `m`, `\s*` would run across blank lines from every line start (quadratic).
const mentionsCommand = (text: string | null | undefined) => typeof text === "string" && /^[ \t]*\/maintenance\b/im.test(text);

/**
 * An `issues` or `issue_comment` event that may concern a maintenance window. Costs no request
 * unless the issue carries the maintenance label (or just lost it) or the text holds a
 * `/maintenance` line. `deps.config`: the configuration when the caller has read it already.
 */
export async function handleMaintenanceEvent(deps: IncidentDeps, name: string, payload: unknown, now: Date = new Date()): Promise<void> {
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success || parsed.data.issue.pull_request || (name === "issues" && parsed.data.action === "deleted")) return;
  const e = parsed.data;
  const repo = { owner: e.repository.owner.login, repo: e.repository.name };
  const texts = [e.issue.body, e.comment?.body, e.changes?.body?.from];
  const typed = texts.some(mentionsCommand);
  let config = deps.config;
  if (!config) {
    // Without the configuration read already (an event the incident handler dismissed), only a
    // `/maintenance` line is worth a read of it.
    if (!typed) return;
    try {
      config = await loadConfig(deps.github, repo, deps.configPath);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      deps.log.warn(`incident-desk: invalid configuration for ${repo.owner}/${repo.repo}: ${error.message}`);
      return;
    }
  }
  const label = config.labels.maintenance.toLowerCase();
  const labelled = e.issue.labels.some((l) => l.name.toLowerCase() === label) || e.label?.name.toLowerCase() === label;
  if (!labelled && !typed) return;
  const commentId = name === "issue_comment" && e.action !== "deleted" && mentionsCommand(e.comment?.body) ? e.comment?.id : undefined;
  await reconcileMaintenance(deps.github, repo, e.issue.number, config, now, commentId);
}
