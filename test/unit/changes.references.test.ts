import { describe, expect, it } from "vitest";
import { findReferences, isRevert, localReferences, refersTo } from "../../src/changes/references.js";

const here = { owner: "acme", repo: "web" };

describe("findReferences", () => {
  it("reads closing keywords, Incident:, plain mentions, owner/repo#n, GH-n and URLs", () => {
    const text = [
      "Fixes #12",
      "closes: #13",
      "Incident: #14",
      "see #15 and other/thing#16",
      "GH-17, https://github.com/acme/web/issues/18, https://github.com/acme/web/pull/19",
    ].join("\n");
    expect(findReferences(text, here)).toEqual([
      { owner: "acme", repo: "web", number: 12, keyword: "fixes" },
      { owner: "acme", repo: "web", number: 13, keyword: "closes" },
      { owner: "acme", repo: "web", number: 14, keyword: "incident" },
      { owner: "acme", repo: "web", number: 15 },
      { owner: "other", repo: "thing", number: 16 },
      { owner: "acme", repo: "web", number: 17 },
      { owner: "acme", repo: "web", number: 18 },
      { owner: "acme", repo: "web", number: 19 },
    ]);
  });

  it("ignores what GitHub does not link: code, anchors, entities, words glued to #", () => {
    const text = ["```", "Fixes #1", "```", "`#2` in code", "page.html#3", "&#4;", "abc#5", "C# 6", "##7 heading"].join("\n");
    expect(findReferences(text, here)).toEqual([]);
  });

  it("lists each issue once, keeping the keyword of any of its mentions", () => {
    expect(findReferences("see #12; fixes #12; also acme/web#12", here)).toEqual([{ owner: "acme", repo: "web", number: 12, keyword: "fixes" }]);
  });

  it("reads a 65,000-character body quickly", () => {
    const body = `${"lorem ipsum #x ".repeat(4_300)}Fixes #42`.slice(-65_000);
    const started = performance.now();
    expect(localReferences([body], here)).toEqual([42]);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("localReferences", () => {
  it("keeps only this repository's issues, case-insensitively", () => {
    expect(localReferences(["ACME/Web#3 other/web#4 acme/api#5 #6"], here)).toEqual([3, 6]);
  });
  it("refersTo checks one number across several texts", () => {
    expect(refersTo(["a title", "body naming #9"], here, 9)).toBe(true);
    expect(refersTo(["a title", "body naming #90"], here, 9)).toBe(false);
  });
});

describe("isRevert", () => {
  it.each([
    ['Revert "Add caching"', true],
    ["revert: add caching", true],
    ["Reverting the feature flag default", false],
    ["Add revert button", false],
  ])("%s → %s", (title, expected) => {
    expect(isRevert(title)).toBe(expected);
  });
});
