import { CUT_NOTE, clip, fitEscaped, oneLine, type Notice } from "./notice.js";

/**
 * A Slack incoming-webhook body (pure): Block Kit blocks, and `text`, the fallback Slack shows in
 * notifications and where blocks cannot be shown.
 *
 * People's text (the title, an update, a service) only ever goes into `plain_text` objects, which
 * Slack shows without formatting, links or mentions; `&`, `<` and `>` are escaped everywhere (Slack
 * reads them as control characters in every text object), so `<!channel>`, `<@U123>` or
 * `<https://evil|click>` are shown as written, and `@channel`, `@here` and `@everyone` get a
 * zero-width space after the `@`. `mrkdwn` holds only what we write (the link to the issue, the
 * field names, logins). Slack's documented limits, which it answers with 400 `invalid_blocks`
 * when exceeded, are kept by cutting: see SLACK_LIMITS.
 */
export const SLACK_LIMITS = {
  /** A header block's text. */
  header: 150,
  /** A section's text. */
  section: 3_000,
  /** A section's fields: how many, and each one's text. */
  fields: 10,
  field: 2_000,
  /** A button's text. */
  button: 75,
  /** Blocks in a message. */
  blocks: 50,
  /** What we keep of the fallback `text` (Slack truncates it at 40,000; it recommends 4,000 at most). */
  fallback: 4_000,
} as const;

const ICON = ["🔴", "🟠", "🟡", "🔵"];
const ZWSP = "\u200b";

/** `&`, `<`, `>` as entities; `@channel`, `@here`, `@everyone` broken. One pass, linear. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]|@(?=channel|here|everyone)/gi, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : `@${ZWSP}`));
}

type PlainText = { type: "plain_text"; text: string; emoji?: boolean };
type Mrkdwn = { type: "mrkdwn"; text: string };
export type SlackBlock =
  | { type: "header"; text: PlainText }
  | { type: "section"; text: PlainText | Mrkdwn }
  | { type: "section"; fields: (PlainText | Mrkdwn)[] }
  | { type: "context"; elements: (PlainText | Mrkdwn)[] }
  | { type: "actions"; elements: { type: "button"; text: PlainText; url: string }[] };

export interface SlackBody {
  text: string;
  blocks: SlackBlock[];
}

const plain = (text: string): PlainText => ({ type: "plain_text", text, emoji: true });

export function slackBody(n: Notice): SlackBody {
  const icon = ICON[Math.min(n.severityIndex, ICON.length - 1)]!;
  const link = `<${n.url}|${escapeSlack(n.reference)}>`;
  const detail = n.detail ? fitEscaped(n.detail, SLACK_LIMITS.section, escapeSlack) : undefined;
  const blocks: SlackBlock[] = [
    { type: "header", text: plain(fitEscaped(oneLine(`${icon} ${n.headline}`), SLACK_LIMITS.header, escapeSlack, undefined, "…")) },
    { type: "section", text: plain(fitEscaped(n.title, SLACK_LIMITS.section, escapeSlack)) },
    ...(detail ? [{ type: "section" as const, text: plain(detail) }] : []),
    {
      type: "section",
      fields: n.facts.slice(0, SLACK_LIMITS.fields).map((f) => plain(fitEscaped(`${f.title}: ${f.value}`, SLACK_LIMITS.field, escapeSlack))),
    },
    { type: "context", elements: [{ type: "mrkdwn", text: `${link}${n.by ? ` · by @${escapeSlack(n.by)}` : ""}` }] },
    { type: "actions", elements: [{ type: "button", text: plain(clip(`Open ${n.reference}`, SLACK_LIMITS.button)), url: n.url }] },
  ];

  // The fallback: one line for the notification, then what happened, then the facts.
  const status = n.facts
    .filter((f) => f.title === "Status" || f.title === "Commander")
    .map((f) => `${f.title}: ${escapeSlack(f.value)}`)
    .join(" · ");
  const head = `${icon} *${escapeSlack(n.headline)}* · ${link} · ${fitEscaped(n.title, 300, escapeSlack)}`;
  const tail = `${status}${n.by ? ` · by @${escapeSlack(n.by)}` : ""}`;
  const room = SLACK_LIMITS.fallback - head.length - tail.length - 2;
  const text = [head, ...(detail ? [fitEscaped(n.detail!, Math.max(room - 1, CUT_NOTE.length), escapeSlack)] : []), tail].join("\n");
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
