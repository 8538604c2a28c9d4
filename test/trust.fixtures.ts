/**
 * What the attack tests of issue 8 check in everything the app and the Action wrote: that no
 * hidden marker was formed from an attacker's text, and whom the text pings.
 */
import type { GitHubSim } from "./sim/index.js";

/** Put in every forged payload: no HTML comment in anything we write may ever carry it. */
export const SENTINEL = "pwned";

/** The accounts that write for incident-desk: the app, and the Action's workflow token. */
export const WRITERS = ["incident-desk[bot]", "github-actions[bot]"];

/**
 * Every body and comment the app or the Action wrote in `repo` (issues and pull requests alike).
 * Not titles: GitHub shows a title as plain text, and no marker is ever read from one.
 */
export function writtenByUs(sim: GitHubSim, repo: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const issue of sim.issues(repo)) {
    if (WRITERS.includes(issue.user)) out.push({ where: `#${issue.number} body`, text: issue.body ?? "" });
    for (const c of issue.comments) if (WRITERS.includes(c.user)) out.push({ where: `#${issue.number} comment ${c.id}`, text: c.body });
  }
  return out;
}

/** The HTML comments in `text` as GitHub reads them: from `<!--` to the next `-->` (or the end). */
export function htmlComments(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf("<!--"); at !== -1; at = text.indexOf("<!--", at + 4)) {
    const end = text.indexOf("-->", at + 4);
    out.push(text.slice(at, end === -1 ? text.length : end + 3));
    if (end === -1) break;
  }
  return out;
}

/**
 * Whether an HTML comment is one the attacker formed. Our own markers may carry people's text
 * only inside their JSON (a pull request's title in the change facts, escaped); an attacker's
 * forgery has the sentinel as the marker's payload itself: a top-level key or value of its JSON,
 * or anywhere in a payload that is not JSON, or in an HTML comment that is no marker of ours.
 */
function forged(comment: string): boolean {
  if (!comment.includes(SENTINEL)) return false;
  const payload = /^<!-- incident-desk:[a-z-]+[ :]([^]*) -->$/.exec(comment)?.[1];
  if (payload === undefined) return true;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return true;
  }
  if (typeof value !== "object" || value === null) return true;
  return Object.entries(value).some(([k, v]) => k.includes(SENTINEL) || (typeof v === "string" && v.includes(SENTINEL)));
}

/** HTML comments formed from an attacker's text in anything we wrote: must be none. */
export function forgedMarkers(sim: GitHubSim, repo: string): string[] {
  return writtenByUs(sim, repo).flatMap(({ where, text }) => htmlComments(text).filter(forged).map((c) => `${where}: ${c}`));
}

/**
 * Whom `text` pings: `@login` and `@org/team` outside code spans, as GitHub links them (a name
 * right after a word character, or broken by a zero-width space, is not a mention).
 */
export function pings(text: string): string[] {
  const prose = text.replace(/`[^`\n]*`/g, " ");
  const out = new Set<string>();
  for (const m of prose.matchAll(/(?<![\w`])@([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?)/g)) out.add(m[1]!.toLowerCase());
  return [...out].sort();
}

/** The key a follow-up's ticket carries, as anyone can compute it from the comment (FNV-1a of the title). */
export function followupKey(commentId: number, title: string): string {
  let hash = 0x811c9dc5;
  for (const ch of title.trim().toLowerCase().replace(/\s+/g, " ")) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `c${commentId}-${hash.toString(36)}`;
}
