import { bundledTemplate } from "../templates.js";
import { writeMarker } from "../markers.js";
import { count, cutText, fitBody, text } from "../text/limits.js";
import { formatDuration } from "../time/duration.js";
import { renderVerdicts } from "../incident/verdicts.js";
import type { ProblemState } from "./records.js";

const STATUS_ICON: Record<ProblemState["status"], string> = { investigating: "🔍", "known error": "🩹", resolved: "✅" };

/** Rows shown on the card; the report counts them all. */
export const CARD_INCIDENTS = 100;
const CARD_TICKETS = 100;

/**
 * The problem's card: one comment on the problem issue, edited in place, found by its marker
 * (`problem-card`, which also notes what the linked incidents were last told).
 */
export function renderProblemCard(state: ProblemState, note: { pushed?: string }): string {
  const marker = writeMarker("problem-card", note);
  const shown = state.incidents.slice(0, CARD_INCIDENTS);
  const tickets = state.incidents.flatMap((i) => i.tickets.map((t) => ({ ...t, incident: i.number })));
  const view = {
    marker,
    number: state.number,
    title: cutText(state.title, 256, () => "…"),
    status: { name: state.status, icon: STATUS_ICON[state.status] },
    recurrence: state.incidents.length,
    openIncidents: state.incidents.filter((i) => i.open).length,
    totalImpact: state.totalImpactMs > 0 ? formatDuration(state.totalImpactMs) : "—",
    workaround: state.workaround ? { ...state.workaround, text: cutText(state.workaround.text, 4_000, () => "…") } : undefined,
    incidents: shown.map((i) => ({ ...i, impact: i.impactMs !== undefined ? formatDuration(i.impactMs) : undefined })),
    moreIncidents: state.incidents.length - shown.length,
    fixes: state.fixes.slice(0, 50),
    tickets: tickets.slice(0, CARD_TICKETS),
  };
  const card = bundledTemplate("problem-card.md.hbs")(view).trim();
  const body = card.startsWith(marker) ? card.slice(marker.length) : card;
  const cut = (n: number) => `_… the card is cut here (${count(n)} characters more)._`;
  return fitBody([marker, text(body, { at: "line", note: cut }), "\n", state.verdicts.size > 0 ? `${renderVerdicts(state.verdicts)}\n` : ""]);
}
