import type { GitHub, RepoRef } from "./client.js";
import { errorStatus } from "./client.js";
import type { LabelSpec } from "../incident/labels.js";

/**
 * Labels that exist in a repository, remembered for a few minutes so that a burst of deliveries
 * reads the list once. Only an optimisation: a stale entry costs one 422, handled below.
 */
const known = new Map<string, { names: Set<string>; at: number }>();
const TTL_MS = 5 * 60_000;

const key = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();

export function forgetLabels(repo: RepoRef): void {
  known.delete(key(repo));
}

async function existing(github: GitHub, repo: RepoRef): Promise<Set<string>> {
  const cached = known.get(key(repo));
  if (cached && Date.now() - cached.at < TTL_MS) return cached.names;
  const labels = await github.paginate(github.rest.issues.listLabelsForRepo, { ...repo, per_page: 100 });
  const names = new Set(labels.map((l) => l.name.toLowerCase()));
  known.set(key(repo), { names, at: Date.now() });
  return names;
}

/**
 * Create the labels that are missing, with our colour and description. Existing labels are
 * never recoloured or renamed, whatever their colour.
 */
export async function ensureLabels(github: GitHub, repo: RepoRef, specs: LabelSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const names = await existing(github, repo);
  for (const spec of specs) {
    if (names.has(spec.name.toLowerCase())) continue;
    try {
      await github.rest.issues.createLabel({ ...repo, name: spec.name, color: spec.color, description: spec.description });
    } catch (error) {
      // 422: someone (or another replica) created it meanwhile; that one stays as it is.
      if (errorStatus(error) !== 422) throw error;
    }
    names.add(spec.name.toLowerCase());
  }
}
