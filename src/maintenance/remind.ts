import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import type { Logger } from "../log.js";
import { formatInstant } from "../time/duration.js";
import { pageAbove } from "./card.js";
import { readMaintenance, reconcileMaintenance } from "./handle.js";
import { maintenancePhase, type MaintenanceState } from "./state.js";

/**
 * The scheduled run's part in maintenance (the Action's `escalate`): each open window's card
 * follows the clock (scheduled → in progress → completed), and the issue gets one comment when
 * the window starts and one when it ends. The markers name the window's times, so a
 * rescheduled window is announced again and a second run writes nothing.
 */
export interface MaintenanceReminders {
  started: number[];
  ended: number[];
}

const startedKey = (state: MaintenanceState) => `maintenance-started ${state.window!.starts}`;
const endedKey = (state: MaintenanceState) => `maintenance-ended ${state.window!.ends}`;

/** What to say about a window at `now`, if anything. */
export function planReminder(state: MaintenanceState, config: Config, now: Date): { kind: "started" | "ended"; body: string } | undefined {
  if (!state.window || state.closedAt !== undefined) return undefined;
  const phase = maintenancePhase(state, now);
  const who = state.confirmedBy ? `@${state.confirmedBy} ` : "";
  const services = state.services.map((s) => `\`${s}\``).join(", ");
  if (phase === "in_progress" && !state.reminders.includes(startedKey(state))) {
    return {
      kind: "started",
      body: `<!-- incident-desk:${startedKey(state)} -->\n🔧 ${who}The maintenance window has started; it ends ${formatInstant(state.window.ends)}. Until then, alerts for ${services} open no incident unless they are ${pageAbove(config)} or above.`,
    };
  }
  // A run that comes after the end says only that it ended.
  if (phase === "completed" && !state.reminders.includes(endedKey(state))) {
    return {
      kind: "ended",
      body: `<!-- incident-desk:${endedKey(state)} -->\n✅ ${who}The maintenance window has ended (${formatInstant(state.window.ends)}): alerts for ${services} open incidents again. Close this issue when the work is done.`,
    };
  }
  return undefined;
}

export async function runMaintenanceReminders(options: { github: GitHub; repo: RepoRef; config: Config; log: Logger; now?: Date; dryRun?: boolean }): Promise<MaintenanceReminders> {
  const { github, repo, config, log, now = new Date(), dryRun = false } = options;
  const result: MaintenanceReminders = { started: [], ended: [] };
  const issues = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: "open", labels: config.labels.maintenance, per_page: 100 });
  for (const issue of issues) {
    if (issue.pull_request) continue;
    const read = dryRun ? await readMaintenance(github, repo, issue.number, config, issue) : await reconcileMaintenance(github, repo, issue.number, config, now);
    if (!read?.state.isMaintenance) continue;
    const reminder = planReminder(read.state, config, now);
    if (!reminder) continue;
    if (!dryRun) await github.rest.issues.createComment({ ...repo, issue_number: issue.number, body: reminder.body });
    result[reminder.kind].push(issue.number);
    log.info(`incident-desk: maintenance #${issue.number}: the window ${reminder.kind}${dryRun ? " (dry run)" : ""}`);
  }
  return result;
}

export function remindersSummary(result: MaintenanceReminders): string {
  const lines = [...result.started.map((n) => `- #${n}: maintenance window started`), ...result.ended.map((n) => `- #${n}: maintenance window ended`)];
  return lines.length > 0 ? ["#### Maintenance", "", ...lines].join("\n") : "";
}
