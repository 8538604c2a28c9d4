// Pull requests, their commits, merging, and commit lookups.
import { HttpError, validationFailed } from "../http.js";
import { paginate } from "../pagination.js";
import { commitJson, pullJson } from "../serialize.js";
import { actorOf, ok, pullOf, repoOf, type Routes } from "./common.js";

export const pullRoutes: Routes = {
  "pulls/list": (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    let list = [...repo.issues.values()].filter((i) => i.pr);
    if (state !== "all") list = list.filter((i) => i.state === state);
    const head = ctx.query.get("head");
    if (head) list = list.filter((i) => `${i.pr!.head.repo.owner.login}:${i.pr!.head.ref}`.toLowerCase() === head.toLowerCase());
    const base = ctx.query.get("base");
    if (base) list = list.filter((i) => i.pr!.base.ref === base);
    const dir = ctx.query.get("direction") ?? ((ctx.query.get("sort") ?? "created") === "created" ? "desc" : "desc");
    const sort = ctx.query.get("sort") ?? "created";
    const key = (i: (typeof list)[number]) => (sort === "updated" ? Date.parse(i.updated_at) : Date.parse(i.created_at) * 1000 + i.number);
    list.sort((a, b) => (dir === "asc" ? key(a) - key(b) : key(b) - key(a)));
    const page = paginate(ctx, list);
    return ok(page.items.map((i) => pullJson(i, false)), 200, page.headers);
  },
  "pulls/get": (ctx) => ok(pullJson(pullOf(ctx))),
  "pulls/create": (ctx) => {
    const repo = repoOf(ctx);
    const b = ctx.body;
    if (!b.title && !b.issue) throw validationFailed("Validation Failed", [{ resource: "PullRequest", code: "missing_field", field: "title" }]);
    const i = ctx.sim.ops.createPull(repo, actorOf(ctx), { title: b.title, body: b.body, head: b.head, base: b.base, draft: b.draft });
    return ok(pullJson(i), 201, { location: pullJson(i).url });
  },
  "pulls/update": (ctx) => {
    const i = pullOf(ctx);
    const b = ctx.body ?? {};
    if (b.base && b.base !== i.pr!.base.ref) {
      const sha = ctx.sim.state.branchSha(i.repo, b.base);
      if (!sha) throw validationFailed("Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
      i.pr!.base.ref = b.base;
      i.pr!.base.sha = sha;
    }
    ctx.sim.ops.updateIssue(i, actorOf(ctx), { title: b.title, body: b.body, state: b.state });
    return ok(pullJson(i));
  },
  "pulls/list-commits": (ctx) => {
    const i = pullOf(ctx);
    const head = i.pr!.head.repo;
    const page = paginate(ctx, i.pr!.commits.map((s) => head.commits.get(s) ?? i.repo.commits.get(s)!));
    return ok(page.items.map((c) => commitJson(i.repo, c)), 200, page.headers);
  },
  "pulls/check-if-merged": (ctx) => {
    const i = pullOf(ctx);
    if (!i.pr!.merged) throw new HttpError(404, "Not Found");
    return ok(undefined, 204);
  },
  "pulls/merge": (ctx) => {
    const i = pullOf(ctx);
    const c = ctx.sim.ops.mergePull(i, actorOf(ctx), ctx.body ?? {});
    return ok({ sha: c.sha, merged: true, message: "Pull Request successfully merged" });
  },
  "repos/get-commit": (ctx) => {
    const repo = repoOf(ctx);
    const c = ctx.sim.state.resolveCommitish(repo, ctx.params.ref);
    if (!c) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
    const base = `https://github.com/${repo.owner.login}/${repo.name}`;
    const parentTree = c.parents[0] ? repo.commits.get(c.parents[0])?.tree : undefined;
    const files = [...c.tree.entries()]
      .filter(([p, b]) => parentTree?.get(p)?.sha !== b.sha)
      .map(([filename, b]) => ({
        sha: b.sha,
        filename,
        status: parentTree?.has(filename) ? "modified" : "added",
        additions: 1,
        deletions: 0,
        changes: 1,
        blob_url: `${base}/blob/${c.sha}/${filename}`,
        raw_url: `${base}/raw/${c.sha}/${filename}`,
        contents_url: `https://api.github.com/repos/${repo.owner.login}/${repo.name}/contents/${filename}?ref=${c.sha}`,
      }));
    return ok({ ...commitJson(repo, c), stats: { total: 1, additions: 1, deletions: 0 }, files });
  },
  "repos/list-pull-requests-associated-with-commit": (ctx) => {
    const repo = repoOf(ctx);
    const c = ctx.sim.state.commitBySha(repo, ctx.params.commit_sha ?? "");
    if (!c) throw new HttpError(422, `No commit found for SHA: ${ctx.params.commit_sha}`);
    const list = [...repo.issues.values()].filter((i) => i.pr && (i.pr.commits.includes(c.sha) || i.pr.merge_commit_sha === c.sha || i.pr.head.sha === c.sha));
    const page = paginate(ctx, list);
    return ok(page.items.map((i) => pullJson(i, false)), 200, page.headers);
  },
};
