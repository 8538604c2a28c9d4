import { readIncident } from "../incident/handle.js";
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
  return read;
}
