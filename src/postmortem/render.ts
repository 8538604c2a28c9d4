import type Handlebars from "handlebars";
import { bundledTemplate, compileTemplate } from "../templates.js";
import type { PostmortemView } from "./build.js";
import { redact } from "./redact.js";

/**
 * The post-mortem document: our `templates/postmortem.md.hbs`, or the repository's own
 * (`postmortem.template`), filled with the view from build.ts. Everything that comes out is
 * redacted, whichever template made it.
 */
export interface PostmortemTemplate {
  /** Where the template came from, for error messages: `templates/postmortem.md.hbs` or the repository path. */
  name: string;
  render: Handlebars.TemplateDelegate;
}

export function bundledPostmortemTemplate(): PostmortemTemplate {
  return { name: "templates/postmortem.md.hbs", render: bundledTemplate("postmortem.md.hbs") };
}

/** A repository's template, compiled now so that a broken one fails before anything is written. */
export function repositoryPostmortemTemplate(source: string, path: string): PostmortemTemplate {
  try {
    return { name: path, render: compileTemplate(source, path) };
  } catch (error) {
    throw new TemplateError(error instanceof Error ? error.message : String(error));
  }
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/**
 * The document, headed by a hidden line naming the incident and a digest of what follows. A re-run
 * compares the file with its digest: if people have edited the generated text since, their words
 * are kept and the file is not regenerated (see publish.ts).
 */
export function renderPostmortem(view: PostmortemView, template: PostmortemTemplate): string {
  let text: string;
  try {
    text = template.render(view);
  } catch (error) {
    // Runtime failures (an unknown helper, a block on a missing partial) are the template's too.
    throw new TemplateError(`${template.name} cannot be rendered: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = `${redact(text).trim()}\n`;
  return `${postmortemHeader(view.incident.repo, view.incident.number, digest(body))}\n${body}`;
}

const HEADER = /^<!-- incident-desk:postmortem incident=([^\s#]+)#(\d+) digest=([0-9a-z]+) -->\n/;

const postmortemHeader = (repo: string, number: number, d: string) => `<!-- incident-desk:postmortem incident=${repo}#${number} digest=${d} -->`;

/** FNV-1a, enough to notice an edit (this is not a security boundary). */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** What a file in the repository is: our untouched output, our output edited by people, or something else. */
export function postmortemFileState(content: string): "generated" | "edited" | "foreign" {
  const normalized = content.replace(/\r\n/g, "\n");
  const match = HEADER.exec(normalized);
  if (!match) return "foreign";
  return digest(normalized.slice(match[0].length)) === match[3] ? "generated" : "edited";
}
