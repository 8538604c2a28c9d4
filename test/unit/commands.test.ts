import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { parseCommands, parseTimelineTime } from "../../src/incident/commands.js";

const at = "2026-03-02T10:30:00Z";
const parse = (body: string) => parseCommands(body, { at, config: DEFAULT_CONFIG });

describe("commands in a comment", () => {
  it("reads each line that starts with a known command, in order", () => {
    const parsed = parse("/sev 1\nsome words\n/status identified\n/commander @alice");
    expect(parsed.map((p) => (p.ok ? p.command : p.error))).toEqual([
      { name: "severity", severity: "sev1" },
      { name: "status", status: "identified" },
      { name: "role", role: "commander", user: "alice" },
    ]);
  });

  it("leaves other bots' /words, quoted lines and code blocks alone", () => {
    expect(parse("/assign @bob\n> /sev 1\n```\n/resolve\n```\nfine")).toEqual([]);
  });

  it("accepts the aliases of SPEC section 2", () => {
    const parsed = parse("/severity sev2\n/ic @bob\n/status monitoring\n/resolve\n/mitigated");
    expect(parsed.map((p) => p.ok && p.command)).toEqual([
      { name: "severity", severity: "sev2" },
      { name: "role", role: "commander", user: "bob" },
      { name: "status", status: "mitigated" },
      { name: "status", status: "resolved" },
      { name: "status", status: "mitigated" },
    ]);
  });

  it.each([
    ["/sev 7", "is not a severity (sev1, sev2, sev3, sev4)"],
    ["/status sleepy", "is not a status"],
    ["/commander", "name exactly one user"],
    ["/commander alice", "name a user as @login"],
    ["/role pilot @bob", '"pilot" is not a role (commander, comms, scribe)'],
    ["/update", "the update's text is missing"],
    ["/timeline 25:99 oops", "is not a time"],
    ["/cause banana", "neither a pull request"],
  ])("explains what is wrong with %s", (line, message) => {
    const [parsed] = parse(line);
    expect(parsed?.ok).toBe(false);
    expect(parsed && !parsed.ok && parsed.error).toContain(message);
  });

  it("takes the rest of the paragraph for text commands", () => {
    const [update] = parse("/update Rolled back the deploy.\nErrors are falling.\n\nThanks all");
    expect(update?.ok && update.command).toEqual({ name: "update", internal: false, text: "Rolled back the deploy.\nErrors are falling." });
  });

  it("declares with severity, security and title", () => {
    const [p] = parse("/incident sev2 security Card payments failing");
    expect(p?.ok && p.command).toEqual({ name: "incident", severity: "sev2", security: true, title: "Card payments failing" });
  });

  it("reads /timeline times as UTC on the comment's day, or the day before when still ahead", () => {
    expect(parseTimelineTime("10:05", at)).toBe("2026-03-02T10:05:00.000Z");
    expect(parseTimelineTime("23:50", at)).toBe("2026-03-01T23:50:00.000Z");
    expect(parseTimelineTime("2026-03-02T08:00+01:00", at)).toBe("2026-03-02T07:00:00.000Z");
    const [start] = parse("/timeline start 09:55");
    expect(start?.ok && start.command).toEqual({ name: "timeline", at: "2026-03-02T09:55:00.000Z", start: true, text: "Impact started" });
  });

  it("reads follow-ups with an optional owner and causes by number or sha", () => {
    const parsed = parse("/followup Add an alert on queue depth @carol\n/cause #42\n/cause 1a2b3c4d");
    expect(parsed.map((p) => p.ok && p.command)).toEqual([
      { name: "followup", title: "Add an alert on queue depth", owner: "carol" },
      { name: "cause", ref: { kind: "pull", number: 42 } },
      { name: "cause", ref: { kind: "sha", sha: "1a2b3c4d" } },
    ]);
  });
});
