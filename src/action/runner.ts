import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import * as core from "@actions/core";
import { ConfigError, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { errorStatus, parseRepo, type GitHub } from "../github/client.js";
import { ACTIONS_BOT, identify } from "../trust.js";
import { reconcileIssue, reportConfigError } from "../incident/handle.js";
import type { IncidentState } from "../incident/state.js";
import { generatePostmortem } from "../postmortem/generate.js";
import { openProblemTickets } from "../problems/tickets.js";
import { redact } from "../postmortem/redact.js";
import { runReport } from "../report/run.js";
import { runStatuspage } from "../statuspage/run.js";
import { escalateSummary, runEscalate } from "../oncall/escalate.js";
import { remindersSummary, runMaintenanceReminders } from "../maintenance/remind.js";
import { fileMemory } from "../oncall/memory.js";
import { settleNotifications } from "../notify/send.js";
import { chooseCommands, type WorkCommand } from "./auto.js";
import { UsageError, type CommandContext, type CommandResult, type OutputName } from "./context.js";
import { eventIssue, readEnvironment } from "./environment.js";
import { runHandle } from "./handle.js";
import { INPUT_NAMES, parseInputs } from "./inputs.js";
import { buildOctokit, type OctokitSettings } from "./octokit.js";
import { problemsSummary, postmortemSummary } from "./summary.js";

/**
 * The Action: read the inputs and the runner's environment, pick the command(s), run them, and
 * report outputs and a job summary. This is the only place that catches: any error fails the
 * step with one line (core.setFailed), it is never only logged.
 */
export interface RunOptions {
  /** Tests: an in-process fetch (the simulator), faster retries, an injected clock. */
  fetch?: typeof fetch;
  octokit?: Partial<Pick<OctokitSettings, "retryBaseMs" | "writeSpacingMs" | "searchSpacingMs" | "maxRetryAfterS" | "coordination" | "sleep">>;
  /** Benchmarks: another client in place of buildOctokit (bench/client.ts compares two). */
  client?: (settings: OctokitSettings) => GitHub;
}

interface RunnerOptions {
  whenResolved: boolean;
  /** A `/postmortem` comment asked: it counts only if its author may command (commands.permission). */
  commentId?: number;
}

type Runner = (ctx: CommandContext, options: RunnerOptions) => Promise<CommandResult>;

/** The last check an auto run makes on the incident's state before writing. */
function autoCheck(command: string, { whenResolved, commentId }: RunnerOptions): ((state: IncidentState) => boolean) | undefined {
  if (commentId !== undefined) {
    return (state) => state.commands.some((c) => c.commentId === commentId && c.applied.some((a) => a.name === command));
  }
  return whenResolved ? (state) => state.status === "resolved" : undefined;
}

const needIssue = (ctx: CommandContext, command: string): number => {
  if (ctx.issue !== undefined) return ctx.issue;
  throw new UsageError(`the \`${command}\` command needs an incident: set the input \`issue\` (for example \`issue: 42\`), or run it on an issues or issue_comment event`);
};

/** Skip work an auto run asked for when the incident's state does not bear it out. */
const skipped = (command: string, number: number, options: RunnerOptions): CommandResult => ({
  outputs: {},
  summary:
    options.commentId !== undefined
      ? `Skipped \`${command}\`: the comment's author may not run commands on incident #${number}.`
      : `Skipped \`${command}\`: incident #${number} is not resolved.`,
});

const RUNNERS: Record<WorkCommand, Runner> = {
  postmortem: async (ctx, options) => {
    const number = needIssue(ctx, "postmortem");
    const generated = await generatePostmortem(ctx, number, autoCheck("postmortem", options));
    if (!generated) return skipped("postmortem", number, options);
    const { result } = generated;
    return {
      outputs: {
        "postmortem-path": result.path,
        ...(result.pullRequest !== undefined ? { "pull-request": String(result.pullRequest) } : {}),
      },
      summary: postmortemSummary(generated, ctx.dryRun),
    };
  },
  problems: async (ctx, options) => {
    const number = needIssue(ctx, "problems");
    const opened = await openProblemTickets(ctx, number, autoCheck("problems", options));
    if (!opened) return skipped("problems", number, options);
    // The card lists the tickets: bring it up to date now rather than at the next event.
    if (!ctx.dryRun && opened.tickets.some((t) => t.action !== "exists")) {
      await reconcileIssue({ github: ctx.github, log: ctx.log, configPath: ctx.configPath }, ctx.repo, number, { kind: "issue" });
    }
    const numbers = opened.tickets.flatMap((t) => (t.number !== undefined ? [t.number] : []));
    return { outputs: { "problem-issues": JSON.stringify(numbers) }, summary: problemsSummary(opened, ctx.dryRun) };
  },
  handle: (ctx) => runHandle(ctx),
  // Dispatch points for the commands other modules provide (src/oncall/escalate.ts, src/report/).
  escalate: async (ctx) => {
    const memory = ctx.stateFile ? fileMemory(ctx.stateFile, ctx.log) : undefined;
    const result = await runEscalate({ github: ctx.github, repo: ctx.repo, config: ctx.config, log: ctx.log, dryRun: ctx.dryRun, ...(memory ? { memory } : {}) });
    // Maintenance windows follow the same schedule: cards follow the clock, start and end are announced.
    const reminders = await runMaintenanceReminders({ github: ctx.github, repo: ctx.repo, config: ctx.config, log: ctx.log, dryRun: ctx.dryRun });
    return { outputs: {}, summary: [escalateSummary(result, ctx.dryRun), remindersSummary(reminders)].filter(Boolean).join("\n\n") };
  },
  report: (ctx) => runReport(ctx),
  statuspage: (ctx) => runStatuspage(ctx),
};

/**
 * Problem tickets before the post-mortem, so that the post-mortem's follow-ups link their
 * tickets from its first version (SPEC lists them the other way round; the outcome is the same).
 */
const ORDER: WorkCommand[] = ["handle", "problems", "postmortem", "escalate", "report", "statuspage"];

export async function main(options: RunOptions = {}): Promise<CommandResult> {
  const inputs = parseInputs(Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name)])));
  const env = readEnvironment(process.env);
  const repo = parseRepo(env.GITHUB_REPOSITORY);
  const log = { info: core.info, warn: core.warning, error: core.error };
  const github = (options.client ?? buildOctokit)({ token: inputs.token, baseUrl: env.GITHUB_API_URL, log, ...options.octokit, ...(options.fetch ? { fetch: options.fetch } : {}) });
  identify(github, async () => ({ self: await tokenOwner(github), companions: inputs.app ? [inputs.app] : [] }));
  const issue = inputs.issue ?? eventIssue(env.payload);

  let config: Config;
  try {
    config = await loadConfig(github, repo, inputs.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Tell the people on the issue too, once, as the app does; the step fails either way. Not
    // from `report`, which writes nothing to GitHub (read permissions are enough for it).
    if (issue !== undefined && !inputs["dry-run"] && inputs.command !== "auto" && inputs.command !== "report" && inputs.command !== "statuspage") {
      await reportConfigError({ github, log }, repo, issue, error);
    }
    throw new UsageError(`invalid configuration: ${error.message}`);
  }

  let commands: WorkCommand[];
  let auto: RunnerOptions = { whenResolved: false };
  let target = issue;
  if (inputs.command === "auto") {
    const choice = chooseCommands(env.GITHUB_EVENT_NAME, env.payload, config);
    core.info(`auto: ${choice.reason}`);
    if (choice.commands.length === 0 && env.GITHUB_EVENT_NAME === "workflow_dispatch") throw new UsageError(choice.reason);
    commands = choice.commands;
    auto = { whenResolved: choice.whenResolved ?? false, ...(choice.commentId !== undefined ? { commentId: choice.commentId } : {}) };
    target = inputs.issue ?? choice.issue ?? issue;
    if (commands.length === 0) return { outputs: {}, summary: `incident-desk: nothing to do (${choice.reason}).` };
    const unknown = commands.find((c) => !(c in RUNNERS));
    if (unknown) throw new UsageError(`unknown command "${unknown}" from workflow_dispatch: use one of ${Object.keys(RUNNERS).join(", ")}`);
  } else {
    commands = [inputs.command];
  }

  const ctx: CommandContext = {
    github,
    repo,
    config,
    configPath: inputs.config,
    ...(target !== undefined ? { issue: target } : {}),
    ...(inputs.since !== undefined ? { since: inputs.since } : {}),
    ...(inputs["report-path"] !== undefined ? { reportPath: inputs["report-path"] } : {}),
    statuspageDir: inputs["statuspage-dir"],
    // Only on a runner (GITHUB_WORKSPACE), where the workflow can carry the file between runs.
    ...(inputs["state-file"] !== undefined && process.env.GITHUB_WORKSPACE ? { stateFile: resolve(process.env.GITHUB_WORKSPACE, inputs["state-file"]) } : {}),
    dryRun: inputs["dry-run"],
    event: { name: env.GITHUB_EVENT_NAME, payload: env.payload, id: `actions-run-${env.GITHUB_RUN_ID ?? "local"}` },
    log,
  };
  const outputs: CommandResult["outputs"] = {};
  const summaries: string[] = [];
  for (const command of ORDER.filter((c) => commands.includes(c))) {
    core.info(`incident-desk: ${command}${ctx.issue !== undefined ? ` #${ctx.issue}` : ""}${ctx.dryRun ? " (dry run: nothing is written)" : ""}`);
    const result = await RUNNERS[command](ctx, auto);
    Object.assign(outputs, result.outputs);
    summaries.push(result.summary);
  }
  // Notifications go out in the background; the step must not end before they have.
  await settleNotifications();
  return { outputs, summary: summaries.join("\n\n") };
}

/**
 * The account the token writes as: a personal token's user; otherwise (a workflow's token, an app's
 * installation token, which GitHub does not tell their owner) the workflow's `github-actions[bot]`.
 */
async function tokenOwner(github: GitHub): Promise<string> {
  try {
    return (await github.rest.users.getAuthenticated()).data.login;
  } catch (error) {
    if (errorStatus(error) === 403 || errorStatus(error) === 401) return ACTIONS_BOT;
    throw error;
  }
}

export async function run(options: RunOptions = {}): Promise<void> {
  try {
    const result = await main(options);
    for (const [name, value] of Object.entries(result.outputs) as [OutputName, string][]) core.setOutput(name, value);
    // Appended directly rather than through core.summary, which remembers the first file it saw
    // for the life of the process. Summaries quote titles and tickets: redacted like the rest.
    const summary = redact(result.summary);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) appendFileSync(summaryFile, `${summary}\n`);
    else core.info(summary);
  } catch (error) {
    core.setFailed(describeError(error));
  }
}

/**
 * One line for the step's failure. GitHub's own errors say only "Server Error"; name the request
 * and say what a re-run does, since every command picks up where a failed run stopped.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { status?: unknown }).status;
  const request = (error as { request?: { method?: string; url?: string } }).request;
  if (typeof status !== "number" || !request?.url) return error.message.split("\n")[0]!;
  const path = request.url.replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");
  const hint =
    status >= 500 || status === 403 || status === 429
      ? "GitHub failed or limited us; re-run the job: what was done is kept and nothing is done twice"
      : status === 401
        ? "the token was refused: check the `token` input"
        : status === 404
          ? "not found, or the token cannot see it: check `issue` and the workflow's `permissions:`"
          : "check the inputs and the workflow's `permissions:`";
  return `GitHub answered ${status} to ${request.method ?? "GET"} ${path} (${error.message.split(" - ")[0]!.split("\n")[0]}): ${hint}`;
}
