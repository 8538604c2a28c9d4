import type { Octokit } from "@octokit/rest";

/**
 * What the handlers need of an authenticated Octokit. Probot's `context.octokit` and the
 * Action's Octokit both provide it, so the same handlers run in the app and in the Action.
 */
export type GitHub = Pick<Octokit, "rest" | "paginate" | "request" | "graphql">;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function parseRepo(fullName: string): RepoRef {
  const [owner, repo, ...rest] = fullName.split("/");
  if (!owner || !repo || rest.length > 0) throw new Error(`"${fullName}" is not a repository (owner/name)`);
  return { owner, repo };
}

export function errorStatus(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = error.status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}
