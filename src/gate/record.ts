import { z } from "zod";
import { readJsonMarker, writeMarker } from "../markers.js";
import type { GateDecision } from "../incident/types.js";
import { neutraliseInline } from "../text/neutralise.js";
import { formatInstant } from "../time/duration.js";

/**
 * The deploy gate's decision as recorded on a freezing incident: one comment by the app, whose
 * hidden marker names the workflow run, the environment, the commit and the outcome. A second
 * delivery finds it and writes nothing; the incident's timeline, card, post-mortem and the report
 * read it back (believed only in the app's own comments, src/trust.ts). It pings nobody: the
 * commander who allowed a deployment is named without `@`.
 */

export type { GateDecision } from "../incident/types.js";

const recordSchema = z.object({
  run: z.number().int().positive(),
  environment: z.string().min(1).max(255),
  sha: z.string().regex(/^[0-9a-f]{7,40}$/i),
  outcome: z.enum(["rejected", "allowed"]),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
  incidents: z.array(z.number().int().positive()).max(100),
  via: z.enum(["fix", "revert", "allowed"]).optional(),
  pull: z.number().int().positive().optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/i)
    .optional(),
  by: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/)
    .optional(),
  reason: z.string().max(500).optional(),
});

/** The key of a decision: the same run, environment, commit and outcome is recorded once. */
export const gateKey = (d: Pick<GateDecision, "runId" | "environment" | "sha" | "outcome">): string =>
  `${d.runId}/${d.environment.toLowerCase()}/${d.sha.toLowerCase()}/${d.outcome}`;

/** The run, environment and commit, whatever the outcome. */
export const gateRunKey = (d: Pick<GateDecision, "runId" | "environment" | "sha">): string =>
  `${d.runId}/${d.environment.toLowerCase()}/${d.sha.toLowerCase()}`;

const short = (sha: string) => sha.slice(0, 7);

/** How the deployment passed, in words (no `@`). */
function passage(d: GateDecision): string {
  const what = d.pull ? `#${d.pull}` : `commit ${short(d.commit ?? "")}`;
  if (d.via === "fix") return `it ships fix ${what}`;
  if (d.via === "revert") return `it ships revert ${what}`;
  if (d.via === "allowed") return `the commander (${d.by ?? "unknown"}) allowed it with /allow-deploy${d.reason ? `: ${d.reason}` : ""}`;
  return "";
}

/** The timeline's line for a decision. */
export function gateEntryText(d: GateDecision): string {
  const what = `\`${short(d.sha)}\` to ${d.environment}`;
  return d.outcome === "rejected" ? `Deploy gate rejected ${what} (change freeze)` : `Deploy gate let ${what} through the freeze: ${passage(d)}`;
}

export function renderGateRecord(d: GateDecision, url?: string): string {
  const payload = {
    run: d.runId,
    environment: d.environment,
    sha: d.sha,
    outcome: d.outcome,
    at: d.at,
    incidents: d.incidents,
    ...(d.via ? { via: d.via } : {}),
    ...(d.pull ? { pull: d.pull } : {}),
    ...(d.commit ? { commit: d.commit } : {}),
    ...(d.by ? { by: d.by } : {}),
    ...(d.reason ? { reason: d.reason } : {}),
  };
  const environment = neutraliseInline(d.environment, 255);
  const run = url ? `[workflow run ${d.runId}](${url})` : `workflow run ${d.runId}`;
  const others = d.incidents.length > 1 ? ` (frozen by ${d.incidents.map((n) => `#${n}`).join(", ")})` : "";
  const line =
    d.outcome === "rejected"
      ? `🚦 **Deploy gate:** rejected the deployment of \`${short(d.sha)}\` to **${environment}** (${run}) at ${formatInstant(d.at)}: deployments are frozen while this incident is open and not mitigated${others}.`
      : `🚦 **Deploy gate:** let the deployment of \`${short(d.sha)}\` to **${environment}** (${run}) through the freeze at ${formatInstant(d.at)}: ${neutraliseInline(passage(d), 700)}${others}.`;
  // `@` is written as a JSON escape too: even hidden, the record holds nothing that looks like a mention.
  return `${writeMarker("gate", payload).replace(/@/g, "\\u0040")}\n${line}`;
}

export function readGateRecord(body: string): { key: string; decision: GateDecision } | undefined {
  const parsed = recordSchema.safeParse(readJsonMarker(body, "gate"));
  if (!parsed.success) return undefined;
  const { run, ...rest } = parsed.data;
  const decision: GateDecision = {
    runId: run,
    environment: rest.environment,
    sha: rest.sha.toLowerCase(),
    outcome: rest.outcome,
    at: rest.at,
    incidents: rest.incidents,
    ...(rest.via ? { via: rest.via } : {}),
    ...(rest.pull ? { pull: rest.pull } : {}),
    ...(rest.commit ? { commit: rest.commit.toLowerCase() } : {}),
    ...(rest.by ? { by: rest.by } : {}),
    ...(rest.reason ? { reason: rest.reason } : {}),
  };
  return { key: gateKey(decision), decision };
}
