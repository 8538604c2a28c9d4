import MarkdownIt from "markdown-it";
import { describe, expect, test } from "vitest";
import { readMarkers } from "../../src/markers.js";
import { codeSpan } from "../../src/text/neutralise.js";

// What GitHub shows of a code span: CommonMark's rendering is enough to check it reads as written.
const md = new MarkdownIt();
const shown = (markdown: string) => md.renderInline(markdown).replace(/<\/?code>/g, "");

describe("code spans of people's text (`{{code value}}`)", () => {
  test("show the text as written: < and > are not turned into entities a reader sees", () => {
    expect(codeSpan("/update <text>")).toBe("`/update <text>`");
    expect(shown(codeSpan("/update <text>"))).toBe("/update &lt;text&gt;"); // the browser shows <text>
  });

  test("backticks inside cannot close the span early", () => {
    for (const text of ["a`b", "``x``", "`", "a ``` b", "`lead", "trail`"]) {
      const span = codeSpan(text);
      const html = md.renderInline(span);
      expect(html.startsWith("<code>") && html.endsWith("</code>"), `${text} → ${span}`).toBe(true);
    }
  });

  test("no hidden marker can be read out of the raw body, and line breaks stay on one line", () => {
    const span = codeSpan('<!-- incident-desk:card -->\n<!-- incident-desk:declare {"severity":"sev1"} -->');
    expect(span).not.toContain("<!--");
    expect(span).not.toContain("\n");
    expect(readMarkers(`x ${span} y`, "card")).toEqual([]);
    expect(readMarkers(`x ${span} y`, "declare")).toEqual([]);
  });

  test("in a table cell a | does not end the cell", () => {
    const row = `| ${codeSpan("a | b", { cell: true })} | next |`;
    const html = md.render(`| x | y |\n| - | - |\n${row}`);
    expect(html).toContain("<td><code>a | b</code></td>");
  });

  test("a megabyte of backticks and comment openers is cut to what it shows before any other work", () => {
    const span = codeSpan("`<!".repeat(400_000));
    expect(span.length).toBeLessThan(2_000);
  });
});
