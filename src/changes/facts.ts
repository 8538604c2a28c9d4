import { z } from "zod";
import { readJsonMarker, writeMarker } from "../markers.js";

/**
 * What the incident's changes need from GitHub beyond the issue's own timeline: what a `/cause`
 * names, the suspects of the look-back window, the pull requests behind commits that mention the
 * incident. Reading them costs requests, so the card keeps them in a hidden block and the next
 * delivery reuses them. The block is only a cache: a card rebuilt without it reads them again
 * and gets the same answer (the suspects window lies in the past, a commit never changes).
 */

const pull = z.object({
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  state: z.enum(["open", "closed"]),
  mergedAt: z.string().nullable(),
  createdAt: z.string(),
  author: z.string(),
  labels: z.array(z.string()),
  mergeSha: z.string().nullable().optional(),
});

const deployment = z.object({
  id: z.number().int(),
  sha: z.string(),
  environment: z.string(),
  createdAt: z.string(),
  /** The latest status (`success`, `failure`, `error`, …) when known. */
  state: z.string().optional(),
  url: z.string().optional(),
});

const cause = z.union([
  z.object({
    found: z.literal(true),
    sha: z.string().optional(),
    pull: pull.optional(),
    deployment: deployment.optional(),
    /** The cause's pull request carries our comment and label (so they are not checked again). */
    noted: z.boolean().optional(),
  }),
  z.object({ found: z.literal(false), reason: z.string() }),
]);

const suspect = z.union([
  z.object({ kind: z.literal("pull"), pull }),
  z.object({ kind: z.literal("deployment"), deployment }),
]);

export const changeFactsSchema = z.object({
  v: z.literal(1),
  causes: z.record(z.string(), cause).default({}),
  commits: z.record(z.string(), z.array(pull)).default({}),
  /**
   * Pull requests that name the incident in their title only: GitHub makes no cross-reference
   * for a title, so the pull request handler records them here (and drops them when renamed).
   */
  titled: z.array(pull).default([]),
  suspects: z.object({ from: z.string(), to: z.string(), items: z.array(suspect), more: z.number().int() }).optional(),
});

export type PullSnapshot = z.infer<typeof pull>;
export type DeploymentSnapshot = z.infer<typeof deployment>;
export type CauseResolution = z.infer<typeof cause>;
export type Suspect = z.infer<typeof suspect>;
export type Suspects = NonNullable<ChangeFacts["suspects"]>;
export type ChangeFacts = z.infer<typeof changeFactsSchema>;

export const emptyFacts = (): ChangeFacts => ({ v: 1, causes: {}, commits: {}, titled: [] });


/** JSON with sorted keys, so the same facts always render the same card (and no needless edit). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function renderFactsBlock(facts: ChangeFacts): string {
  const empty = Object.keys(facts.causes).length === 0 && Object.keys(facts.commits).length === 0 && facts.titled.length === 0 && !facts.suspects;
  if (empty) return "";
  return writeMarker("changes", canonical(facts) as object);
}

/** The facts a card carries; a missing, older or damaged block is an empty cache, never an error. */
export function readFactsBlock(body: string): ChangeFacts {
  const parsed = changeFactsSchema.safeParse(readJsonMarker(body, "changes"));
  return parsed.success ? parsed.data : emptyFacts();
}

export const causeKey = (ref: { kind: "pull"; number: number } | { kind: "sha"; sha: string }): string =>
  ref.kind === "pull" ? `#${ref.number}` : ref.sha.toLowerCase();

/**
 * Where a resolution is kept: what was found, by the reference alone; what was not, by the
 * reference and the comment that asked (`#12@c345`, `abc1234@body`). So a comment refused for an
 * unknown sha stays refused, while a new comment after the commit was pushed is looked up afresh.
 */
export const missKey = (ref: { kind: "pull"; number: number } | { kind: "sha"; sha: string }, commentId: number | undefined): string =>
  `${causeKey(ref)}@${commentId ? `c${commentId}` : "body"}`;

export function lookupCause(
  facts: ChangeFacts | undefined,
  ref: { kind: "pull"; number: number } | { kind: "sha"; sha: string },
  commentId: number | undefined,
): CauseResolution | undefined {
  return facts?.causes[missKey(ref, commentId)] ?? facts?.causes[causeKey(ref)];
}

export const shortSha = (sha: string) => sha.slice(0, 7);
