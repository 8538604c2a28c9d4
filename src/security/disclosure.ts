import type { Config } from "../config/schema.js";
import type { ReferenceSource } from "../incident/history.js";

/**
 * Which issues a generated text may name. A post-mortem's "Related issues" (or any list of
 * references) comes from the incident's timeline, and the timeline shows whatever the token can
 * see: a security incident that mentioned the incident and was moved to `private.repo`, an issue
 * of another private repository. Naming them (title, number, link) in a public file would
 * disclose them, whatever token the Action was given, so the rule depends only on where the text
 * goes, never on what the token could read.
 */

/** Where a generated text goes: the repository, and whether it is private. */
export interface Audience {
  repo: string;
  private: boolean;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * - A security incident (label `security`, or any issue of `private.repo`) only in a text of its
 *   own repository, and only when that repository is private.
 * - Another repository's issue only when that repository is known to be public (a source whose
 *   visibility GitHub did not state counts as private).
 * - Anything else of the text's own repository.
 */
export function mayName(source: Pick<ReferenceSource, "repo" | "private" | "labels">, audience: Audience, config: Config): boolean {
  const own = same(source.repo, audience.repo);
  const security =
    source.labels.some((label) => same(label, config.labels.security)) || (config.private.repo !== undefined && same(source.repo, config.private.repo));
  if (security) return own && audience.private;
  return own || source.private === false;
}
