import { z } from "zod";
import type { DeploymentSnapshot, PullSnapshot } from "./facts.js";

/**
 * The few fields of a pull request or a deployment that the card shows, from any of GitHub's shapes
 * of them: a pull request (REST or webhook), a search result (an issue with `pull_request`), a
 * deployment. One schema each, at the edge.
 */

const labels = z.array(z.union([z.string(), z.object({ name: z.string() })])).default([]);

const pullShape = z.object({
  number: z.number().int(),
  title: z.string(),
  html_url: z.string(),
  state: z.string(),
  created_at: z.string(),
  merged_at: z.string().nullish(),
  merge_commit_sha: z.string().nullish(),
  user: z.object({ login: z.string() }).nullish(),
  labels,
  pull_request: z.object({ merged_at: z.string().nullish() }).nullish(),
});

export function toPullSnapshot(raw: unknown): PullSnapshot {
  const p = pullShape.parse(raw);
  return {
    number: p.number,
    title: p.title,
    url: p.html_url,
    state: p.state === "closed" ? "closed" : "open",
    mergedAt: p.merged_at ?? p.pull_request?.merged_at ?? null,
    createdAt: p.created_at,
    author: p.user?.login ?? "ghost",
    labels: p.labels.map((l) => (typeof l === "string" ? l : l.name)),
    ...(p.merge_commit_sha ? { mergeSha: p.merge_commit_sha } : {}),
  };
}

const deploymentShape = z.object({
  id: z.number().int(),
  sha: z.string(),
  environment: z.string(),
  created_at: z.string(),
});

export function toDeploymentSnapshot(raw: unknown): DeploymentSnapshot {
  const d = deploymentShape.parse(raw);
  return { id: d.id, sha: d.sha, environment: d.environment, createdAt: d.created_at };
}
