import type { Config } from "../config/schema.js";
import type { History } from "../incident/history.js";
import { bundledTemplate } from "../templates.js";
import { MAINTENANCE_USAGE } from "./parse.js";
import { effectiveEnd, MAINTENANCE_CARD_MARKER, maintenancePhase, type MaintenancePhase, type MaintenanceState } from "./state.js";

/**
 * The maintenance card: one comment on a maintenance issue, kept up to date like an incident's
 * card, rebuilt from the state (and the clock, for the phase). It repeats nothing a person wrote
 * but service names (validated as names), times (parsed) and logins.
 */
const PHASE_TEXT: Record<MaintenancePhase, string> = {
  invalid: "⚠️ incomplete",
  unconfirmed: "⏳ awaiting confirmation",
  scheduled: "🗓️ scheduled",
  in_progress: "🔧 in progress",
  completed: "✅ completed",
  cancelled: "🚫 cancelled",
};

export const phaseText = (phase: MaintenancePhase): string => PHASE_TEXT[phase];

/** The severity at or above which alerts page even during a window (`maintenance.page_above`). */
export const pageAbove = (config: Config): string => config.maintenance.page_above ?? config.severities[0]!.name;

export function renderMaintenanceCard(state: MaintenanceState, config: Config, now: Date): string {
  const phase = maintenancePhase(state, now);
  const known = new Set(Object.keys(config.services).map((s) => s.toLowerCase()));
  const ended = state.window ? effectiveEnd(state) : undefined;
  const lastRefusal = state.refused[state.refused.length - 1];
  // A refusal that a later command (or the window itself) superseded is no longer news.
  const refusalCurrent = lastRefusal !== undefined && !state.applied.some((id) => id > lastRefusal.commentId);
  return bundledTemplate("maintenance-card.md.hbs")({
    marker: MAINTENANCE_CARD_MARKER,
    phase: phaseText(phase),
    starts: state.window?.starts,
    ends: state.window?.ends,
    endedEarly: ended !== undefined && ended !== state.window?.ends && phase !== "cancelled" ? ended : undefined,
    services: state.services,
    pageAbove: pageAbove(config),
    problems: state.problems,
    unconfirmed: phase === "unconfirmed",
    permission: config.commands.permission,
    unknownServices: known.size > 0 ? state.services.filter((s) => !known.has(s.toLowerCase())) : [],
    refused: refusalCurrent ? lastRefusal.reason : undefined,
    usage: MAINTENANCE_USAGE,
  }).trim();
}

/**
 * The card, found by its marker. This is the one place that decides which comment is the card:
 * for now a comment by a bot account carrying the marker; the marker codec that checks the
 * author is this app can take over here.
 */
export function findMaintenanceCard(history: History): { id: number; body: string } | undefined {
  for (const e of history.events) {
    if (e.type === "commented" && e.own === true && e.body.startsWith(MAINTENANCE_CARD_MARKER)) return { id: e.commentId, body: e.body };
  }
  return undefined;
}
