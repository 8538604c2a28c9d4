import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RepoRef } from "../github/client.js";

/**
 * Who may send alerts, and where to: the alert routes' tokens and the repositories each reaches,
 * read from the environment when the app starts (pure, apart from reading ALERTS_TOKENS_FILE).
 *
 * - `ALERTS_TOKEN` reaches `ALERTS_REPO` (also its default repository) and the repositories
 *   listed in `ALERTS_REPOS` (`owner/name` or `owner/*`, separated by commas or spaces).
 * - `ALERTS_TOKENS` adds tokens with scopes of their own: `token=owner/name|owner/*;token2=…`
 *   (entries separated by `;` or new lines, repositories by `|` or `,`); `ALERTS_TOKENS_FILE`
 *   names a file of the same entries, one a line, `#` comments allowed (a mounted secret). A
 *   token's default repository is the first `owner/name` of its list.
 *
 * Every token is at least 32 characters long. Anything wrong is a problem: the routes then refuse
 * every alert (503) and the log says why, rather than the app not starting or a weak token working.
 */

export const MIN_TOKEN_LENGTH = 32;

export interface RepoPattern {
  owner: string;
  /** `*`: every repository of the owner. */
  repo: string;
}

export interface AlertToken {
  /** Where the token was configured, for the log (never the token itself). */
  source: string;
  digest: Buffer;
  scope: RepoPattern[];
  /** Used when the request has no `?repo=`. */
  defaultRepo?: RepoRef;
}

export interface AlertAccess {
  tokens: AlertToken[];
  /** What is wrong; any problem disables the routes. */
  problems: string[];
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** A repository name as GitHub allows it: `..` or a third segment could reach other API paths. */
export function parseRepoName(text: string): RepoRef | undefined {
  const [owner, repo, ...rest] = text.trim().split("/");
  if (!owner || !repo || rest.length > 0 || !OWNER.test(owner) || !NAME.test(repo) || repo === "." || repo === "..") return undefined;
  return { owner, repo };
}

function parsePattern(text: string): RepoPattern | undefined {
  const [owner, repo] = text.trim().split("/");
  if (owner && repo === "*" && OWNER.test(owner) && text.trim().split("/").length === 2) return { owner, repo: "*" };
  return parseRepoName(text);
}

function tokenProblem(token: string, source: string): string | undefined {
  if (/[\s;]/.test(token)) return `${source}: a token may not contain spaces or ';'`;
  if (token.length < MIN_TOKEN_LENGTH) return `${source}: the token is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} (for example \`openssl rand -hex 32\`)`;
  return undefined;
}

function parseScope(list: string, source: string, problems: string[]): RepoPattern[] {
  const scope: RepoPattern[] = [];
  for (const item of list.split(/[|,\s]+/).filter(Boolean)) {
    const pattern = parsePattern(item);
    if (pattern) scope.push(pattern);
    else problems.push(`${source}: "${item.slice(0, 100)}" is not a repository (owner/name) or an owner's repositories (owner/*)`);
  }
  return scope;
}

const exact = (scope: RepoPattern[]): RepoRef | undefined => scope.find((p) => p.repo !== "*");

/** Entries `token=owner/name|owner/*`, separated by `;` or new lines; `#` starts a comment line. */
function parseEntries(text: string, source: string, tokens: AlertToken[], problems: string[]) {
  const entries = text
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith("#"));
  entries.forEach((entry, i) => {
    const where = `${source} entry ${i + 1}`;
    // A token may end with base64's `=`; repositories never hold one: split at the last.
    const equals = entry.lastIndexOf("=");
    if (equals <= 0) {
      problems.push(`${where}: write it as token=owner/name|owner/*`);
      return;
    }
    const token = entry.slice(0, equals).trim();
    const problem = tokenProblem(token, where);
    if (problem) problems.push(problem);
    const scope = parseScope(entry.slice(equals + 1), where, problems);
    if (scope.length === 0) problems.push(`${where}: the token reaches no repository`);
    const defaultRepo = exact(scope);
    tokens.push({ source: where, digest: digest(token), scope, ...(defaultRepo ? { defaultRepo } : {}) });
  });
}

export function readAlertAccess(env: Record<string, string | undefined>, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): AlertAccess {
  const tokens: AlertToken[] = [];
  const problems: string[] = [];
  const single = env.ALERTS_TOKEN?.trim();
  if (single) {
    const problem = tokenProblem(single, "ALERTS_TOKEN");
    if (problem) problems.push(problem);
    const defaultName = env.ALERTS_REPO?.trim();
    const defaultRepo = defaultName ? parseRepoName(defaultName) : undefined;
    if (defaultName && !defaultRepo) problems.push(`ALERTS_REPO: "${defaultName.slice(0, 100)}" is not a repository (owner/name)`);
    const scope = [...(defaultRepo ? [defaultRepo] : []), ...parseScope(env.ALERTS_REPOS ?? "", "ALERTS_REPOS", problems)];
    if (scope.length === 0) problems.push("ALERTS_TOKEN: set ALERTS_REPO (or ALERTS_REPOS) to the repositories it may open incidents in");
    tokens.push({ source: "ALERTS_TOKEN", digest: digest(single), scope, ...(defaultRepo ? { defaultRepo } : {}) });
  } else if (env.ALERTS_REPOS?.trim()) {
    problems.push("ALERTS_REPOS is set but ALERTS_TOKEN is not");
  }
  if (env.ALERTS_TOKENS?.trim()) parseEntries(env.ALERTS_TOKENS, "ALERTS_TOKENS", tokens, problems);
  const file = env.ALERTS_TOKENS_FILE?.trim();
  if (file) {
    try {
      parseEntries(readFile(file), `ALERTS_TOKENS_FILE (${file})`, tokens, problems);
    } catch (error) {
      problems.push(`ALERTS_TOKENS_FILE: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const seen = new Map<string, string>();
  for (const t of tokens) {
    const key = t.digest.toString("hex");
    const first = seen.get(key);
    if (first) problems.push(`${t.source}: the same token as ${first}; give each its own`);
    else seen.set(key, t.source);
  }
  return { tokens, problems };
}

/**
 * The token presented, compared with every configured one in constant time (digests, so neither
 * its length nor a prefix leaks, and no early exit, so neither does which one matched).
 */
export function findToken(access: AlertAccess, presented: string | undefined): AlertToken | undefined {
  if (presented === undefined || presented === "") return undefined;
  const given = digest(presented);
  let found: AlertToken | undefined;
  for (const token of access.tokens) {
    if (timingSafeEqual(given, token.digest) && found === undefined) found = token;
  }
  return found;
}

/** Whether a token may send alerts to a repository (names compare case-insensitively, as GitHub's do). */
export function reaches(token: AlertToken, repo: RepoRef): boolean {
  const owner = repo.owner.toLowerCase();
  const name = repo.repo.toLowerCase();
  return token.scope.some((p) => p.owner.toLowerCase() === owner && (p.repo === "*" || p.repo.toLowerCase() === name));
}

/** The scope as people write it, for the log. */
export const describeScope = (token: AlertToken): string => token.scope.map((p) => `${p.owner}/${p.repo}`).join(", ");
