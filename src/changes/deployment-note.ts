import { z } from "zod";
import { formatInstant } from "../time/duration.js";

/**
 * The comment that notes a production deployment on an open incident. Its hidden marker names the
 * deployment, so each deployment is noted once per incident however often GitHub delivers it, and
 * the note is history: the timeline entry is derived from it like any other comment.
 */

export interface DeploymentNote {
  id: number;
  sha: string;
  environment: string;
  at: string;
  url?: string;
}

const noteSchema = z.object({
  id: z.number().int().positive(),
  sha: z.string().regex(/^[0-9a-f]{7,40}$/i),
  environment: z.string().min(1).max(255),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
  url: z.string().optional(),
});

const NOTE = /<!--\s*incident-desk:deployment\s+(\{[\s\S]*?\})\s*-->/;

export const deploymentMarkerPrefix = (id: number) => `<!-- incident-desk:deployment {"id":${id},`;

export function renderDeploymentNote(d: DeploymentNote): string {
  const block = JSON.stringify({ id: d.id, sha: d.sha, environment: d.environment, at: d.at, ...(d.url ? { url: d.url } : {}) })
    .replace(/--/g, "-\\u002d")
    .replace(/>/g, "\\u003e");
  const where = d.url ? `[${d.environment}](${d.url})` : `**${d.environment}**`;
  return [
    `<!-- incident-desk:deployment ${block} -->`,
    `🚀 \`${d.sha.slice(0, 7)}\` was deployed to ${where} at ${formatInstant(d.at)} while this incident is open (deployment ${d.id}).`,
  ].join("\n");
}

export function readDeploymentNote(body: string): DeploymentNote | undefined {
  const match = NOTE.exec(body);
  if (!match) return undefined;
  try {
    const parsed = noteSchema.safeParse(JSON.parse(match[1]!));
    if (!parsed.success) return undefined;
    const { url, ...rest } = parsed.data;
    return { ...rest, ...(url ? { url } : {}) };
  } catch {
    return undefined;
  }
}

export const hasDeploymentNote = (bodies: string[], id: number): boolean =>
  bodies.some((b) => readDeploymentNote(b)?.id === id);
