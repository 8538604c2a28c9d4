import { commandParagraphs } from "../text/markdown.js";
import { parseLooseInstant } from "../incident/declaration.js";
import { parseDuration } from "../time/duration.js";
import { formAnswer, readForm } from "../text/form.js";

/**
 * What people write to declare a maintenance window, as pure parsers: the fields of the issue
 * form `.github/ISSUE_TEMPLATE/maintenance.yml` (Services, Starts, Ends, Description), and the
 * command `/maintenance <start> <end> <service…>`.
 */
export interface WindowDeclaration {
  starts?: string;
  ends?: string;
  services: string[];
  description?: string;
  /** What is wrong with it, in words for the card. */
  problems: string[];
}

export type MaintenanceCommand =
  | { ok: true; line: string; window: { starts: string; ends: string; services: string[] } }
  /** `/maintenance` alone: someone who may command confirms the window the issue form describes. */
  | { ok: true; line: string; confirm: true }
  | { ok: false; line: string; error: string };

export const MAINTENANCE_USAGE = "/maintenance <start> <end> <service…> — times in ISO 8601 (2026-03-10T02:00Z), the end may be a duration (2h)";

/** A service name as configured: short, no spaces, nothing that could form Markdown or a mention. */
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** At most this many services per window: what the card and the reminders list stays short. */
export const MAX_SERVICES = 50;

/** `checkout, search` or `checkout search` or one per line; a leading `-` of a list is allowed. */
export function parseServiceList(text: string): { services: string[]; invalid: number } {
  const services: string[] = [];
  let invalid = 0;
  for (const word of text.split(/[\s,;]+/)) {
    // By hand: `/`+$/` tried from every backtick of a long run was quadratic (3 s on 64 kB).
    let from = 0;
    let to = word.length;
    while (from < to && (word[from] === "-" || word[from] === "*" || word[from] === "`")) from++;
    while (to > from && word[to - 1] === "`") to--;
    const w = word.slice(from, to);
    if (!w) continue;
    if (SERVICE.test(w) && services.length < MAX_SERVICES) {
      if (!services.some((s) => s.toLowerCase() === w.toLowerCase())) services.push(w);
    } else invalid++;
  }
  return { services, invalid };
}

/** Times of a window: ISO 8601 (UTC when no offset is given); the end may also be a duration after the start. */
export function parseWindowTimes(startText: string, endText: string): { starts?: string; ends?: string; problems: string[] } {
  const problems: string[] = [];
  const starts = parseLooseInstant(startText);
  if (!starts) problems.push("the start is not a date and time such as 2026-03-10 02:00 (UTC) or 2026-03-10T02:00:00+01:00");
  let ends = parseLooseInstant(endText);
  if (!ends && starts && /^\d+(?:\.\d+)?\s*[mhdw]$/.test(endText.trim())) {
    ends = new Date(Date.parse(starts) + parseDuration(endText.trim())).toISOString();
  }
  if (!ends) problems.push("the end is not a date and time (or a duration such as 2h)");
  if (starts && ends && Date.parse(ends) <= Date.parse(starts)) problems.push("the end is not after the start");
  return { ...(starts ? { starts } : {}), ...(ends ? { ends } : {}), problems };
}

/** The issue form's fields; nothing when the body is not a form with at least one of them. */
export function parseMaintenanceForm(body: string): WindowDeclaration | undefined {
  // src/text/form.ts: one pass, first of each label wins (a later `### Starts` typed into the
  // description cannot replace the real one).
  const form = readForm(body);
  if (form.size === 0) return undefined;
  const servicesText = formAnswer(form, "services", "service", "components");
  const startText = formAnswer(form, "starts", "starts-at", "start");
  const endText = formAnswer(form, "ends", "ends-at", "end");
  const description = formAnswer(form, "description", "details");
  if (servicesText === undefined && startText === undefined && endText === undefined) return undefined;
  const problems: string[] = [];
  const { services, invalid } = parseServiceList(servicesText ?? "");
  if (invalid > 0) problems.push(`${invalid} of the services listed is not a service name (letters, digits, \`-\`, \`_\`, \`.\`; at most ${MAX_SERVICES})`);
  if (services.length === 0) problems.push("no service is named");
  if (startText === undefined) problems.push("the start is missing");
  if (endText === undefined) problems.push("the end is missing");
  const times = startText !== undefined && endText !== undefined ? parseWindowTimes(startText, endText) : { problems: [] };
  return {
    ...(times.starts ? { starts: times.starts } : {}),
    ...(times.ends ? { ends: times.ends } : {}),
    services,
    ...(description ? { description } : {}),
    problems: [...problems, ...times.problems],
  };
}

const COMMAND = /^\/maintenance(?=\s|$)(.*)$/i;

/**
 * `/maintenance` lines of the text a reader sees: paragraphs at the top level of the Markdown
 * (a real CommonMark parser, so nothing in code, quotes, HTML or comments counts). Linear in the
 * body's length.
 */
export function parseMaintenanceCommands(body: string): MaintenanceCommand[] {
  // Most bodies have no such line: the Markdown parser runs only when one might be a command.
  if (!/^[ \t]{0,3}\/maintenance\b/im.test(body)) return [];
  const out: MaintenanceCommand[] = [];
  // Visible lines only (src/text/markdown.ts), as for every other command.
  for (const lines of commandParagraphs(body)) {
    for (const raw of lines) {
      const match = COMMAND.exec(raw.trim());
      if (!match) continue;
      const line = raw.trim();
      const words = match[1]!.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) {
        out.push({ ok: true, line, confirm: true });
        continue;
      }
      if (words.length < 3) {
        out.push({ ok: false, line, error: "give a start, an end and at least one service" });
        continue;
      }
      const times = parseWindowTimes(words[0]!, words[1]!);
      const { services, invalid } = parseServiceList(words.slice(2).join(" "));
      const problems = [...times.problems, ...(invalid > 0 ? ["a service name may hold only letters, digits, `-`, `_` and `.`"] : [])];
      if (problems.length > 0 || !times.starts || !times.ends) out.push({ ok: false, line, error: problems.join("; ") });
      else out.push({ ok: true, line, window: { starts: times.starts, ends: times.ends, services } });
    }
  }
  return out;
}
