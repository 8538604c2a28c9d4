/**
 * Which issues a piece of text (a pull request's title, body, or a commit message) refers to:
 * `Fixes #12`, `Closes #12`, `Incident: #12`, a plain `#12`, `GH-12`, `owner/repo#12`, or an
 * issue URL. Pure: whether the issue is an incident is decided by the caller, with GitHub's data.
 */

export interface IssueReference {
  owner: string;
  repo: string;
  number: number;
  /** `fixes`, `closes`, `resolves` or `incident` when a keyword introduced it; plain mentions have none. */
  keyword?: string;
}

export interface RepoName {
  owner: string;
  repo: string;
}

const KEYWORD = /(close[sd]?|fix(?:e[sd])?|resolve[sd]?|incident)\s*:?\s*$/i;

// A mention is `#12`, `GH-12`, `owner/repo#12` or an issues/pull URL. What precedes `#` must not be
// a word character, `/` or `&` (GitHub does not link `abc#12`, `path/#12` or the entity `&#12;`).
const MENTION =
  /(?<![\w/#&])(?:([A-Za-z0-9][\w.-]*)\/([\w.-]+))?#(\d{1,9})\b|(?<![\w-])GH-(\d{1,9})\b|https?:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\/(?:issues|pull)\/(\d{1,9})\b/gi;

/** Fenced code blocks and inline code spans are not mentions on GitHub either. */
function withoutCode(text: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker[0];
    else if (fence !== undefined && marker?.[0] === fence) fence = undefined;
    else if (fence === undefined) kept.push(line.replace(/`[^`]*`/g, " "));
  }
  return kept.join("\n");
}

/** Every issue `text` refers to, once each, in order of first mention; repository names as written. */
export function findReferences(text: string, here: RepoName): IssueReference[] {
  const out: IssueReference[] = [];
  const seen = new Map<string, IssueReference>();
  const clean = withoutCode(text);
  for (const m of clean.matchAll(MENTION)) {
    const owner = m[1] ?? m[5] ?? here.owner;
    const repo = m[2] ?? m[6] ?? here.repo;
    const number = Number(m[3] ?? m[4] ?? m[7]);
    if (!Number.isSafeInteger(number) || number <= 0) continue;
    const keyword = KEYWORD.exec(clean.slice(Math.max(0, m.index - 20), m.index))?.[1]?.toLowerCase();
    const key = `${owner}/${repo}#${number}`.toLowerCase();
    const previous = seen.get(key);
    if (previous) {
      if (!previous.keyword && keyword) previous.keyword = normaliseKeyword(keyword);
      continue;
    }
    const ref: IssueReference = { owner, repo, number, ...(keyword ? { keyword: normaliseKeyword(keyword) } : {}) };
    seen.set(key, ref);
    out.push(ref);
  }
  return out;
}

function normaliseKeyword(word: string): string {
  if (word.startsWith("clos")) return "closes";
  if (word.startsWith("fix")) return "fixes";
  if (word.startsWith("resolv")) return "resolves";
  return "incident";
}

const sameRepo = (a: RepoName, b: RepoName) =>
  a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();

/**
 * Numbers of the issues of `here` that `texts` refer to. References to other repositories are
 * left out: an incident is managed by the app installed on its own repository, with its config.
 */
export function localReferences(texts: string[], here: RepoName): number[] {
  const numbers = new Set<number>();
  for (const text of texts) for (const ref of findReferences(text, here)) if (sameRepo(ref, here)) numbers.add(ref.number);
  return [...numbers];
}

export function refersTo(texts: string[], here: RepoName, number: number): boolean {
  return localReferences(texts, here).includes(number);
}

/** `Revert "Add caching"`, GitHub's title for a revert pull request (and `git revert`'s commit subject). */
export function isRevert(title: string): boolean {
  return /^\s*revert\b\s*["“']/i.test(title) || /^\s*revert:/i.test(title);
}
