import type { Probot } from "probot";
import { concernsIncident, issueTarget } from "./events.js";
import type { GitHub } from "./github/client.js";
import { forgetLabels } from "./github/labels.js";
import { reconcileIssue } from "./incident/handle.js";

/**
 * The Probot app: webhook events in, handlers out. The logic lives in the handlers; this file
 * only says which event goes where and skips the app's own echoes.
 */
export default function incidentDesk(app: Probot): void {
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

  app.on(
    [
      "issues.opened",
      "issues.edited",
      "issues.labeled",
      "issues.unlabeled",
      "issues.closed",
      "issues.reopened",
      "issue_comment.created",
      "issue_comment.edited",
      "issue_comment.deleted",
    ],
    async (context) => {
      const target = issueTarget(context.name, context.payload);
      if (!target || (await fromSelf(context.payload.sender))) return;
      await reconcileIssue(
        { github: context.octokit as unknown as GitHub, log: context.log },
        target.repo,
        target.number,
        target.trigger,
        (config) => concernsIncident(target, config.labels.incident),
      );
    },
  );

  app.on(["label.deleted", "label.edited"], async (context) => {
    forgetLabels({ owner: context.payload.repository.owner.login, repo: context.payload.repository.name });
  });
}
