import type { IncidentState } from "../incident/state.js";
import { neutraliseInline } from "../text/neutralise.js";
import { formatDuration, formatInstant } from "../time/duration.js";
import { renderFactsBlock, shortSha, type Suspect } from "./facts.js";
import type { LinkedPull } from "./links.js";

/** What the card's "Changes" section shows: the state's changes as lines of Markdown. */

const STATE_ICON: Record<LinkedPull["state"], string> = { open: "🟢 open", merged: "🟣 merged", closed: "⚪ closed" };

/** People's titles, shown raw in the card's `{{{…}}}` lines: neutralised here. */
const oneLine = (s: string) => neutraliseInline(s.trim(), 120);
const pullText = (p: { number: number; title: string; state: LinkedPull["state"] }) => `#${p.number} ${oneLine(p.title)} · ${STATE_ICON[p.state]}`;

function suspectText(s: Suspect): string {
  if (s.kind === "pull") {
    const merged = s.pull.mergedAt ? `merged ${formatInstant(s.pull.mergedAt)}` : "";
    return `#${s.pull.number} ${oneLine(s.pull.title)} · ${merged}`;
  }
  const d = s.deployment;
  const failed = d.state === "failure" || d.state === "error";
  return `${failed ? "❌ failed " : ""}deployment of \`${shortSha(d.sha)}\` to ${d.environment} · ${formatInstant(d.createdAt)}${d.state && !failed ? ` · ${d.state}` : ""}`;
}

export function changesView(state: IncidentState) {
  const c = state.changes;
  const causes = [
    ...c.causes.map((cause) => {
      const what = cause.pull ? pullText(cause.pull) : `\`${shortSha(cause.sha ?? "")}\``;
      const sha = cause.pull && cause.sha ? ` (\`${shortSha(cause.sha)}\`)` : "";
      const shipped = cause.deployment ? ` · shipped to ${cause.deployment.environment} ${formatInstant(cause.deployment.createdAt)}` : "";
      return `${what}${sha}${shipped} · set by @${cause.by}`;
    }),
    ...c.unresolved.map((u) => `\`root cause: ${u.ref.kind === "pull" ? `#${u.ref.number}` : shortSha(u.ref.sha)}\` · ⚠️ ${u.reason}`),
  ];
  const fixes = c.linked.map((p) => ({ role: p.role === "mitigation" ? "Mitigation (revert)" : "Fix", text: pullText(p) }));
  const postmortems = c.postmortems.map((p) => pullText(p));
  const suspects = c.suspects?.items.map(suspectText) ?? [];
  const recovery = c.recoveryMs !== undefined ? formatDuration(c.recoveryMs) : undefined;
  // `/allow-deploy`: named without `@` (the card is edited often; nobody is pinged by it).
  const allowances = state.allowances.map((a) => {
    const what = a.ref.kind === "pull" ? `#${a.ref.number}` : `\`${shortSha(a.ref.sha)}\``;
    return `${what} · by ${neutraliseInline(a.by, 40)} ${formatInstant(a.at)}${a.reason ? ` · ${neutraliseInline(a.reason, 200)}` : ""}`;
  });
  const rejected = c.gates.filter((g) => g.outcome === "rejected").length;
  const gate =
    c.gates.length > 0 ? `${rejected} deployment${rejected === 1 ? "" : "s"} rejected, ${c.gates.length - rejected} let through the freeze` : undefined;
  return {
    any: causes.length + fixes.length + postmortems.length + allowances.length > 0 || c.suspects !== undefined || gate !== undefined,
    allowances,
    gate,
    causes,
    fixes,
    postmortems,
    suspects,
    moreSuspects: c.suspects?.more ?? 0,
    window: c.suspects ? { from: formatInstant(c.suspects.from), to: formatInstant(c.suspects.to) } : undefined,
    recovery,
    facts: renderFactsBlock(c.facts),
  };
}
