import { writeMarker } from "../markers.js";
import { createHash } from "node:crypto";
import { z } from "zod";
import { ConfigError, configFor } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { matchSeverity } from "../incident/commands.js";
import { parseLooseInstant, renderDeclarationMarker } from "../incident/declaration.js";
import { reconcileIssue, type Logger } from "../incident/handle.js";
import { serialize } from "../serialize.js";
import { bundledTemplate } from "../templates.js";
import { findOpenIncident, openIncidentIssue, type OpenedIssue } from "./declare.js";
import { describeIssues } from "./group.js";
import { privateTarget } from "./receive.js";
import type { ClientFor } from "./installation.js";

/**
 * `repository_dispatch` with `event_type: incident` declares an incident, for alerting tools and
 * scripts that can call GitHub's API but cannot speak Alertmanager:
 *
 *   POST /repos/{owner}/{repo}/dispatches
 *   { "event_type": "incident", "client_payload": { "title": "…", "severity": "sev2", … } }
 */
export const DISPATCH_EVENT_TYPE = "incident";

/** The `client_payload` of an `incident` dispatch. Unknown keys are refused: they are most often typos. */
export const dispatchPayloadSchema = z
  .object({
    title: z.string().trim().min(1, { message: "a title is required" }).max(256),
    severity: z.string().trim().min(1).optional(),
    service: z.string().trim().min(1).optional(),
    description: z.string().max(60_000).optional(),
    started_at: z.string().refine((v) => parseLooseInstant(v) !== undefined, { message: "must be an ISO 8601 date and time such as 2026-03-02T09:00:00Z" }).optional(),
    security: z.boolean().optional(),
    /** Deduplication key: a second dispatch with the key of an open incident declares nothing. */
    key: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export type DispatchPayload = z.infer<typeof dispatchPayloadSchema>;

const envelopeSchema = z.object({
  action: z.string(),
  client_payload: z.unknown(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  sender: z.object({ login: z.string() }).optional(),
});

/** A severity as configured (`sev2`, `2`) or as alerting tools say it (`critical`, via `alerts.severity_map`). */
export function dispatchSeverity(config: Config, word: string | undefined): string | undefined {
  if (word === undefined) return config.default_severity ?? config.severities.find((s) => s.name === "sev3")?.name ?? config.severities[config.severities.length - 1]!.name;
  const mapped = Object.entries(config.alerts.severity_map).find(([k]) => k.toLowerCase() === word.toLowerCase())?.[1];
  return mapped ?? matchSeverity(config, word);
}

export type DispatchCheck = { ok: true; payload: DispatchPayload; severity: string } | { ok: false; reason: string };

/** Validate a client payload against the schema and the repository's severities (pure). */
export function checkDispatch(config: Config, clientPayload: unknown): DispatchCheck {
  const parsed = dispatchPayloadSchema.safeParse(clientPayload ?? {});
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const severity = dispatchSeverity(config, parsed.data.severity);
  if (!severity) {
    const names = [...config.severities.map((s) => s.name), ...Object.keys(config.alerts.severity_map)].join(", ");
    return { ok: false, reason: `severity: "${parsed.data.severity}" is not one of ${names}` };
  }
  return { ok: true, payload: parsed.data, severity };
}

const dispatchMarker = (id: string) => writeMarker("dispatch", id);

export function renderDispatchBody(payload: DispatchPayload, severity: string, id: string, sender: string | undefined): string {
  const startedAt = payload.started_at ? parseLooseInstant(payload.started_at) : undefined;
  return bundledTemplate("dispatch-incident.md.hbs")({
    declaration: renderDeclarationMarker({
      severity,
      ...(startedAt ? { startedAt } : {}),
      ...(payload.service ? { service: payload.service } : {}),
      ...(payload.security ? { security: true } : {}),
      source: "dispatch",
    }),
    marker: dispatchMarker(id),
    description: payload.description,
    sender,
  }).trim();
}

export interface DispatchDeps {
  /** The client of the repository the dispatch was sent to (the webhook's installation). */
  github: GitHub;
  /** Clients for other repositories (the private one for security incidents). */
  clientFor: ClientFor;
  log: Logger;
  /** The Action's: the configuration it has read, from its `config` input's path. */
  config?: Config;
  configPath?: string;
}

/**
 * Handle a `repository_dispatch` delivery. An invalid payload is logged with the reason and
 * creates nothing (there is no issue to answer on). The same delivery twice (GitHub redelivers
 * with the same id), or a payload `key` of an open incident, declares nothing new.
 */
export async function handleDispatch(deps: DispatchDeps, deliveryId: string, raw: unknown): Promise<OpenedIssue | undefined> {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success || envelope.data.action !== DISPATCH_EVENT_TYPE) return undefined;
  const e = envelope.data;
  const repo: RepoRef = { owner: e.repository.owner.login, repo: e.repository.name };
  const full = `${repo.owner}/${repo.repo}`;
  const config = await configFor(deps, repo);
  if (config instanceof ConfigError) {
    deps.log.warn(`incident-desk: repository_dispatch "incident" in ${full} ignored: invalid configuration: ${config.message}`);
    return undefined;
  }
  const check = checkDispatch(config, e.client_payload);
  if (!check.ok) {
    deps.log.warn(`incident-desk: repository_dispatch "incident" in ${full} ignored, nothing was created: ${check.reason}`);
    return undefined;
  }
  const { payload, severity } = check;
  const id = createHash("sha256").update(payload.key ? `key:${payload.key}` : `delivery:${deliveryId}`).digest("hex").slice(0, 24);
  let target: RepoRef;
  try {
    target = payload.security && config.private.repo ? privateTarget(repo, config.private.repo) : repo;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    deps.log.warn(`incident-desk: repository_dispatch "incident" in ${full} ignored: invalid configuration: ${error.message}`);
    return undefined;
  }
  const github = target === repo ? deps.github : await deps.clientFor(target);
  const targetFull = `${target.owner}/${target.repo}`;
  return serialize(`dispatch:${targetFull.toLowerCase()}:${id}`, async () => {
    const existing = await findOpenIncident(github, target, config, "dispatch", (p) => p === id);
    if (existing) {
      deps.log.info(`incident-desk: repository_dispatch in ${full} already declared ${targetFull}#${existing.number}`);
      return existing;
    }
    const opened = await openIncidentIssue(github, target, config, {
      title: payload.title,
      body: renderDispatchBody(payload, severity, id, e.sender?.login),
      severity,
    });
    await reconcileIssue({ github, log: deps.log, ...(target === repo ? { config } : {}) }, target, opened.number, { kind: "issue" });
    return opened;
  });
}
