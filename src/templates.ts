import { readFileSync } from "node:fs";
import Handlebars from "handlebars";
import { formatDuration, formatInstant } from "./time/duration.js";

/**
 * Our Handlebars environment: the templates under `templates/` and the few helpers they use.
 * `templates/` sits beside `src/` and beside the Action's `dist/`, so one relative URL serves
 * both the sources and the bundle.
 */
export const handlebars = Handlebars.create();

handlebars.registerHelper("instant", (iso: unknown) => (typeof iso === "string" && iso ? formatInstant(iso) : "—"));
handlebars.registerHelper("time", (iso: unknown) => (typeof iso === "string" && iso ? iso.slice(11, 16) : ""));
handlebars.registerHelper("duration", (ms: unknown) => (typeof ms === "number" ? formatDuration(ms) : "—"));
handlebars.registerHelper("eq", (a: unknown, b: unknown) => a === b);
handlebars.registerHelper("upper", (s: unknown) => String(s ?? "").toUpperCase());
handlebars.registerHelper("cell", (s: unknown) => String(s ?? "").replace(/\|/g, "\\|").replace(/\r?\n/g, " "));
handlebars.registerHelper("quote", (s: unknown) => String(s ?? "").replace(/^/gm, "> "));
handlebars.registerHelper("json", (v: unknown) => JSON.stringify(v));

const TEMPLATE_DIR = new URL("../templates/", import.meta.url);
const cache = new Map<string, Handlebars.TemplateDelegate>();

export function templateSource(name: string): string {
  return readFileSync(new URL(name, TEMPLATE_DIR), "utf8");
}

/** Compile a template; `strict` so a misspelt field is an error, not an empty string. */
export function compileTemplate(source: string, name = "template"): Handlebars.TemplateDelegate {
  try {
    const template = handlebars.compile(source, { noEscape: true, strict: false });
    // Compilation is lazy in Handlebars: force it so syntax errors surface here.
    handlebars.precompile(source);
    return template;
  } catch (error) {
    throw new Error(`${name} does not compile: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function bundledTemplate(name: string): Handlebars.TemplateDelegate {
  let template = cache.get(name);
  if (!template) {
    template = compileTemplate(templateSource(name), `templates/${name}`);
    cache.set(name, template);
  }
  return template;
}
