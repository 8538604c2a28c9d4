// Helpers shared by the route modules.
import { HttpError, type Ctx, type Handler } from "../http.js";
import type { IssueRec, RepoRec } from "../model.js";
import type { Actor } from "../ops.js";

export type Routes = Record<string, Handler>;

/** The repository of {owner}/{repo}, honouring visibility and installation scope (404 like GitHub). */
export function repoOf(ctx: Ctx): RepoRec {
  const st = ctx.sim.state;
  const repo = st.repo(ctx.params.owner ?? "", ctx.params.repo ?? "");
  if (!repo || !canSee(ctx, repo)) throw new HttpError(404, "Not Found");
  const id = ctx.identity;
  if (id.kind === "installation") {
    const inst = st.installationOf(repo);
    if ((!inst || inst.id !== id.installationId) && ctx.method !== "GET") throw new HttpError(403, "Resource not accessible by integration");
  }
  return repo;
}

/**
 * Whether the caller may see `repo`: public ones, a private one the installation covers or the
 * user may read. GitHub leaves out of a timeline the cross-references from what the caller cannot see.
 */
export function canSee(ctx: Ctx, repo: RepoRec): boolean {
  if (!repo.private) return true;
  const id = ctx.identity;
  if (id.kind === "installation") return ctx.sim.state.installationOf(repo)?.id === id.installationId;
  return ctx.sim.state.permission(repo, id.login) !== "none";
}

export function actorOf(ctx: Ctx): Actor {
  return { user: ctx.identity.user, app: ctx.identity.kind === "installation" ? ctx.identity.app : null };
}

export function issueOf(ctx: Ctx, repo = repoOf(ctx)): IssueRec {
  const n = Number(ctx.params.issue_number ?? ctx.params.pull_number);
  return ctx.sim.state.issueOrThrow(repo, n);
}

export function pullOf(ctx: Ctx, repo = repoOf(ctx)): IssueRec {
  const i = repo.issues.get(Number(ctx.params.pull_number));
  if (!i?.pr) throw new HttpError(404, "Not Found");
  return i;
}

export function labelNames(body: unknown): string[] {
  const b = body as { labels?: unknown } | unknown[] | undefined;
  const raw = Array.isArray(b) ? b : (b as { labels?: unknown })?.labels;
  if (!Array.isArray(raw)) return [];
  return raw.map((l) => (typeof l === "string" ? l : (l as { name?: string })?.name ?? "")).filter(Boolean);
}

export function sinceFilter<T>(ctx: Ctx, items: T[], get: (t: T) => string): T[] {
  const since = ctx.query.get("since");
  if (!since) return items;
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new HttpError(422, "Invalid since");
  return items.filter((i) => Date.parse(get(i)) >= t);
}

export function ok(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return { status, body, headers };
}
