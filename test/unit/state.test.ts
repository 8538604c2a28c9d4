import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import type { Actor, History, HistoryEvent } from "../../src/incident/history.js";
import { alice, bot, commentEvent, issueHistory } from "../history.fixtures.js";
import { deriveIncident } from "../../src/incident/state.js";
import { planReconcile } from "../../src/incident/reconcile.js";

const t = (minutes: number) => new Date(Date.parse("2026-03-02T09:00:00Z") + minutes * 60_000).toISOString();
const comment = (minutes: number, body: string, author: Actor = alice): HistoryEvent => commentEvent(t(minutes), body, author);
const history = (events: HistoryEvent[], overrides: Partial<History["issue"]> = {}): History => issueHistory(events, overrides);

const derive = (h: History, mayCommand = (_: string) => true) => deriveIncident(h, { config: DEFAULT_CONFIG, mayCommand });

describe("incident state from history", () => {
  it("is not an incident until declared", () => {
    expect(derive(history([comment(1, "/sev 1")])).isIncident).toBe(false);
  });

  it("declares by label with sev3 and investigating by default", () => {
    const s = derive(history([{ type: "labeled", label: "Incident", actor: alice, at: t(0) }]));
    expect(s).toMatchObject({ isIncident: true, severity: "sev3", status: "investigating", declaredVia: "label", declaredBy: "alice" });
    expect(s.times).toEqual({ detected: t(0), started: t(0) });
  });

  it("applies commands in order and computes key times and durations", () => {
    const s = derive(
      history([
        { type: "labeled", label: "incident", actor: alice, at: t(0) },
        comment(2, "/ack"),
        comment(3, "/sev 1\n/commander @bob"),
        comment(5, "/timeline start 08:50"),
        comment(20, "/status identified"),
        comment(30, "/mitigated"),
        comment(60, "/resolve"),
      ]),
    );
    expect(s).toMatchObject({ severity: "sev1", status: "resolved", roles: { commander: "bob" }, acknowledgedBy: "alice" });
    expect(s.times).toEqual({ started: t(-10), detected: t(0), acknowledged: t(2), mitigated: t(30), resolved: t(60) });
    expect(s.durations).toEqual({ detect: 600_000, acknowledge: 120_000, mitigate: 1_800_000, resolve: 4_200_000 });
  });

  it("applies nothing from a comment with one wrong command", () => {
    const s = derive(history([{ type: "labeled", label: "incident", actor: alice, at: t(0) }, comment(1, "/sev 1\n/status sleepy")]));
    expect(s.severity).toBe("sev3");
    expect(s.commands[0]).toMatchObject({ applied: [], errors: [{ line: "/status sleepy" }] });
  });

  it("refuses commands from users without write access and ignores bots", () => {
    const s = derive(
      history([
        { type: "labeled", label: "incident", actor: alice, at: t(0) },
        comment(1, "/sev 1", { login: "mallory", type: "User" }),
        comment(2, "/sev 2", bot),
      ]),
      (login) => login !== "mallory",
    );
    expect(s.severity).toBe("sev3");
    expect(s.commands).toEqual([expect.objectContaining({ author: "mallory", refused: true, applied: [] })]);
  });

  it("resolves when closed by hand and goes back to investigating when reopened", () => {
    const base: HistoryEvent[] = [{ type: "labeled", label: "incident", actor: alice, at: t(0) }, { type: "closed", actor: alice, at: t(10) }];
    expect(derive(history(base)).status).toBe("resolved");
    const reopened = derive(history([...base, { type: "reopened", actor: alice, at: t(20) }]));
    expect(reopened.status).toBe("investigating");
    expect(reopened.times.resolved).toBeUndefined();
    expect(reopened.times.mitigated).toBe(t(10));
  });

  it("ignores the app's own label events: they are renderings of the state", () => {
    const s = derive(
      history([
        { type: "labeled", label: "incident", actor: alice, at: t(0) },
        comment(1, "/sev 1"),
        { type: "labeled", label: "sev4", actor: bot, at: t(2) },
      ]),
    );
    expect(s.severity).toBe("sev1");
  });

  it("plans exactly one severity and one status label", () => {
    const h = history([{ type: "labeled", label: "incident", actor: alice, at: t(0) }, comment(1, "/sev 1\n/commander @bob")], {
      labels: ["incident", "sev3", "status:investigating", "frontend"],
    });
    const plan = planReconcile(derive(h), h, DEFAULT_CONFIG);
    expect(plan).toMatchObject({ addLabels: ["sev1"], removeLabels: ["sev3"], addAssignees: ["bob"] });
    expect(plan.card && "create" in plan.card && plan.card.create).toContain("SEV1 incident · Checkout is down");
  });

  it("reads the issue form's severity and start", () => {
    const body = "### Severity\n\nsev2 — Major\n\n### Service\n\ncheckout\n\n### Started at\n\n2026-03-02 08:45 UTC\n\n### Impact\n\nEU checkout fails";
    const s = derive(history([{ type: "labeled", label: "incident", actor: alice, at: t(0) }], { body }));
    expect(s).toMatchObject({ severity: "sev2", declaredVia: "form", service: "checkout", impact: "EU checkout fails" });
    expect(s.times.started).toBe(t(-15));
  });
});
