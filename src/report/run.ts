import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { CommandContext, CommandResult } from "../action/context.js";
import { UsageError } from "../action/context.js";
import { gatherReport } from "./gather.js";
import { computeMetrics } from "./metrics.js";
import { parsePeriod, PeriodError } from "./period.js";
import { buildCauseFilesView, renderReport } from "./render.js";
import { causeFileGroups, causeIncidents, readCauseFiles } from "./cause-files.js";
import { problemReport } from "../problems/report.js";

/**
 * The `report` command: read the period's incidents and deployments, compute, render. It writes
 * nothing to GitHub, so `dry-run` changes nothing. The Markdown goes to the job summary and, with
 * the input `report-path`, to that file in the runner's workspace (for a later step to upload or
 * commit), whose absolute path is the output `report-path`.
 */
export async function runReport(ctx: CommandContext, now: Date = new Date()): Promise<CommandResult> {
  let period;
  try {
    period = parsePeriod(ctx.since, now);
  } catch (error) {
    if (error instanceof PeriodError) throw new UsageError(error.message);
    throw error;
  }
  const gathered = await gatherReport(ctx.github, ctx.repo, ctx.config, period);
  const metrics = computeMetrics({
    period,
    incidents: gathered.incidents,
    deployments: gathered.deployments,
    severities: ctx.config.severities.map((s) => s.name),
  });
  ctx.log.info(
    `report: ${metrics.incidents.total} incident(s) declared in the period (${gathered.listed} listed), ${gathered.deployments.length} production deployment(s)`,
  );
  // Problems and recurrence: over the incidents the metrics count (declared in the period).
  const counted = new Set(metrics.rows.map((r) => r.number));
  const ofPeriod = gathered.incidents.filter((s) => counted.has(s.number));
  const problems = problemReport(ofPeriod);
  // Recurring by cause files: the period's incidents whose cause pull requests changed a same file.
  // Incidents declared before the period but read (updated in it) join as earlier ones: no extra read.
  const caused = causeIncidents(gathered.incidents, ctx.config, period);
  const files = await readCauseFiles(ctx.github, ctx.repo, caused);
  const causeFiles = buildCauseFilesView(causeFileGroups(caused, files.files), files);
  const markdown = renderReport(`${ctx.repo.owner}/${ctx.repo.repo}`, metrics, ctx.config.changes.environments, problems, causeFiles);
  if (!ctx.reportPath) return { outputs: {}, summary: markdown };
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const file = isAbsolute(ctx.reportPath) ? ctx.reportPath : resolve(workspace, ctx.reportPath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  return { outputs: { "report-path": file }, summary: markdown };
}
