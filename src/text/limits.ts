/**
 * GitHub refuses an issue, pull request or comment body longer than 65,536 characters (422 "body
 * is too long (maximum is 65536 characters)"). Everything the app and the Action write goes
 * through `fitBody`: a body is a list of parts, some of which must stay whole (hidden markers,
 * headings, the closing lines) and some of which may be shortened (a list whose tail becomes
 * "… and N more", a long text cut with "… (cut, N characters more)"). When the whole is too
 * long, the shortenable parts share what the fixed parts leave, the shortest first, so one huge
 * part is cut and the small ones stay whole.
 *
 * Lengths are counted in UTF-16 code units (JavaScript's `length`); GitHub counts characters, of
 * which there are never more, so a body that fits here fits there. A cut never falls inside a
 * surrogate pair or an HTML comment (a hidden marker, or anything that would hide the rest of the
 * body), and a fenced code block left open by a cut is closed.
 *
 * No package does this (Markdown truncators cut one string to a length; none keeps markers and
 * shares a budget between parts), and it is small.
 */

export const GITHUB_BODY_LIMIT = 65_536;

/** A list whose tail may be dropped; `more(n)` replaces the `n` items dropped. */
export interface ListPart {
  kind: "list";
  items: readonly string[];
  more: (dropped: number) => string;
  separator: string;
}

/** A text that may be cut short; `at: "line"` cuts at a line's end (tables, lists). */
export interface TextPart {
  kind: "text";
  text: string;
  at: "character" | "line";
  note: (cut: number) => string;
}

/** A string part stays whole. */
export type BodyPart = string | ListPart | TextPart;

/** `1234` → `1,234`, the way people read counts. */
export const count = (n: number): string => n.toLocaleString("en-US");

export const defaultNote = (cut: number): string => `… (cut, ${count(cut)} characters more)`;

export function list(items: readonly string[], more: (dropped: number) => string = (n) => `… and ${count(n)} more`, separator = "\n"): ListPart {
  return { kind: "list", items, more, separator };
}

export function text(value: string, options: { at?: TextPart["at"]; note?: (cut: number) => string } = {}): TextPart {
  return { kind: "text", text: value, at: options.at ?? "character", note: options.note ?? defaultNote };
}

/** The kept parts alone are longer than the limit: a bug in what the caller keeps, never people's text. */
export class BodyLimitError extends Error {
  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super(`the parts of this body that must stay whole are ${count(length)} characters long, more than ${count(limit)}`);
    this.name = "BodyLimitError";
  }
}

const fullLength = (part: ListPart | TextPart): number =>
  part.kind === "text" ? part.text.length : part.items.reduce((sum, item, i) => sum + item.length + (i > 0 ? part.separator.length : 0), 0);

/** Fit `parts` into `limit` characters (GitHub's body limit by default). */
export function fitBody(parts: readonly BodyPart[], limit = GITHUB_BODY_LIMIT): string {
  let fixed = 0;
  const flexible: { index: number; size: number }[] = [];
  parts.forEach((part, index) => {
    if (typeof part === "string") fixed += part.length;
    else flexible.push({ index, size: fullLength(part) });
  });
  if (fixed > limit) throw new BodyLimitError(fixed, limit);
  const whole = () => parts.map((p) => (typeof p === "string" ? p : p.kind === "text" ? p.text : p.items.join(p.separator))).join("");
  if (fixed + flexible.reduce((sum, f) => sum + f.size, 0) <= limit) return whole();

  // Share what is left, smallest first: a part smaller than its share keeps all of it.
  const budgets = new Map<number, number>();
  let left = limit - fixed;
  const bySize = [...flexible].sort((a, b) => a.size - b.size);
  bySize.forEach((f, i) => {
    const share = Math.floor(left / (bySize.length - i));
    const budget = Math.min(f.size, share);
    budgets.set(f.index, budget);
    left -= budget;
  });
  return parts
    .map((part, index) => {
      if (typeof part === "string") return part;
      const budget = budgets.get(index)!;
      return part.kind === "text" ? fitText(part, budget) : fitList(part, budget);
    })
    .join("");
}

/** The first items that fit with the "more" line; items are never cut. */
function fitList(part: ListPart, budget: number): string {
  const { items, separator, more } = part;
  if (fullLength(part) <= budget) return items.join(separator);
  // Keeping k items (k < items.length: all of them do not fit) costs their length and the "more" line.
  let best = -1;
  let used = 0;
  for (let k = 0; k < items.length; k++) {
    if (used + (k > 0 ? separator.length : 0) + more(items.length - k).length <= budget) best = k;
    used += (k > 0 ? separator.length : 0) + items[k]!.length;
    if (used > budget) break;
  }
  if (best < 0) return "";
  return [...items.slice(0, best), more(items.length - best)].join(separator);
}

/** Cut a text so that it and its note fit `budget`. */
function fitText(part: TextPart, budget: number): string {
  const { text: value, at, note } = part;
  if (value.length <= budget) return value;
  // The note's length depends on how much is cut, which depends on the note: shrink until it fits.
  let room = budget;
  while (room > 0) {
    const end = safeCut(value, room, at);
    const closer = openFence(value.slice(0, end));
    const suffix = `${closer ? `\n${closer}` : ""}${at === "line" && end > 0 ? "\n" : ""}${note(value.length - end)}`;
    if (end + suffix.length <= budget) return value.slice(0, end) + suffix;
    room = Math.min(room - 1, budget - suffix.length);
  }
  const alone = note(value.length);
  return alone.length <= budget ? alone : "";
}

/** The largest end ≤ `max` that splits no surrogate pair, no HTML comment, and (for lines) no line. */
function safeCut(value: string, max: number, at: TextPart["at"]): number {
  let end = Math.max(0, Math.min(max, value.length));
  // The comments are found once, front to back; the rules below only move the end back, so the
  // comment that could hold it is found by walking this list backwards once (linear, whatever the
  // text: searching back and forth from the end at every step was quadratic on 1 MB of `<!--`).
  const comments = commentsBefore(value, end);
  let k = comments.length - 1;
  // Each rule only moves the end back; repeat until none moves it.
  for (;;) {
    let next = end;
    if (at === "line" && next < value.length && value[next] !== "\n") {
      const newline = value.lastIndexOf("\n", next);
      next = newline >= 0 ? newline : 0;
    }
    const code = value.charCodeAt(next - 1);
    if (next > 0 && code >= 0xd800 && code <= 0xdbff) next--;
    // An HTML comment open at the cut would hide everything after it, our note included.
    while (k >= 0 && comments[k]!.open + 4 > next) k--;
    if (k >= 0 && comments[k]!.end > next) next = comments[k]!.open;
    if (next === end) return end;
    end = next;
  }
}

/** The HTML comments that open before `end`, as HTML reads them: from `<!--` to the first `-->` after it. */
function commentsBefore(value: string, end: number): { open: number; end: number }[] {
  const spans: { open: number; end: number }[] = [];
  let open = value.indexOf("<!--");
  while (open !== -1 && open + 4 <= end) {
    const close = value.indexOf("-->", open + 4);
    if (close === -1) {
      spans.push({ open, end: Infinity });
      break;
    }
    spans.push({ open, end: close + 3 });
    open = value.indexOf("<!--", close + 3);
  }
  return spans;
}

// `[^]*` rather than `.*$`: `.` stops at U+2028, and `.*$` failing there made the fence run
// backtrack one character at a time (3 s for a line of 64,000 backticks and a U+2028).
const FENCE = /^ {0,3}(`{3,}|~{3,})([^]*)/;

/** The fence that closes a fenced code block left open at the end of `prefix`, if one is. */
export function openFence(prefix: string): string | undefined {
  let open: string | undefined;
  let start = 0;
  while (start <= prefix.length) {
    const newline = prefix.indexOf("\n", start);
    const line = prefix.slice(start, newline < 0 ? prefix.length : newline);
    const match = FENCE.exec(line);
    if (match) {
      const fence = match[1]!;
      if (open === undefined) {
        // A backtick fence's info string may not hold a backtick.
        if (!(fence[0] === "`" && match[2]!.includes("`"))) open = fence;
      } else if (fence[0] === open[0] && fence.length >= open.length && match[2]!.trim() === "") {
        open = undefined;
      }
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return open;
}

/** One text cut to `max` characters with a note, for views that show people's long texts. */
export function cutText(value: string, max: number, note: (cut: number) => string = defaultNote): string {
  return value.length <= max ? value : fitText(text(value, { note }), max);
}
