import { readIncident } from "../incident/handle.js";
import type { History } from "../incident/history.js";
import { hasMarker } from "../markers.js";
import type { CommandContext } from "./context.js";
import { UsageError } from "./context.js";

/** The incident a command works on; anything else is a usage error, found before any write. */
export async function requireIncident(ctx: CommandContext, number: number, command: string) {
  const read = await readIncident(ctx.github, ctx.repo, number, ctx.config);
  if (!read) throw new UsageError(`#${number} is a pull request, not an incident: give \`issue\` the number of an incident issue for \`${command}\``);
  if (!read.state.isIncident) {
    throw new UsageError(
      `#${number} is not an incident (no \`${ctx.config.labels.incident}\` label or /incident command): give \`issue\` the number of an incident issue for \`${command}\``,
    );
  }
  const stranger = strangersCard(read.history);
  if (stranger) {
    throw new UsageError(
      `incident #${number} has its card written by ${stranger}, which this Action does not believe, so it would write everything again (a second card, problems, notifications). If ${stranger} is the incident-desk app running beside this Action, set the Action's \`app\` input to \`${stranger.replace(/\[bot\]$/, "")}\`; otherwise delete that comment.`,
    );
  }
  return read;
}

/**
 * The app's card on an incident that this Action does not believe (its `app` input is empty or
 * names another app): the login of the bot that wrote it. Only a bot's comment counts (a person's
 * copy of a card marker is people's text, never a reason to stop), and only while no card of ours
 * is there.
 */
function strangersCard(history: History): string | undefined {
  let stranger: string | undefined;
  for (const e of history.events) {
    if (e.type !== "commented" || !hasMarker(e.body, "card")) continue;
    if (e.own) return undefined;
    if (stranger === undefined && e.author.login.endsWith("[bot]")) stranger = e.author.login;
  }
  return stranger;
}
