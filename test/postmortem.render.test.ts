import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, configSchema } from "../src/config/schema.js";
import type { History, HistoryEvent } from "../src/incident/history.js";
import { deriveIncident } from "../src/incident/state.js";
import { isPostmortemFileOf, mermaidGantt, postmortemPath, postmortemView, slugify } from "../src/postmortem/build.js";
import { bundledPostmortemTemplate, postmortemFileState, renderPostmortem, repositoryPostmortemTemplate, TemplateError } from "../src/postmortem/render.js";

import { alice, bob, commentEvent, issueHistory } from "./history.fixtures.js";

/** The pure half of the post-mortem: state → view → Markdown, with no GitHub at all. */
const at = (hhmm: string) => `2026-03-02T${hhmm}:00Z`;
const comment = (who: typeof alice, hhmm: string, body: string): HistoryEvent => commentEvent(at(hhmm), body, who, 7);

function history(events: HistoryEvent[], body = "Search returns errors"): History {
  const declared: HistoryEvent[] = [
    { type: "labeled", label: "sev1", actor: alice, at: at("10:00") },
    { type: "labeled", label: "incident", actor: alice, at: at("10:00") },
  ];
  return issueHistory([...declared, ...events], {
    number: 7,
    title: "Search: 500s for everyone!",
    body,
    state: "closed",
    labels: ["incident", "sev1"],
    assignees: ["bob"],
    createdAt: at("10:00"),
    closedAt: at("11:30"),
  });
}

const state = (events: HistoryEvent[], body?: string) => deriveIncident(history(events, body), { config: DEFAULT_CONFIG, mayCommand: () => true });

function resolvedIncident() {
  const events: HistoryEvent[] = [
    comment(bob, "10:03", "/ack\n/commander @bob"),
    comment(alice, "10:10", "/timeline start 09:52\n/role comms @alice"),
    comment(bob, "10:40", "/status identified"),
    comment(bob, "10:55", "/mitigated"),
    comment(bob, "11:05", "/followup Add an index on queries @bob"),
    { type: "closed", actor: bob, at: at("11:30") },
  ];
  // The ticket the `problems` command opened for that follow-up, as the timeline shows it.
  const key = state(events).followups[0]!.key;
  const actions = { login: "github-actions[bot]", type: "Bot" };
  return state([
    ...events,
    {
      type: "cross-referenced",
      actor: actions,
      at: at("11:31"),
      source: {
        number: 9,
        title: "Add an index on queries",
        body: `<!-- incident-desk:problem incident=acme/web#7 key=${key} -->`,
        url: "https://github.com/acme/web/issues/9",
        repo: "acme/web",
        state: "closed",
        isPullRequest: false,
        mergedAt: null,
        author: actions,
        labels: ["problem"],
      },
    },
  ]);
}

describe("view", () => {
  it("computes durations from the key times, roles, tickets and a Mermaid gantt", () => {
    const s = resolvedIncident();
    const view = postmortemView(s, DEFAULT_CONFIG, { generatedAt: at("12:00") });
    expect(view.durations.map((d) => [d.name, d.text])).toEqual([
      ["Time to detect", "8m"],
      ["Time to acknowledge", "3m"],
      ["Time to mitigate", "55m"],
      ["Time to resolve", "1h 38m"],
    ]);
    expect(view.roles).toEqual([
      { role: "commander", user: "bob" },
      { role: "comms", user: "alice" },
    ]);
    expect(view.followups.items.map((f) => [f.title, f.ticket?.number, f.done])).toEqual([["Add an index on queries", 9, true]]);
    expect(view.mermaid).toMatchInlineSnapshot(`
      "gantt
        title Incident #7 (times in UTC)
        dateFormat YYYY-MM-DD HH:mm:ss
        axisFormat %H:%M
        section Impact
        Impact :crit, 2026-03-02 09:52:00, 2026-03-02 10:55:00
        section Response
        Detect :2026-03-02 09:52:00, 2026-03-02 10:00:00
        Acknowledge :2026-03-02 10:00:00, 2026-03-02 10:03:00
        Mitigate :2026-03-02 10:03:00, 2026-03-02 10:55:00
        Resolve :done, 2026-03-02 10:55:00, 2026-03-02 11:30:00
        section Events
        Declared sev1 incident :milestone, 2026-03-02 10:00:00, 1m
        Acknowledged :milestone, 2026-03-02 10:03:00, 1m
        Status investigating → identified :milestone, 2026-03-02 10:40:00, 1m
        Status identified → mitigated :milestone, 2026-03-02 10:55:00, 1m
        Status mitigated → resolved :milestone, 2026-03-02 11:30:00, 1m
        Issue closed :milestone, 2026-03-02 11:30:00, 1m"
    `);
  });

  it("an ongoing incident's impact runs to the time of generation, and Mermaid syntax in names is neutralised", () => {
    const s = state([comment(bob, "10:05", "/timeline 10:04 Saw errors: 50%; see #12")]);
    const gantt = mermaidGantt(s, at("10:30"));
    expect(gantt).toContain("Impact (ongoing) :crit, 2026-03-02 10:00:00, 2026-03-02 10:30:00");
    expect(gantt).not.toContain("#12");
  });

  it("names the file after the day it started, the number and the title", () => {
    expect(slugify("Search: 500s for everyone!")).toBe("search-500s-for-everyone");
    expect(slugify("Zürich DC — ünavailable")).toBe("zurich-dc-unavailable");
    expect(slugify("!!!")).toBe("incident");
    expect(postmortemPath(resolvedIncident(), DEFAULT_CONFIG, at("12:00"))).toBe("docs/postmortems/2026-03-02-7-search-500s-for-everyone.md");
    const custom = configSchema.parse({ postmortem: { path: "/handbook/incidents/" } });
    expect(postmortemPath(resolvedIncident(), custom, at("12:00"))).toBe("handbook/incidents/2026-03-02-7-search-500s-for-everyone.md");
    expect(isPostmortemFileOf("2026-03-01-7-old-title.md", 7)).toBe(true);
    expect(isPostmortemFileOf("2026-03-01-77-other.md", 7)).toBe(false);
  });
});

describe("render", () => {
  it("renders every section, with prompts where people must write, and a digest header", () => {
    const doc = renderPostmortem(postmortemView(resolvedIncident(), DEFAULT_CONFIG, { generatedAt: at("12:00") }), bundledPostmortemTemplate());
    expect(doc.split("\n")[0]).toMatch(/^<!-- incident-desk:postmortem incident=acme\/web#7 digest=[0-9a-z]+ -->$/);
    expect(postmortemFileState(doc)).toBe("generated");
    expect(postmortemFileState(doc.replace("✍️ _Practices", "We did well. _Practices"))).toBe("edited");
    expect(postmortemFileState("# hand-written\n")).toBe("foreign");
    expect(doc).toContain("✍️ _In two or three sentences");
    expect(doc).toContain("| [Add an index on queries](https://github.com/acme/web/issues/7#issuecomment-");
    expect(doc).toContain("| @bob | [#9](https://github.com/acme/web/issues/9) | ✅ done |");
    expect(doc).toContain("Time to detect was **8m**");
    expect(doc).toContain("| commander | @bob |\n| comms | @alice |");
  });

  it("a repository template is compiled up front; a broken one is a TemplateError naming the file", () => {
    expect(() => repositoryPostmortemTemplate("{{#if x}}open", ".github/pm.hbs")).toThrow(TemplateError);
    expect(() => repositoryPostmortemTemplate("{{#if x}}open", ".github/pm.hbs")).toThrow(/^\.github\/pm\.hbs does not compile: /);
    const ok = repositoryPostmortemTemplate("{{incident.title}} took {{durations.3.text}}", ".github/pm.hbs");
    const doc = renderPostmortem(postmortemView(resolvedIncident(), DEFAULT_CONFIG, { generatedAt: at("12:00") }), ok);
    expect(doc.split("\n")[1]).toBe("Search: 500s for everyone! took 1h 38m");
  });
});
