import { z } from "zod";
import type { Config } from "../config/schema.js";
import { matchSeverity } from "./commands.js";
import { readJsonMarker, writeMarker } from "../markers.js";
import { formAnswer, readForm } from "../text/form.js";

/**
 * What a new issue says about the incident it declares: the fields of the example issue form
 * (`.github/ISSUE_TEMPLATE/incident.yml`), or, for issues the app opens itself from an alert or a
 * `repository_dispatch`, a hidden declaration block in the body.
 */
export interface Declaration {
  severity?: string;
  startedAt?: string;
  service?: string;
  impact?: string;
  summary?: string;
  security?: boolean;
  source?: string;
}


const declarationBlock = z.object({
  severity: z.string().optional(),
  started_at: z.string().optional(),
  service: z.string().optional(),
  security: z.boolean().optional(),
  source: z.string().optional(),
});

/** The hidden block the app writes into the bodies of issues it opens itself. */
export function renderDeclarationMarker(d: Declaration): string {
  const block: z.input<typeof declarationBlock> = {
    ...(d.severity ? { severity: d.severity } : {}),
    ...(d.startedAt ? { started_at: d.startedAt } : {}),
    ...(d.service ? { service: d.service } : {}),
    ...(d.security ? { security: true } : {}),
    ...(d.source ? { source: d.source } : {}),
  };
  return writeMarker("declare", block);
}

/** Instants as people type them in a form: ISO 8601, or `2026-03-02 14:05` (UTC) with an optional `UTC`. */
export function parseLooseInstant(text: string): string | undefined {
  const t = text.trim();
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:UTC|Z)?$/i.exec(t);
  if (plain) {
    const ms = Date.parse(`${plain[1]}T${plain[2]!.padStart(2, "0")}:${plain[3]}:${plain[4] ?? "00"}Z`);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  return undefined;
}

export function parseDeclaration(body: string, config: Pick<Config, "severities">, trustedAuthor: boolean): Declaration {
  const out: Declaration = {};
  const marker = trustedAuthor ? declarationBlock.safeParse(readJsonMarker(body, "declare")) : undefined;
  if (marker?.success) {
    const parsed = marker.data;
    const severity = parsed.severity ? matchSeverity(config, parsed.severity) : undefined;
    const startedAt = parsed.started_at ? parseLooseInstant(parsed.started_at) : undefined;
    return {
      ...(severity ? { severity } : {}),
      ...(startedAt ? { startedAt } : {}),
      ...(parsed.service ? { service: parsed.service } : {}),
      ...(parsed.security ? { security: true } : {}),
      ...(parsed.source ? { source: parsed.source } : {}),
    };
  }
  // The issue form's fields (src/text/form.ts: one pass, first of each label wins).
  const form = readForm(body);
  const severityText = formAnswer(form, "severity");
  if (severityText) {
    const severity = matchSeverity(config, severityText.split(/[\s—–:-]+/)[0] ?? "");
    if (severity) out.severity = severity;
  }
  const started = formAnswer(form, "started-at", "impact-started", "started");
  const startedAt = started ? parseLooseInstant(started) : undefined;
  if (startedAt) out.startedAt = startedAt;
  const service = formAnswer(form, "service");
  if (service) out.service = service;
  const impact = formAnswer(form, "impact");
  if (impact) out.impact = impact;
  const summary = formAnswer(form, "summary", "what-is-happening", "description");
  if (summary) out.summary = summary;
  return out;
}
