import type { ApplicationFunctionOptions, Probot } from "probot";
import { handleDispatch } from "./alerts/dispatch.js";
import { installationClients } from "./alerts/installation.js";
import { alertRoutes } from "./alerts/route.js";
import { concernsIncident, issueTarget } from "./events.js";
import type { GitHub, RepoRef } from "./github/client.js";
import { ACTIONS_BOT, identify } from "./trust.js";
import { reconcileIssue, type IncidentDeps } from "./incident/handle.js";
import { trackTicket } from "./problems/track.js";
import { SUB_ISSUE_ACTIONS, trackSubIssue, trackSubIssueState } from "./problems/subissues.js";
import { handleProblemEvent } from "./problems/handle.js";
import { handlePullRequest, PULL_ACTIONS } from "./changes/pulls.js";
import { handleDeploymentStatus } from "./changes/deployments.js";
import { handlePullRisk, handleRiskRerequest } from "./changes/risk-handle.js";
import { handleGateRequest } from "./gate/handle.js";
import { handleMaintenanceEvent } from "./maintenance/handle.js";
import { oncePerDelivery } from "./cluster/deliveries.js";
import { healthRoute } from "./cluster/health.js";
import { repairAfterDelayedWrites } from "./cluster/repair.js";
import { whenDelayedSent } from "./github/pacing.js";

/**
 * The Probot app: webhook events in, handlers out. The logic lives in the handlers; this file
 * only says which event goes where and skips the app's own echoes.
 */
export default function incidentDesk(app: Probot, options?: ApplicationFunctionOptions): void {
  let self: Promise<string | undefined> | undefined;
  const selfLogin = () => {
    self ??= app
      .auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => (data?.slug ? `${data.slug}[bot]` : undefined))
      .catch(() => {
        self = undefined;
        return undefined;
      });
    return self;
  };
  const fromSelf = async (sender: { login?: string; type?: string } | undefined) =>
    sender?.type === "Bot" && sender.login !== undefined && sender.login === (await selfLogin());
  /** A client that knows whose markers to believe (src/trust.ts): without that, nothing is done. */
  const own = (octokit: unknown): GitHub =>
    identify(octokit as GitHub, async () => {
      const self = await selfLogin();
      if (!self) throw new Error("incident-desk: cannot tell which account is this app's own (GET /app failed); nothing was done");
      return { self, companions: [ACTIONS_BOT] };
    });

  app.on(
    [
      "issues.opened",
      "issues.edited",
      "issues.labeled",
      "issues.unlabeled",
      "issues.closed",
      "issues.reopened",
      // The organisation's incident issue type set or cleared (src/incident/issue-type.ts).
      "issues.typed",
      "issues.untyped",
      "issue_comment.created",
      "issue_comment.edited",
      "issue_comment.deleted",
      // Remediation tracking: a problem ticket closed, reopened or deleted updates its incident's card.
      "issues.deleted",
    ],
    async (context) => {
      if (await fromSelf(context.payload.sender)) return;
      await oncePerDelivery(context.id, () => handleIssueEvent({ github: own(context.octokit), log: context.log }, context.name, context.payload), context.log);
    },
  );

  // Changes: not skipped when from the app itself, so a post-mortem pull request it opens shows on
  // the card; but the labels the app sets on pull requests (fix, cause) are its own echo.
  app.on(
    PULL_ACTIONS.map((action) => `pull_request.${action}` as const),
    async (context) => {
      const labelling = context.payload.action === "labeled" || context.payload.action === "unlabeled";
      if (labelling && (await fromSelf(context.payload.sender))) return;
      await oncePerDelivery(context.id, () => handlePullEvent({ github: own(context.octokit), log: context.log }, context.payload), context.log);
    },
  );
  // Change risk: a person's "Re-run" of the check run or of its suite (GitHub sends these only to
  // the app that made them). The check runs' own `created`/`completed` echoes have no handler.
  app.on(["check_run.rerequested", "check_suite.rerequested"], async (context) => {
    await oncePerDelivery(context.id, () => handleRiskRerequest({ github: own(context.octokit), log: context.log }, context.name, context.payload), context.log);
  });
  // Sub-issues attached to an incident or detached by hand: follow-ups on its card (src/problems/subissues.ts).
  app.on(
    SUB_ISSUE_ACTIONS.map((action) => `sub_issues.${action}` as const),
    async (context) => {
      if (await fromSelf(context.payload.sender)) return;
      await oncePerDelivery(context.id, () => trackSubIssue({ github: own(context.octokit), log: context.log }, context.payload), context.log);
    },
  );
  app.on("deployment_status", async (context) =>
    oncePerDelivery(context.id, async () => void (await handleDeploymentStatus({ github: own(context.octokit), log: context.log }, context.payload)), context.log),
  );
  // The deploy gate (src/gate/): the app as a custom deployment protection rule.
  app.on("deployment_protection_rule", async (context) =>
    oncePerDelivery(context.id, () => handleGateRequest({ github: own(context.octokit), log: context.log }, context.payload), context.log),
  );


  // Alerts and `repository_dispatch` declare incidents; the routes exist only where there is a server.
  const installations = installationClients(app);
  const clientFor = async (repo: RepoRef) => own(await installations(repo));
  options?.addHandler?.(healthRoute());
  options?.addHandler?.(alertRoutes({ clientFor, log: app.log }));
  app.on("repository_dispatch", async (context) => {
    await oncePerDelivery(context.id, async () => void (await handleDispatch({ github: own(context.octokit), clientFor, log: context.log }, context.id, context.payload)), context.log);
  });

  // Labels, assignees and reactions delayed for GitHub's content budget: the issue is reconciled after they went out.
  whenDelayedSent(
    repairAfterDelayedWrites(
      async (id) => own(await app.auth(id)),
      (github, repo, number) => reconcileIssue({ github, log: app.log }, repo, number, { kind: "issue" }),
      app.log,
    ),
  );
}

/**
 * An `issues` or `issue_comment` event on a (possible) incident, or on a problem ticket (whose
 * incident's card then changes); also run by the Action's `handle`. The configuration is read
 * once for both.
 */
export async function handleIssueEvent(deps: IncidentDeps, name: string, payload: unknown): Promise<void> {
  const target = issueTarget(name, payload);
  let config = deps.config;
  if (target) {
    await reconcileIssue(deps, target.repo, target.number, target.trigger, (read) => {
      config = read;
      return concernsIncident(target, read.labels.incident, read.issue_type);
    });
  }
  const ticket = await trackTicket(config ? { ...deps, config } : deps, name, payload);
  // A sub-issue someone attached by hand closed, reopened, renamed or deleted: its parent incident's card follows.
  if (!ticket) await trackSubIssueState(config ? { ...deps, config } : deps, name, payload);
  // Problem records (src/problems/): their own card, with the configuration read above.
  await handleProblemEvent(config ? { ...deps, config } : deps, name, payload);
  // Maintenance windows (src/maintenance/): their own card, with the configuration read above.
  await handleMaintenanceEvent(config ? { ...deps, config } : deps, name, payload);
}

/**
 * A `pull_request` event: change risk (the check run) and the incidents the pull request refers to
 * (src/changes/pulls.ts), with the configuration read once. Each runs even if the other failed;
 * the first failure is then thrown, so that the delivery is given back. An invalid configuration is
 * told by the check run, not by a comment as well.
 */
export async function handlePullEvent(deps: IncidentDeps, payload: unknown): Promise<void> {
  const failures: unknown[] = [];
  let config = deps.config;
  try {
    const risk = await handlePullRisk(deps, payload);
    if (risk.configError) return;
    config ??= risk.config;
  } catch (error) {
    failures.push(error);
  }
  try {
    await handlePullRequest(config ? { ...deps, config } : deps, payload, { reportConfig: false });
  } catch (error) {
    failures.push(error);
  }
  if (failures.length > 0) throw failures[0] instanceof Error ? failures[0] : new Error(String(failures[0]));
}
