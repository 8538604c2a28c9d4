import { handleDispatch } from "../alerts/dispatch.js";
import { handleIssueEvent } from "../app.js";
import { handleDeploymentStatus } from "../changes/deployments.js";
import { handlePullRequest } from "../changes/pulls.js";
import { trackSubIssue } from "../problems/subissues.js";
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
  // The configuration the runner has just read: the handlers need not read it again.
  const deps = { github: ctx.github, log: ctx.log, configPath: ctx.configPath, config: ctx.config };
  const { name, payload } = ctx.event;
  if (name === "issues" || name === "issue_comment") {
    await handleIssueEvent(deps, name, payload);
    return { outputs: {}, summary: `Handled the \`${name}.${String(payload.action ?? "")}\` event.` };
  }
  if (name === "sub_issues") {
    // A sub-issue attached to an incident or detached: the incident's card counts its follow-ups.
    await trackSubIssue(deps, payload);
    return { outputs: {}, summary: `Handled the \`sub_issues.${String(payload.action ?? "")}\` event.` };
  }
  if (name === "pull_request") {
    await handlePullRequest(deps, payload);
    return { outputs: {}, summary: `Handled the \`pull_request.${String(payload.action ?? "")}\` event.` };
  }
  if (name === "deployment_status") {
    await handleDeploymentStatus(deps, payload);
    return { outputs: {}, summary: "Handled the `deployment_status` event." };
  }
  if (name === "repository_dispatch") {
    // The workflow's token is the only client there is; a private repository for security
    // incidents needs a token (input `token`) that can write there too.
    const opened = await handleDispatch({ ...deps, clientFor: async () => ctx.github }, ctx.event.id, payload);
    return { outputs: {}, summary: opened ? "Declared an incident from the `repository_dispatch` event." : "The `repository_dispatch` event declared nothing new." };
  }
  return { outputs: {}, summary: `No handler for \`${name}\` events in the Action; nothing to do.` };
}
