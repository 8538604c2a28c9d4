import type { GitHub, RepoRef } from "../github/client.js";

/**
 * After a cosmetic write that waited for GitHub's content budget is sent (src/github/pacing.ts),
 * the issue is reconciled once more: its labels may have moved on while the write waited (a
 * `/sev 1` meanwhile), and the card drops its note about delayed writes. One reconcile per issue
 * for a batch of delayed writes.
 */
export function repairAfterDelayedWrites(
  auth: (installationId: number) => Promise<GitHub>,
  reconcile: (github: GitHub, repo: RepoRef, number: number) => Promise<unknown>,
  log: { warn: (msg: string) => void },
  debounceMs = 2_000,
): (account: string, path: string) => void {
  const pending = new Map<string, NodeJS.Timeout>();
  return (account, path) => {
    const installation = /^installation (\d+)$/.exec(account)?.[1];
    const target = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\//.exec(path);
    if (!installation || !target) return;
    const repo = { owner: decodeURIComponent(target[1]!), repo: decodeURIComponent(target[2]!) };
    const number = Number(target[3]);
    const key = `${account} ${repo.owner}/${repo.repo}#${number}`;
    clearTimeout(pending.get(key));
    const timer = setTimeout(() => {
      pending.delete(key);
      auth(Number(installation))
        .then((github) => reconcile(github, repo, number))
        .catch((error: unknown) => log.warn(`incident-desk: reconciling ${repo.owner}/${repo.repo}#${number} after its delayed writes failed: ${error instanceof Error ? error.message : String(error)}`));
    }, debounceMs);
    timer.unref();
    pending.set(key, timer);
  };
}
