import type { GitHub, RepoRef } from "../github/client.js";
import { errorStatus } from "../github/client.js";

/** The repository does not have the app installed (or the app cannot see it). */
export class NotInstalled extends Error {
  constructor(readonly repo: string) {
    super(`incident-desk is not installed on ${repo}`);
    this.name = "NotInstalled";
  }
}

/** What the alert routes need of the Probot app: its JWT client, and installation clients. */
export interface AppAuth {
  auth(installationId?: number): Promise<unknown>;
}

/** Returns an installation client for a repository, or throws NotInstalled. */
export type ClientFor = (repo: RepoRef) => Promise<GitHub>;

const TTL_MS = 5 * 60_000;

/**
 * Installation clients for the repositories alerts name. The installation id is remembered for a
 * few minutes (only when found: an installation added a second later must work at once), so a
 * burst of alerts costs one lookup; Probot caches the installation token itself.
 */
export function installationClients(app: AppAuth): ClientFor {
  const known = new Map<string, { id: number; at: number }>();
  return async (repo) => {
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let entry = known.get(key);
    if (!entry || Date.now() - entry.at > TTL_MS) {
      const jwt = (await app.auth()) as GitHub;
      try {
        const { data } = await jwt.rest.apps.getRepoInstallation({ ...repo });
        entry = { id: data.id, at: Date.now() };
        known.set(key, entry);
      } catch (error) {
        if (errorStatus(error) === 404) throw new NotInstalled(`${repo.owner}/${repo.repo}`);
        throw error;
      }
    }
    return (await app.auth(entry.id)) as GitHub;
  };
}
