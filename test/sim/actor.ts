// sim.as(login): act as a user (or bot) exactly like the REST routes would, emitting webhooks.
import { HttpError } from "./http.js";
import type { CommentRec, DeploymentRec, IssueRec } from "./model.js";
import type { Actor, Ops } from "./ops.js";
import type { State } from "./state.js";

export interface OpenPullRequestInput {
  title: string;
  body?: string;
  /** Branch name ("fix/db") or "owner:branch"; created from base if missing. */
  head: string;
  base?: string;
  /** Commits pushed to head before opening (each changes one file unless `files` is given). */
  commits?: { message: string; files?: Record<string, string> }[];
  /** Head lives in `<actor>/<repo>` (a fork). */
  fromFork?: boolean;
  draft?: boolean;
  labels?: string[];
}

export class UserActions {
  constructor(
    private state: State,
    private ops: Ops,
    private actor: Actor,
  ) {}

  get login(): string {
    return this.actor.user.login;
  }

  private repo(full: string) {
    return this.state.repoByName(full);
  }
  private issue(full: string, n: number): IssueRec {
    const i = this.repo(full).issues.get(n);
    if (!i) throw new Error(`sim: ${full}#${n} does not exist`);
    return i;
  }
  private commentRec(full: string, id: number): CommentRec {
    const c = this.repo(full).comments.get(id);
    if (!c) throw new Error(`sim: comment ${id} does not exist in ${full}`);
    return c;
  }

  openIssue(full: string, input: { title: string; body?: string; labels?: string[]; assignees?: string[]; type?: string }): number {
    return this.ops.createIssue(this.repo(full), this.actor, input).number;
  }
  editIssue(full: string, n: number, input: { title?: string; body?: string | null; state?: "open" | "closed"; state_reason?: string; labels?: string[]; assignees?: string[] }): void {
    this.ops.updateIssue(this.issue(full, n), this.actor, input);
  }
  close(full: string, n: number, reason: "completed" | "not_planned" | "duplicate" = "completed"): void {
    this.ops.close(this.issue(full, n), this.actor, reason);
  }
  reopen(full: string, n: number): void {
    this.ops.reopen(this.issue(full, n), this.actor);
  }
  /** Comments on an issue or PR; returns the comment id. */
  comment(full: string, n: number, body: string): number {
    return this.ops.createComment(this.issue(full, n), this.actor, body).id;
  }
  editComment(full: string, commentId: number, body: string): void {
    this.ops.updateComment(this.commentRec(full, commentId), this.actor, body);
  }
  deleteComment(full: string, commentId: number): void {
    this.ops.deleteComment(this.commentRec(full, commentId), this.actor);
  }
  react(full: string, commentId: number, content: "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes"): void {
    this.ops.addReaction(this.commentRec(full, commentId), this.actor, content);
  }
  addLabels(full: string, n: number, labels: string[]): void {
    this.ops.addLabels(this.issue(full, n), this.actor, labels);
  }
  removeLabel(full: string, n: number, label: string): void {
    this.ops.removeLabel(this.issue(full, n), this.actor, label);
  }
  setLabels(full: string, n: number, labels: string[]): void {
    this.ops.setLabels(this.issue(full, n), this.actor, labels);
  }
  assign(full: string, n: number, logins: string[]): void {
    for (const l of logins) if (!this.state.user(l)) this.state.addUser(l);
    this.ops.addAssignees(this.issue(full, n), this.actor, logins);
  }
  unassign(full: string, n: number, logins: string[]): void {
    this.ops.removeAssignees(this.issue(full, n), this.actor, logins);
  }
  createLabel(full: string, label: { name: string; color?: string; description?: string }): void {
    this.ops.createLabel(this.repo(full), this.actor, label);
  }
  addSubIssue(full: string, parent: number, subRepo: string, sub: number): void {
    this.ops.addSubIssue(this.issue(full, parent), this.actor, this.issue(subRepo, sub));
  }
  removeSubIssue(full: string, parent: number, subRepo: string, sub: number): void {
    this.ops.removeSubIssue(this.issue(full, parent), this.actor, this.issue(subRepo, sub));
  }
  /** Sets the issue's type by name (the owner's issue types; throws like GitHub's 422 for another), or clears it. */
  setType(full: string, n: number, type: string | null): void {
    const issue = this.issue(full, n);
    this.ops.setIssueType(issue, this.actor, type === null ? null : this.ops.issueType(issue.repo, type));
  }
  transfer(full: string, n: number, toRepo: string): number {
    return this.ops.transferIssue(this.issue(full, n), this.actor, this.repo(toRepo)).number;
  }

  openPullRequest(full: string, input: OpenPullRequestInput): number {
    return this.ops.createPull(this.repo(full), this.actor, input).number;
  }
  editPullRequest(full: string, n: number, input: { title?: string; body?: string; state?: "open" | "closed" }): void {
    const i = this.issue(full, n);
    if (!i.pr) throw new Error(`sim: ${full}#${n} is not a pull request`);
    this.ops.updateIssue(i, this.actor, input);
  }
  /** Pushes commits to a branch (synchronizes open PRs with that head). Returns the new head sha. */
  push(full: string, branch: string, commits: { message: string; files?: Record<string, string> }[]): string {
    let sha = "";
    for (const [k, c] of commits.entries()) sha = this.ops.commitFiles(this.repo(full), this.actor, branch, c.message, c.files ?? { [`changes/${branch.replace(/\W+/g, "-")}-push-${k}.txt`]: c.message }).sha;
    return sha;
  }
  mergePullRequest(full: string, n: number, opts: { merge_method?: "merge" | "squash" | "rebase"; commit_title?: string } = {}): string {
    const i = this.issue(full, n);
    if (!i.pr) throw new Error(`sim: ${full}#${n} is not a pull request`);
    return this.ops.mergePull(i, this.actor, opts).sha;
  }

  createDeployment(full: string, input: { sha?: string; ref?: string; environment?: string; task?: string; payload?: unknown; description?: string }): number {
    return this.ops.createDeployment(this.repo(full), this.actor, { ...input, ref: input.ref ?? input.sha ?? this.repo(full).default_branch }).id;
  }
  setDeploymentStatus(full: string, deploymentId: number, state: "error" | "failure" | "inactive" | "in_progress" | "queued" | "pending" | "success", extra: { description?: string; environment_url?: string; log_url?: string } = {}): number {
    const repo = this.repo(full);
    const d: DeploymentRec | undefined = repo.deployments.find((x) => x.id === deploymentId);
    if (!d) throw new HttpError(404, "Not Found");
    return this.ops.createDeploymentStatus(repo, d, this.actor, { state, ...extra }).id;
  }
  dispatch(full: string, eventType: string, clientPayload: Record<string, unknown> = {}): void {
    this.ops.dispatch(this.repo(full), this.actor, eventType, clientPayload);
  }
  /** Commits a file to a branch (default branch if omitted); returns the commit sha. */
  writeFile(full: string, path: string, content: string, branch?: string, message = `Update ${path}`): string {
    const repo = this.repo(full);
    return this.ops.commitFiles(repo, this.actor, branch ?? repo.default_branch, message, { [path]: content }).sha;
  }
}
