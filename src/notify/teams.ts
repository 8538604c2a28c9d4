import { CUT_NOTE, fitEscaped, oneLine, type Notice } from "./notice.js";

/**
 * A Microsoft Teams Workflows webhook body (pure): the message with one Adaptive Card attachment
 * that the "Send webhook alerts to a channel" workflow posts (Office 365 connectors are retired;
 * Workflows take Adaptive Cards only). Version 1.4: Teams renders up to 1.5 but not every client
 * does.
 *
 * People's text (the title, an update) only ever goes into a RichTextBlock's TextRun, whose text
 * Teams shows as written: no Markdown, no links. A TextBlock or a FactSet value renders a Markdown
 * subset, so what goes there (our headline, the facts, of which a service may come from a form)
 * is escaped with backslashes, on one line. A card mentions nobody: a Teams mention needs an
 * `msteams.entities` entry, which the card never has. Teams refuses a message over about 28 KB
 * (HTTP 413); the card is kept within TEAMS_LIMITS.bytes by cutting the update's text.
 */
export const TEAMS_LIMITS = {
  /** The whole body, UTF-8 bytes: under Teams' ~28 KB, with room for what Teams wraps around it. */
  bytes: 24_000,
  /** A title or an update's text, characters: all of an /update (10,000), unless the bytes say otherwise. */
  text: 10_000,
} as const;

const ICON = ["🔴", "🟠", "🟡", "🔵"];
const COLOR = ["Attention", "Warning", "Accent"] as const;

/** Markdown a TextBlock or a fact would read, escaped: `\`, emphasis, code, links, HTML, list and heading starts. */
export function escapeTeamsMarkdown(text: string): string {
  return oneLine(text)
    .replace(/[\\*_~`[\]()<>|!]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+#]|\d+\.)/, (_, space: string, start: string) => `${space}${start.endsWith(".") ? `${start.slice(0, -1)}\\.` : `\\${start}`}`);
}

type TextRun = { type: "TextRun"; text: string; weight?: "Bolder"; isSubtle?: boolean; size?: "Small" };
type Element =
  | { type: "TextBlock"; text: string; size?: "Large"; weight?: "Bolder"; color?: (typeof COLOR)[number]; wrap: true }
  | { type: "RichTextBlock"; inlines: TextRun[] }
  | { type: "FactSet"; facts: { title: string; value: string }[] };

export interface AdaptiveCard {
  $schema: "http://adaptivecards.io/schemas/adaptive-card.json";
  type: "AdaptiveCard";
  version: "1.4";
  body: Element[];
  actions: { type: "Action.OpenUrl"; title: string; url: string }[];
}

export interface TeamsBody {
  type: "message";
  attachments: { contentType: "application/vnd.microsoft.card.adaptive"; contentUrl: null; content: AdaptiveCard }[];
}

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), "utf8") - 2;
const same = (s: string) => s;

function card(n: Notice, title: string, detail: string | undefined): TeamsBody {
  const icon = ICON[Math.min(n.severityIndex, ICON.length - 1)]!;
  const body: Element[] = [
    {
      type: "TextBlock",
      text: escapeTeamsMarkdown(`${icon} ${n.headline}`),
      size: "Large",
      weight: "Bolder",
      color: COLOR[Math.min(n.severityIndex, COLOR.length - 1)]!,
      wrap: true,
    },
    { type: "RichTextBlock", inlines: [{ type: "TextRun", text: title, weight: "Bolder" }] },
    ...(detail ? [{ type: "RichTextBlock" as const, inlines: [{ type: "TextRun" as const, text: detail }] }] : []),
    { type: "FactSet", facts: n.facts.map((f) => ({ title: f.title, value: escapeTeamsMarkdown(f.value) })) },
    { type: "RichTextBlock", inlines: [{ type: "TextRun", text: `${n.reference}${n.by ? ` · by @${n.by}` : ""}`, isSubtle: true, size: "Small" }] },
  ];
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
          actions: [{ type: "Action.OpenUrl", title: `Open ${n.reference}`, url: n.url }],
        },
      },
    ],
  };
}

export function teamsBody(n: Notice): TeamsBody {
  const title = fitEscaped(n.title, TEAMS_LIMITS.text, same);
  let detail = n.detail ? fitEscaped(n.detail, TEAMS_LIMITS.text, same) : undefined;
  let built = card(n, title, detail);
  // Characters are not bytes: 10,000 characters that JSON escapes (control characters, six bytes
  // each) or that take three or four would make the card too big. The update's text gives way.
  const excess = Buffer.byteLength(JSON.stringify(built), "utf8") - TEAMS_LIMITS.bytes;
  if (excess > 0 && detail) {
    detail = fitEscaped(n.detail!, Math.max(jsonBytes(detail) - excess, jsonBytes(CUT_NOTE)), same, jsonBytes);
    built = card(n, title, detail);
  }
  return built;
}
