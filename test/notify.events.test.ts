import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.js";
import type { Actor, History, HistoryEvent } from "../src/incident/history.js";
import { deriveIncident } from "../src/incident/state.js";
import { notificationEvents, notifiedMarker, unannounced, wants } from "../src/notify/events.js";
import { jsonBody, slackBody, teamsBody } from "../src/notify/format.js";

const alice: Actor = { login: "alice", type: "User" };
const t = (m: number) => new Date(Date.parse("2026-03-02T09:00:00Z") + m * 60_000).toISOString();
let id = 1;
const comment = (m: number, body: string): HistoryEvent => ({ type: "commented", commentId: id++, body, author: alice, at: t(m), url: `u${id}` });
const labeled = (m: number, label: string): HistoryEvent => ({ type: "labeled", label, actor: alice, at: t(m) });
const config = parseConfig({ notifications: [{ url_env: "A", min_severity: "sev2" }, { url_env: "B", format: "json", events: ["resolved"] }] });

function state(events: HistoryEvent[], title = "Checkout is down") {
  const history: History = {
    repo: { owner: "acme", repo: "web" },
    issue: { number: 7, id: 1, nodeId: "I_7", title, body: "", state: "open", labels: [], assignees: [], author: alice, createdAt: t(0), closedAt: null, url: "https://github.com/acme/web/issues/7" },
    events,
  };
  return deriveIncident(history, { config, mayCommand: () => true });
}

describe("notification events (pure)", () => {
  const opened = [labeled(0, "incident"), labeled(0, "sev1")];

  it("labels given with the declaration are part of it; later changes are events", () => {
    const s = state([...opened, comment(5, "/update Failing over."), comment(9, "/sev 2"), comment(12, "/resolve")]);
    expect(notificationEvents(s).map((e) => [e.event, e.text])).toEqual([
      ["declared", "Declared sev2 incident"],
      ["severity", "Severity sev1 → sev2"],
      ["resolved", "Status investigating → resolved"],
      ["update", "Failing over."],
    ]);
  });

  it("keys depend on the history only: the declaration keeps its key when the severity changes", () => {
    const before = notificationEvents(state(opened));
    const after = notificationEvents(state([...opened, comment(9, "/sev 2")]));
    expect(after[0]!.key).toBe(before[0]!.key);
    expect(notificationEvents(state([...opened, comment(9, "/sev 2")]))).toEqual(after);
  });

  it("what is new is what the previous card did not record", () => {
    const first = state(opened);
    const card = `card\n${notifiedMarker(first)}\n`;
    const next = state([...opened, comment(5, "/update Failing over.")]);
    expect(unannounced(next, card).map((e) => e.event)).toEqual(["update"]);
    expect(unannounced(next, `card\n${notifiedMarker(next)}`)).toEqual([]);
    expect(unannounced(next, undefined).map((e) => e.event)).toEqual(["declared", "update"]);
    // A card from before channels were configured: only what the latest event brought.
    expect(unannounced(next, "card without marker", t(5)).map((e) => e.event)).toEqual(["update"]);
    expect(unannounced(next, "card without marker", t(6))).toEqual([]);
  });

  it("channels filter by event and minimum severity", () => {
    const sev3 = state([labeled(0, "incident"), labeled(0, "sev3"), comment(12, "/resolve")]);
    const [declared, resolved] = notificationEvents(sev3);
    expect(wants(config.notifications[0]!, declared!, sev3, config)).toBe(false);
    expect(wants(config.notifications[1]!, declared!, sev3, config)).toBe(false);
    expect(wants(config.notifications[1]!, resolved!, sev3, config)).toBe(true);
  });

  it("security incidents are announced without their title or update texts", () => {
    const s = state([...opened, comment(1, "/incident security"), comment(5, "/update Rotated the leaked key.")], "Leaked key");
    expect(s.security).toBe(true);
    const update = notificationEvents(s).find((e) => e.event === "update")!;
    expect(JSON.stringify(slackBody(s, update, 0))).not.toMatch(/Leaked|Rotated/);
    expect(JSON.stringify(teamsBody(s, update, 0))).not.toMatch(/Leaked|Rotated/);
    expect(JSON.stringify(teamsBody(s, update, 0))).toContain("A status update was posted.");
    expect(JSON.stringify(jsonBody(s, update))).not.toMatch(/Leaked|Rotated/);
    expect(jsonBody(s, update)).toMatchObject({ text: "A status update was posted.", incident: { title: "Security incident (details in the private repository)", security: true } });
  });
});
