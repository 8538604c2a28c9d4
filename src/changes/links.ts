import type { Config } from "../config/schema.js";
import type { CauseRef } from "../incident/commands.js";
import { type History, type ReferenceSource } from "../incident/history.js";
import type { Cause, IncidentChanges, IncidentState, LinkedPull, PullRole, ResolvedCause, TimelineEntry } from "../incident/types.js";
import { readDeploymentNote } from "./deployment-note.js";
import { gateEntryText, readGateRecord } from "../gate/record.js";
import { emptyFacts, lookupCause, shortSha, type ChangeFacts, type DeploymentSnapshot, type PullSnapshot } from "./facts.js";
import { isRevert, refersTo } from "./references.js";

/**
 * The incident's changes as a pure function of its history and the facts read for it: the pull
 * requests linked to it (fixes, mitigations, its post-mortem), its causes, the suspects of the
 * look-back window, and the production deployments noted while it was open.
 */

export type { IncidentChanges, LinkedPull } from "../incident/types.js";

export const emptyChanges = (): IncidentChanges => ({
  linked: [],
  postmortems: [],
  causes: [],
  unresolved: [],
  deployments: [],
  gates: [],
  facts: emptyFacts(),
});

/** Why a `/cause` cannot be carried out, when the facts say so; unknown yet means fine. */
export function causeProblem(facts: ChangeFacts | undefined, ref: CauseRef, commentId?: number): string | undefined {
  const resolution = lookupCause(facts, ref, commentId);
  return resolution && !resolution.found ? resolution.reason : undefined;
}

const pullState = (p: { state: "open" | "closed"; mergedAt: string | null }): LinkedPull["state"] =>
  p.mergedAt ? "merged" : p.state === "closed" ? "closed" : "open";

function roleOf(title: string, labels: string[], config: Config): PullRole {
  const lower = labels.map((l) => l.toLowerCase());
  if (lower.includes(config.labels.postmortem.toLowerCase())) return "postmortem";
  return isRevert(title) ? "mitigation" : "fix";
}

const ROLE_WORD: Record<PullRole, string> = { fix: "Fix", mitigation: "Mitigation (revert)", postmortem: "Post-mortem" };

function fromSource(source: ReferenceSource, config: Config): LinkedPull {
  return {
    number: source.number,
    title: source.title,
    url: source.url,
    state: pullState(source),
    role: roleOf(source.title, source.labels, config),
    ...(source.createdAt ? { createdAt: source.createdAt } : {}),
    ...(source.mergedAt ? { mergedAt: source.mergedAt } : {}),
    via: "text",
    labels: source.labels,
  };
}

function fromSnapshot(pull: PullSnapshot, config: Config): LinkedPull {
  return {
    number: pull.number,
    title: pull.title,
    url: pull.url,
    state: pullState(pull),
    role: roleOf(pull.title, pull.labels, config),
    createdAt: pull.createdAt,
    ...(pull.mergedAt ? { mergedAt: pull.mergedAt } : {}),
    via: "commit",
    labels: pull.labels,
  };
}

/**
 * Pull requests that refer to the incident now. GitHub's cross-reference stays in the timeline
 * for ever, so a source counts only while its current title or body still names the incident;
 * commits are immutable, so a commit reference (via facts.commits) holds while the pull request
 * contains the commit.
 */
export function linkedPulls(history: History, facts: ChangeFacts, config: Config): LinkedPull[] {
  const here = history.repo;
  const byNumber = new Map<number, LinkedPull>();
  for (const e of history.events) {
    if (e.type !== "cross-referenced") continue;
    const s = e.source;
    if (!s.isPullRequest || s.repo.toLowerCase() !== `${here.owner}/${here.repo}`.toLowerCase()) continue;
    if (s.number === history.issue.number || !refersTo([s.title, s.body], here, history.issue.number)) continue;
    byNumber.set(s.number, fromSource(s, config));
  }
  const referencedCommits = new Set(history.events.flatMap((e) => (e.type === "referenced" ? [e.commitId.toLowerCase()] : [])));
  for (const [sha, pulls] of Object.entries(facts.commits)) {
    if (!referencedCommits.has(sha.toLowerCase())) continue;
    for (const p of pulls) if (!byNumber.has(p.number)) byNumber.set(p.number, fromSnapshot(p, config));
  }
  for (const p of facts.titled) {
    if (!byNumber.has(p.number) && refersTo([p.title], here, history.issue.number)) byNumber.set(p.number, { ...fromSnapshot(p, config), via: "text" });
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

function resolveCause(cause: Cause, facts: ChangeFacts): ResolvedCause | { ref: CauseRef; reason: string } | undefined {
  const r = lookupCause(facts, cause.ref, cause.commentId);
  if (!r) return undefined;
  if (!r.found) return { ref: cause.ref, reason: r.reason };
  return {
    ref: cause.ref,
    by: cause.by,
    at: cause.at,
    ...(r.sha ? { sha: r.sha } : {}),
    ...(r.pull
      ? { pull: { number: r.pull.number, title: r.pull.title, url: r.pull.url, state: pullState(r.pull), labels: r.pull.labels } }
      : {}),
    ...(r.deployment ? { deployment: r.deployment } : {}),
  };
}

/** Fill `state.changes` and add the changes' entries to the timeline. Called by deriveIncident. */
export function deriveChanges(state: IncidentState, history: History, facts: ChangeFacts | undefined, config: Config): void {
  const f = facts ?? emptyFacts();
  const changes = emptyChanges();
  changes.facts = f;
  state.changes = changes;
  if (!state.isIncident) return;
  const note = (entry: TimelineEntry) => state.timeline.push(entry);

  for (const pull of linkedPulls(history, f, config)) {
    if (pull.role === "postmortem") {
      changes.postmortems.push(pull);
      continue;
    }
    changes.linked.push(pull);
    const what = `${ROLE_WORD[pull.role]} #${pull.number} ${pull.title}`;
    if (pull.createdAt) note({ at: pull.createdAt, kind: "change", text: `${what} opened` });
    if (pull.mergedAt) note({ at: pull.mergedAt, kind: "change", text: `${ROLE_WORD[pull.role]} #${pull.number} merged` });
  }

  for (const cause of state.causes) {
    const resolved = resolveCause(cause, f);
    if (!resolved) continue;
    if ("reason" in resolved) {
      changes.unresolved.push(resolved);
      continue;
    }
    changes.causes.push(resolved);
    const name = resolved.pull ? `#${resolved.pull.number}` : `\`${shortSha(resolved.sha ?? "")}\``;
    note({ at: resolved.at, kind: "change", text: `Cause: ${name}`, actor: resolved.by });
  }
  const deployed = changes.causes
    .map((c) => c.deployment)
    .filter((d): d is DeploymentSnapshot => d !== undefined)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  if (deployed[0]) {
    changes.failedDeployment = deployed[0];
    if (state.times.resolved) changes.recoveryMs = Date.parse(state.times.resolved) - Date.parse(deployed[0].createdAt);
  }

  if (f.suspects) changes.suspects = f.suspects;

  const seen = new Set<number>();
  for (const e of history.events) {
    if (e.type !== "commented" || !e.own) continue;
    const d = readDeploymentNote(e.body);
    if (!d || seen.has(d.id)) continue;
    seen.add(d.id);
    changes.deployments.push(d);
    note({ at: d.at, kind: "deployment", text: `Deployed \`${shortSha(d.sha)}\` to ${d.environment}` });
  }

  // The deploy gate's decisions (src/gate/record.ts): believed only in the app's own comments.
  const decided = new Set<string>();
  for (const e of history.events) {
    if (e.type !== "commented" || !e.own) continue;
    const g = readGateRecord(e.body);
    if (!g || decided.has(g.key)) continue;
    decided.add(g.key);
    changes.gates.push(g.decision);
    note({ at: g.decision.at, kind: "gate", text: gateEntryText(g.decision) });
  }
}
