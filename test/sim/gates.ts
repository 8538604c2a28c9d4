// Custom deployment protection rules: a workflow job that deploys to an environment with the
// app's rule waits for the app's review. `requestDeploymentReview` plays GitHub's part (the
// deployment, the `deployment_protection_rule` webhook); the review endpoint records the answer.
import { HttpError, type Ctx } from "./http.js";
import type { GitHubSim } from "./index.js";
import { fullName, type RepoRec } from "./model.js";
import { APP_PERMISSIONS, deploymentJson, pullFullJson } from "./serialize.js";
import { ok, repoOf, type Routes } from "./routes/common.js";
import { validateWebhook } from "./webhook-schemas.js";

export interface DeploymentReview {
  repo: string;
  runId: number;
  environment: string;
  sha: string;
  ref: string;
  deploymentId: number;
  /** `waiting` until the app approves or rejects. */
  state: "waiting" | "approved" | "rejected";
  comment?: string;
  /** Every accepted answer (a comment without a state included), in order. */
  answers: { state?: "approved" | "rejected"; comment?: string; at: string; by: string }[];
}

export interface ReviewRequest {
  environment: string;
  sha: string;
  ref?: string;
  runId?: number;
  /** The event that started the workflow run (default `push`). */
  event?: string;
  /** Pull requests of the run (numbers), as GitHub lists them for `pull_request` runs. */
  pullRequests?: number[];
  /** Who started the run (default the `github-actions[bot]`). */
  sender?: string;
}

const API = "https://api.github.com";
const reviews = new WeakMap<GitHubSim, DeploymentReview[]>();

export function reviewsOf(sim: GitHubSim): DeploymentReview[] {
  let list = reviews.get(sim);
  if (!list) {
    list = [];
    reviews.set(sim, list);
  }
  return list;
}

/**
 * A workflow job reaches an environment protected by the app's rule: GitHub creates the
 * deployment and sends `deployment_protection_rule.requested` to the app, whose answer it awaits.
 */
export function requestDeploymentReview(sim: GitHubSim, full: string, request: ReviewRequest): { runId: number; deploymentId: number } {
  const repo = sim.state.repoByName(full);
  const login = request.sender ?? "github-actions[bot]";
  const user = sim.state.user(login) ?? sim.state.addUser(login);
  const actor = { user, app: null };
  const ref = request.ref ?? repo.default_branch;
  const deployment = sim.ops.createDeployment(repo, actor, { ref, sha: request.sha, environment: request.environment });
  const runId = request.runId ?? sim.state.nextId() * 1000;
  reviewsOf(sim).push({
    repo: fullName(repo),
    runId,
    environment: request.environment,
    sha: deployment.sha,
    ref,
    deploymentId: deployment.id,
    state: "waiting",
    answers: [],
  });
  const pulls = (request.pullRequests ?? []).map((n) => {
    const i = repo.issues.get(n);
    if (!i?.pr) throw new Error(`sim: ${full}#${n} is not a pull request`);
    return pullFullJson(i);
  });
  sim.ops.emit("deployment_protection_rule", "requested", repo, actor, {
    environment: request.environment,
    event: request.event ?? "push",
    deployment_callback_url: `${API}/repos/${fullName(repo)}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: deploymentJson(repo, deployment),
    pull_requests: pulls,
  });
  const sent = sim.webhooks.history[sim.webhooks.history.length - 1]!;
  const valid = validateWebhook("webhook-deployment-protection-rule-requested", sent.payload);
  if (!valid.ok) sim.violations.push({ kind: "invalid-body", method: "WEBHOOK", path: "deployment_protection_rule.requested", message: valid.message });
  return { runId, deploymentId: deployment.id };
}

function reviewsFor(ctx: Ctx, repo: RepoRec): DeploymentReview[] {
  const runId = Number(ctx.params.run_id);
  return reviewsOf(ctx.sim).filter((r) => r.repo === fullName(repo) && r.runId === runId);
}

export const gateRoutes: Routes = {
  /**
   * Only a GitHub App reviews its own rule (an installation token of the app, on the repository
   * it is installed on); a second review of the same run and environment is refused with 422.
   */
  "actions/review-custom-gates-for-run": (ctx) => {
    const repo = repoOf(ctx);
    if (ctx.identity.kind !== "installation")
      throw new HttpError(403, "Resource not accessible by personal access token: only the GitHub App of a custom deployment protection rule can review it");
    // GitHub's requirement for a custom deployment protection rule (tests may take a permission away).
    if (APP_PERMISSIONS.deployments !== "write" || !APP_PERMISSIONS.actions) throw new HttpError(403, "Resource not accessible by integration");
    const pending = reviewsFor(ctx, repo);
    if (pending.length === 0) throw new HttpError(404, "Not Found");
    const name = String(ctx.body.environment_name ?? "");
    // A re-run of the workflow asks again with the same run id: the waiting request is the one answered.
    const forEnvironment = pending.filter((r) => r.environment.toLowerCase() === name.toLowerCase());
    const review = forEnvironment.find((r) => r.state === "waiting") ?? forEnvironment[0];
    if (!review) throw new HttpError(422, `No deployment protection rule of this app is pending for the environment ${name}`);
    const state = ctx.body.state as "approved" | "rejected" | undefined;
    const comment = typeof ctx.body.comment === "string" ? ctx.body.comment : undefined;
    if (review.state !== "waiting") throw new HttpError(422, "This deployment protection rule has already been reviewed for this workflow run");
    review.answers.push({ ...(state ? { state } : {}), ...(comment !== undefined ? { comment } : {}), at: ctx.sim.clock.stamp(), by: ctx.identity.login });
    if (state) {
      review.state = state;
      if (comment !== undefined) review.comment = comment;
    }
    return ok(undefined, 204);
  },
};
