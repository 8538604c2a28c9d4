import type { Config } from "../config/schema.js";
import type { IncidentState, TimelineEntry } from "../incident/state.js";
import { followupProgress } from "../problems/progress.js";
import { mayName, type Audience } from "../security/disclosure.js";
import { formatDuration } from "../time/duration.js";
import { redact } from "./redact.js";

/**
 * What the post-mortem template sees: a pure function of the incident's state (the same state the
 * card is rendered from) and the configuration. Everything a template might want is computed
 * here, so a repository's own template needs no helpers beyond ours.
 */

export const POSTMORTEM_BRANCH_PREFIX = "incident-desk/postmortem-";

export const postmortemBranch = (number: number) => `${POSTMORTEM_BRANCH_PREFIX}${number}`;

export function slugify(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
  return slug || "incident";
}

/** The day the incident started: a post-mortem is filed under when it happened. */
export function incidentDate(state: IncidentState, fallback: string): string {
  return (state.times.started ?? state.times.detected ?? fallback).slice(0, 10);
}

/**
 * `docs/postmortems/YYYY-MM-DD-<number>-<slug>.md` (the directory is `postmortem.path`). The slug
 * is made from the redacted title: a token pasted in a title would otherwise reach the file name.
 */
export function postmortemPath(state: IncidentState, config: Config, now: string): string {
  const dir = config.postmortem.path.replace(/^\/+|\/+$/g, "");
  const file = `${incidentDate(state, now)}-${state.number}-${slugify(redact(state.title))}.md`;
  return dir ? `${dir}/${file}` : file;
}

/** Whether a file name in `postmortem.path` is this incident's post-mortem, whatever its date and slug. */
export function isPostmortemFileOf(name: string, number: number): boolean {
  return new RegExp(`^\\d{4}-\\d{2}-\\d{2}-${number}-[^/]*\\.md$`).test(name);
}

export interface PostmortemOptions {
  /** When the document is generated (an ISO instant); ends the impact bar of an ongoing incident. */
  generatedAt: string;
  /** Where the document goes; references it may not name are left out. Unknown: a public repository. */
  audience?: Audience;
}

const TIME_NAMES = [
  ["started", "Impact started"],
  ["detected", "Detected (declared)"],
  ["acknowledged", "Acknowledged"],
  ["mitigated", "Mitigated"],
  ["resolved", "Resolved"],
] as const;

const DURATION_NAMES = [
  ["detect", "Time to detect", "started → detected"],
  ["acknowledge", "Time to acknowledge", "detected → acknowledged"],
  ["mitigate", "Time to mitigate", "detected → mitigated"],
  ["resolve", "Time to resolve", "started → resolved"],
] as const;

/** Timeline kinds worth a milestone in the diagram; notes and updates stay in the table. */
const MILESTONE_KINDS = new Set<TimelineEntry["kind"]>(["declared", "acknowledged", "severity", "status", "change", "deployment", "closed", "reopened"]);
const MAX_MILESTONES = 40;

/** Mermaid reads `:` `;` `#` in a task name as syntax; the diagram only needs the words. */
const mermaidText = (text: string) =>
  text
    .replace(/[:;#`"<>{}[\]]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 60) || "event";

/**
 * Mermaid's gantt parses dates as local wall-clock time and draws the axis in the same local
 * time, so writing UTC wall-clock times without an offset shows UTC to every reader.
 */
const mermaidTime = (iso: string) => new Date(Date.parse(iso)).toISOString().slice(0, 19).replace("T", " ");

export function mermaidGantt(state: IncidentState, generatedAt: string): string {
  const t = state.times;
  const lines = ["gantt", `  title Incident #${state.number} (times in UTC)`, "  dateFormat YYYY-MM-DD HH:mm:ss", "  axisFormat %H:%M"];
  const bar = (name: string, tag: string, from?: string, to?: string) => {
    if (!from || !to || Date.parse(to) < Date.parse(from)) return;
    lines.push(`  ${mermaidText(name)} :${tag}${mermaidTime(from)}, ${mermaidTime(to)}`);
  };
  const impactEnd = t.mitigated ?? t.resolved ?? generatedAt;
  lines.push("  section Impact");
  bar(t.mitigated || t.resolved ? "Impact" : "Impact (ongoing)", "crit, ", t.started, impactEnd);
  lines.push("  section Response");
  bar("Detect", "", t.started, t.detected);
  bar("Acknowledge", "", t.detected, t.acknowledged);
  bar("Mitigate", "", t.acknowledged ?? t.detected, t.mitigated);
  bar("Resolve", "done, ", t.mitigated, t.resolved);
  const milestones = state.timeline.filter((e) => MILESTONE_KINDS.has(e.kind)).slice(0, MAX_MILESTONES);
  if (milestones.length > 0) {
    lines.push("  section Events");
    for (const e of milestones) lines.push(`  ${mermaidText(e.text)} :milestone, ${mermaidTime(e.at)}, 1m`);
  }
  return lines.join("\n");
}

export function postmortemView(state: IncidentState, config: Config, options: PostmortemOptions) {
  const severity = config.severities.find((s) => s.name === state.severity);
  const base = state.url.replace(/\/issues\/\d+$/, "");
  const durations: { name: string; span: string; ms: number | undefined; text: string | undefined }[] = DURATION_NAMES.map(([key, name, span]) => {
    const ms = state.durations[key];
    return { name, span, ms, text: ms === undefined ? undefined : formatDuration(ms) };
  });
  const recoveryMs = state.changes?.recoveryMs;
  if (recoveryMs !== undefined) {
    durations.push({ name: "Failed-deployment recovery time", span: "cause deployed → resolved", ms: recoveryMs, text: formatDuration(recoveryMs) });
  }
  const roles = config.roles.filter((role) => state.roles[role]).map((role) => ({ role, user: state.roles[role]! }));
  const roleHolders = new Set(roles.map((r) => r.user.toLowerCase()));
  const participants = [
    ...new Set([
      ...state.timeline.map((e) => e.actor).filter((a): a is string => a !== undefined && !a.endsWith("[bot]")),
      ...state.commands.map((c) => c.author),
    ]),
  ]
    .filter((login) => !roleHolders.has(login.toLowerCase()))
    .sort((a, b) => a.localeCompare(b));

  const changes = state.changes;
  const causes = changes && changes.causes.length > 0
    ? changes.causes.map((c) => ({
        text: c.pull ? `#${c.pull.number} ${c.pull.title}` : `commit ${(c.sha ?? (c.ref.kind === "sha" ? c.ref.sha : "")).slice(0, 7)}`,
        url: c.pull ? c.pull.url : c.sha ? `${base}/commit/${c.sha}` : undefined,
        by: c.by,
        deployment: c.deployment ? { environment: c.deployment.environment, at: c.deployment.createdAt } : undefined,
      }))
    : state.causes.map((c) => ({
        text: c.ref.kind === "pull" ? `#${c.ref.number}` : `commit ${c.ref.sha.slice(0, 7)}`,
        url: c.ref.kind === "pull" ? `${base}/pull/${c.ref.number}` : `${base}/commit/${c.ref.sha}`,
        by: c.by,
        deployment: undefined,
      }));
  const fixes = (changes?.linked ?? []).map((p) => ({ number: p.number, title: p.title, url: p.url, state: p.state, role: p.role, mergedAt: p.mergedAt }));
  const deployments = (changes?.deployments ?? []).map((d) => ({ sha: d.sha.slice(0, 7), environment: d.environment, at: d.at, url: d.url }));
  // The deploy gate's decisions and the commander's `/allow-deploy`s (SPEC section 9), without `@`.
  const gates = (changes?.gates ?? []).map((g) => ({
    sha: g.sha.slice(0, 7),
    environment: g.environment,
    at: g.at,
    rejected: g.outcome === "rejected",
    how: g.via === "allowed" ? `allowed by the commander (${g.by ?? "unknown"})${g.reason ? `: ${g.reason}` : ""}` : g.via ? `ships ${g.via} #${g.pull}` : "",
    url: `${base}/actions/runs/${g.runId}`,
  }));
  const allowances = state.allowances.map((a) => ({ what: a.ref.kind === "pull" ? `#${a.ref.number}` : a.ref.sha.slice(0, 7), by: a.by, at: a.at, reason: a.reason }));
  const audience = options.audience ?? { repo: state.repo, private: false };
  const mentions = state.references
    // The problem record has its own line under the root cause.
    .filter((r) => !(state.problem && r.source.number === state.problem.number && (!r.source.repo || r.source.repo.toLowerCase() === state.repo.toLowerCase())))
    .filter((r) => !r.source.isPullRequest && mayName(r.source, audience, config))
    .map((r) => ({ number: r.source.number, title: r.source.title, url: r.source.url, state: r.source.state }));

  const progress = followupProgress(state);
  return {
    generatedAt: options.generatedAt,
    incident: { number: state.number, title: state.title, url: state.url, repo: state.repo },
    severity: { name: state.severity, description: severity?.description ?? "" },
    status: state.status,
    resolved: state.status === "resolved",
    service: state.service,
    team: state.team,
    summary: state.summary,
    impact: state.impact,
    times: TIME_NAMES.map(([key, name]) => ({ name, at: state.times[key] })),
    durations,
    timeline: state.timeline,
    mermaid: mermaidGantt(state, options.generatedAt),
    roles,
    commander: state.roles.commander,
    participants,
    updates: state.updates,
    changes: { causes, fixes, deployments, mentions, gates, allowances, any: causes.length + fixes.length + deployments.length + gates.length + allowances.length > 0 },
    followups: progress,
    problem: problemOf(state),
  };
}

/** The problem record the incident is linked to, as its card knows it (src/problems/); the workaround when a known error. */
function problemOf(state: IncidentState) {
  if (!state.problem) return undefined;
  const view = state.problemFacts?.view?.number === state.problem.number ? state.problemFacts.view : undefined;
  return {
    number: state.problem.number,
    title: view?.title ?? "",
    url: view?.url ?? "",
    status: view?.status ?? "",
    knownError: view?.status === "known error",
    workaround: view?.workaround,
  };
}

export type PostmortemView = ReturnType<typeof postmortemView>;
