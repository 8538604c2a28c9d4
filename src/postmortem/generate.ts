import { errorStatus } from "../github/client.js";
import type { CommandContext } from "../action/context.js";
import { UsageError } from "../action/context.js";
import { requireIncident } from "../action/incident.js";
import { isBot, type History } from "../incident/history.js";
import type { IncidentState } from "../incident/state.js";
import { postmortemPath, postmortemView } from "./build.js";
import { publishPostmortem, type PublishResult } from "./publish.js";
import { bundledPostmortemTemplate, renderPostmortem, repositoryPostmortemTemplate, type PostmortemTemplate } from "./render.js";

/**
 * The `postmortem` command: read the incident, render its post-mortem, publish it. All reading
 * and rendering (the repository's template included) happens before the first write, so a bad
 * template or a wrong issue number fails the step with nothing written.
 */
export interface GeneratedPostmortem {
  state: IncidentState;
  document: string;
  result: PublishResult;
}

/**
 * "As of" for the document: the last thing a person did on the incident. It comes from the
 * history, so regenerating an unchanged incident gives the same bytes (and writes nothing).
 */
export function historyAsOf(history: History): string {
  let latest = history.issue.createdAt;
  for (const e of history.events) {
    const who = e.type === "commented" ? e.author : e.actor;
    if (!isBot(who) && e.at > latest) latest = e.at;
  }
  return latest;
}

async function loadTemplate(ctx: CommandContext): Promise<PostmortemTemplate> {
  const path = ctx.config.postmortem.template;
  if (!path) return bundledPostmortemTemplate();
  let source: string | undefined;
  try {
    const { data } = await ctx.github.rest.repos.getContent({ ...ctx.repo, path });
    if (!Array.isArray(data) && data.type === "file" && "content" in data) source = Buffer.from(data.content, "base64").toString("utf8");
  } catch (error) {
    if (errorStatus(error) !== 404) throw error;
  }
  if (source === undefined) {
    throw new UsageError(`postmortem.template: ${path} is not a file in ${ctx.repo.owner}/${ctx.repo.repo}; fix the path in ${ctx.configPath} or remove the key to use the built-in template`);
  }
  return repositoryPostmortemTemplate(source, path);
}

/** `proceed`: a last check on the state (an auto run wants a resolved incident); false → nothing done. */
export async function generatePostmortem(
  ctx: CommandContext,
  number: number,
  proceed?: (state: IncidentState) => boolean,
): Promise<GeneratedPostmortem | undefined> {
  const { history, state } = await requireIncident(ctx, number, "postmortem");
  if (proceed && !proceed(state)) return undefined;
  const template = await loadTemplate(ctx);
  const asOf = historyAsOf(history);
  // The document's audience: whether the repository is private decides which references it may name.
  const { data: repository } = await ctx.github.rest.repos.get({ ...ctx.repo });
  const audience = { repo: `${ctx.repo.owner}/${ctx.repo.repo}`, private: repository.private };
  const document = renderPostmortem(postmortemView(state, ctx.config, { generatedAt: asOf, audience }), template);
  const result = await publishPostmortem({
    github: ctx.github,
    repo: ctx.repo,
    repository,
    config: ctx.config,
    state,
    history,
    document,
    path: postmortemPath(state, ctx.config, asOf),
    dryRun: ctx.dryRun,
  });
  return { state, document, result };
}
