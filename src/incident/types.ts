/**
 * The incident's types, apart from the code that computes them (src/incident/state.ts,
 * src/changes/links.ts), so that neither module needs the other's types.
 */
import type { Status } from "../config/schema.js";
import type { ChangeFacts, DeploymentSnapshot, Suspects } from "../changes/facts.js";
import type { CauseRef, Command, ProblemRef } from "./commands.js";
import type { ReferenceSource } from "./history.js";
import type { Verdicts } from "./verdicts.js";

export interface TimelineEntry {
  at: string;
  kind: "started" | "declared" | "acknowledged" | "severity" | "status" | "role" | "update" | "note" | "closed" | "reopened" | "change" | "deployment" | "followup" | "gate";
  text: string;
  actor?: string;
}

export interface CommandOutcome {
  commentId: number;
  author: string;
  at: string;
  url: string;
  applied: Command[];
  errors: { line: string; error: string; usage: string }[];
  /** Recognised commands from someone without the permission `commands.permission` asks. */
  refused: boolean;
  help: boolean;
}

export interface Followup {
  title: string;
  owner?: string;
  by: string;
  at: string;
  /** Where it was written: the comment's URL, or the issue body (a sub-issue: its own URL). */
  url: string;
  /** `sub-issue`: an issue a person attached to the incident as a sub-issue; it is its own ticket. */
  source: "comment" | "body" | "sub-issue";
  /** A stable key: the same follow-up always has the same key (problem tickets carry it). */
  key: string;
  /** Its problem ticket, once the `problems` command opened one (seen as a cross-reference). */
  ticket?: FollowupTicket;
}

export interface FollowupTicket {
  /** `owner/name` when the ticket lives in another repository than the incident. */
  repo?: string;
  number: number;
  url: string;
  title: string;
  state: "open" | "closed";
}

export interface Cause {
  ref: CauseRef;
  by: string;
  at: string;
  source: "command" | "body";
  commentId?: number;
}

/** A deployment the commander let through the change freeze: `/allow-deploy <sha or #pr> [reason]`. */
export interface DeployAllowance {
  ref: CauseRef;
  reason?: string;
  by: string;
  at: string;
  url: string;
}

/** A decision of the deploy gate recorded on the incident (src/gate/record.ts). */
export interface GateDecision {
  runId: number;
  environment: string;
  sha: string;
  outcome: "rejected" | "allowed";
  at: string;
  /** The freezing incidents the decision was about (numbers in this repository). */
  incidents: number[];
  /** How it passed: a fix or revert pull request, or the commander's `/allow-deploy`. */
  via?: "fix" | "revert" | "allowed";
  pull?: number;
  /** A fix or revert commit with no pull request of this repository (a direct push): its sha. */
  commit?: string;
  /** Who allowed it (no `@`: the record pings nobody). */
  by?: string;
  reason?: string;
}

export interface LinkedChange {
  source: ReferenceSource;
  at: string;
}

export interface IncidentState {
  isIncident: boolean;
  repo: string;
  number: number;
  url: string;
  title: string;
  /** A title given with `/incident … <title>` that the issue does not carry yet. */
  retitle?: string;
  declaredBy?: string;
  declaredVia?: "label" | "form" | "command" | "alert" | "dispatch" | "type";
  /** Declared once, then withdrawn by someone who may (the label removed, the issue type cleared or changed). */
  withdrawn?: boolean;
  source?: string;
  severity: string;
  status: Status;
  security: boolean;
  service?: string;
  team?: string;
  roles: Record<string, string>;
  formerCommanders: string[];
  acknowledgedBy?: string;
  /** Declared by someone below `commands.permission`: who, and who accepted it (status leaves `triage`). */
  reportedBy?: string;
  acceptedBy?: string;
  /** A report in triage that a responder declined (`/decline`): no longer an incident. */
  declined?: { by: string; at: string; reason?: string };
  /** Changes by people below the permission that were not applied: put back, with one reply each. */
  refusedChanges: RefusedChange[];
  /** Sub-issues (their ids) a person below the permission attached: put back (detached). */
  detachSubIssues: number[];
  /** Every verdict taken (src/incident/verdicts.ts), for the card to keep. */
  verdicts: Verdicts;
  times: { started?: string; detected?: string; acknowledged?: string; mitigated?: string; resolved?: string };
  durations: { detect?: number; acknowledge?: number; mitigate?: number; resolve?: number };
  summary?: string;
  impact?: string;
  /** `internal`: `/update internal …`, for the responders only (not the status page). */
  updates: { at: string; by: string; text: string; internal?: boolean }[];
  timeline: TimelineEntry[];
  commands: CommandOutcome[];
  causes: Cause[];
  /** `/allow-deploy`: deployments the commander let through the freeze. */
  allowances: DeployAllowance[];
  followups: Followup[];
  references: LinkedChange[];
  /** Linked pull requests, causes, suspects and deployments (src/changes). */
  changes: IncidentChanges;
  /** The problem record this incident is linked to (the last `/problem` carried out). */
  problem?: { number: number; at: string; by: string };
  /** `/problem` commands whose target nobody has checked yet (src/problems/link.ts checks them). */
  pendingProblems: PendingProblem[];
  /** What the card shows of its problem and keeps about it (src/problems/link.ts), when linked. */
  problemFacts?: ProblemFacts;
}

export interface PendingProblem {
  /** `c<comment id>.<i>` or `b.<i>`: the i-th `/problem` of that comment (or of the body). */
  key: string;
  ref: ProblemRef;
  commentId: number;
  at: string;
  by: string;
}

/** What `/problem` commands turned out to name: a problem's number, or why not (a reply says it). */
export type ProblemChecks = Record<string, number | string>;

/** What an incident's card shows of its problem (pushed when the problem's workaround changes). */
export interface ProblemView {
  number: number;
  title: string;
  url: string;
  status: "investigating" | "known error" | "resolved";
  workaround?: string;
}

/** Kept in the incident's card (marker `problem-facts`): so a delivery reads the problem only when something changed. */
export interface ProblemFacts {
  checks: ProblemChecks;
  view?: ProblemView;
  /** The link record on the problem: its comment and the digest of the incident summary it carries. */
  record?: { problem: number; comment: number; digest: string };
}

export interface RefusedChange {
  key: string;
  actor: string;
  at: string;
  /** In words: "added the label sev1", "closed the issue". */
  what: string;
}

export type PullRole = "fix" | "mitigation" | "postmortem";

export interface LinkedPull {
  number: number;
  title: string;
  url: string;
  state: "open" | "merged" | "closed";
  role: PullRole;
  createdAt?: string;
  mergedAt?: string;
  /** How it refers to the incident: its title or body, or one of its commits. */
  via: "text" | "commit";
  labels: string[];
}

export interface ResolvedCause {
  ref: CauseRef;
  by: string;
  at: string;
  sha?: string;
  pull?: { number: number; title: string; url: string; state: "open" | "merged" | "closed"; labels: string[] };
  deployment?: DeploymentSnapshot;
}

export interface NotedDeployment {
  id: number;
  sha: string;
  environment: string;
  at: string;
  url?: string;
}

export interface IncidentChanges {
  linked: LinkedPull[];
  postmortems: LinkedPull[];
  causes: ResolvedCause[];
  /** `root cause:` lines in the body that name nothing in this repository (there is no comment to answer). */
  unresolved: { ref: CauseRef; reason: string }[];
  suspects?: Suspects;
  deployments: NotedDeployment[];
  /** The deploy gate's decisions recorded on the incident, oldest first. */
  gates: GateDecision[];
  /** The deployment that shipped the (earliest deployed) cause: the start of DORA's failed-deployment recovery time. */
  failedDeployment?: DeploymentSnapshot;
  /** resolved − failedDeployment's time, once resolved. */
  recoveryMs?: number;
  /** What the card keeps so the next delivery need not read GitHub again (see facts.ts). */
  facts: ChangeFacts;
}

