import type { Config } from "../config/schema.js";
import { freezingIncidents, isFrozenEnvironment, type FreezeCandidate } from "../changes/freeze.js";
import { findReferences, isRevert, type RepoName } from "../changes/references.js";
import type { DeployAllowance, GateDecision } from "../incident/types.js";
import { neutraliseInline } from "../text/neutralise.js";

/**
 * The deploy gate's decision (SPEC section 9), PURE: a deployment to a frozen environment while
 * an incident freezes it is rejected, unless, for every freezing incident, the deployment ships a
 * fix of it or the commander allowed it. A fix is a pull request of this repository (not a fork)
 * whose title, body or one of whose commits names the incident with a keyword (`Fixes #12`,
 * `Closes #12`, `Resolves #12`, `Incident: #12`), or a revert (`Revert "…"`) that names it; or a
 * deployed commit whose own message does so, when no pull request it belongs to is a fork's (a
 * direct push: someone with push access wrote it). A bare mention is not a fix.
 */

export interface GateIncident extends FreezeCandidate {
  commander?: string;
  allowances: DeployAllowance[];
  /** A security incident: its title stays out of the review (shown on the workflow run). */
  security?: boolean;
}

/** A pull request the deployed commit belongs to. */
export interface DeployedPull {
  number: number;
  title: string;
  body: string;
  /** Its head branch lives in another repository. */
  fromFork: boolean;
  /** Its commits' messages (one page of 100, read only when its title and body pass nothing). */
  commits?: string[];
}

/** The deployed commit itself: its message counts unless a pull request it belongs to is a fork's. */
export interface DeployedCommit {
  sha: string;
  message: string;
}

export interface GateVerdict {
  state: "approved" | "rejected";
  /** The review's comment, shown on the workflow run. */
  comment: string;
  /** The freezing incidents (empty when nothing freezes). */
  freezing: GateIncident[];
  /** What is recorded on the incidents it names (those that held it; every freezing one when it passed); nothing when nothing froze. */
  record?: Omit<GateDecision, "runId" | "environment" | "sha" | "at">;
  /** When it passed: how it passed each freezing incident (recorded on that one). */
  passages?: Map<number, Passage>;
}

/** Freezing incidents named in a review comment, at most; the rest are counted. */
const NAMED = 5;

export type Passage = Pick<GateDecision, "via" | "pull" | "commit" | "by" | "reason">;

/** How the deployment may pass `incident`, or nothing. */
export function passageFor(incident: GateIncident, sha: string, pulls: readonly DeployedPull[], here: RepoName, commit?: DeployedCommit): Passage | undefined {
  for (const pull of pulls) {
    if (pull.fromFork) continue;
    const via = names(incident.number, pull.title, `${pull.title}\n${pull.body}`, here);
    if (via) return { via, pull: pull.number };
  }
  // Its commits (a merge commit's own message names none of them), then the deployed commit's own message.
  for (const pull of pulls) {
    if (pull.fromFork) continue;
    for (const message of pull.commits ?? []) {
      const via = names(incident.number, firstLine(message), message, here);
      if (via) return { via, pull: pull.number };
    }
  }
  if (commit && !pulls.some((p) => p.fromFork)) {
    const via = names(incident.number, firstLine(commit.message), commit.message, here);
    if (via) return { via, commit: commit.sha };
  }
  const lower = sha.toLowerCase();
  for (const a of [...incident.allowances].reverse()) {
    const match = a.ref.kind === "sha" ? lower.startsWith(a.ref.sha) : pulls.some((p) => p.number === (a.ref as { number: number }).number);
    if (match) return { via: "allowed", by: a.by, ...(a.reason ? { reason: a.reason } : {}) };
  }
  return undefined;
}

const firstLine = (text: string): string => {
  const end = text.indexOf("\n");
  return end < 0 ? text : text.slice(0, end);
};

/**
 * How `text` (whose subject is `subject`) names incident `number` as its fix: with a keyword
 * (`Fixes #12`, `Incident: #12`), or as a revert (`Revert "…"`) that mentions it. A bare mention is nothing.
 */
function names(number: number, subject: string, text: string, here: RepoName): "fix" | "revert" | undefined {
  const refs = findReferences(text, here).filter(
    (r) => r.owner.toLowerCase() === here.owner.toLowerCase() && r.repo.toLowerCase() === here.repo.toLowerCase() && r.number === number,
  );
  if (refs.length === 0) return undefined;
  if (isRevert(subject)) return "revert";
  return refs.some((r) => r.keyword !== undefined) ? "fix" : undefined;
}

const title = (i: GateIncident) => `#${i.number} ${i.security ? "(security incident)" : neutraliseInline(i.title, 100)} (${i.severity}, ${i.status}) ${i.url}`;

export function decideGate(
  config: Config,
  environment: string,
  sha: string,
  incidents: readonly GateIncident[],
  pulls: readonly DeployedPull[],
  here: RepoName,
  commit?: DeployedCommit,
): GateVerdict {
  const env = neutraliseInline(environment, 100);
  if (!config.changes.freeze) return { state: "approved", comment: "incident-desk: no change freeze is configured (changes.freeze).", freezing: [] };
  if (!isFrozenEnvironment(config, environment)) {
    return { state: "approved", comment: `incident-desk: ${env} is not frozen during incidents (changes.freeze.environments).`, freezing: [] };
  }
  const freezing = freezingIncidents(config, incidents, environment);
  if (freezing.length === 0) return { state: "approved", comment: `incident-desk: no open incident freezes ${env}.`, freezing };
  const passages = freezing.map((incident) => ({ incident, passage: passageFor(incident, sha, pulls, here, commit) }));
  const held = passages.filter((p) => !p.passage).map((p) => p.incident);
  const numbers = freezing.map((i) => i.number);
  if (held.length === 0) {
    const first = passages[0]!.passage!;
    const how = passages.map(({ incident, passage }) =>
      passage!.via === "allowed"
        ? `#${incident.number}: allowed by its commander (${passage!.by})${passage!.reason ? `: ${neutraliseInline(passage!.reason, 200)}` : ""}`
        : `#${incident.number}: ships ${passage!.via} ${passage!.pull ? `#${passage!.pull}` : `commit ${passage!.commit!.slice(0, 7)}`}`,
    );
    return {
      state: "approved",
      comment: `incident-desk: ${env} is frozen, but this deployment may pass. ${how.join("; ")}.`,
      freezing,
      record: { outcome: "allowed", incidents: numbers, ...first },
      passages: new Map(passages.map(({ incident, passage }) => [incident.number, passage!])),
    };
  }
  const named = held.slice(0, NAMED).map(title);
  const more = held.length > NAMED ? ` and ${held.length - NAMED} more` : "";
  const refs = held
    .slice(0, NAMED)
    .map((i) => `#${i.number}`)
    .join(", ");
  const comment = [
    `incident-desk: deployments to ${env} are frozen while ${held.length === 1 ? "this incident is" : "these incidents are"} open and not mitigated: ${named.join("; ")}${more}.`,
    `To deploy anyway: ship a fix whose pull request or commit says "Fixes ${refs.split(", ")[0]}" (or a revert that names it), or ask the incident's commander to comment "/allow-deploy ${sha.slice(0, 7)} <reason>" on ${refs}; then re-run this job.`,
  ].join(" ");
  return { state: "rejected", comment, freezing, record: { outcome: "rejected", incidents: held.map((i) => i.number) } };
}
