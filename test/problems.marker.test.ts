import { describe, expect, it } from "vitest";
import { isTicketOf, parseTicketMarker, renderTicketMarker } from "../src/problems/marker.js";
import { ticketTarget } from "../src/problems/track.js";

describe("ticket marker", () => {
  it("round-trips and names one incident", () => {
    const marker = renderTicketMarker({ repo: "acme/web", incident: 12, key: "c991-1x2y" });
    expect(marker).toBe("<!-- incident-desk:problem incident=acme/web#12 key=c991-1x2y -->");
    const parsed = parseTicketMarker(`Some text\n${marker}\nmore`);
    expect(parsed).toEqual({ repo: "acme/web", incident: 12, key: "c991-1x2y" });
    expect(isTicketOf(parsed, "ACME/Web", 12)).toBe(true);
    expect(isTicketOf(parsed, "acme/web", 13)).toBe(false);
    expect(isTicketOf(parsed, "acme/api", 12)).toBe(false);
    expect(parseTicketMarker("<!-- incident-desk:card -->")).toBeUndefined();
    expect(parseTicketMarker(null)).toBeUndefined();
  });
});

describe("ticket events", () => {
  const payload = (action: string, body: string, repo = "acme/web") => ({ action, repository: { full_name: repo }, issue: { number: 30, body } });
  const body = renderTicketMarker({ repo: "acme/web", incident: 12, key: "b-1" });
  it("a ticket closed, reopened or deleted concerns its incident", () => {
    for (const action of ["closed", "reopened", "deleted"]) {
      expect(ticketTarget("issues", payload(action, body))).toEqual({ repo: { owner: "acme", repo: "web" }, incident: 12, ticket: 30 });
    }
  });
  it("other actions, other events, other repositories' incidents and pull requests do not", () => {
    expect(ticketTarget("issues", payload("labeled", body))).toBeUndefined();
    expect(ticketTarget("issue_comment", payload("closed", body))).toBeUndefined();
    expect(ticketTarget("issues", payload("closed", body, "acme/fork"))).toBeUndefined();
    expect(ticketTarget("issues", { ...payload("closed", body), issue: { number: 30, body, pull_request: {} } })).toBeUndefined();
    expect(ticketTarget("issues", payload("closed", "no marker"))).toBeUndefined();
  });
});
