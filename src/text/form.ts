import { normalise } from "./markdown.js";

/**
 * The answers of a submitted GitHub issue form. GitHub writes the body as one section per field,
 * in the form's order: `### <label>`, a blank line, the answer, and `_No response_` for a field
 * left empty. The incident form (src/incident/declaration.ts) and the maintenance form
 * (src/maintenance/parse.ts) are read here.
 *
 * Ours rather than @github/issue-parser: its section expression (`### *(.*?)\s*[\r\n]+([\s\S]*?)
 * (?=\n?###|\n?$)`) is tried from every `###` and every lazy step looks ahead, so it is quadratic:
 * 2.9 s on a 116 kB body and 14 s on 232 kB of hostile text. This is one pass over the lines.
 *
 * - A section starts at a `### ` heading line (at most three spaces before it, as CommonMark
 *   allows); the first section of a label wins, so a `### Severity` typed into a later answer
 *   cannot replace the real one.
 * - A `###` line inside a fenced code block or an HTML comment is no heading: GitHub shows it as
 *   code or not at all, and the app acts only on what readers see.
 * - Labels are compared by key: lower case, runs of anything but letters and digits as one `-`
 *   (`Started at` → `started-at`), the way GitHub makes a field's id.
 */

/** Raw answers by field key, in the order the form gives them. */
export type FormAnswers = ReadonlyMap<string, string>;

/** `Started at` → `started-at`. */
export function fieldKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The sections of `body`; empty when it has no `### ` heading. Linear in the body's length. */
export function readForm(body: string | null | undefined): FormAnswers {
  const fields = new Map<string, string>();
  if (!body || body.indexOf("###") === -1) return fields;
  const text = normalise(body);
  let current: string | undefined;
  let from = 0;
  // Inside a fence: its character and length; inside an HTML comment: true.
  let fence: { char: string; length: number } | undefined;
  let comment = false;
  const close = (end: number) => {
    if (current !== undefined && !fields.has(current)) fields.set(current, text.slice(from, end).trim());
  };
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    if (comment) {
      if (line.includes("-->")) comment = false;
    } else if (fence) {
      const closer = fenceAt(line);
      if (closer && closer.char === fence.char && closer.length >= fence.length && closer.info.trim() === "") fence = undefined;
    } else {
      const indent = leadingSpaces(line);
      const opener = fenceAt(line);
      if (opener && !(opener.char === "`" && opener.info.includes("`"))) {
        fence = { char: opener.char, length: opener.length };
      } else if (indent <= 3 && line.startsWith("<!--", indent)) {
        comment = !line.includes("-->", indent + 4);
      } else if (indent <= 3 && line.startsWith("###", indent) && (line.length === indent + 3 || line[indent + 3] === " " || line[indent + 3] === "\t")) {
        close(start);
        current = fieldKey(line.slice(indent + 3));
        from = end;
      }
    }
    start = end + 1;
  }
  close(text.length);
  return fields;
}

/** What people leave in a field they did not fill in: nothing. */
const EMPTY = new Set(["", "_No response_", "None"]);

/** The first of `keys` that holds an answer (`_No response_` is none), trimmed. */
export function formAnswer(form: FormAnswers, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = form.get(key)?.trim();
    if (value !== undefined && !EMPTY.has(value)) return value;
  }
  return undefined;
}

const leadingSpaces = (line: string): number => {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 0x20) i++;
  return i;
};

/** A fence line (at most three spaces, then three or more backticks or tildes) and what follows it. */
function fenceAt(line: string): { char: string; length: number; info: string } | undefined {
  const indent = leadingSpaces(line);
  if (indent > 3) return undefined;
  const char = line[indent];
  if (char !== "`" && char !== "~") return undefined;
  let i = indent;
  while (line[i] === char) i++;
  return i - indent >= 3 ? { char, length: i - indent, info: line.slice(i) } : undefined;
}
