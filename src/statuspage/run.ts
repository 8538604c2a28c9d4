import { isAbsolute, resolve } from "node:path";
import { UsageError, type CommandContext, type CommandResult } from "../action/context.js";
import type { Config } from "../config/schema.js";
import type { RepoRef } from "../github/client.js";
import { gatherStatuspage } from "./gather.js";
import { publicMaintenance, type PublicMaintenance } from "./maintenance.js";
import { pageAsOf, type Site } from "./model.js";
import { publicIncident, selectPublic } from "./public.js";
import { renderSite } from "./site.js";
import { writeSite } from "./write.js";

/**
 * The `statuspage` command: read the incidents and maintenance windows, keep what may be public,
 * compute the page as of the latest thing that happened, render every file, write the folder.
 * It writes nothing to GitHub (read permissions are enough), so `dry-run` changes nothing here:
 * the folder is the runner's, for a later step to publish.
 */
const DAY = 86_400_000;

export function siteOf(config: Config, repo: RepoRef, repos: string[]): Site {
  const owner = repo.owner.toLowerCase();
  // GitHub Pages' own address for a project page (or a user/organisation page).
  const pages = repo.repo.toLowerCase() === `${owner}.github.io` ? `https://${owner}.github.io/` : `https://${owner}.github.io/${repo.repo}/`;
  const url = config.statuspage.url ?? pages;
  return {
    id: `${repo.owner}-${repo.repo}`.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    name: config.statuspage.title ?? `${repo.repo} status`,
    ...(config.statuspage.description ? { description: config.statuspage.description } : {}),
    url: url.endsWith("/") ? url : `${url}/`,
    repos,
  };
}

/**
 * The page's "now": the clock, or `SOURCE_DATE_EPOCH` (seconds; the reproducible-builds
 * convention) when it is set, so that a build can be repeated for a given moment.
 */
export function pageClock(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (!epoch) return new Date();
  if (!/^\d{1,12}$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH must be a number of seconds since 1970 (it is "${epoch.slice(0, 40)}")`);
  return new Date(Number(epoch) * 1000);
}

export async function runStatuspage(ctx: CommandContext, now: Date = pageClock()): Promise<CommandResult> {
  const days = ctx.config.statuspage.history_days;
  const periodStart = new Date(Math.floor(now.getTime() / DAY) * DAY - (days - 1) * DAY).toISOString();
  const gathered = await gatherStatuspage(ctx.github, ctx.repo, ctx.config, periodStart);
  const { published, left } = selectPublic(gathered.incidents);
  const asOf = pageAsOf(now, published, gathered.maintenances);
  const incidents = published.map((state) => publicIncident(state, asOf));
  const maintenances = gathered.maintenances.map((m) => publicMaintenance(m, asOf)).filter((m): m is PublicMaintenance => m !== undefined);
  const { model, files } = renderSite({ config: ctx.config, site: siteOf(ctx.config, ctx.repo, gathered.repos), incidents, maintenances, asOf });

  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const dir = isAbsolute(ctx.statuspageDir ?? "_site") ? ctx.statuspageDir! : resolve(workspace, ctx.statuspageDir ?? "_site");
  const written = writeSite(dir, files);
  ctx.log.info(`statuspage: ${incidents.length} incident(s) published, ${left.length} left out, ${maintenances.length} maintenance window(s); ${written.written.length} file(s) written, ${written.unchanged} unchanged, ${written.removed.length} removed`);

  // Why incidents were left out, by reason and number only: their titles may not be public.
  const reasons = new Map<string, string[]>();
  for (const l of left) reasons.set(l.reason, [...(reasons.get(l.reason) ?? []), `${l.repo}#${l.number}`]);
  const lines = [
    "### incident-desk status page",
    "",
    `**${model.overall.description}** as of ${model.asOf.slice(0, 16).replace("T", " ")} UTC · written to \`${dir}\``,
    "",
    `- ${model.incidents.length} incident(s) in the last ${days} days (${model.active.length} active), ${model.maintenances.length} maintenance window(s) (${model.upcoming.length} scheduled or in progress)`,
    `- components: ${model.components.map((c) => `${c.name} (${c.statusLabel.toLowerCase()}, ${c.uptime} %)`).join(", ") || "none"}`,
    `- files: ${written.written.length} written, ${written.unchanged} unchanged, ${written.removed.length} removed`,
    ...[...reasons].map(([reason, which]) => `- left out, ${reason}: ${which.join(", ")}`),
  ];
  return { outputs: { "statuspage-path": dir }, summary: lines.join("\n") };
}
