import { createHash } from "node:crypto";
import MarkdownIt from "markdown-it";
import { readTablesWithoutFilling } from "./table.js";

/**
 * What a reader sees of a piece of Markdown that people wrote: the one definition in the code.
 *
 * Commands, `root cause:` lines, follow-up lists and references to issues are read only from
 * visible text: nothing in a code block (fenced with any number of backticks or tildes, or
 * indented), inline code, an HTML comment, raw HTML, or a block quote counts.
 *
 * The parser is markdown-it (CommonMark, plus GFM tables and strikethrough), not micromark: on
 * 64 KB of hostile input micromark took 29.6 s (`*a` repeated), 5.8 s (nested `> `) and 0.55 s for
 * a plain paragraph of 32,000 lines; markdown-it with the inline rules that do not decide
 * visibility switched off (emphasis, links, images, entities) stays in milliseconds. Inputs are
 * read up to GitHub's own body limit (65,536 characters): GitHub stores no longer issue, comment or
 * pull request body, and a longer commit message is read up to there.
 */

export const READ_LIMIT = 65_536;

const md = new MarkdownIt("commonmark", { html: true });
// Emphasis, links and images only change how visible text looks, and their delimiter matching is
// where Markdown parsers go quadratic; entities would let `&#47;sev` type a command.
md.disable(["emphasis", "link", "image", "entity", "autolink", "text_join"]);
md.enable(["table", "strikethrough"]);
// Tables as markdown-it finds them, without the empty cells it adds for rendering (src/text/table.ts).
readTablesWithoutFilling(md);

export type BlockKind = "paragraph" | "heading" | "item" | "cell";

export interface VisibleBlock {
  kind: BlockKind;
  /** The block's visible text, one line per source line; code spans kept in their backticks, inline HTML left out. */
  text: string;
  /** The same without code spans: where references to issues are looked for. */
  plain: string;
  /** A paragraph directly in the document (not in a list, a quote or a table): where commands live. */
  topLevel: boolean;
  /** For an `item`: its nesting depth in lists (1 = a top-level list). */
  depth: number;
}

/** Stands in for inline HTML at the start of a line: that line is never a command. */
export const OPAQUE = "\uFFFC";

type Token = ReturnType<typeof md.parse>[number];

/** The inline content as read (`text`: code spans kept in backticks) and as linked (`plain`: no code at all). */
function inlineText(token: Token): { text: string; plain: string } {
  let text = "";
  let plain = "";
  const lineStart = () => text === "" || text.endsWith("\n");
  for (const child of token.children ?? []) {
    switch (child.type) {
      case "text":
        text += child.content;
        plain += child.content;
        break;
      case "text_special":
        // A backslash escape stays as typed: `\/sev 1` is how one writes a command without running it.
        text += child.info === "escape" ? child.markup : child.content;
        plain += child.content;
        break;
      case "softbreak":
      case "hardbreak":
        text += "\n";
        plain += "\n";
        break;
      case "code_inline":
        text += `${child.markup}${child.content}${child.markup}`;
        plain += " ";
        break;
      case "html_inline":
        // Invisible; at the start of a line it still keeps what follows from being a command.
        if (lineStart()) text += OPAQUE;
        plain += " ";
        break;
      default:
        break;
    }
  }
  return { text, plain };
}

/**
 * Recently read texts by a digest of their content. Not by the text itself: V8 hashes a string of
 * more than 16,383 characters by its length alone, so a Map keyed by long texts puts every
 * comment of GitHub's maximum length in one bucket and compares each lookup with all of them
 * (500 lookups among 500 such comments took 0.5–0.8 s).
 */
const cache = new Map<string, { text: string; blocks: VisibleBlock[] }>();
const CACHE_ENTRIES = 500;
const cacheKey = (text: string): string => (text.length <= 1_024 ? text : createHash("sha256").update(text).digest("base64"));

/** Normalised as GitHub stores it: CRLF and CR are line breaks, and nothing past the body limit. */
export function normalise(text: string): string {
  const capped = text.length > READ_LIMIT ? text.slice(0, READ_LIMIT) : text;
  return capped.indexOf("\r") === -1 ? capped : capped.replace(/\r\n?/g, "\n");
}

/**
 * The visible blocks of `markdown`, in order. Block quotes and everything in them are left out.
 * Results are kept for recently read texts: a comment is re-read on every later delivery for its
 * incident, and a long one must not cost its parse each time.
 */
export function visibleBlocks(markdown: string): VisibleBlock[] {
  const key = cacheKey(markdown);
  const known = cache.get(key);
  if (known && known.text === markdown) {
    cache.delete(key);
    cache.set(key, known);
    return known.blocks;
  }
  const blocks = parseBlocks(normalise(markdown));
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, { text: markdown, blocks });
  return blocks;
}

function parseBlocks(text: string): VisibleBlock[] {
  const out: VisibleBlock[] = [];
  const tokens = md.parse(text, {});
  let quotes = 0;
  let lists = 0;
  let items = 0;
  let table = 0;
  let heading = false;
  for (const token of tokens) {
    switch (token.type) {
      case "blockquote_open":
        quotes++;
        break;
      case "blockquote_close":
        quotes--;
        break;
      case "bullet_list_open":
      case "ordered_list_open":
        lists++;
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists--;
        break;
      case "list_item_open":
        items++;
        break;
      case "list_item_close":
        items--;
        break;
      case "table_open":
        table++;
        break;
      case "table_close":
        table--;
        break;
      case "heading_open":
        heading = true;
        break;
      case "heading_close":
        heading = false;
        break;
      case "inline": {
        if (quotes > 0) break;
        const kind: BlockKind = heading ? "heading" : table > 0 ? "cell" : items > 0 ? "item" : "paragraph";
        out.push({ kind, ...inlineText(token), topLevel: kind === "paragraph", depth: lists });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The document's visible text, blocks apart by a blank line: what references are looked for in. */
export function visibleText(markdown: string): string {
  return visibleBlocks(markdown)
    .map((b) => b.plain)
    .join("\n\n");
}

/** Top-level paragraphs, each as its visible lines: where commands and `root cause:` lines are read. */
export function commandParagraphs(markdown: string): string[][] {
  if (!mayHoldCommand(markdown)) return [];
  return visibleBlocks(markdown)
    .filter((b) => b.topLevel)
    .map((b) => b.text.split("\n"));
}

const isBlank = (code: number) => code === 0x20 || code === 0x09;
const isLetter = (code: number) => (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);

/**
 * Whether some line of `text` starts (after spaces or tabs) with `/` and a letter: the cheap check
 * before any parse. Every command the parser finds passes it, since a visible top-level paragraph
 * line is a source line with its leading spaces removed. One pass, no regular expression.
 */
export function mayHoldCommand(text: string): boolean {
  return linesStartingWith(text, (t, i) => t.charCodeAt(i) === 0x2f && isLetter(t.charCodeAt(i + 1)));
}

/** Whether some line starts (after spaces or tabs) with what `at` recognises at that position. */
export function linesStartingWith(text: string, at: (text: string, index: number) => boolean): boolean {
  const end = Math.min(text.length, READ_LIMIT);
  let i = 0;
  while (i < end) {
    let j = i;
    while (j < end && isBlank(text.charCodeAt(j))) j++;
    if (j < end && at(text, j)) return true;
    let next = j;
    while (next < end) {
      const c = text.charCodeAt(next);
      if (c === 0x0a || c === 0x0d) break;
      next++;
    }
    i = next + 1;
  }
  return false;
}
