// Checks (check runs, check suites) and a pull request's files, as GitHub documents them:
// https://docs.github.com/rest/checks/runs, https://docs.github.com/rest/checks/suites,
// https://docs.github.com/rest/pulls/pulls#list-pull-requests-files
import { HttpError, validationFailed, type Ctx } from "../http.js";
import type { AppRec, IssueRec, RepoRec, UserRec } from "../model.js";
import type { Ops } from "../ops.js";
import { paginate } from "../pagination.js";
import { API, WEB, appJson, repoJson } from "../serialize.js";
import type { State } from "../state.js";
import { actorOf, ok, pullOf, repoOf, type Routes } from "./common.js";

export interface CheckSuiteRec {
  id: number;
  node_id: string;
  head_sha: string;
  head_branch: string | null;
  app: AppRec;
  created_at: string;
  updated_at: string;
}

export interface CheckRunRec {
  id: number;
  node_id: string;
  name: string;
  head_sha: string;
  external_id: string;
  details_url: string | null;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  suite: CheckSuiteRec;
  app: AppRec;
}

interface RepoChecks {
  runs: CheckRunRec[];
  suites: CheckSuiteRec[];
}

/** Kept beside the repository record (not in it): checks are a feature of their own. */
const CHECKS = new WeakMap<RepoRec, RepoChecks>();

export function checksOf(repo: RepoRec): RepoChecks {
  let c = CHECKS.get(repo);
  if (!c) {
    c = { runs: [], suites: [] };
    CHECKS.set(repo, c);
  }
  return c;
}

/** Open pull requests of the repository itself (not forks: GitHub leaves those out) whose head is `sha`. */
function pullsAt(repo: RepoRec, sha: string): IssueRec[] {
  return [...repo.issues.values()].filter((i) => i.pr && i.state === "open" && i.pr.head.sha === sha && i.pr.head.repo === repo);
}

function minimalPull(i: IssueRec) {
  const pr = i.pr!;
  const ref = (side: { ref: string; sha: string; repo: RepoRec }) => ({
    ref: side.ref,
    sha: side.sha,
    repo: { id: side.repo.id, url: `${API}/repos/${side.repo.owner.login}/${side.repo.name}`, name: side.repo.name },
  });
  return { id: i.id, number: i.number, url: `${API}/repos/${i.repo.owner.login}/${i.repo.name}/pulls/${i.number}`, head: ref(pr.head), base: ref(pr.base) };
}

function suiteStatus(repo: RepoRec, s: CheckSuiteRec): { status: string; conclusion: string | null } {
  const runs = checksOf(repo).runs.filter((r) => r.suite === s);
  if (runs.length === 0) return { status: "queued", conclusion: null };
  if (runs.some((r) => r.status !== "completed")) return { status: "in_progress", conclusion: null };
  const order = ["action_required", "cancelled", "timed_out", "failure", "neutral", "skipped", "stale", "success"];
  const worst = runs.map((r) => r.conclusion ?? "neutral").sort((a, b) => order.indexOf(a) - order.indexOf(b))[0]!;
  return { status: "completed", conclusion: worst === "skipped" || worst === "stale" ? "success" : worst };
}

export function checkSuiteJson(repo: RepoRec, s: CheckSuiteRec) {
  const name = `${repo.owner.login}/${repo.name}`;
  const commit = repo.commits.get(s.head_sha);
  const runs = checksOf(repo).runs.filter((r) => r.suite === s);
  return {
    id: s.id,
    node_id: s.node_id,
    head_branch: s.head_branch,
    head_sha: s.head_sha,
    ...suiteStatus(repo, s),
    url: `${API}/repos/${name}/check-suites/${s.id}`,
    before: commit?.parents[0] ?? null,
    after: s.head_sha,
    pull_requests: pullsAt(repo, s.head_sha).map(minimalPull),
    app: appJson(s.app),
    repository: repoJson(repo),
    created_at: s.created_at,
    updated_at: s.updated_at,
    head_commit: {
      id: s.head_sha,
      tree_id: commit?.treeSha ?? s.head_sha,
      message: commit?.message ?? "",
      timestamp: commit?.date ?? s.created_at,
      author: { name: commit?.author.login ?? "", email: `${commit?.author.login ?? "someone"}@users.noreply.github.com` },
      committer: { name: commit?.author.login ?? "", email: `${commit?.author.login ?? "someone"}@users.noreply.github.com` },
    },
    latest_check_runs_count: runs.length,
    check_runs_url: `${API}/repos/${name}/check-suites/${s.id}/check-runs`,
    rerequestable: true,
    runs_rerequestable: true,
  };
}

export function checkRunJson(repo: RepoRec, r: CheckRunRec) {
  const name = `${repo.owner.login}/${repo.name}`;
  return {
    id: r.id,
    node_id: r.node_id,
    head_sha: r.head_sha,
    external_id: r.external_id,
    url: `${API}/repos/${name}/check-runs/${r.id}`,
    html_url: `${WEB}/${name}/runs/${r.id}`,
    details_url: r.details_url ?? `${WEB}/apps/${r.app.slug}`,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at,
    output: { ...r.output, annotations_count: 0, annotations_url: `${API}/repos/${name}/check-runs/${r.id}/annotations` },
    name: r.name,
    check_suite: { id: r.suite.id },
    app: appJson(r.app),
    pull_requests: pullsAt(repo, r.head_sha).map(minimalPull),
  };
}

/** The body's output and conclusion, checked as GitHub does beyond the schema. */
function applyBody(ctx: Ctx, run: CheckRunRec, b: Record<string, any>, creating: boolean): boolean {
  const wasCompleted = run.status === "completed";
  if (b.name !== undefined) run.name = b.name;
  if (b.details_url !== undefined) run.details_url = b.details_url;
  if (b.external_id !== undefined) run.external_id = b.external_id;
  if (b.started_at !== undefined) run.started_at = b.started_at;
  if (b.output !== undefined) {
    if (typeof b.output.title !== "string" || typeof b.output.summary !== "string") {
      throw validationFailed("Invalid request.\n\nFor 'properties/output', title and summary are required.", []);
    }
    run.output = { title: b.output.title, summary: b.output.summary, text: b.output.text ?? null };
  }
  if (b.conclusion !== undefined) {
    if (b.conclusion === "stale") throw validationFailed("Validation Failed", [{ resource: "CheckRun", field: "conclusion", code: "invalid" }]);
    run.status = "completed";
    run.conclusion = b.conclusion;
    run.completed_at = b.completed_at ?? ctx.sim.clock.iso();
  } else if (b.status !== undefined) {
    if (b.status === "completed" || b.completed_at !== undefined)
      throw validationFailed("Validation Failed", [{ resource: "CheckRun", field: "conclusion", code: "missing_field" }]);
    run.status = b.status;
    if (!creating) {
      run.conclusion = null;
      run.completed_at = null;
    }
  }
  return !wasCompleted && run.status === "completed";
}

function appOf(ctx: Ctx): AppRec {
  if (ctx.identity.kind !== "installation" || !ctx.identity.app) throw new HttpError(403, "You must authenticate via a GitHub App.");
  return ctx.identity.app;
}

function runOf(ctx: Ctx, repo: RepoRec): CheckRunRec {
  const run = checksOf(repo).runs.find((r) => r.id === Number(ctx.params.check_run_id));
  if (!run) throw new HttpError(404, "Not Found");
  return run;
}

/** The webhooks GitHub sends about an app's own check runs and suites (to that app). */
export function emitCheckRun(ops: Ops, repo: RepoRec, run: CheckRunRec, action: string, sender: UserRec, extra: Record<string, unknown> = {}) {
  ops.emit(
    "check_run",
    action,
    repo,
    { user: sender, app: null },
    { check_run: { ...checkRunJson(repo, run), check_suite: checkSuiteJson(repo, run.suite) }, ...extra },
  );
}

export function emitCheckSuite(ops: Ops, repo: RepoRec, suite: CheckSuiteRec, action: string, sender: UserRec) {
  const { repository: _r, ...suiteJson } = checkSuiteJson(repo, suite);
  ops.emit("check_suite", action, repo, { user: sender, app: null }, { check_suite: suiteJson });
}

function suiteFor(state: State, repo: RepoRec, app: AppRec, sha: string): CheckSuiteRec {
  const checks = checksOf(repo);
  let suite = checks.suites.find((s) => s.app === app && s.head_sha === sha);
  if (!suite) {
    const id = state.nextId();
    const branch = [...repo.refs].find(([, s]) => s === sha)?.[0].replace(/^refs\/heads\//, "") ?? null;
    suite = { id, node_id: state.nodeId("CS", id), head_sha: sha, head_branch: branch, app, created_at: state.clock.iso(), updated_at: state.clock.iso() };
    checks.suites.push(suite);
  }
  return suite;
}

export const checkRoutes: Routes = {
  "checks/create": (ctx) => {
    const repo = repoOf(ctx);
    const app = appOf(ctx);
    const b = ctx.body as Record<string, any>;
    const commit = ctx.sim.state.commitBySha(repo, b.head_sha);
    if (!commit || commit.sha !== b.head_sha) throw validationFailed("No commit found for SHA: " + b.head_sha, []);
    const id = ctx.sim.state.nextId();
    const now = ctx.sim.clock.iso();
    const run: CheckRunRec = {
      id,
      node_id: ctx.sim.state.nodeId("CR", id),
      name: b.name,
      head_sha: commit.sha,
      external_id: "",
      details_url: null,
      status: "queued",
      conclusion: null,
      started_at: now,
      completed_at: null,
      output: { title: null, summary: null, text: null },
      suite: suiteFor(ctx.sim.state, repo, app, commit.sha),
      app,
    };
    const completed = applyBody(ctx, run, b, true);
    checksOf(repo).runs.push(run);
    run.suite.updated_at = now;
    const sender = actorOf(ctx).user;
    emitCheckRun(ctx.sim.ops, repo, run, "created", sender);
    if (completed) emitCheckRun(ctx.sim.ops, repo, run, "completed", sender);
    return ok(checkRunJson(repo, run), 201);
  },
  "checks/update": (ctx) => {
    const repo = repoOf(ctx);
    const app = appOf(ctx);
    const run = runOf(ctx, repo);
    if (run.app !== app) throw new HttpError(403, "Invalid app_id `" + app.id + "` - check run can only be modified by the GitHub App that created it.");
    const completed = applyBody(ctx, run, ctx.body ?? {}, false);
    run.suite.updated_at = ctx.sim.clock.iso();
    if (completed) emitCheckRun(ctx.sim.ops, repo, run, "completed", actorOf(ctx).user);
    return ok(checkRunJson(repo, run));
  },
  "checks/get": (ctx) => {
    const repo = repoOf(ctx);
    return ok(checkRunJson(repo, runOf(ctx, repo)));
  },
  "checks/list-for-ref": (ctx) => {
    const repo = repoOf(ctx);
    const commit = ctx.sim.state.resolveCommitish(repo, ctx.params.ref);
    if (!commit) throw validationFailed(`No commit found for SHA: ${ctx.params.ref}`, []);
    let runs = checksOf(repo).runs.filter((r) => r.head_sha === commit.sha);
    const name = ctx.query.get("check_name");
    if (name !== null) runs = runs.filter((r) => r.name === name);
    const status = ctx.query.get("status");
    if (status !== null) runs = runs.filter((r) => r.status === status);
    const appId = ctx.query.get("app_id");
    if (appId !== null) runs = runs.filter((r) => String(r.app.id) === appId);
    // filter=latest (default): the most recent run of each name per suite.
    if ((ctx.query.get("filter") ?? "latest") === "latest") {
      const latest = new Map<string, CheckRunRec>();
      for (const r of runs) latest.set(`${r.suite.id} ${r.name}`, r);
      runs = [...latest.values()];
    }
    runs = [...runs].sort((a, b) => b.id - a.id);
    const page = paginate(ctx, runs);
    return ok({ total_count: runs.length, check_runs: page.items.map((r) => checkRunJson(repo, r)) }, 200, page.headers);
  },
  "checks/rerequest-run": (ctx) => {
    const repo = repoOf(ctx);
    const app = appOf(ctx);
    const run = runOf(ctx, repo);
    if (run.app !== app) throw new HttpError(403, "Resource not accessible by integration");
    emitCheckRun(ctx.sim.ops, repo, run, "rerequested", actorOf(ctx).user);
    return ok({}, 201);
  },
  "checks/rerequest-suite": (ctx) => {
    const repo = repoOf(ctx);
    const suite = checksOf(repo).suites.find((s) => s.id === Number(ctx.params.check_suite_id));
    if (!suite) throw new HttpError(404, "Not Found");
    emitCheckSuite(ctx.sim.ops, repo, suite, "rerequested", actorOf(ctx).user);
    return ok({}, 201);
  },
  /** A pull request's files: the head tree against the base it was opened on; 3,000 at most (GitHub's limit). */
  "pulls/list-files": (ctx) => {
    const i = pullOf(ctx);
    const pr = i.pr!;
    const headTree = (pr.head.repo.commits.get(pr.head.sha) ?? i.repo.commits.get(pr.head.sha))?.tree ?? new Map();
    const baseTree = i.repo.commits.get(pr.base.sha)?.tree ?? new Map();
    const name = `${pr.head.repo.owner.login}/${pr.head.repo.name}`;
    const files: Record<string, unknown>[] = [];
    const entry = (filename: string, sha: string, status: string) => ({
      sha,
      filename,
      status,
      additions: status === "removed" ? 0 : 1,
      deletions: status === "added" ? 0 : 1,
      changes: status === "modified" ? 2 : 1,
      blob_url: `${WEB}/${name}/blob/${pr.head.sha}/${encodeURI(filename)}`,
      raw_url: `${WEB}/${name}/raw/${pr.head.sha}/${encodeURI(filename)}`,
      contents_url: `${API}/repos/${name}/contents/${encodeURI(filename)}?ref=${pr.head.sha}`,
    });
    for (const [path, blob] of headTree) {
      const before = baseTree.get(path);
      if (!before) files.push(entry(path, blob.sha, "added"));
      else if (before.sha !== blob.sha) files.push(entry(path, blob.sha, "modified"));
    }
    for (const [path, blob] of baseTree) if (!headTree.has(path)) files.push(entry(path, blob.sha, "removed"));
    files.sort((a, b) => String(a.filename).localeCompare(String(b.filename)));
    const page = paginate(ctx, files.slice(0, 3000));
    return ok(page.items, 200, page.headers);
  },
};

/** A person pressing "Re-run" on a check run, or "Re-run all checks" on its suite: GitHub tells the app. */
export function rerequestCheckRun(state: State, ops: Ops, full: string, login: string, id: number): void {
  const repo = state.repoByName(full);
  const run = checksOf(repo).runs.find((r) => r.id === id);
  if (!run) throw new Error(`sim: no check run ${id} in ${full}`);
  emitCheckRun(ops, repo, run, "rerequested", state.user(login) ?? state.addUser(login));
}

export function rerequestCheckSuite(state: State, ops: Ops, full: string, login: string, id: number): void {
  const repo = state.repoByName(full);
  const suite = checksOf(repo).suites.find((s) => s.id === id);
  if (!suite) throw new Error(`sim: no check suite ${id} in ${full}`);
  emitCheckSuite(ops, repo, suite, "rerequested", state.user(login) ?? state.addUser(login));
}

/** Check runs on a commit, oldest first (tests). */
export function checkRunsAt(state: State, full: string, sha: string): ReturnType<typeof checkRunJson>[] {
  const repo = state.repoByName(full);
  return checksOf(repo)
    .runs.filter((r) => r.head_sha === sha)
    .map((r) => checkRunJson(repo, r));
}
