// GitHubSim: an in-memory, OpenAPI-checked fake of api.github.com for incident-desk's tests.
// See test/sim/README.md for the API.
import { UserActions } from "./actor.js";
import { Clock } from "./clock.js";
import { Faults, Limits } from "./faults.js";
import { requestDeploymentReview, reviewsOf, type DeploymentReview, type ReviewRequest } from "./gates.js";
import { encodeBody, type SimRequest, type SimResponse } from "./http.js";
import type { Permission, RepoRec } from "./model.js";
import { fullName } from "./model.js";
import { loadOpenApi, openApiLoadMs } from "./openapi.js";
import { Ops } from "./ops.js";
import { checkRunsAt, rerequestCheckRun, rerequestCheckSuite } from "./routes/checks.js";
import { route, type RequestRecord, type Violation } from "./router.js";
import { commentJson, deploymentJson, eventJson, issueJson, labelJson, pullFullJson } from "./serialize.js";
import { listen, type Listening } from "./server.js";
import { State } from "./state.js";
import { Webhooks, type Delivery, type WebhookListener } from "./webhooks.js";

export type { Delivery, Violation, RequestRecord, Listening, Permission, DeploymentReview, ReviewRequest };
export { openApiLoadMs };

export interface GitHubSimOptions {
  /** The GitHub App the sim hosts (JWT `iss` must equal appId). */
  appId?: number;
  appSlug?: string;
  appName?: string;
  /** Validate every 2xx response against the description (slower; default false). */
  validateResponses?: boolean;
  /** Clock auto-tick after each write (default true). */
  autoTick?: boolean;
  /** Throw from sim.fetch when a violation happens (default false: they are only recorded). */
  throwOnViolation?: boolean;
}

export interface IssueSnapshot {
  number: number;
  id: number;
  node_id: string;
  title: string;
  body: string | null;
  user: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  locked: boolean;
  isPullRequest: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  comments: { id: number; body: string; user: string; created_at: string; updated_at: string; reactions: { user: string; content: string }[] }[];
  reactions: { user: string; content: string }[];
  subIssues: { repo: string; number: number }[];
  parent: { repo: string; number: number } | null;
  /** The issue type's name, if it has one. */
  type: string | null;
  /** The REST representation (GET /repos/{o}/{r}/issues/{n}). */
  rest: ReturnType<typeof issueJson>;
}

type FetchInput = string | URL | { url: string; method?: string; headers?: unknown; text?: () => Promise<string> };

export class GitHubSim {
  readonly options: GitHubSimOptions;
  readonly clock = new Clock();
  readonly state: State;
  readonly webhooks = new Webhooks();
  readonly ops: Ops;
  readonly faults = new Faults();
  readonly limits = new Limits();
  /** Every OpenAPI/sim contract violation. Assert it is empty in afterEach. */
  violations: Violation[] = [];
  /** Every request handled. */
  requests: RequestRecord[] = [];
  /** Errors to throw from fetch when throwOnViolation is set. */
  pendingErrors: Error[] = [];

  constructor(options: GitHubSimOptions = {}) {
    this.options = options;
    loadOpenApi();
    if (options.autoTick === false) this.clock.autoTick = false;
    this.state = new State(this.clock, { id: options.appId ?? 4242, slug: options.appSlug ?? "incident-desk", name: options.appName ?? "incident-desk" });
    this.ops = new Ops(this.state, this.webhooks);
    this.ops.onInvalidWebhook = (name, action, message) => this.violations.push({ kind: "invalid-webhook", method: "WEBHOOK", path: `${name}.${action ?? ""}`, message });
  }

  // ---------------- transport ----------------
  /** A WHATWG fetch for Octokit: `new Octokit({ request: { fetch: sim.fetch } })`. Any host is accepted. */
  fetch = async (input: FetchInput, init: { method?: string; headers?: unknown; body?: unknown; redirect?: string } = {}): Promise<Response> => {
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    let method = (init.method ?? (typeof input === "object" && !(input instanceof URL) ? input.method : undefined) ?? "GET").toUpperCase();
    const headers = toHeaderRecord(init.headers ?? (typeof input === "object" && !(input instanceof URL) ? input.headers : undefined));
    let body: string | undefined;
    if (typeof init.body === "string") body = init.body;
    else if (init.body instanceof Uint8Array) body = Buffer.from(init.body).toString("utf8");
    else if (init.body !== undefined && init.body !== null) body = String(init.body);
    else if (typeof input === "object" && !(input instanceof URL) && typeof input.text === "function" && method !== "GET") body = await input.text();
    for (let hops = 0; ; hops++) {
      const r = await this.handle({ method, url, headers, body });
      if (this.options.throwOnViolation && this.pendingErrors.length) throw this.pendingErrors.shift()!;
      if ((r.status === 301 || r.status === 302 || r.status === 307) && init.redirect !== "manual" && hops < 5 && r.headers.location) {
        url = r.headers.location;
        if (r.status !== 307) {
          method = method === "POST" ? "GET" : method;
        }
        continue;
      }
      const text = r.body === undefined ? null : encodeBody(r.body);
      const res = new Response(text, { status: r.status, headers: r.headers });
      Object.defineProperty(res, "url", { value: url });
      return res;
    }
  };

  /** Milliseconds every request waits before it is handled: a slow GitHub (default 0). */
  latencyMs = 0;

  /** Handles one request (used by fetch and the loopback server). */
  async handle(req: SimRequest): Promise<SimResponse> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    return route(this, req);
  }

  /** Serves the sim on 127.0.0.1:<random port>. */
  listen(): Promise<Listening> {
    return listen(this);
  }

  // ---------------- setup (no webhooks) ----------------
  addUser(login: string, opts: { type?: "User" | "Bot" | "Organization" } = {}) {
    return this.state.addUser(login, opts.type);
  }

  /** Adds "owner/name" (owner created as a user, or an org with {org:true}); installed (app installed on the owner account) by default. */
  addRepo(full: string, opts: { private?: boolean; installed?: boolean; org?: boolean; defaultBranch?: string; description?: string } = {}): RepoRec {
    return this.state.addRepo(full, opts);
  }

  /** An organisation's issue types (`addRepo(..., { org: true })` first); replaces its list. Emits nothing. */
  setIssueTypes(org: string, types: Parameters<State["setIssueTypes"]>[1]): void {
    this.state.setIssueTypes(org, types);
  }

  setPermission(full: string, login: string, level: Permission): void {
    if (!this.state.user(login)) this.state.addUser(login);
    this.state.repoByName(full).permissions.set(login.toLowerCase(), level);
  }

  /** Registers a personal/GITHUB_TOKEN token for `login` (created if unknown, e.g. "github-actions[bot]"). */
  addToken(token: string, login: string): void {
    if (!this.state.user(login)) this.state.addUser(login);
    this.state.tokens.set(token, { login, installationId: null, expires_at: null });
  }

  /** Mints an installation token for the installation covering `repo` without going through the JWT flow. */
  installationToken(full: string): string {
    const repo = this.state.repoByName(full);
    const inst = this.state.installationOf(repo);
    if (!inst) throw new Error(`sim: the app is not installed on ${full}`);
    const token = `ghs_sim${inst.id}_${this.state.tokens.size}`;
    this.state.tokens.set(token, { login: this.state.app.bot.login, installationId: inst.id, expires_at: null });
    return token;
  }

  installationId(full: string): number | undefined {
    return this.state.installationOf(this.state.repoByName(full))?.id;
  }

  get app() {
    return this.state.app;
  }

  seedFile(full: string, path: string, content: string, branch?: string): string {
    const repo = this.state.repoByName(full);
    const b = branch ?? repo.default_branch;
    const headSha = this.state.branchSha(repo, b) ?? this.state.branchSha(repo, repo.default_branch)!;
    const head = repo.commits.get(headSha)!;
    const tree = new Map(head.tree);
    tree.set(path, this.state.blob(content));
    const c = this.state.makeCommit(repo, { message: `Seed ${path}`, parents: [head.sha], tree, author: repo.owner });
    repo.refs.set(`refs/heads/${b}`, c.sha);
    return c.sha;
  }

  seedLabels(full: string, labels: (string | { name: string; color?: string; description?: string })[]): void {
    const repo = this.state.repoByName(full);
    for (const l of labels) {
      const spec = typeof l === "string" ? { name: l } : l;
      if (this.state.label(repo, spec.name)) continue;
      const id = this.state.nextId();
      repo.labels.push({ id, node_id: this.state.nodeId("LA", id), name: spec.name, color: (spec.color ?? "ededed").replace(/^#/, ""), description: spec.description ?? null, default: false });
    }
  }

  /** Creates a branch pointing at `from` (default branch head) without webhooks. */
  seedBranch(full: string, branch: string, from?: string): string {
    const repo = this.state.repoByName(full);
    const sha = this.state.resolveCommitish(repo, from ?? repo.default_branch)!.sha;
    repo.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  // ---------------- acting ----------------
  /** Acts as `login` (created if unknown). Pass the app's bot login to act as the app. */
  as(login: string): UserActions {
    const user = this.state.user(login) ?? this.state.addUser(login);
    return new UserActions(this.state, this.ops, { user, app: user.app ?? null });
  }

  /**
   * A workflow job reaches `environment`, protected by the app's custom deployment protection rule:
   * GitHub creates the deployment and sends `deployment_protection_rule.requested`. Returns the run.
   */
  requestDeploymentReview(full: string, request: ReviewRequest): { runId: number; deploymentId: number } {
    return requestDeploymentReview(this, full, request);
  }

  /** The reviews GitHub awaits or received (state, comment, every answer), oldest first. */
  deploymentReviews(full?: string): DeploymentReview[] {
    return reviewsOf(this).filter((r) => full === undefined || r.repo.toLowerCase() === full.toLowerCase());
  }

  // ---------------- webhooks ----------------
  /** Subscribes to deliveries (called in order, after the change; await sim.webhooks.idle() to wait). */
  onWebhook(fn: WebhookListener): () => void {
    return this.webhooks.subscribe(fn);
  }

  // ---------------- getters ----------------
  issue(full: string, n: number): IssueSnapshot {
    const repo = this.state.repoByName(full);
    const i = repo.issues.get(n);
    if (!i) throw new Error(`sim: ${full}#${n} does not exist`);
    const rest = issueJson(i);
    return {
      number: i.number,
      id: i.id,
      node_id: i.node_id,
      title: i.title,
      body: i.body,
      user: i.user.login,
      state: i.state,
      state_reason: i.state_reason,
      labels: rest.labels.map((l) => l.name),
      assignees: i.assignees.map((a) => a.login),
      locked: i.locked,
      isPullRequest: !!i.pr,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at,
      comments: [...repo.comments.values()]
        .filter((c) => c.issue === i)
        .map((c) => ({ id: c.id, body: c.body, user: c.user.login, created_at: c.created_at, updated_at: c.updated_at, reactions: c.reactions.map((r) => ({ user: r.user.login, content: r.content })) })),
      reactions: i.reactions.map((r) => ({ user: r.user.login, content: r.content })),
      subIssues: i.subIssues.map((s) => ({ repo: fullName(s.repo), number: s.number })),
      type: i.type?.name ?? null,
      parent: i.parent ? { repo: fullName(i.parent.repo), number: i.parent.number } : null,
      rest,
    };
  }

  issues(full: string): IssueSnapshot[] {
    return [...this.state.repoByName(full).issues.keys()].sort((a, b) => a - b).map((n) => this.issue(full, n));
  }

  comments(full: string, n: number) {
    const repo = this.state.repoByName(full);
    const i = repo.issues.get(n);
    return [...repo.comments.values()].filter((c) => c.issue === i).map(commentJson);
  }

  labels(full: string) {
    const repo = this.state.repoByName(full);
    return repo.labels.map((l) => labelJson(repo, l));
  }

  pulls(full: string) {
    return [...this.state.repoByName(full).issues.values()].filter((i) => i.pr).map((i) => pullFullJson(i));
  }

  pull(full: string, n: number) {
    const i = this.state.repoByName(full).issues.get(n);
    if (!i?.pr) throw new Error(`sim: ${full}#${n} is not a pull request`);
    return pullFullJson(i);
  }

  timeline(full: string, n: number) {
    const i = this.state.repoByName(full).issues.get(n);
    if (!i) throw new Error(`sim: ${full}#${n} does not exist`);
    return i.timeline.map((e) => eventJson(i, e, true)).filter((e): e is Record<string, unknown> => e !== null);
  }

  /** File content on a branch/ref (default branch), or undefined. */
  file(full: string, path: string, ref?: string): string | undefined {
    const repo = this.state.repoByName(full);
    return this.state.resolveCommitish(repo, ref ?? repo.default_branch)?.tree.get(path)?.content.toString("utf8");
  }

  branch(full: string, name: string): string | undefined {
    return this.state.branchSha(this.state.repoByName(full), name);
  }

  /** Check runs on a commit (any app), oldest first. */
  checkRuns(full: string, sha: string) {
    return checkRunsAt(this.state, full, sha);
  }

  /** `login` presses "Re-run" on a check run (`check_run.rerequested` to its app). */
  rerequestCheckRun(full: string, login: string, id: number): void {
    rerequestCheckRun(this.state, this.ops, full, login, id);
  }

  /** `login` presses "Re-run all checks" on a check suite (`check_suite.rerequested` to its app). */
  rerequestCheckSuite(full: string, login: string, id: number): void {
    rerequestCheckSuite(this.state, this.ops, full, login, id);
  }

  deployments(full: string) {
    const repo = this.state.repoByName(full);
    return repo.deployments.map((d) => ({ ...deploymentJson(repo, d), statuses: d.statuses.map((s) => s.state) }));
  }

  // ---------------- counting ----------------
  resetRequests(): void {
    this.requests = [];
  }

  count(filter: Partial<Pick<RequestRecord, "method" | "route" | "operationId" | "status" | "identity" | "counted">> & { path?: string | RegExp; writes?: boolean } = {}): number {
    return this.requests.filter((r) => matches(r, filter)).length;
  }

  async measure(fn: () => unknown): Promise<RequestRecord[]> {
    const start = this.requests.length;
    await fn();
    return this.requests.slice(start);
  }
}

function matches(r: RequestRecord, f: Partial<Pick<RequestRecord, "method" | "route" | "operationId" | "status" | "identity" | "counted">> & { path?: string | RegExp; writes?: boolean }): boolean {
  if (f.counted !== undefined && r.counted !== f.counted) return false;
  if (f.method && r.method !== f.method.toUpperCase()) return false;
  if (f.route && r.route !== f.route) return false;
  if (f.operationId && r.operationId !== f.operationId) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (f.identity && r.identity !== f.identity) return false;
  if (f.path instanceof RegExp ? !f.path.test(r.path) : f.path && f.path !== r.path) return false;
  if (f.writes !== undefined && (r.method !== "GET") !== f.writes) return false;
  return true;
}

function toHeaderRecord(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (typeof (h as Headers).forEach === "function" && !(h instanceof Array)) {
    (h as Headers).forEach((v, k) => (out[k.toLowerCase()] = v));
    return out;
  }
  if (Array.isArray(h)) {
    for (const [k, v] of h as [string, string][]) out[k.toLowerCase()] = v;
    return out;
  }
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}
