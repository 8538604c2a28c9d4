import type { Config } from "../config/schema.js";
import { apiDocuments, badge } from "./api.js";
import { renderAtom, renderRss } from "./feeds.js";
import { renderEventPage, renderIndex, stylesheet } from "./html.js";
import type { PublicMaintenance } from "./maintenance.js";
import { buildStatusPage, type Site, type StatusPageModel } from "./model.js";
import type { PublicIncident } from "./public.js";

/**
 * Every file of the site, path → content: a pure function of the public incidents, the
 * windows, the configuration and the instant the page is computed as of.
 */
export interface SiteInput {
  config: Config;
  site: Site;
  incidents: PublicIncident[];
  maintenances: PublicMaintenance[];
  asOf: string;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/**
 * `incidents/<repo>-<number>.html` (`maintenance/…` for windows), the repository by its name,
 * or by owner and name where two of the page's repositories share a name.
 */
export function eventPath(kind: "incident" | "maintenance", repo: string, number: number, repos: string[]): string {
  const name = repo.split("/")[1] ?? repo;
  const clash = repos.filter((r) => (r.split("/")[1] ?? r).toLowerCase() === name.toLowerCase()).length > 1;
  return `${kind === "incident" ? "incidents" : "maintenance"}/${slug(clash ? repo : name)}-${number}.html`;
}

export function renderSite(input: SiteInput): { model: StatusPageModel; files: Map<string, string> } {
  const model = buildStatusPage({ ...input, pageOf: (kind, _id, repo, number) => eventPath(kind, repo, number, input.site.repos) });
  const files = new Map<string, string>();
  files.set("index.html", renderIndex(model));
  files.set("style.css", stylesheet());
  for (const incident of model.incidents) files.set(incident.page, renderEventPage(model, incident, "incident"));
  for (const window of model.maintenances) files.set(window.page, renderEventPage(model, window, "maintenance"));
  files.set("feed.atom", renderAtom(model));
  files.set("feed.rss", renderRss(model));
  for (const [name, doc] of Object.entries(apiDocuments(model))) files.set(`api/v2/${name}`, `${JSON.stringify(doc, null, 2)}\n`);
  files.set("badge.json", `${JSON.stringify(badge(model), null, 2)}\n`);
  return { model, files };
}
