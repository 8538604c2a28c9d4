import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { HistoryEvent } from "../../src/incident/history.js";
import { deriveIncident, type IncidentState } from "../../src/incident/state.js";
import { parseMaintenanceCommands, parseMaintenanceForm } from "../../src/maintenance/parse.js";
import { exclusionReason, publicIncident, type Visibility } from "../../src/statuspage/public.js";
import { alice, bob, commentEvent, issueHistory } from "../history.fixtures.js";

/**
 * The pure rules of what the status page publishes, on hand-built histories: the decisions that
 * the Action tests reach only through many requests, and the fields the incident state is about to
 * gain (triage, declined, internal updates), which are read by optional access.
 */
const config = parseConfig({});
const label = (name: string, at: string, actor = alice): HistoryEvent => ({ type: "labeled", label: name, actor, at });
const derive = (events: HistoryEvent[]) => deriveIncident(issueHistory(events), { config, mayCommand: (l) => l !== "rita" });
const open: Visibility = { privateRepo: false, listed: false, mayCommand: (l) => l !== "rita" };

describe("what may be public", () => {
  const incident = derive([label("incident", "2026-03-02T09:00:00Z"), label("sev2", "2026-03-02T09:00:00Z")]);

  it("a plain incident may; a security one, a private repository's (unless listed), triage and declined may not", () => {
    expect(exclusionReason(incident, open)).toBeUndefined();
    expect(exclusionReason({ ...incident, security: true }, open)).toBe("a security incident");
    expect(exclusionReason(incident, { ...open, privateRepo: true })).toMatch(/^a private repository's incident/);
    expect(exclusionReason(incident, { ...open, privateRepo: true, listed: true })).toBeUndefined();
    expect(exclusionReason({ ...incident, status: "triage" } as unknown as IncidentState, open)).toBe("still in triage");
    expect(exclusionReason({ ...incident, declined: { by: "bob", at: "2026-03-02T10:00:00Z" } }, open)).toBe("declined");
  });

  it("a report by someone who may not command waits until someone who may acts on it", () => {
    const history = [label("incident", "2026-03-02T09:00:00Z", { login: "rita", type: "User" })];
    expect(exclusionReason(derive(history), open)).toBe("still in triage");
    expect(exclusionReason(derive([...history, commentEvent("2026-03-02T09:05:00Z", "/ack", bob)]), open)).toBeUndefined();
  });

  it("updates: internal ones stay off (flag or typed), a status change and an update of one comment are one, credentials are redacted", () => {
    const state = derive([
      label("incident", "2026-03-02T09:00:00Z"),
      commentEvent("2026-03-02T09:10:00Z", "/update internal the vendor's on-call is Jo"),
      commentEvent("2026-03-02T09:20:00Z", "/status identified\n/update Found it. Bearer abcdefghijklmnopqrstuvwxyz"),
    ]);
    const flagged = { ...state, updates: [...state.updates, { at: "2026-03-02T09:30:00Z", by: "bob", text: "Jo again", internal: true }] };
    expect(publicIncident(flagged, "2026-03-02T10:00:00Z").updates.map((u) => [u.at, u.status, u.body])).toEqual([
      ["2026-03-02T09:00:00.000Z", "investigating", "We are investigating this issue."],
      ["2026-03-02T09:20:00.000Z", "identified", "Found it. Bearer [redacted]"],
    ]);
  });

  it("impact: from the start to mitigation, again after a reopen, split by severity changes; nothing after asOf", () => {
    const state = derive([
      label("incident", "2026-03-02T09:00:00Z"),
      label("sev3", "2026-03-02T09:00:00Z"),
      commentEvent("2026-03-02T09:30:00Z", "/sev 1"),
      commentEvent("2026-03-02T10:00:00Z", "/mitigated"),
      commentEvent("2026-03-02T11:00:00Z", "/status investigating"),
      commentEvent("2026-03-02T13:00:00Z", "/resolve"),
    ]);
    const view = publicIncident(state, "2026-03-02T12:00:00.000Z");
    expect(view.impact).toEqual([
      { from: "2026-03-02T09:00:00.000Z", to: "2026-03-02T09:30:00.000Z", severity: "sev3" },
      { from: "2026-03-02T09:30:00.000Z", to: "2026-03-02T10:00:00.000Z", severity: "sev1" },
      { from: "2026-03-02T11:00:00.000Z", severity: "sev1" },
    ]);
    expect(view.severities).toEqual(["sev3", "sev1"]);
    expect(view.status).toBe("investigating");
  });
});

describe("maintenance parsers", () => {
  it("read the form and the command; only visible paragraphs count", () => {
    expect(parseMaintenanceForm("### Services\n\ncheckout, search\n\n### Starts\n\n2026-03-10 02:00\n\n### Ends\n\n2h\n\n### Description\n\nDB upgrade")).toEqual({
      starts: "2026-03-10T02:00:00.000Z",
      ends: "2026-03-10T04:00:00.000Z",
      services: ["checkout", "search"],
      description: "DB upgrade",
      problems: [],
    });
    expect(parseMaintenanceCommands("/maintenance 2026-03-10T02:00+01:00 30m checkout\n\n> /maintenance x y z\n\n<!--\n/maintenance a b c\n-->\n\n`/maintenance q r s`")).toEqual([
      { ok: true, line: "/maintenance 2026-03-10T02:00+01:00 30m checkout", window: { starts: "2026-03-10T01:00:00.000Z", ends: "2026-03-10T01:30:00.000Z", services: ["checkout"] } },
    ]);
    expect(parseMaintenanceCommands("/maintenance tomorrow 2h checkout")[0]).toMatchObject({ ok: false, error: expect.stringContaining("the start is not a date and time") });
  });
});
