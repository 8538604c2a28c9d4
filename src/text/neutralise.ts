/**
 * People's text shown again by the app (titles, summaries, updates, pull request titles, alert
 * annotations, follow-up titles): it must read the same, and do nothing else. It can never form
 * an HTML comment (so never one of the app's hidden markers) or raw HTML, never end a table cell,
 * and never notify anyone. Every template value goes through `neutralise` unless the template
 * asks for it raw with `{{{…}}}` (the app's own markers and Markdown built from neutralised parts).
 */

const ZWSP = "\u200b";

/** `@login` or `@org/team` as the app means it (a configured team, a commander): it pings. */
export function mention(value: unknown): string {
  const name = String(value ?? "").replace(/^@/, "");
  return /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\]|\/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$/.test(name) ? `@${name}` : neutralise(value);
}

const isLoginStart = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Markdown-safe text, one pass: `\ < > & |` escaped, `@name` and `@org/team` broken so they do not ping. */
export function neutralise(value: unknown): string {
  // Handlebars hands helpers' safe strings here too: they are already what they should be.
  if (typeof value === "object" && value !== null && typeof (value as { toHTML?: unknown }).toHTML === "function") {
    return (value as { toHTML: () => string }).toHTML();
  }
  const text = value === undefined || value === null ? "" : String(value);
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string | undefined;
    if (c === 0x5c) replacement = "\\\\";
    else if (c === 0x3c) replacement = "&lt;";
    else if (c === 0x3e) replacement = "&gt;";
    else if (c === 0x26) replacement = "&amp;";
    else if (c === 0x7c) replacement = "\\|";
    else if (c === 0x40 && isLoginStart(text.charCodeAt(i + 1))) replacement = `@${ZWSP}`;
    if (replacement === undefined) continue;
    out += text.slice(from, i) + replacement;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** On one line (a table cell, a heading, a list item): line breaks become spaces. */
export function neutraliseInline(value: unknown, max = 1_000): string {
  const text = value === undefined || value === null ? "" : String(value);
  // Only what can be shown is looked at: a megabyte costs no more than the cell it becomes.
  const line = (text.length > max * 2 ? text.slice(0, max * 2) : text).replace(/[\r\n\u2028\u2029]+/g, " ");
  return neutralise(line.length > max ? `${line.slice(0, max)}…` : line);
}

/** As a block quote: every line quoted, so nothing in it reaches outside the quote. */
export function neutraliseQuote(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return text
    .split(/\r\n?|\n|\u2028|\u2029/)
    .map((line) => `> ${neutralise(line)}`)
    .join("\n");
}

/**
 * A code span that shows people's (or our) text exactly as written: entities are not decoded
 * inside code, so `<` stays `<` rather than `&lt;`. The fence is one backtick longer than the
 * longest run inside; line breaks become spaces; `<!` gets a zero-width space so no HTML comment
 * (and so no hidden marker) can be read out of the raw body; in a table cell `|` is escaped, which
 * GFM reads before the code span. A code span never pings or links anyone.
 */
export function codeSpan(value: unknown, options: { cell?: boolean; max?: number } = {}): string {
  const max = options.max ?? 1_000;
  const raw = value === undefined || value === null ? "" : String(value);
  let text = (raw.length > max ? `${raw.slice(0, max)}…` : raw).replace(/[\r\n\u2028\u2029]+/g, " ").replace(/<!/g, `<${ZWSP}!`);
  if (options.cell) text = text.replace(/\\?\|/g, "\\|");
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return text === "" ? "" : `${fence}${pad}${text}${pad}${fence}`;
}
