import { STATUS_WORDS, type StatusPageModel } from "./model.js";

/**
 * Atom 1.0 (RFC 4287) and RSS 2.0 feeds of the page: one entry per incident update and one per
 * maintenance window (whose entry follows the window: scheduled, in progress, completed,
 * cancelled). Newest first, at most 200. Pure: model in, XML out.
 */
export interface FeedEntry {
  id: string;
  title: string;
  link: string;
  published: string;
  updated: string;
  text: string;
}

const MAX_ENTRIES = 200;


const human = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export function feedEntries(model: StatusPageModel): FeedEntry[] {
  const entries: FeedEntry[] = [];
  for (const incident of model.incidents) {
    const link = `${model.site.url}${incident.page}`;
    for (const u of incident.updates) {
      entries.push({ id: `${link}#${u.id}`, title: `${incident.name} — ${STATUS_WORDS[u.status]}`, link, published: u.at, updated: u.at, text: u.body });
    }
  }
  for (const m of model.maintenances) {
    const link = `${model.site.url}${m.page}`;
    const window = `Maintenance from ${human(m.scheduledFor)} to ${human(m.scheduledUntil)}.`;
    entries.push({
      id: link,
      title: `Maintenance: ${m.name} — ${STATUS_WORDS[m.status]}`,
      link,
      published: m.createdAt,
      updated: m.updatedAt,
      text: [window, m.description, m.updates[m.updates.length - 1]!.body].filter((t, i, all) => t && all.indexOf(t) === i).join("\n\n"),
    });
  }
  return entries.sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated) || a.id.localeCompare(b.id)).slice(0, MAX_ENTRIES);
}

/** XML text: escaped, and without the characters XML 1.0 cannot hold. */
export function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** The feed's own time: its newest entry (not the clock, so an unchanged page gives the same feed). */
const feedUpdated = (model: StatusPageModel, entries: FeedEntry[]) => entries.reduce((acc, e) => (Date.parse(e.updated) > Date.parse(acc) ? e.updated : acc), entries[0]?.updated ?? model.periodStart);

export function renderAtom(model: StatusPageModel): string {
  const entries = feedEntries(model);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(model.site.url)}</id>`,
    `  <title>${xml(model.site.name)}</title>`,
    ...(model.site.description ? [`  <subtitle>${xml(model.site.description)}</subtitle>`] : []),
    `  <updated>${feedUpdated(model, entries)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(`${model.site.url}feed.atom`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(`${model.site.url}index.html`)}"/>`,
    `  <author><name>${xml(model.site.name)}</name></author>`,
    `  <generator>incident-desk</generator>`,
  ];
  for (const e of entries) {
    lines.push(
      "  <entry>",
      `    <id>${xml(e.id)}</id>`,
      `    <title>${xml(e.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xml(e.link)}"/>`,
      `    <published>${e.published}</published>`,
      `    <updated>${e.updated}</updated>`,
      `    <content type="text">${xml(e.text)}</content>`,
      "  </entry>",
    );
  }
  lines.push("</feed>", "");
  return lines.join("\n");
}

export function renderRss(model: StatusPageModel): string {
  const entries = feedEntries(model);
  const rfc822 = (iso: string) => new Date(iso).toUTCString();
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    "  <channel>",
    `    <title>${xml(model.site.name)}</title>`,
    `    <link>${xml(`${model.site.url}index.html`)}</link>`,
    `    <description>${xml(model.site.description ?? `Incidents and maintenance of ${model.site.name}`)}</description>`,
    `    <atom:link href="${xml(`${model.site.url}feed.rss`)}" rel="self" type="application/rss+xml"/>`,
    `    <lastBuildDate>${rfc822(feedUpdated(model, entries))}</lastBuildDate>`,
    `    <generator>incident-desk</generator>`,
  ];
  for (const e of entries) {
    lines.push(
      "    <item>",
      `      <title>${xml(e.title)}</title>`,
      `      <link>${xml(e.link)}</link>`,
      `      <guid isPermaLink="false">${xml(e.id)}</guid>`,
      `      <pubDate>${rfc822(e.updated)}</pubDate>`,
      `      <description>${xml(e.text)}</description>`,
      "    </item>",
    );
  }
  lines.push("  </channel>", "</rss>", "");
  return lines.join("\n");
}
