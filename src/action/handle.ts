import { handleIssueEvent } from "../app.js";
import { trackTicket } from "../problems/track.js";
import type { CommandContext, CommandResult } from "./context.js";

/**
 * `command: handle`: the app's own handlers, run on the event that triggered the workflow, with
 * the workflow's token. The same functions the Probot app calls, so a repository without a
 * server gets the same lifecycle. An error propagates and fails the step.
 *
 * Writes made with the workflow's GITHUB_TOKEN trigger no further workflow runs, so there is no
 * echo to skip here (the app has to skip its own).
 */
export async function runHandle(ctx: CommandContext): Promise<CommandResult> {
  const deps = { github: ctx.github, log: ctx.log, configPath: ctx.configPath };
  const { name, payload } = ctx.event;
  if (name === "issues" || name === "issue_comment") {
    await handleIssueEvent(deps, name, payload);
    await trackTicket(deps, name, payload);
    return { outputs: {}, summary: `Handled the \`${name}.${String(payload.action ?? "")}\` event.` };
  }
  return { outputs: {}, summary: `No handler for \`${name}\` events in the Action; nothing to do.` };
}
