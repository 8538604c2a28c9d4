import { wroteIt, type Identity } from "../trust.js";

/**
 * The history of an issue, as GitHub's timeline tells it, reduced to what incident-desk reads.
 * Everything about an incident is derived from this (see state.ts); nothing else is stored.
 */

export interface Actor {
  login: string;
  /** "User", "Bot", "Organization", or a kind GitHub adds later. */
  type: string;
}

export interface IssueSnapshot {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  assignees: string[];
  author: Actor;
  createdAt: string;
  closedAt: string | null;
  url: string;
  /** The organisation's issue type set on it (its name), if any. */
  type?: string | null;
  /** How many sub-issues GitHub says it has (`sub_issues_summary.total`): they are read only when there are some. */
  subIssues?: number;
  /** Written by this app's own account (src/trust.ts): only then are its markers believed. */
  own?: boolean;
}

/** A sub-issue as `GET /repos/{o}/{r}/issues/{n}/sub_issues` lists it (read only when needed: src/incident/fetch.ts). */
export interface SubIssue {
  id: number;
  number: number;
  /** `owner/name`. */
  repo: string;
  title: string;
  body: string;
  url: string;
  state: "open" | "closed";
  author: Actor;
  /** Written by this app's own account (a problem ticket it opened). */
  own?: boolean;
}

/** The other issue of a sub-issue event, as the timeline shows it. */
export interface IssueReference {
  number: number;
  repo: string;
  title: string;
  state: "open" | "closed";
  /** Whether its repository is private (absent when the reference does not say). */
  private?: boolean;
}

export interface ReferenceSource {
  number: number;
  title: string;
  body: string;
  url: string;
  repo: string;
  /** Whether the source's repository is private (GitHub's `repository.private`); absent when the payload does not say. */
  private?: boolean;
  state: "open" | "closed";
  isPullRequest: boolean;
  mergedAt: string | null;
  /** When the source was opened (a pull request's "opened" on the incident's timeline). */
  createdAt?: string;
  author: Actor;
  labels: string[];
  /** Written by this app's own account (a problem ticket it opened). */
  own?: boolean;
}

export type HistoryEvent =
  /** `id`: the timeline event's id, which keys the verdict on a person's change (src/incident/verdicts.ts). */
  | { type: "labeled" | "unlabeled"; label: string; actor: Actor; at: string; id?: number }
  /** `edited`: the comment was changed after it was written (its `updated_at` is later than its `created_at`). */
  | { type: "commented"; commentId: number; body: string; author: Actor; at: string; url: string; own?: boolean; edited?: boolean }
  | { type: "assigned" | "unassigned"; assignee: string; actor: Actor; at: string }
  | { type: "closed"; actor: Actor; at: string; id?: number }
  | { type: "reopened"; actor: Actor; at: string; id?: number }
  | { type: "renamed"; from: string; to: string; actor: Actor; at: string }
  | { type: "cross-referenced"; source: ReferenceSource; actor: Actor; at: string }
  | { type: "referenced"; commitId: string; actor: Actor; at: string }
  /** The issue type set, changed or cleared (`issue_type_added` / `_changed` / `_removed`): names, null for none. */
  | { type: "typed"; to: string | null; from: string | null; actor: Actor; at: string; id?: number }
  /** A sub-issue attached to this issue or detached from it. */
  | { type: "sub-issue-added" | "sub-issue-removed"; sub: IssueReference; actor: Actor; at: string; id?: number };

export interface History {
  repo: { owner: string; repo: string };
  issue: IssueSnapshot;
  /** Oldest first, as the timeline lists them. */
  events: HistoryEvent[];
  /** The sub-issues as GitHub lists them now, when they had to be read (src/incident/subissues.ts says when). */
  subIssues?: SubIssue[];
}

export const isBot = (actor: Actor | undefined): boolean =>
  actor !== undefined && (actor.type === "Bot" || actor.login.endsWith("[bot]"));

/** Mark what this app's own account wrote (see src/trust.ts): the only places its markers count. */
export function markOwn(history: History, identity: Identity | undefined): History {
  const home = `${history.repo.owner}/${history.repo.repo}`;
  history.issue.own = wroteIt(identity, history.issue.author, home, home);
  for (const e of history.events) {
    if (e.type === "commented") e.own = wroteIt(identity, e.author, home, home);
    else if (e.type === "cross-referenced") e.source.own = wroteIt(identity, e.source.author, e.source.repo || home, home);
  }
  for (const sub of history.subIssues ?? []) sub.own = wroteIt(identity, sub.author, sub.repo || home, home);
  return history;
}

// ---- conversion from GitHub's REST shapes ---------------------------------------------------

type Json = Record<string, unknown>;
const str = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback);
const obj = (value: unknown): Json => (typeof value === "object" && value !== null ? (value as Json) : {});

export function toActor(user: unknown): Actor {
  const u = obj(user);
  return { login: str(u.login, "ghost"), type: str(u.type, "User") };
}

const labelNames = (labels: unknown): string[] =>
  Array.isArray(labels) ? labels.map((l) => (typeof l === "string" ? l : str(obj(l).name))).filter(Boolean) : [];

export function toIssueSnapshot(issue: unknown): IssueSnapshot {
  const i = obj(issue);
  return {
    number: Number(i.number),
    id: Number(i.id),
    nodeId: str(i.node_id),
    title: str(i.title),
    body: str(i.body),
    state: i.state === "closed" ? "closed" : "open",
    labels: labelNames(i.labels),
    assignees: Array.isArray(i.assignees) ? i.assignees.map((a) => toActor(a).login) : [],
    author: toActor(i.user),
    createdAt: str(i.created_at),
    closedAt: typeof i.closed_at === "string" ? i.closed_at : null,
    url: str(i.html_url),
    type: typeof obj(i.type).name === "string" ? (obj(i.type).name as string) : null,
    subIssues: Number(obj(i.sub_issues_summary).total) || 0,
  };
}

const repoOfUrl = (url: unknown): string => /repos\/([^/]+\/[^/]+)(?:\/issues\/\d+)?$/.exec(str(url))?.[1] ?? "";

/** One item of `GET /repos/{o}/{r}/issues/{n}/sub_issues`. */
export function toSubIssue(item: unknown): SubIssue {
  const i = obj(item);
  return {
    id: Number(i.id),
    number: Number(i.number),
    repo: str(obj(i.repository).full_name, repoOfUrl(i.repository_url)),
    title: str(i.title),
    body: str(i.body),
    url: str(i.html_url),
    state: i.state === "closed" ? "closed" : "open",
    author: toActor(i.user),
  };
}

function toIssueReference(ref: unknown): IssueReference | undefined {
  const r = obj(ref);
  if (typeof r.number !== "number") return undefined;
  const repository = obj(r.repository);
  return {
    number: r.number,
    repo: str(repository.full_name),
    title: str(r.title),
    state: r.state === "closed" ? "closed" : "open",
    ...(typeof repository.private === "boolean" ? { private: repository.private } : {}),
  };
}

const typeName = (t: unknown): string | null => (typeof obj(t).name === "string" ? (obj(t).name as string) : null);

function toReferenceSource(source: unknown): ReferenceSource | undefined {
  const issue = obj(obj(source).issue);
  if (issue.number === undefined) return undefined;
  const pr = issue.pull_request === undefined || issue.pull_request === null ? undefined : obj(issue.pull_request);
  const repository = obj(issue.repository);
  const repoFromUrl = /repos\/([^/]+\/[^/]+)$/.exec(str(issue.repository_url))?.[1] ?? "";
  return {
    number: Number(issue.number),
    title: str(issue.title),
    body: str(issue.body),
    url: str(issue.html_url),
    repo: str(repository.full_name, repoFromUrl),
    ...(typeof repository.private === "boolean" ? { private: repository.private } : {}),
    state: issue.state === "closed" ? "closed" : "open",
    isPullRequest: pr !== undefined,
    mergedAt: pr && typeof pr.merged_at === "string" ? pr.merged_at : null,
    ...(typeof issue.created_at === "string" ? { createdAt: issue.created_at } : {}),
    author: toActor(issue.user),
    labels: labelNames(issue.labels),
  };
}

/** One item of `GET /repos/{owner}/{repo}/issues/{n}/timeline`, or nothing if we do not read it. */
export function toHistoryEvent(item: unknown): HistoryEvent | undefined {
  const e = obj(item);
  const actor = toActor(e.actor ?? e.user);
  const at = str(e.created_at);
  const id = typeof e.id === "number" ? { id: e.id } : {};
  switch (e.event) {
    case "labeled":
    case "unlabeled":
      return { type: e.event, label: str(obj(e.label).name), actor, at, ...id };
    case "commented":
      return {
        type: "commented",
        commentId: Number(e.id),
        body: str(e.body),
        author: toActor(e.user ?? e.actor),
        at,
        url: str(e.html_url),
        ...(typeof e.updated_at === "string" && Date.parse(e.updated_at) > Date.parse(at) ? { edited: true } : {}),
      };
    case "assigned":
    case "unassigned":
      return { type: e.event, assignee: toActor(e.assignee).login, actor, at };
    case "closed":
      return { type: "closed", actor, at, ...id };
    case "reopened":
      return { type: "reopened", actor, at, ...id };
    case "renamed": {
      const rename = obj(e.rename);
      return { type: "renamed", from: str(rename.from), to: str(rename.to), actor, at };
    }
    case "cross-referenced": {
      const source = toReferenceSource(e.source);
      return source ? { type: "cross-referenced", source, actor, at: str(e.created_at, str(e.updated_at)) } : undefined;
    }
    case "referenced":
      return typeof e.commit_id === "string" ? { type: "referenced", commitId: e.commit_id, actor, at } : undefined;
    case "issue_type_added":
    case "issue_type_changed":
    case "issue_type_removed":
      return { type: "typed", to: e.event === "issue_type_removed" ? null : typeName(e.issue_type), from: e.event === "issue_type_added" ? null : typeName(e.prev_issue_type), actor, at, ...id };
    case "sub_issue_added":
    case "sub_issue_removed": {
      const sub = toIssueReference(e.sub_issue);
      return sub ? { type: e.event === "sub_issue_added" ? "sub-issue-added" : "sub-issue-removed", sub, actor, at, ...id } : undefined;
    }
    default:
      return undefined;
  }
}
