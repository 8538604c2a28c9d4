import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";

const repo = "acme/web";
const h = useApp({ http: true });

describe("the real HTTP server", () => {
  it("handles a signed delivery from GitHub", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    const deliveries = h.sim.webhooks.take();
    for (const d of deliveries) {
      const res = await h.post(d);
      expect(res.status).toBe(200);
    }
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("SEV3 incident");
  });

  it.each([
    ["a forged signature", "sha256=" + "0".repeat(64)],
    ["no signature", null],
    ["a signature made with another secret", "sha256=deadbeef"],
  ])("rejects %s and changes nothing", async (_what, signature) => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    const deliveries = h.sim.webhooks.take();
    h.sim.resetRequests();
    for (const d of deliveries) {
      const res = await h.post(d, signature);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(h.sim.requests).toEqual([]);
    expect(h.sim.issue(repo, n).labels).toEqual(["incident"]);
    expect(h.card(n)).toBeUndefined();
  });
});
