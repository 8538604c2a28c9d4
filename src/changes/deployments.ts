import { writtenByUs } from "../trust.js";
import { z } from "zod";
import { ConfigError, configFor } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { reconcileIssue, type IncidentDeps } from "../incident/handle.js";
import { serialize } from "../serialize.js";
import { hasDeploymentNote, renderDeploymentNote } from "./deployment-note.js";

/**
 * A successful deployment to a production environment (`changes.environments`) is noted on every
 * open incident of the repository: one comment per deployment per incident, found again by its
 * marker, from which the incident's timeline shows it.
 */

const deploymentStatusSchema = z.object({
  deployment_status: z.object({
    state: z.string(),
    environment: z.string().nullish(),
    created_at: z.string(),
    environment_url: z.string().nullish(),
    target_url: z.string().nullish(),
  }),
  deployment: z.object({ id: z.number().int().positive(), sha: z.string(), environment: z.string(), created_at: z.string() }),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
});

const isProduction = (config: Config, environment: string) =>
  config.changes.environments.some((e) => e.toLowerCase() === environment.toLowerCase());

export async function handleDeploymentStatus(deps: IncidentDeps, payload: unknown): Promise<void> {
  const parsed = deploymentStatusSchema.safeParse(payload);
  if (!parsed.success || parsed.data.deployment_status.state !== "success") return;
  const { deployment_status: status, deployment } = parsed.data;
  const { github } = deps;
  const repo = { owner: parsed.data.repository.owner.login, repo: parsed.data.repository.name };

  const config = await configFor(deps, repo);
  if (config instanceof ConfigError) {
    // No issue or pull request to tell: the next incident event reports the configuration.
    deps.log.warn(`incident-desk: invalid configuration for ${repo.owner}/${repo.repo}: ${config.message}`);
    return;
  }
  const environment = status.environment || deployment.environment;
  if (!isProduction(config, environment)) return;
  const ours = await writtenByUs(github, repo);

  const open = await github.paginate(github.rest.issues.listForRepo, {
    ...repo,
    labels: config.labels.incident,
    state: "open",
    per_page: 100,
  });
  const url = status.environment_url || status.target_url || undefined;
  const body = renderDeploymentNote({ id: deployment.id, sha: deployment.sha, environment, at: status.created_at, ...(url ? { url } : {}) });
  for (const issue of open) {
    if (issue.pull_request) continue;
    const target = { ...repo, issue_number: issue.number };
    // A second delivery (or a second status of the same deployment) finds the note; only comments
    // written since the deployment can be it, so the read stays small however long the incident.
    await serialize(`deployment-note:${repo.owner}/${repo.repo}#${issue.number}`.toLowerCase(), async () => {
      const since = await github.paginate(github.rest.issues.listComments, { ...target, since: deployment.created_at, per_page: 100 });
      if (!hasDeploymentNote(since.filter(ours).map((c) => c.body ?? ""), deployment.id)) await github.rest.issues.createComment({ ...target, body });
    });
    await reconcileIssue({ ...deps, config }, repo, issue.number, { kind: "issue" });
  }
}
