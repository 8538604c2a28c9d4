import type { GeneratedPostmortem } from "../postmortem/generate.js";
import type { OpenedTickets } from "../problems/tickets.js";
import { bundledTemplate } from "../templates.js";

/** The job summary's Markdown for each command (templates/action-summary.md.hbs). */
const OUTCOME: Record<string, string> = {
  created: "written",
  updated: "updated",
  unchanged: "already up to date",
  "kept-edits": "edited by people since it was generated: left as they wrote it",
  merged: "already merged: left alone",
};

const TICKET: Record<string, string> = {
  created: "opened",
  exists: "already open",
  attached: "attached as a sub-issue",
  "would-create": "would be opened",
};

export function postmortemSummary(generated: GeneratedPostmortem, dryRun: boolean): string {
  const { state, result, document } = generated;
  return bundledTemplate("action-summary.md.hbs")({
    postmortem: {
      number: state.number,
      title: state.title,
      path: result.path,
      pullRequest: result.pullRequest,
      pullRequestUrl: result.pullRequestUrl,
      outcome: OUTCOME[result.outcome] ?? result.outcome,
      writes: result.writes,
      document: dryRun ? document : undefined,
    },
    dryRun,
  }).trim();
}

export function problemsSummary(opened: OpenedTickets, dryRun: boolean): string {
  return bundledTemplate("action-summary.md.hbs")({
    problems: {
      number: opened.state.number,
      tickets: opened.tickets.map((t) => ({ ...t, what: TICKET[t.action] ?? t.action })),
    },
    dryRun,
  }).trim();
}
