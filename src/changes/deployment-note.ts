import { z } from "zod";
import { formatInstant } from "../time/duration.js";
import { readJsonMarker, writeMarker } from "../markers.js";
import { neutraliseInline } from "../text/neutralise.js";

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


export function renderDeploymentNote(d: DeploymentNote): string {
  const block = { id: d.id, sha: d.sha, environment: d.environment, at: d.at, ...(d.url ? { url: d.url } : {}) };
  const environment = neutraliseInline(d.environment, 255);
  const where = d.url && /^https?:\/\/[^\s()<>]+$/.test(d.url) ? `[${environment}](${d.url})` : `**${environment}**`;
  return [
    writeMarker("deployment", block),
    `🚀 \`${d.sha.slice(0, 7)}\` was deployed to ${where} at ${formatInstant(d.at)} while this incident is open (deployment ${d.id}).`,
  ].join("\n");
}

export function readDeploymentNote(body: string): DeploymentNote | undefined {
  const parsed = noteSchema.safeParse(readJsonMarker(body, "deployment"));
  if (!parsed.success) return undefined;
  const { url, ...rest } = parsed.data;
  return { ...rest, ...(url ? { url } : {}) };
}

export const hasDeploymentNote = (bodies: string[], id: number): boolean =>
  bodies.some((b) => readDeploymentNote(b)?.id === id);
