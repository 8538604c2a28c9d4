import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACTIONS_BOT, runAction, addActionToken } from "./action.fixtures.js";
import { startApp, type Harness } from "./harness.js";

const CONFIG = [
  "severities:",
  "  - { name: sev1, ack_within: 5m, update_every: 30m }",
  "  - { name: sev2, ack_within: 15m, update_every: 1h }",
  "  - { name: sev3 }",
  "oncall:",
  "  escalation:",
  "    - notify: ['@acme/sre-leads']",
  "    - { after: 10m, notify: ['@carol', '@acme/directors'] }",
].join("\n");

let h: Harness;

/** A scheduled run of the Action's `escalate` command at the simulator's current time. */
async function escalate() {
  vi.setSystemTime(h.sim.clock.now());
  const run = await runAction(h.sim, { inputs: { command: "escalate" }, event: { name: "schedule" } });
  expect(run.failed, run.error).toBe(false);
  return run;
}
const botComments = (n: number) => h.comments(n).filter((c) => c.user === ACTIONS_BOT).map((c) => c.body);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  h = await startApp({ config: CONFIG });
  addActionToken(h.sim);
  h.sim.clock.autoTick = false;
});

afterEach(async () => {
  vi.useRealTimers();
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

describe("escalate (scheduled)", () => {
  it("repairs an incident whose last delivery failed (a /resolve lost to GitHub's 502s) and writes nothing on a healthy one", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev3"] });
    await h.deliver();
    h.sim.as("alice").comment("acme/web", n, "/resolve");
    h.sim.faults.inject({ method: "PATCH", path: "/repos/{owner}/{repo}/issues/{issue_number}", status: 502, times: 20 });
    await expect(h.deliver()).rejects.toThrow();
    h.sim.faults.clear();
    h.sim.webhooks.take();
    expect(h.sim.issue("acme/web", n).state).toBe("open");

    await escalate();
    expect(h.sim.issue("acme/web", n).state).toBe("closed");
    expect(h.sim.issue("acme/web", n).labels).toContain("status:resolved");
    expect(h.card(n)).toContain("✅ resolved");

    const m = h.sim.as("alice").openIssue("acme/web", { title: "Search slow", labels: ["incident", "sev3"] });
    await h.deliver();
    h.sim.resetRequests();
    await escalate();
    expect(h.sim.count({ writes: true })).toBe(0);
    expect(h.sim.issue("acme/web", m).state).toBe("open");
  });

  it("mentions each escalation level once when it falls due, and stops at /ack", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev2"] });
    await h.deliver();

    h.sim.clock.advance("14m");
    expect((await escalate()).summary).toContain("No incident needed escalating");
    expect(botComments(n)).toEqual([]);

    h.sim.clock.advance("2m");
    const first = await escalate();
    expect(first.summary).toContain(`#${n}: escalated to level 1`);
    expect(botComments(n)).toEqual([expect.stringContaining("**Escalation, level 1:** @acme/sre-leads: this sev2 incident has not been acknowledged within 15m")]);

    // A second run right after writes nothing.
    h.sim.resetRequests();
    await escalate();
    expect(h.sim.count({ writes: true })).toBe(0);
    expect(botComments(n)).toHaveLength(1);

    h.sim.clock.advance("10m");
    await escalate();
    expect(botComments(n)).toHaveLength(2);
    expect(botComments(n)[1]).toContain("**Escalation, level 2:** @carol @acme/directors");
    expect(botComments(n)[1]).not.toContain("level 1");

    h.sim.as("bob").comment("acme/web", n, "/ack");
    await h.deliver();
    h.sim.clock.advance("10m");
    await escalate();
    expect(botComments(n)).toHaveLength(2);
  });

  it("a late run mentions every level that fell due meanwhile, in one comment", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev2"] });
    await h.deliver();
    h.sim.clock.advance("40m");
    await escalate();
    expect(botComments(n)).toHaveLength(1);
    expect(botComments(n)[0]).toContain("level 1");
    expect(botComments(n)[0]).toContain("level 2");
  });

  it("acknowledged in time: no escalation; resolved incidents are left alone", async () => {
    const acked = h.sim.as("alice").openIssue("acme/web", { title: "A", labels: ["incident", "sev2"] });
    const resolved = h.sim.as("alice").openIssue("acme/web", { title: "B", labels: ["incident", "sev1"] });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", acked, "/commander @bob");
    h.sim.as("bob").comment("acme/web", resolved, "/resolve");
    await h.deliver();
    h.sim.clock.advance("20m");
    await escalate();
    expect(botComments(acked)).toEqual([]);
    expect(botComments(resolved)).toEqual([]);
  });

  it("reminds the commander once per missing update, counting from the last /update", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev1"] });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/commander @bob");
    await h.deliver();

    h.sim.clock.advance("29m");
    await escalate();
    expect(botComments(n)).toEqual([]);

    h.sim.clock.advance("2m");
    await escalate();
    expect(botComments(n)).toEqual([expect.stringMatching(/⏰ @bob: no status update since the incident was declared 31m ago; sev1 incidents get one every 30m/)]);
    await escalate();
    expect(botComments(n)).toHaveLength(1);

    h.sim.as("bob").comment("acme/web", n, "/update Rolled back; watching the error rate.");
    await h.deliver();
    h.sim.clock.advance("29m");
    await escalate();
    expect(botComments(n)).toHaveLength(1);
    h.sim.clock.advance("2m");
    await escalate();
    expect(botComments(n)).toHaveLength(2);
    expect(botComments(n)[1]).toContain("@bob: the last status update was 31m ago");
  });

  it("a dry run writes nothing and says what it would do", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev2"] });
    await h.deliver();
    h.sim.clock.advance("16m");
    h.sim.resetRequests();
    vi.setSystemTime(h.sim.clock.now());
    const run = await runAction(h.sim, { inputs: { command: "escalate", "dry-run": "true" }, event: { name: "schedule" } });
    expect(run.summary).toContain(`#${n}: escalated to level 1`);
    expect(h.sim.count({ writes: true })).toBe(0);
  });
});
