import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.js";
import { ConfigError } from "../src/config/load.js";
import { onCallAt, rotationFor, shiftAt } from "../src/oncall/rotation.js";

const rotation = (r: Record<string, unknown>) => parseConfig({ oncall: { rotations: [{ name: "primary", ...r }] } }).oncall.rotations[0]!;

describe("onCallAt: hand-offs", () => {
  const weekly = rotation({ members: ["alice", "bob", "carol"], start: "2026-03-02T09:00:00Z", every: "1w" });

  it("nobody before the rotation starts, then each member in turn, wrapping around", () => {
    expect(onCallAt(weekly, "2026-03-02T08:59:59Z")).toBeUndefined();
    expect(onCallAt(weekly, "2026-03-02T09:00:00Z")).toBe("alice");
    expect(onCallAt(weekly, "2026-03-09T08:59:59Z")).toBe("alice");
    expect(onCallAt(weekly, "2026-03-09T09:00:00Z")).toBe("bob");
    expect(onCallAt(weekly, "2026-03-16T09:00:00Z")).toBe("carol");
    expect(onCallAt(weekly, "2026-03-23T09:00:00Z")).toBe("alice");
    expect(onCallAt(weekly, "2027-03-01T09:00:00Z")).toBe(["alice", "bob", "carol"][52 % 3]);
  });

  it("reports the shift's bounds", () => {
    expect(shiftAt(weekly, "2026-03-10T12:00:00Z")).toEqual({ member: "bob", from: "2026-03-09T09:00:00.000Z", to: "2026-03-16T09:00:00.000Z", override: false });
  });

  it("reads ISO 8601 offsets: 09:00 in New York in winter is 14:00 UTC", () => {
    const ny = rotation({ members: ["alice", "bob"], start: "2026-01-05T09:00:00-05:00", every: "1d" });
    expect(onCallAt(ny, "2026-01-05T13:59:59Z")).toBeUndefined();
    expect(onCallAt(ny, "2026-01-05T14:00:00Z")).toBe("alice");
    expect(onCallAt(ny, "2026-01-06T13:59:59Z")).toBe("alice");
    expect(onCallAt(ny, "2026-01-06T14:00:00Z")).toBe("bob");
    expect(onCallAt(ny, "2026-01-06T09:30:00-05:00")).toBe("bob");
  });

  it("hours-long shifts", () => {
    const halfDay = rotation({ members: ["alice", "bob"], start: "2026-03-02T08:00:00Z", every: "12h" });
    expect(onCallAt(halfDay, "2026-03-02T19:59:00Z")).toBe("alice");
    expect(onCallAt(halfDay, "2026-03-02T20:00:00Z")).toBe("bob");
    expect(onCallAt(halfDay, "2026-03-03T08:00:00Z")).toBe("alice");
  });
});

describe("onCallAt: daylight saving", () => {
  // Europe/Berlin moves from +01:00 to +02:00 on 2026-03-29 and back on 2026-10-25.
  const berlin = rotation({ members: ["alice", "bob"], start: "2026-03-23T09:00:00+01:00", every: "1w", timezone: "Europe/Berlin" });

  it("with a time zone, the hand-off stays at 09:00 local across the spring change (07:00 UTC)", () => {
    expect(onCallAt(berlin, "2026-03-30T06:59:59Z")).toBe("alice");
    expect(onCallAt(berlin, "2026-03-30T07:00:00Z")).toBe("bob");
    expect(shiftAt(berlin, "2026-03-30T07:00:00Z")).toMatchObject({ from: "2026-03-30T07:00:00.000Z", to: "2026-04-06T07:00:00.000Z" });
  });

  it("and across the autumn change (08:00 UTC again)", () => {
    // 2026-10-19 is 30 weeks after the start: an even shift number, alice.
    expect(onCallAt(berlin, "2026-10-19T06:59:59Z")).toBe("bob");
    expect(onCallAt(berlin, "2026-10-19T07:00:00Z")).toBe("alice");
    expect(onCallAt(berlin, "2026-10-26T07:59:59Z")).toBe("alice");
    expect(onCallAt(berlin, "2026-10-26T08:00:00Z")).toBe("bob");
  });

  it("without a time zone, the same offset is fixed, so the hand-off stays at 08:00 UTC (10:00 summer time)", () => {
    const fixed = rotation({ members: ["alice", "bob"], start: "2026-03-23T09:00:00+01:00", every: "1w" });
    expect(onCallAt(fixed, "2026-03-30T07:00:00Z")).toBe("alice");
    expect(onCallAt(fixed, "2026-03-30T08:00:00Z")).toBe("bob");
  });

  it("a daily hand-off at a time that does not exist on the spring-forward day happens when the clocks jump", () => {
    // 02:30 does not exist in New York on 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
    const ny = rotation({ members: ["alice", "bob"], start: "2026-03-06T02:30:00-05:00", every: "1d", timezone: "America/New_York" });
    expect(onCallAt(ny, "2026-03-07T07:29:59Z")).toBe("alice");
    expect(onCallAt(ny, "2026-03-07T07:30:00Z")).toBe("bob");
    // 03:30 EDT = 07:30 UTC, the first instant after the gap that shows the same minute.
    expect(shiftAt(ny, "2026-03-08T12:00:00Z")).toMatchObject({ member: "alice", from: "2026-03-08T07:30:00.000Z" });
    expect(shiftAt(ny, "2026-03-09T12:00:00Z")).toMatchObject({ member: "bob", from: "2026-03-09T06:30:00.000Z" });
  });

  it("a time that happens twice on the fall-back day hands off the first time", () => {
    // 01:30 happens twice in New York on 2026-11-01 (EDT, then EST).
    const ny = rotation({ members: ["alice", "bob"], start: "2026-10-31T01:30:00-04:00", every: "1d", timezone: "America/New_York" });
    expect(shiftAt(ny, "2026-11-01T05:30:00Z")).toMatchObject({ member: "bob", from: "2026-11-01T05:30:00.000Z", to: "2026-11-02T06:30:00.000Z" });
  });
});

describe("onCallAt: overrides", () => {
  const r = rotation({
    members: ["alice", "bob"],
    start: "2026-03-02T09:00:00Z",
    every: "1w",
    overrides: [
      { member: "dave", from: "2026-03-03T00:00:00Z", to: "2026-03-04T00:00:00Z" },
      { member: "@erin", from: "2026-03-03T12:00:00+01:00", to: "2026-03-03T13:00:00+01:00" },
    ],
  });

  it("an override covers its period only, [from, to)", () => {
    expect(onCallAt(r, "2026-03-02T23:59:59Z")).toBe("alice");
    expect(shiftAt(r, "2026-03-03T00:00:00Z")).toEqual({ member: "dave", from: "2026-03-03T00:00:00.000Z", to: "2026-03-04T00:00:00.000Z", override: true });
    expect(onCallAt(r, "2026-03-04T00:00:00Z")).toBe("alice");
  });

  it("the override listed last wins where two overlap; offsets are read", () => {
    expect(onCallAt(r, "2026-03-03T10:59:59Z")).toBe("dave");
    expect(onCallAt(r, "2026-03-03T11:00:00Z")).toBe("erin");
    expect(onCallAt(r, "2026-03-03T12:00:00Z")).toBe("dave");
  });

  it("an override may precede the rotation's start", () => {
    expect(onCallAt(r, "2026-03-01T00:00:00Z")).toBeUndefined();
    const early = rotation({ members: ["alice"], start: "2026-03-02T09:00:00Z", overrides: [{ member: "bob", from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z" }] });
    expect(onCallAt(early, "2026-03-01T12:00:00Z")).toBe("bob");
  });
});

describe("configuration", () => {
  it("rejects an unknown time zone with the key", () => {
    try {
      parseConfig({ oncall: { rotations: [{ name: "p", members: ["a"], start: "2026-03-02T09:00:00Z", timezone: "Mars/Olympus" }] } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([{ key: "oncall.rotations.0.timezone", message: expect.stringContaining("IANA time zone") }]);
    }
  });

  it("a service's rotation, else the first", () => {
    const config = parseConfig({
      oncall: {
        rotations: [
          { name: "primary", members: ["alice"], start: "2026-03-02T09:00:00Z" },
          { name: "payments", members: ["pat"], start: "2026-03-02T09:00:00Z" },
        ],
      },
      services: { checkout: { rotation: "payments" }, search: {} },
    });
    expect(rotationFor(config, "checkout")?.name).toBe("payments");
    expect(rotationFor(config, "search")?.name).toBe("primary");
    expect(rotationFor(config, undefined)?.name).toBe("primary");
  });
});
