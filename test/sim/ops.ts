// State changes shared by the REST routes and sim.as(user): each records timeline events and emits webhooks.
import { checkLengths, HttpError, validationFailed } from "./http.js";
import type { AppRec, CommentRec, CommitRec, DeploymentRec, EventRec, IssueRec, IssueTypeRec, LabelRec, ReactionRec, RepoRec, UserRec } from "./model.js";
import { fullName } from "./model.js";
import { commentJson, deploymentJson, deploymentStatusJson, issueJson, issueTypeJson, labelJson, pullJson, repoJson, userJson } from "./serialize.js";
import type { State } from "./state.js";
import { buildPayload, validateWebhook, type Webhooks } from "./webhooks.js";

export interface Actor {
  user: UserRec;
  app: AppRec | null;
}

const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?:([\w.-]+\/[\w.-]+))?#(\d+)/gi;
const MENTION = /(?:^|[^\w/#])(?:([\w.-]+\/[\w.-]+))?#(\d+)\b|https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/(?:issues|pull)\/(\d+)/g;

export class Ops {
  constructor(
    public state: State,
    public webhooks: Webhooks,
  ) {}

  /** Where a webhook payload that breaks its schema is reported (GitHubSim: `sim.violations`). */
  onInvalidWebhook: (name: string, action: string | undefined, message: string) => void = () => undefined;

  get clock() {
    return this.state.clock;
  }

  // ---------------- webhooks ----------------
  emit(name: string, action: string | undefined, repo: RepoRec, actor: Actor, fields: Record<string, unknown>) {
    const inst = this.state.installationOf(repo);
    const payload = buildPayload(name, action, {
      ...fields,
      repository: repoJson(repo),
      organization: repo.owner.type === "Organization" ? orgJson(repo.owner) : undefined,
      sender: userJson(actor.user),
      installation: inst ? { id: inst.id, node_id: this.state.nodeId("MDIz", inst.id) } : undefined,
    });
    // Payloads with no example in @octokit/webhooks-examples are built here: checked against GitHub's schema.
    const problem = validateWebhook(name, action, payload);
    if (problem) this.onInvalidWebhook(name, action, problem);
    this.webhooks.emit(name, payload);
  }

  emitIssue(issue: IssueRec, action: string, actor: Actor, extra: Record<string, unknown> = {}) {
    if (issue.pr) {
      this.emit("pull_request", action, issue.repo, actor, { number: issue.number, pull_request: pullJson(issue), ...extra });
    } else {
      this.emit("issues", action, issue.repo, actor, { issue: issueJson(issue), ...extra });
    }
  }

  event(issue: IssueRec, actor: Actor, event: string, extra: Partial<EventRec> = {}, at?: string): EventRec {
    const id = this.state.nextId();
    const e: EventRec = { id, node_id: this.state.nodeId("E", id), event, actor: actor.user, app: actor.app, created_at: at ?? this.clock.iso(), ...extra };
    issue.timeline.push(e);
    return e;
  }

  // ---------------- labels ----------------
  createLabel(repo: RepoRec, actor: Actor, input: { name: string; color?: string; description?: string | null }, emit = true): LabelRec {
    if (this.state.label(repo, input.name)) throw validationFailed("Validation Failed", [{ resource: "Label", code: "already_exists", field: "name" }]);
    const color = (input.color ?? "ededed").replace(/^#/, "");
    if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed("Validation Failed", [{ resource: "Label", code: "invalid", field: "color" }]);
    const id = this.state.nextId();
    const l: LabelRec = { id, node_id: this.state.nodeId("LA", id), name: input.name, color, description: input.description ?? null, default: false };
    repo.labels.push(l);
    this.clock.stamp();
    if (emit) this.emit("label", "created", repo, actor, { label: labelJson(repo, l) });
    return l;
  }

  updateLabel(repo: RepoRec, actor: Actor, name: string, input: { new_name?: string; color?: string; description?: string | null }): LabelRec {
    const l = this.state.label(repo, name);
    if (!l) throw new HttpError(404, "Not Found");
    const changes: Record<string, unknown> = {};
    if (input.new_name !== undefined && input.new_name !== l.name) {
      const clash = this.state.label(repo, input.new_name);
      if (clash && clash !== l) throw validationFailed("Validation Failed", [{ resource: "Label", code: "already_exists", field: "name" }]);
      changes.name = { from: l.name };
      l.name = input.new_name;
    }
    if (input.color !== undefined && input.color.replace(/^#/, "") !== l.color) {
      changes.color = { from: l.color };
      l.color = input.color.replace(/^#/, "");
    }
    if (input.description !== undefined && input.description !== l.description) {
      changes.description = { from: l.description ?? "" };
      l.description = input.description;
    }
    this.clock.stamp();
    this.emit("label", "edited", repo, actor, { label: labelJson(repo, l), changes });
    return l;
  }

  /** Finds or creates (colour ededed, like GitHub) a label by name. */
  ensureLabel(repo: RepoRec, actor: Actor, name: string): LabelRec {
    return this.state.label(repo, name) ?? this.createLabel(repo, actor, { name });
  }

  /** `createdAt`: labels given when the issue is created carry its creation time, as on GitHub. */
  addLabels(issue: IssueRec, actor: Actor, names: string[], createdAt?: string, emit = true) {
    const added: ReturnType<typeof this.ensureLabel>[] = [];
    for (const name of names) {
      const l = this.ensureLabel(issue.repo, actor, name);
      if (issue.labelIds.includes(l.id)) continue;
      const at = createdAt ?? this.clock.stamp();
      issue.labelIds.push(l.id);
      issue.updated_at = at;
      this.event(issue, actor, "labeled", { label: { name: l.name, color: l.color } }, at);
      if (emit) this.emitIssue(issue, "labeled", actor, { label: labelJson(issue.repo, l) });
      added.push(l);
    }
    return added;
  }

  removeLabel(issue: IssueRec, actor: Actor, name: string, mustExist = true) {
    const l = this.state.label(issue.repo, name);
    if (!l || !issue.labelIds.includes(l.id)) {
      if (mustExist) throw new HttpError(404, "Label does not exist");
      return;
    }
    const at = this.clock.stamp();
    issue.labelIds = issue.labelIds.filter((id) => id !== l.id);
    issue.updated_at = at;
    this.event(issue, actor, "unlabeled", { label: { name: l.name, color: l.color } }, at);
    this.emitIssue(issue, "unlabeled", actor, { label: labelJson(issue.repo, l) });
  }

  setLabels(issue: IssueRec, actor: Actor, names: string[]) {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    for (const id of [...issue.labelIds]) {
      const l = issue.repo.labels.find((x) => x.id === id);
      if (l && !wanted.has(l.name.toLowerCase())) this.removeLabel(issue, actor, l.name);
    }
    this.addLabels(issue, actor, names);
  }

  // ---------------- assignees ----------------
  addAssignees(issue: IssueRec, actor: Actor, logins: string[]) {
    for (const login of logins) {
      const u = this.state.user(login);
      if (!u || issue.assignees.includes(u)) continue;
      if (issue.assignees.length >= 10) break;
      const at = this.clock.stamp();
      issue.assignees.push(u);
      issue.updated_at = at;
      this.event(issue, actor, "assigned", { assignee: u }, at);
      this.emitIssue(issue, "assigned", actor, { assignee: userJson(u) });
    }
  }

  removeAssignees(issue: IssueRec, actor: Actor, logins: string[]) {
    for (const login of logins) {
      const u = issue.assignees.find((a) => a.login.toLowerCase() === login.toLowerCase());
      if (!u) continue;
      const at = this.clock.stamp();
      issue.assignees = issue.assignees.filter((a) => a !== u);
      issue.updated_at = at;
      this.event(issue, actor, "unassigned", { assignee: u }, at);
      this.emitIssue(issue, "unassigned", actor, { assignee: userJson(u) });
    }
  }

  // ---------------- issues ----------------
  createIssue(
    repo: RepoRec,
    actor: Actor,
    input: { title: string; body?: string | null; labels?: (string | { name?: string })[]; assignees?: string[]; assignee?: string | null; type?: string | null },
    pr?: IssueRec["pr"],
  ): IssueRec {
    if (!input.title || !String(input.title).trim()) throw validationFailed("Validation Failed", [{ resource: "Issue", code: "missing_field", field: "title" }]);
    checkLengths("Issue", { title: String(input.title), body: input.body ?? null });
    const type = input.type ? this.issueType(repo, input.type) : null;
    const at = this.clock.stamp();
    const id = this.state.nextId();
    const issue: IssueRec = {
      id,
      node_id: this.state.nodeId("I", id),
      number: repo.nextNumber++,
      repo,
      title: String(input.title),
      body: input.body ?? null,
      user: actor.user,
      labelIds: [],
      assignees: [],
      state: "open",
      state_reason: null,
      closed_at: null,
      closed_by: null,
      created_at: at,
      updated_at: at,
      locked: false,
      timeline: [],
      subIssues: [],
      parent: null,
      type,
      reactions: [],
      pr: pr ?? null,
      app: actor.app,
    };
    repo.issues.set(issue.number, issue);
    // Like GitHub: the labels given at creation are on the issue in the `opened` delivery, and a
    // `labeled` delivery per label follows, each showing the issue as created.
    const labels = (input.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
    const added = this.addLabels(issue, actor, labels, at, false);
    if (type) this.event(issue, actor, "issue_type_added", { issue_type: type }, at);
    this.emitIssue(issue, "opened", actor);
    for (const l of added) this.emitIssue(issue, "labeled", actor, { label: labelJson(issue.repo, l) });
    // Like the labels: the type is on the issue in `opened`, and a `typed` delivery follows.
    if (type) this.emitIssue(issue, "typed", actor, { type: issueTypeJson(type) });
    const assignees = [...(input.assignees ?? []), ...(input.assignee ? [input.assignee] : [])];
    this.addAssignees(issue, actor, assignees);
    this.crossReference(issue, actor, issue.body ?? "", at);
    return issue;
  }

  updateIssue(
    issue: IssueRec,
    actor: Actor,
    input: { title?: string; body?: string | null; state?: "open" | "closed"; state_reason?: string | null; labels?: (string | { name?: string })[]; assignees?: string[]; assignee?: string | null; type?: string | null },
  ) {
    checkLengths("Issue", { title: input.title ?? null, body: input.body ?? null });
    // An unknown type fails the whole request before anything changes.
    const type = input.type === undefined ? undefined : input.type === null ? null : this.issueType(issue.repo, input.type);
    const changes: Record<string, { from: unknown }> = {};
    let at = this.clock.iso();
    if (input.title !== undefined && input.title !== issue.title) {
      changes.title = { from: issue.title };
      this.event(issue, actor, "renamed", { rename: { from: issue.title, to: input.title } }, at);
      issue.title = input.title;
    }
    if (input.body !== undefined && input.body !== issue.body) {
      changes.body = { from: issue.body ?? "" };
      const old = issue.body ?? "";
      issue.body = input.body;
      this.crossReference(issue, actor, issue.body ?? "", at, old);
    }
    if (Object.keys(changes).length) {
      at = this.clock.stamp();
      issue.updated_at = at;
      this.emitIssue(issue, "edited", actor, { changes });
    }
    if (input.labels !== undefined) this.setLabels(issue, actor, input.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean));
    if (input.assignees !== undefined || input.assignee !== undefined) {
      const wanted = input.assignees ?? (input.assignee ? [input.assignee] : []);
      this.removeAssignees(issue, actor, issue.assignees.filter((a) => !wanted.some((w) => w.toLowerCase() === a.login.toLowerCase())).map((a) => a.login));
      this.addAssignees(issue, actor, wanted);
    }
    if (type !== undefined) this.setIssueType(issue, actor, type);
    if (input.state === "closed" && issue.state === "open") this.close(issue, actor, input.state_reason ?? "completed");
    else if (input.state === "open" && issue.state === "closed") this.reopen(issue, actor);
    else if (input.state_reason !== undefined && input.state === undefined && issue.state === "closed" && input.state_reason) issue.state_reason = input.state_reason;
  }

  /** The owner's issue type of that name (case-insensitive), or 422 like GitHub. */
  issueType(repo: RepoRec, name: string): IssueTypeRec {
    const found = this.state.typesOf(repo)?.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!found) throw validationFailed("Validation Failed", [{ resource: "Issue", code: "invalid", field: "type", value: name, message: `${name} is not a valid issue type` }]);
    return found;
  }

  /** Sets or clears an issue's type: `issue_type_added` / `_changed` / `_removed` on the timeline, `issues.typed` / `untyped`. */
  setIssueType(issue: IssueRec, actor: Actor, type: IssueTypeRec | null) {
    const prev = issue.type;
    if ((prev?.id ?? null) === (type?.id ?? null)) return;
    const at = this.clock.stamp();
    issue.type = type;
    issue.updated_at = at;
    if (type && prev) this.event(issue, actor, "issue_type_changed", { issue_type: type, prev_issue_type: prev }, at);
    else if (type) this.event(issue, actor, "issue_type_added", { issue_type: type }, at);
    else this.event(issue, actor, "issue_type_removed", { prev_issue_type: prev }, at);
    if (type) this.emitIssue(issue, "typed", actor, { type: issueTypeJson(type) });
    else this.emitIssue(issue, "untyped", actor, { type: issueTypeJson(prev!) });
  }

  close(issue: IssueRec, actor: Actor, reason: string | null = "completed", commit?: { sha: string; repo: RepoRec }) {
    if (issue.state === "closed") return;
    const at = this.clock.stamp();
    issue.state = "closed";
    issue.state_reason = issue.pr ? null : (reason ?? "completed");
    issue.closed_at = at;
    issue.closed_by = actor.user;
    issue.updated_at = at;
    this.event(issue, actor, issue.pr?.merged ? "merged" : "closed", { state_reason: issue.state_reason, commit_id: commit?.sha ?? (issue.pr?.merged ? issue.pr.merge_commit_sha : null), commit_repo: commit?.repo }, at);
    if (issue.pr?.merged) this.event(issue, actor, "closed", { state_reason: null }, at);
    this.emitIssue(issue, "closed", actor);
  }

  reopen(issue: IssueRec, actor: Actor) {
    if (issue.state === "open") return;
    if (issue.pr?.merged) throw validationFailed("Validation Failed", [{ resource: "PullRequest", code: "custom", message: "Cannot reopen a merged pull request" }]);
    const at = this.clock.stamp();
    issue.state = "open";
    issue.state_reason = issue.pr ? null : "reopened";
    issue.closed_at = null;
    issue.updated_at = at;
    this.event(issue, actor, "reopened", { state_reason: issue.state_reason }, at);
    this.emitIssue(issue, "reopened", actor);
  }

  // ---------------- comments ----------------
  createComment(issue: IssueRec, actor: Actor, body: string): CommentRec {
    if (issue.locked && actor.user.app === undefined) throw new HttpError(403, "Unable to create comment because issue is locked.");
    checkLengths("IssueComment", { body });
    const at = this.clock.stamp();
    const id = this.state.nextId();
    const c: CommentRec = { id, node_id: this.state.nodeId("IC", id), issue, body, user: actor.user, created_at: at, updated_at: at, reactions: [], app: actor.app };
    issue.repo.comments.set(id, c);
    issue.updated_at = at;
    this.event(issue, actor, "commented", { comment: c, timelineOnly: true }, at);
    this.emit("issue_comment", "created", issue.repo, actor, { issue: issueJson(issue), comment: commentJson(c) });
    this.crossReference(issue, actor, body, at);
    return c;
  }

  updateComment(c: CommentRec, actor: Actor, body: string) {
    checkLengths("IssueComment", { body });
    const from = c.body;
    const at = this.clock.stamp();
    c.body = body;
    c.updated_at = at;
    this.emit("issue_comment", "edited", c.issue.repo, actor, { issue: issueJson(c.issue), comment: commentJson(c), changes: { body: { from } } });
    this.crossReference(c.issue, actor, body, at, from);
  }

  deleteComment(c: CommentRec, actor: Actor) {
    this.clock.stamp();
    c.issue.repo.comments.delete(c.id);
    this.emit("issue_comment", "deleted", c.issue.repo, actor, { issue: issueJson(c.issue), comment: commentJson(c) });
  }

  addReaction(target: { reactions: ReactionRec[] }, actor: Actor, content: string): { reaction: ReactionRec; created: boolean } {
    const existing = target.reactions.find((r) => r.user === actor.user && r.content === content);
    if (existing) return { reaction: existing, created: false };
    const id = this.state.nextId();
    const r: ReactionRec = { id, node_id: this.state.nodeId("REA", id), user: actor.user, content, created_at: this.clock.stamp() };
    target.reactions.push(r);
    return { reaction: r, created: true };
  }

  // ---------------- references ----------------
  /** Adds cross-referenced events to issues mentioned in `text` (only mentions not already in `previous`). */
  crossReference(source: IssueRec, actor: Actor, text: string, at: string, previous = "") {
    const before = new Set(this.mentions(source.repo, previous).map((i) => i.id));
    const seen = new Set<number>();
    for (const target of this.mentions(source.repo, text)) {
      if (target === source || before.has(target.id) || seen.has(target.id)) continue;
      seen.add(target.id);
      if (target.timeline.some((e) => e.event === "cross-referenced" && e.source === source)) continue;
      // Recorded whatever the visibility: the timeline shows it only to callers who can see the source.
      this.event(target, actor, "cross-referenced", { source, timelineOnly: true }, at);
    }
  }

  mentions(repo: RepoRec, text: string): IssueRec[] {
    const out: IssueRec[] = [];
    for (const m of text.matchAll(MENTION)) {
      const full = m[1] ?? m[3];
      const n = Number(m[2] ?? m[4]);
      const r = full ? this.state.repos.get(full.toLowerCase()) : repo;
      const i = r?.issues.get(n);
      if (i) out.push(i);
    }
    return out;
  }

  /** `referenced` events for issues mentioned in a commit message. */
  referenceFromCommit(repo: RepoRec, commit: CommitRec, actor: Actor) {
    const seen = new Set<number>();
    for (const target of this.mentions(repo, commit.message)) {
      if (seen.has(target.id)) continue;
      seen.add(target.id);
      if (target.timeline.some((e) => e.event === "referenced" && e.commit_id === commit.sha)) continue;
      this.event(target, actor, "referenced", { commit_id: commit.sha, commit_repo: repo }, commit.date);
    }
  }

  closingTargets(repo: RepoRec, text: string): IssueRec[] {
    const out: IssueRec[] = [];
    for (const m of text.matchAll(CLOSING)) {
      const r = m[1] ? this.state.repos.get(m[1].toLowerCase()) : repo;
      const i = r?.issues.get(Number(m[2]));
      if (i && !i.pr && !out.includes(i)) out.push(i);
    }
    return out;
  }

  // ---------------- sub-issues & transfer ----------------
  addSubIssue(parent: IssueRec, actor: Actor, sub: IssueRec, replaceParent = false) {
    if (sub === parent) throw validationFailed("Validation Failed", [{ message: "An issue cannot be a sub-issue of itself" }]);
    if (sub.parent && sub.parent !== parent && !replaceParent) throw validationFailed("Validation Failed", [{ resource: "Issue", code: "custom", field: "sub_issue_id", message: "Sub issue may only have one parent" }]);
    if (parent.subIssues.includes(sub)) throw validationFailed("Validation Failed", [{ resource: "Issue", code: "custom", message: "Issue is already a sub-issue" }]);
    if (sub.parent) sub.parent.subIssues = sub.parent.subIssues.filter((s) => s !== sub);
    const at = this.clock.stamp();
    parent.subIssues.push(sub);
    sub.parent = parent;
    this.event(parent, actor, "sub_issue_added", { timelineOnly: true, sub_issue: sub }, at);
    this.event(sub, actor, "parent_issue_added", { timelineOnly: true, parent_issue: parent }, at);
    this.emitSubIssues("added", parent, sub, actor);
  }

  removeSubIssue(parent: IssueRec, actor: Actor, sub: IssueRec) {
    if (!parent.subIssues.includes(sub)) throw new HttpError(404, "Not Found");
    const at = this.clock.stamp();
    parent.subIssues = parent.subIssues.filter((s) => s !== sub);
    sub.parent = null;
    this.event(parent, actor, "sub_issue_removed", { timelineOnly: true, sub_issue: sub }, at);
    this.event(sub, actor, "parent_issue_removed", { timelineOnly: true, parent_issue: parent }, at);
    this.emitSubIssues("removed", parent, sub, actor);
  }

  /** GitHub tells both sides: `sub_issue_*` to the parent's repository, `parent_issue_*` to the sub-issue's. */
  private emitSubIssues(change: "added" | "removed", parent: IssueRec, sub: IssueRec, actor: Actor) {
    const ids = { sub_issue_id: sub.id, sub_issue: issueJson(sub), parent_issue_id: parent.id, parent_issue: issueJson(parent) };
    this.emit("sub_issues", `sub_issue_${change}`, parent.repo, actor, { ...ids, sub_issue_repo: repoJson(sub.repo) });
    this.emit("sub_issues", `parent_issue_${change}`, sub.repo, actor, { ...ids, parent_issue_repo: repoJson(parent.repo) });
  }

  transferIssue(issue: IssueRec, actor: Actor, target: RepoRec): IssueRec {
    if (issue.pr) throw validationFailed("Pull requests cannot be transferred");
    const from = issue.repo;
    if (target === from) return issue;
    if (target.owner !== from.owner) throw validationFailed("Issues can only be transferred to a repository of the same owner");
    const at = this.clock.stamp();
    const oldJson = issueJson(issue);
    from.issues.delete(issue.number);
    from.moved.set(issue.number, issue);
    // comments move with the issue
    for (const c of [...from.comments.values()]) if (c.issue === issue) {
      from.comments.delete(c.id);
      target.comments.set(c.id, c);
    }
    // labels: carried over by name
    const labelNames = issue.labelIds.map((id) => from.labels.find((l) => l.id === id)?.name).filter((n): n is string => !!n);
    issue.repo = target;
    issue.number = target.nextNumber++;
    issue.labelIds = labelNames.map((n) => (this.state.label(target, n) ?? this.createLabel(target, actor, { name: n, color: from.labels.find((l) => l.name === n)?.color }, false)).id);
    issue.updated_at = at;
    target.issues.set(issue.number, issue);
    this.event(issue, actor, "transferred", {}, at);
    this.emit("issues", "transferred", from, actor, { issue: oldJson, changes: { new_issue: issueJson(issue), new_repository: repoJson(target) } });
    this.emit("issues", "opened", target, actor, { issue: issueJson(issue) });
    return issue;
  }

  // ---------------- git / contents ----------------
  /** Commits a tree change on a branch (creating the branch from the default branch if absent). */
  commitFiles(repo: RepoRec, actor: Actor, branch: string, message: string, files: Record<string, string | Buffer | null>): CommitRec {
    const head = this.state.branchSha(repo, branch) ?? this.state.branchSha(repo, repo.default_branch);
    const parent = head ? repo.commits.get(head) : undefined;
    const tree = new Map(parent?.tree ?? []);
    for (const [p, content] of Object.entries(files)) {
      if (content === null) tree.delete(p);
      else tree.set(p, this.state.blob(content));
    }
    const c = this.state.makeCommit(repo, { message, parents: parent ? [parent.sha] : [], tree, author: actor.user, date: this.clock.stamp() });
    repo.refs.set(`refs/heads/${branch}`, c.sha);
    repo.pushed_at = c.date;
    this.referenceFromCommit(repo, c, actor);
    this.syncPulls(repo, branch, actor);
    return c;
  }

  /** After a push to `branch`, open PRs whose head is that branch get the new commits + a synchronize event. */
  syncPulls(repo: RepoRec, branch: string, actor: Actor) {
    const sha = this.state.branchSha(repo, branch);
    if (!sha) return;
    for (const r of this.state.repos.values()) {
      for (const i of r.issues.values()) {
        if (!i.pr || i.state !== "open" || i.pr.head.repo !== repo || i.pr.head.ref !== branch || i.pr.head.sha === sha) continue;
        const before = i.pr.head.sha;
        const added: string[] = [];
        let cur: string | undefined = sha;
        while (cur && cur !== before && !i.pr.commits.includes(cur)) {
          added.unshift(cur);
          cur = repo.commits.get(cur)?.parents[0];
        }
        i.pr.commits.push(...added);
        i.pr.head.sha = sha;
        i.updated_at = this.clock.iso();
        this.emit("pull_request", "synchronize", i.repo, actor, { number: i.number, pull_request: pullJson(i), before, after: sha });
      }
    }
  }

  // ---------------- pull requests ----------------
  createPull(
    repo: RepoRec,
    actor: Actor,
    input: { title: string; body?: string | null; head: string; base?: string; draft?: boolean; commits?: { message: string; files?: Record<string, string> }[]; fromFork?: boolean; labels?: string[] },
  ): IssueRec {
    // Refused before anything (a branch, a fork, commits) is made.
    checkLengths("Issue", { title: input.title, body: input.body ?? null });
    const base = input.base ?? repo.default_branch;
    const baseSha = this.state.branchSha(repo, base);
    if (!baseSha) throw validationFailed("Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
    let headRepo = repo;
    let headRef = input.head;
    const colon = input.head.indexOf(":");
    if (colon >= 0) {
      const owner = input.head.slice(0, colon);
      headRef = input.head.slice(colon + 1);
      if (owner.toLowerCase() !== repo.owner.login.toLowerCase()) headRepo = this.fork(repo, this.state.user(owner) ?? this.state.addUser(owner));
    } else if (input.fromFork) {
      headRepo = this.fork(repo, actor.user);
    }
    if (!this.state.branchSha(headRepo, headRef)) {
      const start = this.state.branchSha(headRepo, base) ?? baseSha;
      if (!headRepo.commits.has(start)) headRepo.commits.set(start, repo.commits.get(start)!);
      headRepo.refs.set(`refs/heads/${headRef}`, start);
    }
    let i = 0;
    for (const c of input.commits ?? []) {
      this.commitFiles(headRepo, actor, headRef, c.message, c.files ?? { [`changes/${headRef.replace(/\W+/g, "-")}-${++i}.txt`]: c.message });
    }
    const headSha = this.state.branchSha(headRepo, headRef)!;
    if (headSha === baseSha && headRepo === repo) throw validationFailed("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${headRef}` }]);
    // commits on the PR: walk from head back to the base sha
    const commits: string[] = [];
    let cur: string | undefined = headSha;
    while (cur && cur !== baseSha) {
      commits.unshift(cur);
      cur = headRepo.commits.get(cur)?.parents[0];
    }
    // the base repo can see the head commits (like refs/pull/N/head)
    for (const sha of commits) if (!repo.commits.has(sha)) repo.commits.set(sha, headRepo.commits.get(sha)!);
    const pr: IssueRec["pr"] = {
      head: { ref: headRef, sha: headSha, repo: headRepo },
      base: { ref: base, sha: baseSha, repo },
      commits,
      merged: false,
      merged_at: null,
      merged_by: null,
      merge_commit_sha: null,
      draft: input.draft ?? false,
    };
    const issue = this.createIssue(repo, actor, { title: input.title, body: input.body ?? null, labels: input.labels ?? [] }, pr);
    return issue;
  }

  fork(parent: RepoRec, owner: UserRec): RepoRec {
    const full = `${owner.login}/${parent.name}`;
    const existing = this.state.repos.get(full.toLowerCase());
    if (existing) return existing;
    const f = this.state.addRepo(full, { installed: false });
    f.fork = true;
    f.parent = parent;
    for (const [k, v] of parent.commits) f.commits.set(k, v);
    for (const [k, v] of parent.refs) f.refs.set(k, v);
    return f;
  }

  mergePull(issue: IssueRec, actor: Actor, input: { commit_title?: string; commit_message?: string; merge_method?: string; sha?: string } = {}): CommitRec {
    const pr = issue.pr!;
    if (pr.merged) throw new HttpError(405, "Pull Request is not mergeable");
    if (issue.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
    if (input.sha && input.sha !== pr.head.sha) throw new HttpError(409, "Head branch was modified. Review and try the merge again.");
    const repo = issue.repo;
    const baseSha = this.state.branchSha(repo, pr.base.ref)!;
    const head = pr.head.repo.commits.get(pr.head.sha)!;
    const baseCommit = repo.commits.get(baseSha)!;
    const tree = new Map(baseCommit.tree);
    for (const [p, b] of head.tree) tree.set(p, b);
    const method = input.merge_method ?? "merge";
    const message =
      method === "merge"
        ? `${input.commit_title ?? `Merge pull request #${issue.number} from ${pr.head.repo.owner.login}/${pr.head.ref}`}\n\n${input.commit_message ?? issue.title}`
        : `${input.commit_title ?? `${issue.title} (#${issue.number})`}\n\n${input.commit_message ?? pr.commits.map((s) => `* ${repo.commits.get(s)?.message ?? ""}`).join("\n")}`;
    const c = this.state.makeCommit(repo, { message, parents: method === "merge" ? [baseSha, head.sha] : [baseSha], tree, author: actor.user, date: this.clock.iso() });
    repo.refs.set(`refs/heads/${pr.base.ref}`, c.sha);
    repo.pushed_at = c.date;
    pr.merged = true;
    pr.merged_at = this.clock.iso();
    pr.merged_by = actor.user;
    pr.merge_commit_sha = c.sha;
    this.close(issue, actor, null);
    if (pr.base.ref === repo.default_branch) {
      const text = [issue.body ?? "", ...pr.commits.map((s) => repo.commits.get(s)?.message ?? "")].join("\n");
      for (const target of this.closingTargets(repo, text)) this.close(target, actor, "completed", { sha: c.sha, repo });
    }
    for (const s of pr.commits) {
      const commit = repo.commits.get(s);
      if (commit && pr.head.repo !== repo) this.referenceFromCommit(repo, commit, actor);
    }
    this.syncPulls(repo, pr.base.ref, actor);
    return c;
  }

  // ---------------- deployments ----------------
  createDeployment(
    repo: RepoRec,
    actor: Actor,
    input: { ref: string; sha?: string; task?: string; environment?: string; payload?: unknown; description?: string | null; transient_environment?: boolean; production_environment?: boolean },
  ): DeploymentRec {
    const commit = this.state.resolveCommitish(repo, input.sha ?? input.ref);
    if (!commit) throw new HttpError(422, `No ref found for: ${input.ref}`);
    const at = this.clock.stamp();
    const id = this.state.nextId();
    const env = input.environment ?? "production";
    const payload = typeof input.payload === "string" ? safeJson(input.payload) : (input.payload ?? {});
    const d: DeploymentRec = {
      id,
      node_id: this.state.nodeId("DE", id),
      sha: commit.sha,
      ref: input.ref,
      task: input.task ?? "deploy",
      environment: env,
      original_environment: env,
      payload,
      description: input.description ?? null,
      creator: actor.user,
      created_at: at,
      updated_at: at,
      transient_environment: input.transient_environment ?? false,
      production_environment: input.production_environment ?? env === "production",
      statuses: [],
      app: actor.app,
    };
    repo.deployments.push(d);
    this.emit("deployment", "created", repo, actor, { deployment: deploymentJson(repo, d), workflow: null, workflow_run: null });
    return d;
  }

  createDeploymentStatus(
    repo: RepoRec,
    d: DeploymentRec,
    actor: Actor,
    input: { state: string; description?: string; environment?: string; target_url?: string; log_url?: string; environment_url?: string },
  ) {
    const at = this.clock.stamp();
    const id = this.state.nextId();
    const s = {
      id,
      node_id: this.state.nodeId("DES", id),
      state: input.state,
      creator: actor.user,
      description: input.description ?? "",
      environment: input.environment ?? d.environment,
      target_url: input.log_url ?? input.target_url ?? "",
      log_url: input.log_url ?? input.target_url ?? "",
      environment_url: input.environment_url ?? "",
      created_at: at,
      updated_at: at,
      app: actor.app,
    };
    d.statuses.unshift(s);
    d.updated_at = at;
    this.emit("deployment_status", "created", repo, actor, {
      deployment_status: deploymentStatusJson(repo, d, s),
      deployment: deploymentJson(repo, d),
      check_run: null,
      workflow: null,
      workflow_run: null,
    });
    return s;
  }

  dispatch(repo: RepoRec, actor: Actor, eventType: string, clientPayload: Record<string, unknown> = {}) {
    this.clock.stamp();
    this.emit("repository_dispatch", eventType, repo, actor, { branch: repo.default_branch, client_payload: clientPayload });
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function orgJson(u: UserRec) {
  const api = `https://api.github.com/orgs/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: u.node_id,
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    description: null,
  };
}

export { fullName };
