import { z } from "zod";
import type { Config, Status } from "../config/schema.js";
import { createHash } from "node:crypto";
import { commandParagraphs, mayHoldCommand } from "../text/markdown.js";

/**
 * Commands typed in comments (SPEC section 2). Each line that starts with a known `/name` is a
 * command; other `/words` belong to other bots and are left alone. Only what a reader sees is read
 * (src/text/markdown.ts): nothing in code, HTML, comments or block quotes is a command.
 */

/** `/problem #45` names an existing problem record; `/problem new <title>` opens one (src/problems/). */
export type ProblemRef = { kind: "number"; number: number } | { kind: "new"; title: string };

export type CauseRef = { kind: "pull"; number: number } | { kind: "sha"; sha: string };

export type Command =
  | { name: "incident"; severity?: string; security: boolean; title?: string }
  | { name: "ack" }
  | { name: "severity"; severity: string }
  | { name: "status"; status: Status }
  | { name: "role"; role: string; user: string }
  | { name: "update"; text: string; internal: boolean }
  | { name: "decline"; reason?: string }
  | { name: "timeline"; at: string; start: boolean; text: string }
  | { name: "cause"; ref: CauseRef; /** The repository a URL or `owner/name@sha` names (`owner/name`). */ repo?: string }
  | { name: "summary"; text: string }
  | { name: "impact"; text: string }
  | { name: "followup"; title: string; owner?: string }
  | { name: "problem"; ref: ProblemRef }
  | { name: "postmortem" }
  | { name: "allow-deploy"; ref: CauseRef; reason?: string; /** The repository a URL or `owner/name@sha` names (`owner/name`). */ repo?: string }
  | { name: "help" };

export type ParsedCommand =
  | { ok: true; line: string; command: Command }
  | { ok: false; line: string; name: string; error: string; usage: string };

export const USAGE: Record<string, string> = {
  incident: "/incident [sev1-4] [security] [title]",
  ack: "/ack",
  sev: "/sev 1 … /sev 4 (or /severity sev2)",
  status: "/status investigating|identified|mitigated|monitoring|resolved",
  mitigated: "/mitigated",
  resolve: "/resolve",
  commander: "/commander @user",
  role: "/role comms @user",
  update: "/update <text for stakeholders>",
  timeline: "/timeline [HH:MM or ISO 8601] <text>, or /timeline start <time>",
  cause: "/cause #123 or /cause <commit sha>",
  summary: "/summary <one paragraph>",
  impact: "/impact <who and what was affected>",
  followup: "/followup <title> [@owner]",
  problem: "/problem #45 (link to a problem record), or /problem new <title>",
  postmortem: "/postmortem",
  decline: "/decline [reason]",
  "allow-deploy": "/allow-deploy <commit sha or #pr> [reason]",
  help: "/help",
};

const ALIASES: Record<string, string> = {
  severity: "sev",
  ic: "commander",
  resolved: "resolve",
  monitoring: "mitigated",
  "follow-up": "followup",
  "post-mortem": "postmortem",
};

export const COMMAND_NAMES = Object.keys(USAGE);
const KNOWN = new Set([...COMMAND_NAMES, ...Object.keys(ALIASES)]);

const STATUS_WORDS: Record<string, Status> = {
  investigating: "investigating",
  identified: "identified",
  mitigated: "mitigated",
  monitoring: "mitigated",
  resolved: "resolved",
};

const userArg = z
  .string()
  .regex(/^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "name a user as @login" })
  .transform((value) => value.slice(1));
const textArg = (what: string) => z.string().trim().min(1, { message: `${what} is missing` }).max(10_000);

class CommandError extends Error {}

const check = <T>(schema: z.ZodType<T>, value: unknown): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw new CommandError(result.error.issues[0]?.message ?? "invalid");
  return result.data;
};

export interface ParseContext {
  /** When the comment was written: `/timeline 14:05` means 14:05 UTC on that day. */
  at: string;
  config: Pick<Config, "severities" | "roles">;
}

/** Resolve `1`, `sev1`, `SEV1` or a custom severity name/label to the configured severity's name. */
export function matchSeverity(config: Pick<Config, "severities">, word: string): string | undefined {
  const w = word.trim().toLowerCase();
  const byName = config.severities.find((s) => s.name.toLowerCase() === w || s.label.toLowerCase() === w);
  if (byName) return byName.name;
  if (/^\d+$/.test(w)) {
    const numbered = config.severities.find((s) => s.name.toLowerCase() === `sev${w}`);
    if (numbered) return numbered.name;
    return config.severities[Number(w) - 1]?.name;
  }
  return undefined;
}

const severityList = (config: Pick<Config, "severities">) => config.severities.map((s) => s.name).join(", ");

/** `HH:MM` (UTC, on the day the comment was written, or the day before if that is still ahead) or ISO 8601. */
export function parseTimelineTime(word: string, commentAt: string): string | undefined {
  const hhmm = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(word);
  if (hhmm) {
    const base = new Date(commentAt);
    const at = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate(), Number(hhmm[1]), Number(hhmm[2])));
    if (at.getTime() > base.getTime()) at.setUTCDate(at.getUTCDate() - 1);
    return at.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(word)) {
    const ms = Date.parse(word);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  return undefined;
}

/** `#123`, `GH-123` or a pull request URL; a commit sha (7 to 40 hex digits, `owner@sha`) or a commit URL. */
function changeRef(ref: string): CauseRef | undefined {
  const pull = /^(?:#|GH-)(\d{1,9})$/i.exec(ref) ?? /\/pull\/(\d{1,9})\/?$/.exec(ref);
  if (pull) return { kind: "pull", number: Number(pull[1]) };
  const sha = /^(?:[^@\s]+@)?([0-9a-f]{7,40})$/i.exec(ref) ?? /\/commit\/([0-9a-f]{7,40})\/?$/i.exec(ref);
  if (sha) return { kind: "sha", sha: sha[1]!.toLowerCase() };
  return undefined;
}

/** The repository a change reference names, if it names one: a URL `…/owner/name/pull/12`, `owner/name#12`, `owner/name@sha`. */
function namedRepo(ref: string): string | undefined {
  const m = /\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/(?:pull|commit)\/[0-9a-f]+\/?$/i.exec(ref) ?? /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)[#@]/.exec(ref);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function parseOne(name: string, args: string, ctx: ParseContext): Command {
  const words = args.split(/\s+/).filter(Boolean);
  switch (name) {
    case "incident": {
      let severity: string | undefined;
      let security = false;
      let rest = [...words];
      while (rest.length > 0) {
        const first = rest[0]!;
        const sev = /^sev\d+$/i.test(first) || ctx.config.severities.some((s) => s.name === first.toLowerCase()) ? matchSeverity(ctx.config, first) : undefined;
        if (severity === undefined && /^sev\d+$/i.test(first) && sev === undefined) {
          throw new CommandError(`"${first}" is not a severity (${severityList(ctx.config)})`);
        }
        if (severity === undefined && sev !== undefined) severity = sev;
        else if (!security && first.toLowerCase() === "security") security = true;
        else break;
        rest = rest.slice(1);
      }
      const title = rest.join(" ").trim();
      return { name, security, ...(severity ? { severity } : {}), ...(title ? { title: title.slice(0, 256) } : {}) };
    }
    case "ack":
    case "postmortem":
    case "help":
      return { name };
    case "mitigated":
      return { name: "status", status: "mitigated" };
    case "resolve":
      return { name: "status", status: "resolved" };
    case "sev": {
      const word = check(z.string({ message: "say which severity" }), words[0]);
      const severity = matchSeverity(ctx.config, word);
      if (!severity || words.length > 1) throw new CommandError(`"${args.trim()}" is not a severity (${severityList(ctx.config)})`);
      return { name: "severity", severity };
    }
    case "status": {
      const word = (words[0] ?? "").toLowerCase();
      const status = STATUS_WORDS[word];
      if (!status || words.length > 1) {
        throw new CommandError(`${word ? `"${args.trim()}" is not a status` : "say which status"} (${Object.keys(STATUS_WORDS).join(", ")})`);
      }
      return { name: "status", status };
    }
    case "commander": {
      if (words.length !== 1) throw new CommandError("name exactly one user, as @login");
      return { name: "role", role: "commander", user: check(userArg, words[0]) };
    }
    case "role": {
      const role = (words[0] ?? "").toLowerCase();
      if (!ctx.config.roles.includes(role)) {
        throw new CommandError(`${role ? `"${role}" is not a role` : "say which role"} (${ctx.config.roles.join(", ")})`);
      }
      if (words.length !== 2) throw new CommandError("name exactly one user, as @login");
      return { name: "role", role, user: check(userArg, words[1]) };
    }
    case "update": {
      // `/update internal …`: for the responders only (not the status page or other stakeholders).
      const internal = /^internal(?:[ \t\n]|$)/i.test(args.trim());
      return { name, internal, text: check(textArg("the update's text"), internal ? args.trim().slice(8) : args) };
    }
    case "decline": {
      const reason = args.trim().replace(/\s+/g, " ").slice(0, 500);
      return { name, ...(reason ? { reason } : {}) };
    }
    case "summary":
      return { name, text: check(textArg("the summary"), args) };
    case "impact":
      return { name, text: check(textArg("the impact statement"), args) };
    case "timeline": {
      let rest = args.trim();
      const start = /^start\b/i.test(rest);
      if (start) rest = rest.slice(5).trim();
      const first = rest.split(/\s+/)[0] ?? "";
      let at = parseTimelineTime(first, ctx.at);
      if (at) rest = rest.slice(first.length).trim();
      else if (/^\d{1,2}:\d{2}$|^\d{4}-\d{2}-\d{2}/.test(first)) {
        throw new CommandError(`"${first}" is not a time: write HH:MM (UTC) or ISO 8601 such as 2026-03-02T14:05Z`);
      }
      if (start) {
        if (!at) throw new CommandError("say when the impact started: /timeline start 14:05");
        return { name, at, start: true, text: rest || "Impact started" };
      }
      at ??= ctx.at;
      return { name, at, start: false, text: check(textArg("the entry's text"), rest) };
    }
    case "cause": {
      const ref = words[0] ?? "";
      if (words.length !== 1) throw new CommandError("name one pull request (#123) or one commit sha");
      const found = changeRef(ref);
      const repo = namedRepo(ref);
      if (found) return { name, ref: found, ...(repo ? { repo } : {}) };
      throw new CommandError(`"${ref}" is neither a pull request (#123) nor a commit sha`);
    }
    case "allow-deploy": {
      // A deployment the commander lets through the change freeze (SPEC section 9): one commit or pull request.
      const ref = changeRef(words[0] ?? "");
      if (!ref) throw new CommandError(words[0] ? `"${words[0]}" is neither a pull request (#123) nor a commit sha` : "name the commit (sha) or the pull request (#123) to let through");
      const reason = args.trim().slice(words[0]!.length).trim().replace(/\s+/g, " ").slice(0, 500);
      const repo = namedRepo(words[0]!);
      return { name, ref, ...(reason ? { reason } : {}), ...(repo ? { repo } : {}) };
    }
    case "followup": {
      const owner = /\s@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\s*$/.exec(` ${args}`);
      const title = (owner ? ` ${args}`.slice(0, owner.index) : args).trim();
      check(textArg("the follow-up's title"), title);
      return { name, title: title.slice(0, 256), ...(owner ? { owner: owner[1]! } : {}) };
    }
    case "problem": {
      const rest = args.trim();
      const number = /^(?:#|GH-)?(\d{1,9})$/i.exec(rest) ?? /\/issues\/(\d{1,9})\/?$/.exec(rest);
      if (number) return { name, ref: { kind: "number", number: Number(number[1]) } };
      const fresh = /^new(?:[ \t]+|$)/i.exec(rest);
      if (fresh) {
        const title = rest.slice(fresh[0].length).replace(/\s+/g, " ").trim();
        check(textArg("the problem's title"), title);
        return { name, ref: { kind: "new", title: title.slice(0, 256) } };
      }
      throw new CommandError(rest ? `"${rest.slice(0, 60)}" names no problem: write /problem #45 or /problem new <title>` : "say which problem: /problem #45 or /problem new <title>");
    }
    default:
      throw new CommandError("unknown command");
  }
}

/** Text commands (`/update`, `/summary`, `/impact`, `/timeline`) run to the end of their paragraph. */
const MULTILINE = new Set(["update", "summary", "impact", "timeline"]);

/**
 * Parsed comments, per configuration, by the comment's time and a digest of its text: every
 * delivery for an incident reads all its comments again, and a long comment (a refused one of
 * thousands of command lines included) must not cost its parse each time.
 */
const parsed = new Map<string, ParsedCommand[]>();
const PARSED_ENTRIES = 1_000;

export function parseCommands(body: string, ctx: ParseContext): ParsedCommand[] {
  if (!mayHoldCommand(body)) return [];
  // What parsing depends on: the severities and roles (each delivery has its own copy of the configuration).
  const settings = ctx.config.severities.map((v) => `${v.name}=${v.label}`).join(",") + "|" + ctx.config.roles.join(",");
  const text = body.length <= 1_024 ? body : createHash("sha256").update(body).digest("base64");
  const key = `${settings}\n${ctx.at}\n${text}`;
  const known = parsed.get(key);
  if (known) return known;
  const result = parseFresh(body, ctx);
  if (parsed.size >= PARSED_ENTRIES) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, result);
  return result;
}

function parseFresh(body: string, ctx: ParseContext): ParsedCommand[] {
  const out: ParsedCommand[] = [];
  for (const lines of commandParagraphs(body)) {
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const match = COMMAND_LINE.exec(raw);
      if (!match) continue;
      const typed = match[1]!.toLowerCase();
      if (!KNOWN.has(typed)) continue;
      const name = ALIASES[typed] ?? typed;
      let args = raw.slice(match[0].length).trim();
      if (MULTILINE.has(name)) {
        // To the end of the paragraph, or the next command.
        while (i + 1 < lines.length && !isCommandLine(lines[i + 1]!)) args += `\n${lines[++i]!.trim()}`;
        args = args.trim();
      }
      const line = raw.trim();
      try {
        out.push({ ok: true, line, command: parseOne(name, args, ctx) });
      } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        out.push({ ok: false, line, name, error: error.message, usage: USAGE[name] ?? `/${name}` });
      }
    }
  }
  return out;
}

/** `/name` at the start of a visible line (its leading blanks are already gone); bounded, no backtracking. */
const COMMAND_LINE = /^[ \t]*\/([A-Za-z][A-Za-z-]{0,30})(?![A-Za-z-])/;

function isCommandLine(line: string): boolean {
  const match = COMMAND_LINE.exec(line);
  return match !== null && KNOWN.has(match[1]!.toLowerCase());
}
