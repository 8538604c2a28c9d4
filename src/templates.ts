import { readFileSync } from "node:fs";
import Handlebars from "handlebars";
import { formatDuration, formatInstant } from "./time/duration.js";
import { codeSpan, mention, neutralise, neutraliseInline, neutraliseQuote } from "./text/neutralise.js";

/**
 * Our Handlebars environment: the templates under `templates/` and the few helpers they use.
 * `templates/` sits beside `src/` and beside the Action's `dist/`, so one relative URL serves
 * both the sources and the bundle.
 */
export const handlebars = Handlebars.create();

// `{{value}}` in our Markdown templates (and a repository's own post-mortem template) is
// neutralised for Markdown instead of HTML-escaped: people's text can neither form a hidden marker
// nor ping anyone (src/text/neutralise.ts). Done in this environment's compiler, not in Handlebars'
// shared utilities, so HTML templates elsewhere (the status page) keep HTML escaping.
type Compiler = { prototype: Record<string, unknown> } & (new (...args: unknown[]) => unknown);
const Base = (handlebars as unknown as { JavaScriptCompiler: Compiler }).JavaScriptCompiler;
function MarkdownCompiler(this: unknown, ...args: unknown[]) {
  Base.apply(this, args as []);
}
MarkdownCompiler.prototype = Object.create(Base.prototype) as Record<string, unknown>;
MarkdownCompiler.prototype.compiler = MarkdownCompiler;
MarkdownCompiler.prototype.appendEscaped = function appendEscaped(this: {
  pushSource: (s: unknown) => void;
  appendToBuffer: (parts: unknown[]) => unknown;
  aliasable: (name: string) => unknown;
  popStack: () => unknown;
}) {
  // Called as helpers are (value, options): Handlebars wraps registered helpers to take options last.
  this.pushSource(this.appendToBuffer([this.aliasable("container.helpers.neutralise"), "(", this.popStack(), ", {})"]));
};
(handlebars as unknown as { JavaScriptCompiler: unknown }).JavaScriptCompiler = MarkdownCompiler;
handlebars.registerHelper("neutralise", (value: unknown) => neutralise(value));
const safe = (text: string) => new handlebars.SafeString(text);

handlebars.registerHelper("instant", (iso: unknown) => (typeof iso === "string" && iso ? formatInstant(iso) : "—"));
handlebars.registerHelper("time", (iso: unknown) => (typeof iso === "string" && iso ? iso.slice(11, 16) : ""));
handlebars.registerHelper("duration", (ms: unknown) => (typeof ms === "number" ? formatDuration(ms) : "—"));
handlebars.registerHelper("eq", (a: unknown, b: unknown) => a === b);
handlebars.registerHelper("upper", (s: unknown) => String(s ?? "").toUpperCase());
handlebars.registerHelper("cell", (s: unknown) => safe(neutraliseInline(s)));
handlebars.registerHelper("mention", (s: unknown) => safe(mention(s)));
handlebars.registerHelper("mentions", (list: unknown) => safe((Array.isArray(list) ? list : []).map(mention).join(" ")));
handlebars.registerHelper("quote", (s: unknown) => safe(neutraliseQuote(s)));
// `{{code value}}` (`{{code value cell=true}}` in a table): a code span showing the text as written.
handlebars.registerHelper("code", (s: unknown, options: { hash?: { cell?: unknown } }) => safe(codeSpan(s, { cell: options.hash?.cell === true })));

const TEMPLATE_DIR = new URL("../templates/", import.meta.url);
const cache = new Map<string, Handlebars.TemplateDelegate>();

export function templateSource(name: string): string {
  return readFileSync(new URL(name, TEMPLATE_DIR), "utf8");
}

/** Compile a template; `{{value}}` is neutralised, `{{{value}}}` is written as it is. */
export function compileTemplate(source: string, name = "template"): Handlebars.TemplateDelegate {
  try {
    const template = handlebars.compile(source);
    // Compilation is lazy in Handlebars: force it so syntax errors surface here.
    handlebars.precompile(source);
    return template;
  } catch (error) {
    throw new Error(`${name} does not compile: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
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
