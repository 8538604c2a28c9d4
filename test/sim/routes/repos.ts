// Repository, permissions, dispatches, contents, git refs, branches, deployments.
import { HttpError, RawBody, validationFailed } from "../http.js";
import { paginate } from "../pagination.js";
import { commitJson, contentFileJson, deploymentJson, deploymentStatusJson, issueTypeJson, repoJson, userJson } from "../serialize.js";
import { actorOf, ok, repoOf, type Routes } from "./common.js";
import type { Ctx } from "../http.js";
import { fullName, type RepoRec } from "../model.js";

const API = "https://api.github.com";

function refJson(repo: RepoRec, ref: string, sha: string) {
  return {
    ref,
    node_id: Buffer.from(`ref:${fullName(repo)}:${ref}`).toString("base64"),
    url: `${API}/repos/${fullName(repo)}/git/${ref}`,
    object: { type: "commit", sha, url: `${API}/repos/${fullName(repo)}/git/commits/${sha}` },
  };
}

function deploymentOf(ctx: Ctx, repo: RepoRec) {
  const d = repo.deployments.find((x) => x.id === Number(ctx.params.deployment_id));
  if (!d) throw new HttpError(404, "Not Found");
  return d;
}

export const repoRoutes: Routes = {
  // Issue types belong to organisations; a personal account's repository has none (404).
  "repos/list-issue-types": (ctx) => {
    const types = ctx.sim.state.typesOf(repoOf(ctx));
    if (!types) throw new HttpError(404, "Not Found");
    return ok(types.map(issueTypeJson));
  },
  "orgs/list-issue-types": (ctx) => {
    const owner = ctx.sim.state.user(ctx.params.org ?? "");
    if (!owner || owner.type !== "Organization") throw new HttpError(404, "Not Found");
    return ok((ctx.sim.state.issueTypes.get(owner.login.toLowerCase()) ?? []).map(issueTypeJson));
  },
  "repos/get": (ctx) => {
    const repo = repoOf(ctx);
    const perm = ctx.identity.kind === "installation" ? "write" : ctx.sim.state.permission(repo, ctx.identity.login);
    return ok(repoJson(repo, perm));
  },
  "repos/get-collaborator-permission-level": (ctx) => {
    const repo = repoOf(ctx);
    const u = ctx.sim.state.user(ctx.params.username ?? "");
    if (!u) throw new HttpError(404, `${ctx.params.username} is not a user`);
    const permission = ctx.sim.state.permission(repo, u.login);
    const legacy = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
    const role = permission === "none" ? "none" : permission;
    return ok({
      permission: legacy,
      role_name: role,
      user: {
        ...userJson(u),
        permissions: { admin: permission === "admin", maintain: ["admin", "maintain"].includes(permission), push: ["admin", "maintain", "write"].includes(permission), triage: permission !== "read" && permission !== "none", pull: permission !== "none" },
        role_name: role,
      },
    });
  },
  "repos/create-dispatch-event": (ctx) => {
    const repo = repoOf(ctx);
    ctx.sim.ops.dispatch(repo, actorOf(ctx), ctx.body.event_type, ctx.body.client_payload ?? {});
    return ok(undefined, 204);
  },

  // contents
  "repos/get-content": (ctx) => {
    const repo = repoOf(ctx);
    const ref = ctx.query.get("ref") ?? repo.default_branch;
    const commit = ctx.sim.state.resolveCommitish(repo, ref);
    if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const blob = commit.tree.get(path);
    if (blob && /application\/vnd\.github(\.v3)?\.raw/.test(ctx.headers.accept ?? "")) {
      return { status: 200, body: new RawBody(blob.content.toString("utf8")), headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
    }
    if (blob) return ok(contentFileJson(repo, path, blob, ref));
    // a directory listing
    const prefix = path ? `${path}/` : "";
    const entries = new Map<string, "file" | "dir">();
    for (const p of commit.tree.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const [head, ...tail] = rest.split("/");
      entries.set(head!, tail.length ? "dir" : "file");
    }
    if (!entries.size) throw new HttpError(404, "Not Found");
    const list = [...entries].map(([name, type]) => {
      const p = prefix + name;
      const b = commit.tree.get(p);
      const url = `${API}/repos/${fullName(repo)}/contents/${p}?ref=${ref}`;
      const html = `https://github.com/${fullName(repo)}/${type === "dir" ? "tree" : "blob"}/${ref}/${p}`;
      const git = `${API}/repos/${fullName(repo)}/git/${type === "dir" ? "trees" : "blobs"}/${b?.sha ?? "0".repeat(40)}`;
      return { type, size: b?.content.length ?? 0, name, path: p, sha: b?.sha ?? "0".repeat(40), url, git_url: git, html_url: html, download_url: type === "file" ? `https://raw.githubusercontent.com/${fullName(repo)}/${ref}/${p}` : null, _links: { self: url, git, html } };
    });
    return ok(list);
  },
  "repos/create-or-update-file-contents": (ctx) => {
    const repo = repoOf(ctx);
    const b = ctx.body;
    const branch = b.branch ?? repo.default_branch;
    const path = (ctx.params.path ?? "").replace(/^\/+/, "");
    const headSha = ctx.sim.state.branchSha(repo, branch);
    if (!headSha) throw new HttpError(404, `Branch ${branch} not found`);
    const existing = repo.commits.get(headSha)?.tree.get(path);
    if (existing && !b.sha) throw validationFailed(`Invalid request.\n\n"sha" wasn't supplied.`);
    if (existing && b.sha !== existing.sha) throw new HttpError(409, `${path} does not match ${b.sha}`);
    if (!existing && b.sha) throw new HttpError(422, `${path} does not exist on ${branch}`); // GitHub answers 422 here too
    const content = Buffer.from(String(b.content), "base64");
    const commit = ctx.sim.ops.commitFiles(repo, actorOf(ctx), branch, b.message, { [path]: content });
    const blob = commit.tree.get(path)!;
    const file = contentFileJson(repo, path, blob, branch);
    const { content: _c, encoding: _e, ...rest } = file;
    return ok({ content: rest, commit: gitCommitJson(repo, commit.sha, ctx) }, existing ? 200 : 201);
  },
  "repos/delete-file": (ctx) => {
    const repo = repoOf(ctx);
    const b = ctx.body;
    const branch = b.branch ?? repo.default_branch;
    const path = (ctx.params.path ?? "").replace(/^\/+/, "");
    const headSha = ctx.sim.state.branchSha(repo, branch);
    const existing = headSha ? repo.commits.get(headSha)?.tree.get(path) : undefined;
    if (!existing) throw new HttpError(404, "Not Found");
    if (b.sha !== existing.sha) throw new HttpError(409, `${path} does not match ${b.sha}`);
    const commit = ctx.sim.ops.commitFiles(repo, actorOf(ctx), branch, b.message, { [path]: null });
    return ok({ content: null, commit: gitCommitJson(repo, commit.sha, ctx) });
  },

  // git refs & branches
  "git/get-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const sha = repo.refs.get(ref);
    if (!sha) throw new HttpError(404, "Not Found");
    return ok(refJson(repo, ref, sha));
  },
  "git/create-ref": (ctx) => {
    const repo = repoOf(ctx);
    const { ref, sha } = ctx.body;
    if (!/^refs\/.+\/.+/.test(ref)) throw validationFailed("Reference name must start with 'refs/' and have at least two slashes.");
    if (repo.refs.has(ref)) throw validationFailed("Reference already exists");
    if (!repo.commits.has(sha)) throw validationFailed("Object does not exist");
    ctx.sim.clock.stamp();
    repo.refs.set(ref, sha);
    return ok(refJson(repo, ref, sha), 201);
  },
  "git/update-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const current = repo.refs.get(ref);
    if (!current) throw validationFailed("Reference does not exist");
    const { sha, force } = ctx.body;
    if (!repo.commits.has(sha)) throw validationFailed("Object does not exist");
    if (!force && !isAncestor(repo, current, sha)) throw validationFailed("Update is not a fast forward");
    ctx.sim.clock.stamp();
    repo.refs.set(ref, sha);
    if (ref.startsWith("refs/heads/")) ctx.sim.ops.syncPulls(repo, ref.slice("refs/heads/".length), actorOf(ctx));
    return ok(refJson(repo, ref, sha));
  },
  "git/delete-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    if (!repo.refs.has(ref)) throw validationFailed("Reference does not exist");
    repo.refs.delete(ref);
    ctx.sim.clock.stamp();
    return ok(undefined, 204);
  },
  "repos/get-branch": (ctx) => {
    const repo = repoOf(ctx);
    const name = ctx.params.branch ?? "";
    const sha = ctx.sim.state.branchSha(repo, name);
    if (!sha) throw new HttpError(404, "Branch not found");
    const c = repo.commits.get(sha)!;
    const url = `${API}/repos/${fullName(repo)}/branches/${name}`;
    return ok({
      name,
      commit: commitJson(repo, c),
      _links: { html: `https://github.com/${fullName(repo)}/tree/${name}`, self: url },
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
      protection_url: `${url}/protection`,
    });
  },

  // deployments
  "repos/list-deployments": (ctx) => {
    const repo = repoOf(ctx);
    let list = [...repo.deployments].reverse();
    for (const k of ["sha", "ref", "task", "environment"] as const) {
      const v = ctx.query.get(k);
      if (v !== null) list = list.filter((d) => d[k] === v);
    }
    const page = paginate(ctx, list);
    return ok(page.items.map((d) => deploymentJson(repo, d)), 200, page.headers);
  },
  "repos/create-deployment": (ctx) => {
    const repo = repoOf(ctx);
    const d = ctx.sim.ops.createDeployment(repo, actorOf(ctx), ctx.body);
    return ok(deploymentJson(repo, d), 201);
  },
  "repos/get-deployment": (ctx) => {
    const repo = repoOf(ctx);
    return ok(deploymentJson(repo, deploymentOf(ctx, repo)));
  },
  "repos/list-deployment-statuses": (ctx) => {
    const repo = repoOf(ctx);
    const d = deploymentOf(ctx, repo);
    const page = paginate(ctx, d.statuses);
    return ok(page.items.map((s) => deploymentStatusJson(repo, d, s)), 200, page.headers);
  },
  "repos/create-deployment-status": (ctx) => {
    const repo = repoOf(ctx);
    const d = deploymentOf(ctx, repo);
    const s = ctx.sim.ops.createDeploymentStatus(repo, d, actorOf(ctx), ctx.body);
    return ok(deploymentStatusJson(repo, d, s), 201);
  },
  "repos/get-deployment-status": (ctx) => {
    const repo = repoOf(ctx);
    const d = deploymentOf(ctx, repo);
    const s = d.statuses.find((x) => x.id === Number(ctx.params.status_id));
    if (!s) throw new HttpError(404, "Not Found");
    return ok(deploymentStatusJson(repo, d, s));
  },
};

function isAncestor(repo: RepoRec, ancestor: string, sha: string): boolean {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length) {
    const s = stack.pop()!;
    if (s === ancestor) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...(repo.commits.get(s)?.parents ?? []));
  }
  return false;
}

function gitCommitJson(repo: RepoRec, sha: string, _ctx: Ctx) {
  const c = repo.commits.get(sha)!;
  const full = commitJson(repo, c);
  return {
    sha: c.sha,
    node_id: c.node_id,
    url: `${API}/repos/${fullName(repo)}/git/commits/${c.sha}`,
    html_url: full.html_url,
    author: full.commit.author,
    committer: full.commit.committer,
    message: c.message,
    tree: full.commit.tree,
    parents: full.parents,
    verification: full.commit.verification,
  };
}
