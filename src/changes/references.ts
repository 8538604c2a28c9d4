import { visibleText } from "../text/markdown.js";

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

const KEYWORD = /(close[sd]?|fix(?:e[sd])?|resolve[sd]?|incident)[ \t]*:?[ \t]*$/i;

const isWord = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isNameChar = (c: number) => isWord(c) || c === 0x2d || c === 0x2e;

interface Mention {
  owner?: string;
  repo?: string;
  number: number;
  index: number;
}

/** Digits at `i` (at most 9, not followed by a word character), or nothing. */
function numberAt(text: string, i: number): { value: number; end: number } | undefined {
  let j = i;
  while (j < text.length && j - i < 10 && isDigit(text.charCodeAt(j))) j++;
  if (j === i || j - i > 9 || (j < text.length && isWord(text.charCodeAt(j)))) return undefined;
  return { value: Number(text.slice(i, j)), end: j };
}

/** `name` ending just before `end` (letters, digits, `_`, `-`, `.`; at most `max` long). */
function nameBefore(text: string, end: number, max: number): string | undefined {
  let i = end;
  while (i > 0 && end - i < max && isNameChar(text.charCodeAt(i - 1))) i--;
  if (i === end || (i > 0 && isNameChar(text.charCodeAt(i - 1)))) return undefined;
  return text.slice(i, end);
}

/**
 * Mentions in one pass, each looked at within a bounded window: `#12`, `owner/repo#12`, `GH-12`
 * and `https://github.com/owner/repo/issues/12` (or `/pull/12`). What precedes `#` must not be a
 * word character, `/`, `#` or `&` (GitHub links neither `abc#12`, `path/#12` nor the entity `&#12;`).
 */
function mentions(text: string): Mention[] {
  const out: Mention[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      const n = numberAt(text, i + 1);
      if (!n) continue;
      const before = i > 0 ? text.charCodeAt(i - 1) : 0x20;
      const repo = nameBefore(text, i, 100);
      const slash = repo !== undefined ? i - repo.length - 1 : -1;
      const owner = slash > 0 && text.charCodeAt(slash) === 0x2f ? nameBefore(text, slash, 39) : undefined;
      if (owner && repo && /^[A-Za-z0-9]/.test(owner)) {
        const start = slash - owner.length;
        const lead = start > 0 ? text.charCodeAt(start - 1) : 0x20;
        if (!isWord(lead) && lead !== 0x2f && lead !== 0x23 && lead !== 0x26) out.push({ owner, repo, number: n.value, index: start });
      } else if (!isWord(before) && before !== 0x2f && before !== 0x23 && before !== 0x26) {
        out.push({ number: n.value, index: i });
      }
      i = n.end - 1;
    } else if ((c === 0x47 || c === 0x67) && (text.charCodeAt(i + 1) | 0x20) === 0x68 && text.charCodeAt(i + 2) === 0x2d) {
      // GH-12
      const lead = i > 0 ? text.charCodeAt(i - 1) : 0x20;
      const n = numberAt(text, i + 3);
      if (n && !isWord(lead) && lead !== 0x2d) out.push({ number: n.value, index: i });
      if (n) i = n.end - 1;
    } else if (c === 0x68 /* h */ && text.startsWith("github.com/", i + (text.startsWith("https://", i) ? 8 : 7)) && (text.startsWith("https://", i) || text.startsWith("http://", i))) {
      const url = /^https?:\/\/github\.com\/([\w.-]{1,39})\/([\w.-]{1,100})\/(?:issues|pull)\/(\d{1,9})(?!\w)/i.exec(text.slice(i, i + 180));
      if (url) {
        out.push({ owner: url[1]!, repo: url[2]!, number: Number(url[3]), index: i });
        i += url[0].length - 1;
      }
    }
  }
  return out;
}

/** Every issue `text` refers to, once each, in order of first mention; repository names as written. */
export function findReferences(text: string, here: RepoName): IssueReference[] {
  const out: IssueReference[] = [];
  const seen = new Map<string, IssueReference>();
  if (!mayMention(text)) return out;
  const clean = visibleText(text);
  for (const m of mentions(clean)) {
    const owner = m.owner ?? here.owner;
    const repo = m.repo ?? here.repo;
    const number = m.number;
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

/** The cheap check before parsing: a mention needs `#`, `GH-`/`gh-` or a github.com URL. */
function mayMention(text: string): boolean {
  return text.includes("#") || /gh-/i.test(text) || text.includes("github.com/");
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
