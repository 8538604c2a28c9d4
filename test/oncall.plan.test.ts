import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.js";
import type { Actor, History, HistoryEvent } from "../src/incident/history.js";
import { markOwn } from "../src/incident/history.js";
import { OWN } from "./history.fixtures.js";
import { planEscalation } from "../src/oncall/escalate.js";
import { deriveIncident } from "../src/incident/state.js";

const alice: Actor = { login: "alice", type: "User" };
const bot: Actor = { login: "github-actions[bot]", type: "Bot" };
const t = (m: number) => new Date(Date.parse("2026-03-02T09:00:00Z") + m * 60_000);
let id = 1;
const comment = (m: number, body: string, author = alice): HistoryEvent => ({ type: "commented", commentId: id++, body, author, at: t(m).toISOString(), url: `u${id}` });

const config = parseConfig({
  severities: [{ name: "sev1", ack_within: "5m", update_every: "30m" }, { name: "sev2" }],
  oncall: { escalation: [{ after: "2m", notify: ["@l1"] }, { notify: ["@l2"] }, { after: "1h", notify: ["@l3"] }] },
});

function plan(events: HistoryEvent[], minutes: number) {
  const history: History = {
    repo: { owner: "acme", repo: "web" },
    issue: { number: 1, id: 1, nodeId: "I", title: "Down", body: "", state: "open", labels: [], assignees: [], author: alice, createdAt: t(0).toISOString(), closedAt: null, url: "u" },
    events: [{ type: "labeled", label: "incident", actor: alice, at: t(0).toISOString() }, { type: "labeled", label: "sev1", actor: alice, at: t(0).toISOString() }, ...events],
  };
  markOwn(history, OWN);
  return planEscalation(deriveIncident(history, { config, mayCommand: () => true }), history, config, t(minutes));
}

describe("planEscalation (pure)", () => {
  it("level i is due at detected + ack_within + after[0..i] (after defaults to ack_within, 0 for the first)", () => {
    // l1: 5 + 2 = 7 min; l2: 7 + 5 = 12 min; l3: 12 + 60 = 72 min.
    expect(plan([], 6.9).levels).toEqual([]);
    expect(plan([], 7).levels.map((l) => l.notify)).toEqual([["@l1"]]);
    expect(plan([], 12).levels.map((l) => [l.level, l.dueAt])).toEqual([[0, t(7).toISOString()], [1, t(12).toISOString()]]);
    expect(plan([], 72).levels.map((l) => l.level)).toEqual([0, 1, 2]);
  });

  it("levels already mentioned (by this app or its companion) are not mentioned again; a person quoting the marker does not count", () => {
    const first = plan([], 7).comment!;
    expect(plan([comment(7, first, bot)], 8).levels).toEqual([]);
    expect(plan([comment(7, first)], 8).levels.map((l) => l.level)).toEqual([0]);
  });

  it("an acknowledged incident is not escalated, but its commander is still reminded", () => {
    const p = plan([comment(1, "/commander @bob")], 31);
    expect(p.levels).toEqual([]);
    expect(p.reminder).toMatchObject({ commander: "bob", since: t(0).toISOString() });
  });

  it("the reminder counts from the last /update, once per update", () => {
    const events = [comment(1, "/ack"), comment(20, "/update Working on it.")];
    expect(plan(events, 49).reminder).toBeUndefined();
    const due = plan(events, 50);
    expect(due.reminder).toMatchObject({ since: t(20).toISOString() });
    expect(plan([...events, comment(50, due.comment!, bot)], 70).reminder).toBeUndefined();
  });

  it("a severity without ack_within or update_every is never escalated or reminded", () => {
    const history: History = {
      repo: { owner: "acme", repo: "web" },
      issue: { number: 1, id: 1, nodeId: "I", title: "Down", body: "", state: "open", labels: [], assignees: [], author: alice, createdAt: t(0).toISOString(), closedAt: null, url: "u" },
      events: [{ type: "labeled", label: "incident", actor: alice, at: t(0).toISOString() }, { type: "labeled", label: "sev2", actor: alice, at: t(0).toISOString() }],
    };
    expect(planEscalation(deriveIncident(history, { config, mayCommand: () => true }), history, config, t(600))).toEqual({ levels: [] });
  });
});
