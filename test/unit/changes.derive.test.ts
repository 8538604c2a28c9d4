import { describe, expect, it } from "vitest";
import { emptyFacts, readFactsBlock, renderFactsBlock, type ChangeFacts, type PullSnapshot } from "../../src/changes/facts.js";
import { rankSuspects, suspectWindow } from "../../src/changes/suspects.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import type { History, HistoryEvent, ReferenceSource } from "../../src/incident/history.js";
import { deriveIncident } from "../../src/incident/state.js";
import { alice, bot, issueHistory } from "../history.fixtures.js";

const history = (events: HistoryEvent[], body = ""): History =>
  issueHistory([{ type: "labeled", label: "incident", actor: alice, at: "2026-03-02T09:00:00Z" }, ...events], { number: 12, body, labels: ["incident"] });

const source = (over: Partial<ReferenceSource>): ReferenceSource => ({
  number: 40,
  title: "Raise pool size",
  body: "Fixes #12",
  url: "https://github.com/acme/web/pull/40",
  repo: "acme/web",
  state: "open",
  isPullRequest: true,
  mergedAt: null,
  createdAt: "2026-03-02T09:10:00Z",
  author: alice,
  labels: [],
  ...over,
});

const xref = (s: ReferenceSource): HistoryEvent => ({ type: "cross-referenced", source: s, actor: alice, at: s.createdAt ?? "2026-03-02T09:10:00Z" });
const derive = (h: History, changes: ChangeFacts = emptyFacts()) => deriveIncident(h, { config: DEFAULT_CONFIG, mayCommand: () => true, changes });

describe("linked pull requests", () => {
  it("a cross-reference counts only while the source's current text names the incident", () => {
    const state = derive(history([xref(source({})), xref(source({ number: 41, body: "was #12, not any more" })), xref(source({ number: 42, body: "see #120" }))]));
    expect(state.changes.linked.map((p) => p.number)).toEqual([40, 41]);
    const edited = derive(history([xref(source({ body: "unrelated" }))]));
    expect(edited.changes.linked).toEqual([]);
  });

  it("ignores issues, other repositories and the incident itself; tells reverts and post-mortems apart", () => {
    const state = derive(
      history([
        xref(source({ isPullRequest: false, number: 50 })),
        xref(source({ repo: "acme/api", number: 51 })),
        xref(source({ number: 52, title: 'Revert "Add caching"' })),
        xref(source({ number: 53, labels: ["postmortem"], title: "Post-mortem" })),
      ]),
    );
    expect(state.changes.linked.map((p) => [p.number, p.role])).toEqual([[52, "mitigation"]]);
    expect(state.changes.postmortems.map((p) => p.number)).toEqual([53]);
  });

  it("puts opened and merged on the timeline", () => {
    const state = derive(history([xref(source({ state: "closed", mergedAt: "2026-03-02T10:00:00Z" }))]));
    expect(state.changes.linked[0]!.state).toBe("merged");
    expect(state.timeline.filter((e) => e.kind === "change").map((e) => [e.at, e.text])).toEqual([
      ["2026-03-02T09:10:00Z", "Fix #40 Raise pool size opened"],
      ["2026-03-02T10:00:00Z", "Fix #40 merged"],
    ]);
  });

  it("a commit reference holds through the pull request that contains the commit", () => {
    const pull: PullSnapshot = { number: 44, title: "Tune", url: "u", state: "open", mergedAt: null, createdAt: "2026-03-02T09:20:00Z", author: "bob", labels: [] };
    const facts = { ...emptyFacts(), commits: { abc1234def: [pull] } };
    const referenced: HistoryEvent = { type: "referenced", commitId: "abc1234def", actor: alice, at: "2026-03-02T09:15:00Z" };
    expect(derive(history([referenced]), facts).changes.linked.map((p) => [p.number, p.via])).toEqual([[44, "commit"]]);
    expect(derive(history([]), facts).changes.linked).toEqual([]);
  });
});

describe("causes", () => {
  const comment = (body: string, id: number): HistoryEvent => ({ type: "commented", commentId: id, body, author: alice, at: "2026-03-02T09:30:00Z", url: `c${id}` });

  it("an unknown cause fails its whole comment; a known one is listed with its deployment and recovery time", () => {
    const facts: ChangeFacts = {
      ...emptyFacts(),
      causes: {
        "deadbee@c1": { found: false, reason: "there is no commit `deadbee` in acme/web" },
        "#7": { found: true, sha: "f".repeat(40), deployment: { id: 3, sha: "f".repeat(40), environment: "production", createdAt: "2026-03-02T08:00:00Z" } },
      },
    };
    const state = derive(history([comment("/sev 1\n/cause deadbee", 1), comment("/cause #7", 2), comment("/resolve", 3)]), facts);
    expect(state.severity).toBe("sev3");
    expect(state.commands[0]!.errors.map((e) => e.error)).toEqual(["there is no commit `deadbee` in acme/web"]);
    expect(state.changes.causes.map((c) => c.ref)).toEqual([{ kind: "pull", number: 7 }]);
    expect(state.changes.failedDeployment?.id).toBe(3);
    expect(state.changes.recoveryMs).toBe(Date.parse("2026-03-02T09:30:00Z") - Date.parse("2026-03-02T08:00:00Z"));
  });

  it("a `root cause:` line naming nothing is shown as unresolved, not dropped silently", () => {
    const facts: ChangeFacts = { ...emptyFacts(), causes: { "abcdef1@body": { found: false, reason: "there is no commit `abcdef1` in acme/web" } } };
    const state = derive(history([], "root cause: abcdef1"), facts);
    expect(state.changes.unresolved).toEqual([{ ref: { kind: "sha", sha: "abcdef1" }, reason: "there is no commit `abcdef1` in acme/web" }]);
  });
});

describe("deployment notes", () => {
  it("only the app's own notes count, once per deployment", () => {
    const note = '<!-- incident-desk:deployment {"id":9,"sha":"abc1234","environment":"production","at":"2026-03-02T09:40:00Z"} -->\n🚀';
    const state = derive(
      history([
        { type: "commented", commentId: 5, body: note, author: bot, at: "2026-03-02T09:41:00Z", url: "" },
        { type: "commented", commentId: 6, body: note, author: bot, at: "2026-03-02T09:42:00Z", url: "" },
        { type: "commented", commentId: 7, body: note.replace('"id":9', '"id":10'), author: alice, at: "2026-03-02T09:43:00Z", url: "" },
      ]),
    );
    expect(state.changes.deployments.map((d) => d.id)).toEqual([9]);
    expect(state.timeline.filter((e) => e.kind === "deployment").map((e) => e.text)).toEqual(["Deployed `abc1234` to production"]);
  });
});

describe("suspects", () => {
  const pull = (number: number, mergedAt: string): PullSnapshot => ({ number, title: `PR ${number}`, url: "", state: "closed", mergedAt, createdAt: mergedAt, author: "bob", labels: [] });
  const dep = (id: number, createdAt: string, state?: string) => ({ id, sha: "a".repeat(40), environment: "production", createdAt, ...(state ? { state } : {}) });

  it("the window is the look-back before the start", () => {
    expect(suspectWindow("2026-03-02T09:00:00Z", "24h")).toEqual({ from: "2026-03-01T09:00:00.000Z", to: "2026-03-02T09:00:00.000Z" });
  });

  it("failed deployments first, then newest first, at most the limit, with the rest counted", () => {
    const window = { from: "2026-03-02T00:00:00Z", to: "2026-03-02T09:00:00Z" };
    const ranked = rankSuspects(
      window,
      [pull(1, "2026-03-02T01:00:00Z"), pull(2, "2026-03-02T05:00:00Z"), pull(3, "2026-03-01T05:00:00Z")],
      [dep(10, "2026-03-02T02:00:00Z", "error"), dep(11, "2026-03-02T06:00:00Z", "success"), dep(12, "2026-03-02T03:00:00Z", "failure")],
      5,
      4,
    );
    expect(ranked.items.map((s) => (s.kind === "pull" ? `p${s.pull.number}` : `d${s.deployment.id}`))).toEqual(["d12", "d10", "d11", "p2"]);
    expect(ranked.more).toBe(1 + 5);
  });
});

describe("the card's facts block", () => {
  it("round-trips, is canonical, and cannot end the HTML comment early", () => {
    const facts: ChangeFacts = { ...emptyFacts(), causes: { "#7": { found: false, reason: "a --> b" } } };
    const block = renderFactsBlock(facts);
    expect(block.indexOf("-->")).toBe(block.length - 3);
    expect(readFactsBlock(`card\n${block}`)).toEqual(facts);
    expect(renderFactsBlock(readFactsBlock(block))).toBe(block);
  });
  it("a damaged block is an empty cache", () => {
    expect(readFactsBlock("<!-- incident-desk:changes {not json} -->")).toEqual(emptyFacts());
    expect(renderFactsBlock(emptyFacts())).toBe("");
  });
});
