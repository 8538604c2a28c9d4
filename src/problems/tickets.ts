import { writtenByUs } from "../trust.js";
import type { CommandContext } from "../action/context.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { errorStatus } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import { labelSpec } from "../incident/labels.js";
import type { Followup, IncidentState } from "../incident/state.js";
import { requireIncident } from "../action/incident.js";
import { redact } from "../postmortem/redact.js";
import { bundledTemplate } from "../templates.js";
import { cutText, fitBody, text } from "../text/limits.js";
import { isTicketOf, parseTicketMarker, renderTicketMarker } from "./marker.js";

/**
 * The `problems` command: one follow-up ticket per follow-up, each carrying a marker with the
 * incident and the follow-up's key. Existing tickets are found from the incident's own history
 * (tickets mention the incident, so they are cross-references) and from its sub-issues; a run
 * after one that failed half-way creates only what is missing and finishes what was started
 * (a ticket created but not yet attached as a sub-issue gets attached).
 */

export interface TicketOutcome {
  key: string;
  title: string;
  number?: number;
  url?: string;
  action: "created" | "exists" | "attached" | "would-create";
}

interface KnownTicket {
  number: number;
  url: string;
  id?: number;
  subIssue: boolean;
}

/** The incident's tickets by follow-up key: from the state (cross-references) and the sub-issues. */
async function knownTickets(github: GitHub, repo: RepoRef, state: IncidentState): Promise<Map<string, KnownTicket>> {
  const known = new Map<string, KnownTicket>();
  for (const f of state.followups) if (f.ticket) known.set(f.key, { number: f.ticket.number, url: f.ticket.url, subIssue: false });
  const subIssues = await github.paginate(github.rest.issues.listSubIssues, { ...repo, issue_number: state.number, per_page: 100 });
  const ours = await writtenByUs(github, repo);
  for (const sub of subIssues) {
    const marker = parseTicketMarker(sub.body);
    if (!isTicketOf(marker, state.repo, state.number) || !ours(sub)) continue;
    known.set(marker.key, { number: sub.number, url: sub.html_url, id: sub.id, subIssue: true });
  }
  return known;
}

export function ticketTitle(followup: Followup): string {
  return cutText(redact(followup.title), 256, () => "…");
}

export function ticketBody(state: IncidentState, followup: Followup, assigned: boolean): string {
  const marker = renderTicketMarker({ repo: state.repo, incident: state.number, key: followup.key });
  const body = bundledTemplate("problem-ticket.md.hbs")({
    marker,
    incident: { repo: state.repo, number: state.number, title: state.security ? "" : state.title, url: state.url },
    ...followup,
    assigned,
  });
  // The marker is how the next run finds the ticket: it stays whole whatever else is cut.
  const rest = redact(body.trim());
  return rest.startsWith(marker) ? fitBody([marker, text(rest.slice(marker.length), { at: "line" })]) : fitBody([text(rest, { at: "line" })]);
}

async function createTicket(ctx: CommandContext, state: IncidentState, followup: Followup, labels: string[]) {
  const { github, repo } = ctx;
  const base = { ...repo, title: ticketTitle(followup), labels };
  try {
    const { data } = await github.rest.issues.create({
      ...base,
      body: ticketBody(state, followup, followup.owner !== undefined),
      ...(followup.owner ? { assignees: [followup.owner] } : {}),
    });
    return data;
  } catch (error) {
    // 422 with an owner: they cannot be assigned here (no access); open the ticket anyway, saying so.
    if (!(errorStatus(error) === 422 && followup.owner)) throw error;
    const { data } = await github.rest.issues.create({ ...base, body: ticketBody(state, followup, false) });
    return data;
  }
}

export interface OpenedTickets {
  state: IncidentState;
  tickets: TicketOutcome[];
}

/** `proceed`: a last check on the state (an auto run wants a resolved incident); false → nothing done. */
export async function openProblemTickets(
  ctx: CommandContext,
  number: number,
  proceed?: (state: IncidentState) => boolean,
): Promise<OpenedTickets | undefined> {
  const { github, repo, config, dryRun } = ctx;
  const { state } = await requireIncident(ctx, number, "problems");
  if (proceed && !proceed(state)) return undefined;
  if (state.security) {
    // Public tickets would name the security incident and its follow-ups, as a public post-mortem would.
    const { data: repository } = await github.rest.repos.get({ ...repo });
    if (!repository.private) {
      throw new Error(
        `#${state.number} is a security incident: its problem tickets are not opened in the public repository ${repo.owner}/${repo.repo} (set \`private.repo\` and run the Action there).`,
      );
    }
  }
  if (!state.followups.some((f) => f.source !== "sub-issue")) return { state, tickets: [] };
  const known = await knownTickets(github, repo, state);
  // Tickets are actions, not problem records: labelled `labels.followup` (they are known by their marker, not by a label).
  const labels = [config.labels.followup, ...config.problems.labels.filter((l) => l.toLowerCase() !== config.labels.followup.toLowerCase())];
  if (!dryRun && state.followups.some((f) => f.source !== "sub-issue" && !known.has(f.key))) await ensureLabels(github, repo, labels.map((l) => labelSpec(config, l)));

  const tickets: TicketOutcome[] = [];
  for (const followup of state.followups) {
    // A sub-issue attached by hand is its own ticket: nothing to open.
    if (followup.source === "sub-issue") continue;
    const existing = known.get(followup.key);
    const base = { key: followup.key, title: ticketTitle(followup) };
    if (existing?.subIssue) {
      tickets.push({ ...base, number: existing.number, url: existing.url, action: "exists" });
      continue;
    }
    if (dryRun) {
      tickets.push({ ...base, ...(existing ? { number: existing.number, url: existing.url, action: "attached" as const } : { action: "would-create" as const }) });
      continue;
    }
    let ticket: { number: number; id: number; html_url: string };
    let action: TicketOutcome["action"];
    if (existing) {
      // Created by an earlier run that stopped before attaching it.
      const { data } = await github.rest.issues.get({ ...repo, issue_number: existing.number });
      ticket = data;
      action = "attached";
    } else {
      ticket = await createTicket(ctx, state, followup, labels);
      action = "created";
    }
    await github.rest.issues.addSubIssue({ ...repo, issue_number: state.number, sub_issue_id: ticket.id });
    tickets.push({ ...base, number: ticket.number, url: ticket.html_url, action });
  }
  return { state, tickets };
}
