// Issues, labels, assignees, comments, reactions, sub-issues, events and the timeline.
import { HttpError, validationFailed } from "../http.js";
import { paginate } from "../pagination.js";
import { commentJson, eventJson, issueJson, labelJson, reactionJson } from "../serialize.js";
import { actorOf, canSee, issueOf, labelNames, ok, repoOf, sinceFilter, type Routes } from "./common.js";
import type { Ctx } from "../http.js";
import type { CommentRec, IssueRec } from "../model.js";

function commentOf(ctx: Ctx): CommentRec {
  const repo = repoOf(ctx);
  const c = repo.comments.get(Number(ctx.params.comment_id));
  if (!c) throw new HttpError(404, "Not Found");
  return c;
}

function sortIssues(ctx: Ctx, list: IssueRec[]): IssueRec[] {
  const sort = ctx.query.get("sort") ?? "created";
  const dir = ctx.query.get("direction") ?? "desc";
  const key = (i: IssueRec) =>
    sort === "updated" ? Date.parse(i.updated_at) : sort === "comments" ? [...i.repo.comments.values()].filter((c) => c.issue === i).length : Date.parse(i.created_at) * 1000 + i.number;
  return [...list].sort((a, b) => (dir === "asc" ? key(a) - key(b) : key(b) - key(a)));
}

/** `type` as the body gives it: a name, `{ value }`, or null (clear); undefined: unchanged. */
function typeName(type: unknown): string | null | undefined {
  if (type === undefined) return undefined;
  if (type === null || typeof type === "string") return type;
  const value = (type as { value?: string | null }).value;
  return value === undefined ? undefined : value;
}

export const issueRoutes: Routes = {
  "issues/list-for-repo": (ctx) => {
    const repo = repoOf(ctx);
    const st = ctx.sim.state;
    const state = ctx.query.get("state") ?? "open";
    let list = [...repo.issues.values()];
    if (state !== "all") list = list.filter((i) => i.state === state);
    const labels = ctx.query.get("labels");
    if (labels) {
      const wanted = labels.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
      list = list.filter((i) => wanted.every((w) => i.labelIds.some((id) => repo.labels.find((l) => l.id === id)?.name.toLowerCase() === w)));
    }
    const assignee = ctx.query.get("assignee");
    if (assignee === "none") list = list.filter((i) => i.assignees.length === 0);
    else if (assignee === "*") list = list.filter((i) => i.assignees.length > 0);
    else if (assignee) list = list.filter((i) => i.assignees.some((a) => a.login.toLowerCase() === assignee.toLowerCase()));
    const creator = ctx.query.get("creator");
    if (creator) list = list.filter((i) => i.user.login.toLowerCase() === creator.toLowerCase());
    list = sinceFilter(ctx, list, (i) => i.updated_at);
    void st;
    const page = paginate(ctx, sortIssues(ctx, list));
    return ok(page.items.map((i) => issueJson(i)), 200, page.headers);
  },
  "issues/create": (ctx) => {
    const repo = repoOf(ctx);
    const b = ctx.body;
    const issue = ctx.sim.ops.createIssue(repo, actorOf(ctx), { title: b.title, body: b.body, labels: labelNames(b), assignees: b.assignees, assignee: b.assignee, type: typeName(b.type) });
    return ok(issueJson(issue), 201, { location: issueJson(issue).url });
  },
  "issues/get": (ctx) => ok(issueJson(issueOf(ctx))),
  "issues/update": (ctx) => {
    const issue = issueOf(ctx);
    const b = ctx.body ?? {};
    ctx.sim.ops.updateIssue(issue, actorOf(ctx), {
      title: b.title ?? undefined,
      body: b.body,
      state: b.state,
      state_reason: b.state_reason,
      labels: b.labels === undefined ? undefined : labelNames(b),
      assignees: b.assignees,
      assignee: b.assignee,
      type: typeName(b.type),
    });
    return ok(issueJson(issue));
  },
  "issues/lock": (ctx) => {
    const issue = issueOf(ctx);
    issue.locked = true;
    ctx.sim.ops.event(issue, actorOf(ctx), "locked", {}, ctx.sim.clock.stamp());
    return ok(undefined, 204);
  },
  "issues/unlock": (ctx) => {
    const issue = issueOf(ctx);
    issue.locked = false;
    ctx.sim.ops.event(issue, actorOf(ctx), "unlocked", {}, ctx.sim.clock.stamp());
    return ok(undefined, 204);
  },

  // labels on the repo
  "issues/list-labels-for-repo": (ctx) => {
    const repo = repoOf(ctx);
    const page = paginate(ctx, repo.labels);
    return ok(page.items.map((l) => labelJson(repo, l)), 200, page.headers);
  },
  "issues/get-label": (ctx) => {
    const repo = repoOf(ctx);
    const l = ctx.sim.state.label(repo, ctx.params.name ?? "");
    if (!l) throw new HttpError(404, "Not Found");
    return ok(labelJson(repo, l));
  },
  "issues/create-label": (ctx) => {
    const repo = repoOf(ctx);
    const l = ctx.sim.ops.createLabel(repo, actorOf(ctx), ctx.body);
    return ok(labelJson(repo, l), 201);
  },
  "issues/update-label": (ctx) => {
    const repo = repoOf(ctx);
    const l = ctx.sim.ops.updateLabel(repo, actorOf(ctx), ctx.params.name ?? "", ctx.body ?? {});
    return ok(labelJson(repo, l));
  },
  "issues/delete-label": (ctx) => {
    const repo = repoOf(ctx);
    const l = ctx.sim.state.label(repo, ctx.params.name ?? "");
    if (!l) throw new HttpError(404, "Not Found");
    repo.labels = repo.labels.filter((x) => x !== l);
    for (const i of repo.issues.values()) i.labelIds = i.labelIds.filter((id) => id !== l.id);
    ctx.sim.clock.stamp();
    ctx.sim.ops.emit("label", "deleted", repo, actorOf(ctx), { label: labelJson(repo, l) });
    return ok(undefined, 204);
  },

  // labels on an issue
  "issues/list-labels-on-issue": (ctx) => {
    const issue = issueOf(ctx);
    const page = paginate(ctx, issueJson(issue).labels);
    return ok(page.items, 200, page.headers);
  },
  "issues/add-labels": (ctx) => {
    const issue = issueOf(ctx);
    const names = labelNames(ctx.body);
    if (!names.length) throw validationFailed("Invalid request.\n\nNo labels given.");
    ctx.sim.ops.addLabels(issue, actorOf(ctx), names);
    return ok(issueJson(issue).labels);
  },
  "issues/set-labels": (ctx) => {
    const issue = issueOf(ctx);
    ctx.sim.ops.setLabels(issue, actorOf(ctx), labelNames(ctx.body));
    return ok(issueJson(issue).labels);
  },
  "issues/remove-label": (ctx) => {
    const issue = issueOf(ctx);
    ctx.sim.ops.removeLabel(issue, actorOf(ctx), ctx.params.name ?? "");
    return ok(issueJson(issue).labels);
  },
  "issues/remove-all-labels": (ctx) => {
    const issue = issueOf(ctx);
    ctx.sim.ops.setLabels(issue, actorOf(ctx), []);
    return ok(undefined, 204);
  },

  // assignees
  "issues/add-assignees": (ctx) => {
    const issue = issueOf(ctx);
    ctx.sim.ops.addAssignees(issue, actorOf(ctx), ctx.body?.assignees ?? []);
    return ok(issueJson(issue), 201);
  },
  "issues/remove-assignees": (ctx) => {
    const issue = issueOf(ctx);
    ctx.sim.ops.removeAssignees(issue, actorOf(ctx), ctx.body?.assignees ?? []);
    return ok(issueJson(issue));
  },
  "issues/check-user-can-be-assigned-to-issue": (ctx) => {
    issueOf(ctx);
    if (!ctx.sim.state.user(ctx.params.assignee ?? "")) throw new HttpError(404, "Not Found");
    return ok(undefined, 204);
  },

  // comments
  "issues/list-comments": (ctx) => {
    const issue = issueOf(ctx);
    const list = sinceFilter(ctx, [...issue.repo.comments.values()].filter((c) => c.issue === issue), (c) => c.updated_at);
    const page = paginate(ctx, list);
    return ok(page.items.map(commentJson), 200, page.headers);
  },
  "issues/list-comments-for-repo": (ctx) => {
    const repo = repoOf(ctx);
    let list = sinceFilter(ctx, [...repo.comments.values()], (c) => c.updated_at);
    if ((ctx.query.get("direction") ?? "asc") === "desc") list = list.reverse();
    const page = paginate(ctx, list);
    return ok(page.items.map(commentJson), 200, page.headers);
  },
  "issues/create-comment": (ctx) => {
    const issue = issueOf(ctx);
    const c = ctx.sim.ops.createComment(issue, actorOf(ctx), ctx.body.body);
    return ok(commentJson(c), 201, { location: commentJson(c).url });
  },
  "issues/get-comment": (ctx) => ok(commentJson(commentOf(ctx))),
  "issues/update-comment": (ctx) => {
    const c = commentOf(ctx);
    ctx.sim.ops.updateComment(c, actorOf(ctx), ctx.body.body);
    return ok(commentJson(c));
  },
  "issues/delete-comment": (ctx) => {
    const c = commentOf(ctx);
    ctx.sim.ops.deleteComment(c, actorOf(ctx));
    return ok(undefined, 204);
  },

  // reactions
  "reactions/create-for-issue-comment": (ctx) => {
    const c = commentOf(ctx);
    const r = ctx.sim.ops.addReaction(c, actorOf(ctx), ctx.body.content);
    return ok(reactionJson(r.reaction), r.created ? 201 : 200);
  },
  "reactions/list-for-issue-comment": (ctx) => {
    const c = commentOf(ctx);
    const content = ctx.query.get("content");
    const page = paginate(ctx, c.reactions.filter((r) => !content || r.content === content));
    return ok(page.items.map(reactionJson), 200, page.headers);
  },
  "reactions/delete-for-issue-comment": (ctx) => {
    const c = commentOf(ctx);
    const id = Number(ctx.params.reaction_id);
    const index = c.reactions.findIndex((r) => r.id === id);
    if (index < 0) throw new HttpError(404, "Not Found");
    c.reactions.splice(index, 1);
    return ok(undefined, 204);
  },
  "reactions/create-for-issue": (ctx) => {
    const issue = issueOf(ctx);
    const r = ctx.sim.ops.addReaction(issue, actorOf(ctx), ctx.body.content);
    return ok(reactionJson(r.reaction), r.created ? 201 : 200);
  },
  "reactions/list-for-issue": (ctx) => {
    const issue = issueOf(ctx);
    const content = ctx.query.get("content");
    const page = paginate(ctx, issue.reactions.filter((r) => !content || r.content === content));
    return ok(page.items.map(reactionJson), 200, page.headers);
  },

  // sub-issues
  "issues/add-sub-issue": (ctx) => {
    const parent = issueOf(ctx);
    const sub = ctx.sim.state.issueById(Number(ctx.body.sub_issue_id));
    if (!sub) throw new HttpError(404, "Not Found");
    if (sub.repo.owner !== parent.repo.owner) throw validationFailed("Validation Failed", [{ message: "Sub-issues must belong to the same owner" }]);
    ctx.sim.ops.addSubIssue(parent, actorOf(ctx), sub, ctx.body.replace_parent === true);
    return ok(issueJson(parent), 201);
  },
  "issues/remove-sub-issue": (ctx) => {
    const parent = issueOf(ctx);
    const sub = ctx.sim.state.issueById(Number(ctx.body.sub_issue_id));
    if (!sub || !parent.subIssues.includes(sub)) throw new HttpError(404, "Not Found");
    ctx.sim.ops.removeSubIssue(parent, actorOf(ctx), sub);
    return ok(issueJson(sub));
  },
  "issues/list-sub-issues": (ctx) => {
    const parent = issueOf(ctx);
    const page = paginate(ctx, parent.subIssues);
    return ok(page.items.map((i) => issueJson(i)), 200, page.headers);
  },
  "issues/get-parent": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue.parent) throw new HttpError(404, "Not Found");
    return ok(issueJson(issue.parent));
  },

  // events
  "issues/list-events": (ctx) => {
    const issue = issueOf(ctx);
    const list = issue.timeline.filter((e) => !e.timelineOnly).map((e) => eventJson(issue, e, false)!);
    const page = paginate(ctx, list);
    return ok(page.items, 200, page.headers);
  },
  "issues/list-events-for-timeline": (ctx) => {
    const issue = issueOf(ctx);
    const list = issue.timeline
      .filter((e) => e.event !== "cross-referenced" || !e.source || canSee(ctx, e.source.repo))
      .map((e) => eventJson(issue, e, true))
      .filter((e): e is Record<string, unknown> => e !== null);
    const page = paginate(ctx, list);
    return ok(page.items, 200, page.headers);
  },
};
