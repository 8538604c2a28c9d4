import type { GitHub, RepoRef } from "./client.js";
import { errorStatus } from "./client.js";
import type { LabelSpec } from "../incident/labels.js";

/**
 * Create the labels that are missing, with our colour and description, before they are put on
 * an issue (GitHub would otherwise create them grey and bare). Existing labels are never
 * recoloured or renamed. Read only when labels are about to be added, so most deliveries skip it.
 */
export async function ensureLabels(github: GitHub, repo: RepoRef, specs: LabelSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const labels = await github.paginate(github.rest.issues.listLabelsForRepo, { ...repo, per_page: 100 });
  const names = new Set(labels.map((l) => l.name.toLowerCase()));
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
