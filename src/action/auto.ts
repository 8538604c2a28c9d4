import { z } from "zod";
import type { Config } from "../config/schema.js";
import { parseCommands } from "../incident/commands.js";
import type { ActionCommand } from "./inputs.js";

/**
 * `command: auto`: which work the triggering event calls for (SPEC section 4). Pure, and costs
 * no request: it reads the event payload only. The commands themselves check the incident's
 * state (an auto run on an issue that turns out not to be a resolved incident does nothing).
 */
export type WorkCommand = Exclude<ActionCommand, "auto">;

export interface AutoChoice {
  commands: WorkCommand[];
  issue?: number;
  /** Run only if the incident is resolved by then (a closing or `/resolve` event). */
  whenResolved?: boolean;
  /** The comment that asked: its commands must have been carried out (the author may command). */
  commentId?: number;
  /** Why, for the log and the summary. */
  reason: string;
}

const label = z.object({ name: z.string() });
const issuePayload = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), labels: z.array(label).default([]), pull_request: z.unknown().optional() }),
  label: label.optional(),
  comment: z.object({ id: z.number().optional(), body: z.string().nullish(), user: z.object({ type: z.string().optional(), login: z.string().optional() }).optional() }).optional(),
});
const dispatchPayload = z.object({ inputs: z.record(z.string(), z.unknown()).nullish() });

const lower = (s: string) => s.toLowerCase();

export function chooseCommands(eventName: string, payload: unknown, config: Config): AutoChoice {
  if (eventName === "schedule") return { commands: ["escalate"], reason: "a scheduled run escalates open incidents" };
  if (eventName === "workflow_dispatch") {
    const inputs = dispatchPayload.safeParse(payload).data?.inputs ?? {};
    const command = typeof inputs.command === "string" ? inputs.command.trim().toLowerCase() : "";
    const issue = Number(String(inputs.issue ?? "").replace(/^#/, ""));
    if (!command || command === "auto") {
      return { commands: [], reason: "workflow_dispatch without a `command` input: add a `command` input to the workflow (postmortem, problems, escalate, report, statuspage)" };
    }
    return { commands: [command as WorkCommand], ...(Number.isInteger(issue) && issue > 0 ? { issue } : {}), reason: `workflow_dispatch asked for ${command}` };
  }
  if (eventName !== "issues" && eventName !== "issue_comment") return { commands: [], reason: `nothing to do on ${eventName} events` };

  const parsed = issuePayload.safeParse(payload);
  if (!parsed.success || parsed.data.issue.pull_request) return { commands: [], reason: "the event is not about an issue" };
  const e = parsed.data;
  const isIncident = e.issue.labels.some((l) => lower(l.name) === lower(config.labels.incident));
  const issue = e.issue.number;
  if (!isIncident) return { commands: [], issue, reason: `#${issue} is not an incident` };
  const afterResolution = { commands: ["postmortem", "problems"] as WorkCommand[], issue, whenResolved: true };

  if (eventName === "issues") {
    if (e.action === "closed") return { ...afterResolution, reason: `incident #${issue} was closed` };
    if (e.action === "labeled" && e.label && lower(e.label.name) === lower(config.labels.status.resolved)) {
      return { ...afterResolution, reason: `incident #${issue} was resolved` };
    }
    return { commands: [], issue, reason: `nothing to do when an incident is ${e.action}` };
  }

  if (e.action !== "created" && e.action !== "edited") return { commands: [], issue, reason: "nothing to do for this comment" };
  if (e.comment?.user?.type === "Bot") return { commands: [], issue, reason: "comments from bots are ignored" };
  const commands = parseCommands(e.comment?.body ?? "", { at: new Date(0).toISOString(), config }).flatMap((p) => (p.ok ? [p.command] : []));
  const resolves = commands.some((c) => c.name === "status" && c.status === "resolved");
  if (resolves) return { ...afterResolution, reason: `a comment resolved incident #${issue}` };
  if (commands.some((c) => c.name === "postmortem")) {
    return { commands: ["postmortem"], issue, ...(e.comment?.id !== undefined ? { commentId: e.comment.id } : {}), reason: `/postmortem on incident #${issue}` };
  }
  return { commands: [], issue, reason: "the comment asks for no post-mortem" };
}
