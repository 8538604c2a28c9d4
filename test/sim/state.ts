// The sim's entities and lookups: users, apps, installations, tokens, repositories, mini-git.
import { createHash } from "node:crypto";
import type { Clock } from "./clock.js";
import { HttpError } from "./http.js";
import type { AppRec, BlobRec, CommitRec, InstallationRec, IssueRec, IssueTypeRec, LabelRec, Permission, RepoRec, UserRec } from "./model.js";

export interface TokenRec {
  login: string;
  installationId: number | null;
  expires_at: string | null;
}

const nodeId = (prefix: string, id: number) => `${prefix}_kwDO${Buffer.from(`sim:${id}`).toString("base64").replace(/=+$/, "")}`;

export class State {
  #id = 1000;
  users = new Map<string, UserRec>();
  repos = new Map<string, RepoRec>();
  installations = new Map<number, InstallationRec>();
  tokens = new Map<string, TokenRec>();
  /** Issue types per organisation (lower-case login); personal accounts have none. */
  issueTypes = new Map<string, IssueTypeRec[]>();
  app: AppRec;

  constructor(
    public clock: Clock,
    appOpts: { id: number; slug: string; name?: string; owner?: string },
  ) {
    const owner = this.addUser(appOpts.owner ?? "sim-app-owner");
    const bot = this.addUser(`${appOpts.slug}[bot]`, "Bot");
    this.app = {
      id: appOpts.id,
      slug: appOpts.slug,
      name: appOpts.name ?? appOpts.slug,
      node_id: nodeId("A", appOpts.id),
      client_id: `Iv1.sim${appOpts.id}`,
      owner,
      bot,
      created_at: clock.iso(),
    };
    bot.app = this.app;
  }

  /** The issue types of a repository's owner (an organisation's, enabled ones); undefined for a personal account. */
  typesOf(repo: RepoRec): IssueTypeRec[] | undefined {
    if (repo.owner.type !== "Organization") return undefined;
    return (this.issueTypes.get(repo.owner.login.toLowerCase()) ?? []).filter((t) => t.is_enabled);
  }

  /** Defines an organisation's issue types (replacing its list; a type kept by name keeps its id). */
  setIssueTypes(org: string, types: (string | { name: string; description?: string; color?: IssueTypeRec["color"]; enabled?: boolean })[]): IssueTypeRec[] {
    const owner = this.user(org);
    if (!owner || owner.type !== "Organization") throw new Error(`sim: ${org} is not an organisation (addRepo(..., { org: true }) first)`);
    const before = this.issueTypes.get(org.toLowerCase()) ?? [];
    const list = types.map((t) => {
      const spec = typeof t === "string" ? { name: t } : t;
      const kept = before.find((b) => b.name.toLowerCase() === spec.name.toLowerCase());
      if (kept) return { ...kept, is_enabled: spec.enabled ?? true };
      const id = this.nextId();
      const at = this.clock.iso();
      return { id, node_id: nodeId("IT", id), name: spec.name, description: spec.description ?? null, color: spec.color ?? null, created_at: at, updated_at: at, is_enabled: spec.enabled ?? true };
    });
    this.issueTypes.set(org.toLowerCase(), list);
    return list;
  }

  nextId(): number {
    return ++this.#id;
  }

  nodeId(prefix: string, id: number): string {
    return nodeId(prefix, id);
  }

  addUser(login: string, type: UserRec["type"] = login.endsWith("[bot]") ? "Bot" : "User"): UserRec {
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const id = this.nextId();
    const u: UserRec = { id, login, node_id: nodeId(type === "Bot" ? "BOT" : type === "Organization" ? "O" : "U", id), type };
    this.users.set(login.toLowerCase(), u);
    return u;
  }

  user(login: string): UserRec | undefined {
    return this.users.get(login.toLowerCase());
  }

  userOrThrow(login: string): UserRec {
    const u = this.user(login);
    if (!u) throw new HttpError(404, "Not Found");
    return u;
  }

  addRepo(full: string, opts: { private?: boolean; installed?: boolean; org?: boolean; defaultBranch?: string; description?: string } = {}): RepoRec {
    const [ownerLogin, name] = full.split("/");
    if (!ownerLogin || !name) throw new Error(`repo must be "owner/name", got ${full}`);
    const existing = this.repos.get(full.toLowerCase());
    if (existing) return existing;
    const owner = this.user(ownerLogin) ?? this.addUser(ownerLogin, opts.org ? "Organization" : "User");
    if (opts.org && owner.type !== "Organization") owner.type = "Organization";
    const id = this.nextId();
    const now = this.clock.iso();
    const repo: RepoRec = {
      id,
      node_id: nodeId("R", id),
      owner,
      name,
      private: opts.private ?? false,
      default_branch: opts.defaultBranch ?? "main",
      description: opts.description ?? null,
      created_at: now,
      updated_at: now,
      pushed_at: now,
      fork: false,
      parent: null,
      installed: opts.installed ?? true,
      labels: [],
      issues: new Map(),
      nextNumber: 1,
      refs: new Map(),
      commits: new Map(),
      comments: new Map(),
      deployments: [],
      permissions: new Map(),
      moved: new Map(),
    };
    if (owner.type === "User") repo.permissions.set(owner.login.toLowerCase(), "admin");
    this.repos.set(full.toLowerCase(), repo);
    const root = this.makeCommit(repo, { message: "Initial commit", parents: [], tree: new Map(), author: owner });
    repo.refs.set(`refs/heads/${repo.default_branch}`, root.sha);
    if (repo.installed) this.installationFor(owner);
    return repo;
  }

  installationFor(account: UserRec): InstallationRec {
    for (const i of this.installations.values()) if (i.account === account) return i;
    const i: InstallationRec = { id: this.nextId(), account, created_at: this.clock.iso() };
    this.installations.set(i.id, i);
    return i;
  }

  installationOf(repo: RepoRec): InstallationRec | undefined {
    if (!repo.installed) return undefined;
    return this.installationFor(repo.owner);
  }

  repo(owner: string, name: string): RepoRec | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoByName(full: string): RepoRec {
    const r = this.repos.get(full.toLowerCase());
    if (!r) throw new Error(`sim: unknown repository ${full} (call sim.addRepo first)`);
    return r;
  }

  repoById(id: number): RepoRec | undefined {
    for (const r of this.repos.values()) if (r.id === id) return r;
    return undefined;
  }

  permission(repo: RepoRec, login: string): Permission {
    const p = repo.permissions.get(login.toLowerCase());
    if (p) return p;
    const u = this.user(login);
    if (u?.app && repo.installed) return "write";
    return repo.private ? "none" : "read";
  }

  // ---- issues ----
  issue(repo: RepoRec, n: number): IssueRec | undefined {
    return repo.issues.get(n);
  }

  issueOrThrow(repo: RepoRec, n: number): IssueRec {
    const i = repo.issues.get(n);
    if (i) return i;
    const moved = repo.moved.get(n);
    if (moved) throw new HttpError(301, "Moved Permanently", { url: `/repos/${moved.repo.owner.login}/${moved.repo.name}/issues/${moved.number}` });
    throw new HttpError(404, "Not Found");
  }

  issueById(id: number): IssueRec | undefined {
    for (const r of this.repos.values()) for (const i of r.issues.values()) if (i.id === id) return i;
    return undefined;
  }

  issueByNodeId(nodeId: string): IssueRec | undefined {
    for (const r of this.repos.values()) for (const i of r.issues.values()) if (i.node_id === nodeId) return i;
    return undefined;
  }

  allIssues(): IssueRec[] {
    const out: IssueRec[] = [];
    for (const r of this.repos.values()) for (const i of r.issues.values()) out.push(i);
    return out;
  }

  // ---- labels ----
  label(repo: RepoRec, name: string): LabelRec | undefined {
    const n = name.toLowerCase();
    return repo.labels.find((l) => l.name.toLowerCase() === n);
  }

  // ---- git ----
  blob(content: string | Buffer): BlobRec {
    const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
    return { sha, content: buf };
  }

  makeCommit(repo: RepoRec, c: { message: string; parents: string[]; tree: Map<string, BlobRec>; author: UserRec; date?: string }): CommitRec {
    const date = c.date ?? this.clock.iso();
    const treeSha = createHash("sha1")
      .update([...c.tree.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, b]) => `${p}:${b.sha}`).join("\n"))
      .digest("hex");
    const sha = createHash("sha1").update(`${treeSha}\n${c.parents.join(",")}\n${c.author.login}\n${date}\n${c.message}\n${this.nextId()}`).digest("hex");
    const commit: CommitRec = { sha, node_id: nodeId("C", this.#id), message: c.message, parents: c.parents, tree: c.tree, treeSha, author: c.author, date };
    repo.commits.set(sha, commit);
    return commit;
  }

  /** Resolves a branch name, "heads/x", "refs/heads/x", tag, or (short) sha to a commit. */
  resolveCommitish(repo: RepoRec, ref: string | undefined): CommitRec | undefined {
    const r = ref ?? repo.default_branch;
    for (const cand of [r, `refs/heads/${r}`, `refs/tags/${r}`, `refs/${r}`]) {
      const sha = repo.refs.get(cand);
      if (sha) return repo.commits.get(sha);
    }
    return this.commitBySha(repo, r);
  }

  commitBySha(repo: RepoRec, sha: string): CommitRec | undefined {
    if (!/^[0-9a-f]{4,40}$/i.test(sha)) return undefined;
    const exact = repo.commits.get(sha.toLowerCase());
    if (exact) return exact;
    const matches = [...repo.commits.values()].filter((c) => c.sha.startsWith(sha.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  }

  branchSha(repo: RepoRec, branch: string): string | undefined {
    return repo.refs.get(`refs/heads/${branch}`);
  }
}
