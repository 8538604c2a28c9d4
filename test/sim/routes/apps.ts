// GitHub App endpoints: the app, installations and installation access tokens.
import { randomBytes } from "node:crypto";
import { HttpError } from "../http.js";
import { appJson, installationJson, repoJson, userJson } from "../serialize.js";
import { ok, repoOf, type Routes } from "./common.js";
import { paginate } from "../pagination.js";

function requireJwt(kind: string) {
  if (kind !== "app-jwt") throw new HttpError(401, "A JSON web token could not be decoded");
}

export const appRoutes: Routes = {
  // GitHub answers a personal token with its user; an installation token or a workflow's
  // GITHUB_TOKEN (github-actions[bot]) with 403 "Resource not accessible by integration".
  "users/get-authenticated": (ctx) => {
    const user = ctx.identity.user;
    if (ctx.identity.kind !== "user" || user.type === "Bot") throw new HttpError(403, "Resource not accessible by integration");
    const at = "2020-01-01T00:00:00Z";
    return ok({
      ...userJson(user),
      name: null, company: null, blog: "", location: null, email: null, hireable: null, bio: null,
      public_repos: 0, public_gists: 0, followers: 0, following: 0, created_at: at, updated_at: at,
    });
  },
  "apps/get-authenticated": (ctx) => {
    requireJwt(ctx.identity.kind);
    return ok({ ...appJson(ctx.sim.state.app), installations_count: ctx.sim.state.installations.size });
  },
  "apps/list-installations": (ctx) => {
    requireJwt(ctx.identity.kind);
    const page = paginate(ctx, [...ctx.sim.state.installations.values()]);
    return ok(page.items.map((i) => installationJson(i, ctx.sim.state.app)), 200, page.headers);
  },
  "apps/get-installation": (ctx) => {
    requireJwt(ctx.identity.kind);
    const i = ctx.sim.state.installations.get(Number(ctx.params.installation_id));
    if (!i) throw new HttpError(404, "Not Found");
    return ok(installationJson(i, ctx.sim.state.app));
  },
  "apps/get-repo-installation": (ctx) => {
    requireJwt(ctx.identity.kind);
    const repo = ctx.sim.state.repo(ctx.params.owner ?? "", ctx.params.repo ?? "");
    const inst = repo && ctx.sim.state.installationOf(repo);
    if (!inst) throw new HttpError(404, "Not Found");
    return ok(installationJson(inst, ctx.sim.state.app));
  },
  "apps/create-installation-access-token": (ctx) => {
    requireJwt(ctx.identity.kind);
    const st = ctx.sim.state;
    const inst = st.installations.get(Number(ctx.params.installation_id));
    if (!inst) throw new HttpError(404, "Not Found");
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    const expires = new Date(ctx.sim.clock.now().getTime() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    st.tokens.set(token, { login: st.app.bot.login, installationId: inst.id, expires_at: expires });
    const repos = [...st.repos.values()].filter((r) => st.installationOf(r)?.id === inst.id);
    return ok(
      {
        token,
        expires_at: expires,
        permissions: { issues: "write", pull_requests: "write", contents: "write", deployments: "write", metadata: "read" },
        repository_selection: "selected",
        ...(ctx.body?.repositories || ctx.body?.repository_ids ? { repositories: repos.map((r) => repoJson(r)) } : {}),
      },
      201,
    );
  },
  "apps/list-repos-accessible-to-installation": (ctx) => {
    if (ctx.identity.kind !== "installation") throw new HttpError(403, "This endpoint requires an installation token");
    const st = ctx.sim.state;
    const repos = [...st.repos.values()].filter((r) => st.installationOf(r)?.id === ctx.identity.installationId);
    const page = paginate(ctx, repos);
    return ok({ total_count: repos.length, repository_selection: "selected", repositories: page.items.map((r) => repoJson(r, "write")) }, 200, page.headers);
  },
};

export { repoOf };
