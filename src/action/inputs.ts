import { z } from "zod";
import { DEFAULT_CONFIG_PATH } from "../config/load.js";

/**
 * The Action's inputs (action.yml), read as the runner hands them over (strings, "" when unset)
 * and validated once. Each message says what to write instead.
 */
export const COMMANDS = ["auto", "postmortem", "problems", "escalate", "report", "handle", "statuspage"] as const;
export type ActionCommand = (typeof COMMANDS)[number];

const commandName = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase() || "auto")
  .pipe(z.enum(COMMANDS, { error: (issue) => `unknown command "${String(issue.input)}": use one of ${COMMANDS.join(", ")}` }));

const issueNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/^#/, ""))
  .refine((s) => s === "" || /^[1-9]\d{0,9}$/.test(s), { message: "must be an issue number such as 42" })
  .transform((s) => (s === "" ? undefined : Number(s)));

const flag = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase())
  .refine((s) => ["", "true", "false", "yes", "no", "1", "0"].includes(s), { message: "must be true or false" })
  .transform((s) => s === "true" || s === "yes" || s === "1");

export const inputsSchema = z.object({
  command: commandName,
  issue: issueNumber,
  token: z.string().trim().min(1, { message: "is empty: pass `token: ${{ github.token }}` (the default) or a token with issues, contents and pull-requests write access" }),
  config: z
    .string()
    .trim()
    .transform((s) => s || DEFAULT_CONFIG_PATH),
  since: z
    .string()
    .trim()
    .transform((s) => (s === "" ? undefined : s)),
  "dry-run": flag,
  "report-path": z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined)),
  app: z
    .string()
    .trim()
    .optional()
    .refine((s) => !s || /^[a-z0-9][a-z0-9-]{0,33}(\[bot\])?$/i.test(s), { message: "must be the slug of the GitHub App that runs beside this Action, such as incident-desk" })
    .transform((s) => (s ? (s.endsWith("[bot]") ? s : `${s}[bot]`) : undefined)),
  "statuspage-dir": z
    .string()
    .trim()
    .optional()
    .transform((s) => s || "_site"),
  /** `escalate`: its memory between runs (a file of the workspace the workflow caches); "" for none. */
  "state-file": z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined)),
});

export type ActionInputs = z.output<typeof inputsSchema>;
export const INPUT_NAMES = Object.keys(inputsSchema.shape) as (keyof typeof inputsSchema.shape)[];

/** Parse the raw inputs; a problem becomes one line naming the input. */
export function parseInputs(raw: Record<string, string>): ActionInputs {
  const result = inputsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "input");
  throw new InputError(`input \`${name}\` ${issue.message.replace(/^Invalid input: /, "")}`);
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
