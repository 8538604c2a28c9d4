import type { Config } from "../config/schema.js";
import type { RepoRef } from "../github/client.js";
import { errorStatus } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import { labelSpec } from "./labels.js";
import type { Plan } from "./reconcile.js";
import type { IncidentDeps } from "./deps.js";
import type { History } from "./history.js";
import { applyResponse } from "./respond.js";
import { applyPullWrites } from "../changes/causes.js";
import { moveToPrivateRepo } from "../security/private.js";
import { sendNotifications } from "../notify/send.js";
import { forgetIssueTypes } from "./issue-type.js";

/**
 * Carry out a reconcile plan with as few requests as GitHub allows without racing people: the
 * only writer of the pipeline. A security incident's plan is its move and nothing else; the moved
 * issue is returned, for the caller to reconcile there.
 */
export async function applyPlan(deps: IncidentDeps, repo: RepoRef, history: History, plan: Plan, config: Config): Promise<{ moved?: RepoRef & { number: number } }> {
  const { github } = deps;
  const number = history.issue.number;
  if (plan.transfer) {
    const move = await moveToPrivateRepo(deps, repo, history, config, plan.transfer);
    return "moved" in move ? { moved: move.moved } : {};
  }
  const issue = { ...repo, issue_number: number };
  // Before the card, which records them as done.
  await applyPullWrites(github, repo, plan.pulls, config);
  // The card next: it is what responders look at (labels and the assignee follow within seconds).
  if (plan.card && "create" in plan.card) await github.rest.issues.createComment({ ...issue, body: plan.card.create });
  if (plan.card && "update" in plan.card) {
    await github.rest.issues.updateComment({ ...repo, comment_id: plan.card.update, body: plan.card.body });
  }
  if (plan.addLabels.length > 0) {
    await ensureLabels(github, repo, plan.addLabels.map((name) => labelSpec(config, name)));
    // Add and remove rather than replace the whole set, so a label someone adds meanwhile stays.
    await github.rest.issues.addLabels({ ...issue, labels: plan.addLabels });
  }
  for (const name of plan.removeLabels) {
    try {
      await github.rest.issues.removeLabel({ ...issue, name });
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
  }
  if (plan.addAssignees.length > 0) await github.rest.issues.addAssignees({ ...issue, assignees: plan.addAssignees });
  if (plan.removeAssignees.length > 0) await github.rest.issues.removeAssignees({ ...issue, assignees: plan.removeAssignees });
  if (plan.state !== undefined || plan.title !== undefined || plan.type !== undefined) {
    const update = {
      ...issue,
      ...(plan.title !== undefined ? { title: plan.title } : {}),
      ...(plan.state === "closed" ? { state: "closed" as const, state_reason: plan.closeReason ?? "completed" } : {}),
      ...(plan.state === "open" ? { state: "open" as const } : {}),
    };
    try {
      await github.rest.issues.update({ ...update, ...(plan.type !== undefined ? { type: plan.type } : {}) });
    } catch (error) {
      // The type was removed from the organisation since it was read: the rest goes without it.
      if (!(errorStatus(error) === 422 && plan.type)) throw error;
      await forgetIssueTypes(repo);
      deps.log.warn(`incident-desk: the issue type ${plan.type} was refused on ${repo.owner}/${repo.repo}#${number}; it is left unset`);
      if (plan.state !== undefined || plan.title !== undefined) await github.rest.issues.update(update);
    }
  }
  for (const id of plan.detachSubIssues) {
    try {
      await github.rest.issues.removeSubIssue({ ...issue, sub_issue_id: id });
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
  }
  for (const body of plan.comments) await github.rest.issues.createComment({ ...issue, body });
  for (const reply of plan.replies) {
    if ("create" in reply) await github.rest.issues.createComment({ ...issue, body: reply.create });
    else await github.rest.issues.updateComment({ ...repo, comment_id: reply.update, body: reply.body });
  }
  if (plan.response) await applyResponse(github, repo, number, plan.response);
  for (const id of plan.deleteCards) {
    try {
      await github.rest.issues.deleteComment({ ...repo, comment_id: id });
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
  }
  // After the card, which records what was announced: a failed write announces nothing.
  if (plan.notify) sendNotifications(config, plan.notify.incident, plan.notify.events, { log: deps.log });
  return {};
}
