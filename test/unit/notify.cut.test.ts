import { describe, expect, it } from "vitest";
import { CUT_NOTE, fitEscaped } from "../../src/notify/notice.js";
import { escapeSlack } from "../../src/notify/slack.js";
import { escapeTeamsMarkdown } from "../../src/notify/teams.js";

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), "utf8") - 2;
const identity = (s: string) => s;

/** A deterministic mix of what escapes, what is wide, and surrogate pairs. */
function mix(length: number, seed: number): string {
  const parts = ["a", "<", "&", ">", "😀", "€", "\u001b", "@here", "\n", "é"];
  let out = "";
  let x = seed;
  while (out.length < length) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    out += parts[x % parts.length];
  }
  return out;
}

describe("cutting escaped text within a limit (pure)", () => {
  it("the longest start that fits with the note, never a split surrogate pair or entity", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = mix(2_000 + seed * 97, seed);
      for (const [max, escape, size] of [
        [3_000, escapeSlack, (s: string) => s.length],
        [150, escapeSlack, (s: string) => s.length],
        [4_000, identity, jsonBytes],
      ] as const) {
        const out = fitEscaped(text, max, escape, size);
        expect(size(out)).toBeLessThanOrEqual(max);
        if (size(escape(text)) <= max) {
          expect(out).toBe(escape(text));
          continue;
        }
        expect(out.endsWith(CUT_NOTE)).toBe(true);
        const kept = out.slice(0, -CUT_NOTE.length);
        const raw =
          escape === escapeSlack
            ? kept
                .replace(/@\u200b/g, "@")
                .replace(/&lt;/g, "<")
                .replace(/&gt;/g, ">")
                .replace(/&amp;/g, "&")
            : kept;
        expect(escape(raw)).toBe(kept);
        expect(text.startsWith(raw)).toBe(true);
        // Not one more code point would have fitted.
        const next = String.fromCodePoint(text.codePointAt(raw.length)!);
        expect(size(escape(raw + next))).toBeGreaterThan(max - size(CUT_NOTE));
        expect(raw).not.toMatch(/[\ud800-\udbff]$/);
      }
    }
  });

  it("escapes what each chat would read", () => {
    expect(escapeSlack("<!channel> & @here @Everyone <@U1>")).toBe("&lt;!channel&gt; &amp; @\u200bhere @\u200bEveryone &lt;@U1&gt;");
    expect(escapeTeamsMarkdown("**b** _i_ [l](u) <at>x</at> `c`\n- y")).toBe("\\*\\*b\\*\\* \\_i\\_ \\[l\\]\\(u\\) \\<at\\>x\\</at\\> \\`c\\` - y");
    expect(escapeTeamsMarkdown("- list")).toBe("\\- list");
    expect(escapeTeamsMarkdown("1. first")).toBe("1\\. first");
  });
});
