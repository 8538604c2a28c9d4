import { describe, expect, it } from "vitest";
import { BodyLimitError, cutText, fitBody, GITHUB_BODY_LIMIT, list, openFence, text } from "../../src/text/limits.js";

const marker = "<!-- incident-desk:card -->";

describe("fitBody", () => {
  it("leaves a body that fits exactly as it is", () => {
    const parts = [marker, "\n", text("short"), "\n", list(["a", "b"]), "\nend"];
    expect(fitBody(parts)).toBe(`${marker}\nshort\na\nb\nend`);
    const exact = "x".repeat(GITHUB_BODY_LIMIT - marker.length);
    expect(fitBody([marker, text(exact)])).toBe(marker + exact);
  });

  it("drops a list's tail with 'and N more', keeping what must stay", () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => `| alert ${i} | ${"label=value, ".repeat(20)} |`);
    const body = fitBody([marker, "\n| alert | labels |\n| --- | --- |\n", list(rows, (n) => `| _… and ${n} more alerts_ | |`), "\nclosing line"]);
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.startsWith(marker)).toBe(true);
    expect(body.endsWith("\nclosing line")).toBe(true);
    const kept = body.split("\n").filter((l) => /^\| alert \d/.test(l)).length;
    expect(kept).toBeGreaterThan(100);
    expect(body).toContain(`| _… and ${3_000 - kept} more alerts_ | |`);
    expect(body).toContain("| alert 0 |");
  });

  it("shares the room: small parts stay whole, the huge one is cut with how much was cut", () => {
    const huge = "y".repeat(200_000);
    const body = fitBody(["head\n", text("small summary"), "\n", text(huge), "\n", list(["one", "two"]), "\ntail"], 1_000);
    expect(body.length).toBeLessThanOrEqual(1_000);
    expect(body).toContain("small summary");
    expect(body).toContain("one\ntwo");
    expect(body).toMatch(/y… \(cut, [\d,]+ characters more\)\none\ntwo\ntail$/);
    const cut = Number(/cut, ([\d,]+) characters/.exec(body)![1]!.replace(/,/g, ""));
    expect(/y+/.exec(body.split("\n")[2]!)![0].length + cut).toBe(200_000);
  });

  it("never splits a surrogate pair", () => {
    const emoji = "🔥".repeat(40_000); // 80,000 UTF-16 units
    for (const limit of [999, 1_000, 1_001]) {
      const body = fitBody([text(emoji)], limit);
      expect(body.length).toBeLessThanOrEqual(limit);
      expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(body).not.toMatch(/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it("never cuts inside an HTML comment: the cut moves before it", () => {
    const value = `${"a".repeat(500)}<!-- incident-desk:alert {"group":"x"} -->${"b".repeat(500)}`;
    for (let limit = 480; limit < 560; limit++) {
      const body = fitBody([text(value)], limit);
      expect(body.length).toBeLessThanOrEqual(limit);
      const open = body.lastIndexOf("<!--");
      expect(open < 0 || body.indexOf("-->", open) > open).toBe(true);
    }
  });

  it("cuts at a line's end when asked, and closes a fence left open", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `| row ${i} | ${"z".repeat(30)} |`).join("\n");
    const body = fitBody([text(lines, { at: "line" })], 500);
    expect(body.length).toBeLessThanOrEqual(500);
    for (const line of body.split("\n").slice(0, -1)) expect(line).toMatch(/^\| row \d+ \| z{30} \|$/);
    expect(body.split("\n").at(-1)).toMatch(/^… \(cut, [\d,]+ characters more\)$/);

    const fenced = `intro\n\`\`\`js\n${"code();\n".repeat(500)}\`\`\`\nafter`;
    const cut = fitBody([text(fenced, { at: "line" }), "\n<!-- end -->"], 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/code\(\);\n```\n… \(cut, [\d,]+ characters more\)\n<!-- end -->$/);
  });

  it("kept parts longer than the limit are a caller's bug, said clearly", () => {
    expect(() => fitBody(["x".repeat(10), text("y")], 5)).toThrow(BodyLimitError);
  });

  it("a part left no room at all disappears rather than overflow", () => {
    const body = fitBody(["x".repeat(98), list(["aaaa", "bbbb"]), text("cccccccc")], 100);
    expect(body.length).toBeLessThanOrEqual(100);
    expect(body.startsWith("x".repeat(98))).toBe(true);
  });

  it("is linear: a megabyte of text and 100,000 items fit at once", () => {
    const body = fitBody([text("w".repeat(1_000_000)), list(Array.from({ length: 100_000 }, (_, i) => `item ${i}`))]);
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toMatch(/… and [\d,]+ more$/);
  });
});

describe("cutText and openFence", () => {
  it("cuts one text with a note, or leaves it", () => {
    expect(cutText("short", 10)).toBe("short");
    const cut = cutText("s".repeat(60_000), 4_000, (n) => ` (${n} more in the comment)`);
    expect(cut.length).toBeLessThanOrEqual(4_000);
    expect(cut).toMatch(/s \(\d+ more in the comment\)$/);
  });

  it("finds the fence left open", () => {
    expect(openFence("a\n```\nb")).toBe("```");
    expect(openFence("a\n```\nb\n```\nc")).toBeUndefined();
    expect(openFence("~~~~\nx\n~~~\n")).toBe("~~~~");
    expect(openFence("``` a`b\nx")).toBeUndefined();
  });
});
