import Handlebars from "handlebars";
import { templateSource } from "../templates.js";
import { STATUS_LABEL, STATUS_WORDS, type ComponentStatus, type IncidentView, type MaintenanceView, type StatusPageModel } from "./model.js";

/**
 * The HTML pages: Handlebars templates under templates/statuspage/, in an environment of their
 * own that escapes everything (the other templates write Markdown and do not). Pure: model in,
 * text out.
 */
const hbs = Handlebars.create();

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const day = (iso: string) => `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${Number(iso.slice(8, 10))}, ${iso.slice(0, 4)}`;

const IMPACT_WORDS: Record<string, string> = { none: "No impact", minor: "Minor impact", major: "Major impact", critical: "Critical impact" };

hbs.registerHelper("when", (iso: unknown) => (typeof iso === "string" ? `${day(iso)} ${iso.slice(11, 16)} UTC` : ""));
hbs.registerHelper("day", (iso: unknown) => (typeof iso === "string" ? day(iso) : ""));
hbs.registerHelper("statusWord", (s: unknown) => STATUS_WORDS[String(s)] ?? String(s));
hbs.registerHelper("impactWord", (s: unknown) => IMPACT_WORDS[String(s)] ?? String(s));
hbs.registerHelper("statusText", (s: unknown) => (String(s) === "operational" ? "No incidents" : STATUS_LABEL[s as ComponentStatus] ?? String(s)));
hbs.registerHelper("shortDays", (n: unknown) => Math.min(30, Number(n)));
// Line breaks kept, everything else escaped.
hbs.registerHelper("lines", (text: unknown) => new hbs.SafeString(String(text ?? "").split("\n").map((l) => hbs.escapeExpression(l)).join("<br>\n")));

let compiled: { index: Handlebars.TemplateDelegate; event: Handlebars.TemplateDelegate } | undefined;
function templates() {
  if (!compiled) {
    for (const name of ["head", "foot", "updates"]) hbs.registerPartial(name, templateSource(`statuspage/_${name}.html.hbs`));
    compiled = {
      index: hbs.compile(templateSource("statuspage/index.html.hbs")),
      event: hbs.compile(templateSource("statuspage/event.html.hbs")),
    };
  }
  return compiled;
}

const TONE_COLOURS: Record<string, string> = { none: "#1a7f37", minor: "#9a6700", major: "#bc4c00", critical: "#cf222e", maintenance: "#0969da" };

/** A dot in the page's colour, inline: no extra file, and no request a browser would make for /favicon.ico. */
const favicon = (model: StatusPageModel) =>
  `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${TONE_COLOURS[model.overall.tone]}"/></svg>`)}`;

export const stylesheet = (): string => templateSource("statuspage/style.css");

const namesOf = (model: StatusPageModel, ids: string[]) => model.components.filter((c) => ids.includes(c.id)).map((c) => c.name).join(", ");

export function renderIndex(model: StatusPageModel): string {
  return templates().index({
    root: "",
    favicon: favicon(model),
    pageTitle: model.site.name,
    site: model.site,
    asOf: model.asOf,
    overall: model.overall,
    historyDays: model.historyDays,
    active: model.active.map((i) => ({ ...i, componentNames: namesOf(model, i.componentIds), newestFirst: [...i.updates].reverse() })),
    upcoming: model.upcoming.map((m) => ({ ...m, componentNames: namesOf(model, m.componentIds) })),
    components: model.components,
    past: model.incidents.filter((i) => !i.active).map((i) => ({ ...i, lastUpdate: i.updates[i.updates.length - 1] })),
    pastMaintenance: model.maintenances.filter((m) => m.status === "completed" || m.status === "cancelled"),
  });
}

export function renderEventPage(model: StatusPageModel, event: IncidentView | MaintenanceView, kind: "incident" | "maintenance"): string {
  return templates().event({
    root: "../",
    favicon: favicon(model),
    pageTitle: `${event.name} · ${model.site.name}`,
    site: model.site,
    asOf: model.asOf,
    isIncident: kind === "incident",
    event,
    componentNames: namesOf(model, event.componentIds),
    newestFirst: [...event.updates].reverse(),
  });
}
