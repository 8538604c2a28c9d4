/**
 * The scheduled `escalate` in proportion to change: with its memory of the last run (input
 * `state-file`, carried between runs by actions/cache), it reads only the incidents whose issue
 * changed and those with an escalation or reminder due.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
].join("\n");

let h: Harness;
let workspace: string;

async function escalate(extra: Record<string, string> = {}) {
  vi.setSystemTime(h.sim.clock.now());
  const run = await runAction(h.sim, { inputs: { command: "escalate", "state-file": ".incident-desk/escalate.json", ...extra }, event: { name: "schedule" }, env: { GITHUB_WORKSPACE: workspace } });
  expect(run.failed, run.error).toBe(false);
  return run;
}
/** Per-incident reads of the last run (issue and timeline), by issue number. */
const readIssues = () =>
  [...new Set(h.sim.requests.filter((r) => r.identity === ACTIONS_BOT && r.operationId === "issues/get").map((r) => Number(r.path.split("/").pop())))].sort((a, b) => a - b);
const escalations = (n: number) => h.comments(n).filter((c) => c.user === ACTIONS_BOT);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  workspace = mkdtempSync(join(tmpdir(), "incident-desk-workspace-"));
  h = await startApp({ config: CONFIG });
  addActionToken(h.sim);
  h.sim.clock.autoTick = false;
});

afterEach(async () => {
  vi.useRealTimers();
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

describe("escalate reads what changed or falls due", () => {
  it("reads every open incident once, then only those that changed", async () => {
    const numbers = Array.from({ length: 10 }, (_, i) => h.sim.as("alice").openIssue("acme/web", { title: `Incident ${i}`, labels: ["incident", "sev3"] }));
    await h.deliver();
    h.sim.clock.advance("10m");

    h.sim.resetRequests();
    const first = await escalate();
    expect(readIssues()).toEqual(numbers);
    expect(first.summary).toContain("No incident needed escalating");
    const memory = JSON.parse(readFileSync(join(workspace, ".incident-desk/escalate.json"), "utf8"));
    expect(Object.keys(memory.incidents)).toHaveLength(10);

    // Ten minutes on, nothing changed: the listing of changed incidents, nothing else.
    h.sim.clock.advance("10m");
    h.sim.resetRequests();
    const second = await escalate();
    expect(readIssues()).toEqual([]);
    // The listing of changed incidents, and the maintenance windows' (src/maintenance/remind.ts).
    expect(h.sim.requests.filter((r) => r.identity === ACTIONS_BOT).map((r) => r.operationId)).toEqual(["repos/get-content", "issues/list-for-repo", "issues/list-for-repo"]);
    expect(second.summary).toContain("10 others had not changed since the last run");

    // One incident changed: only it is read.
    h.sim.as("bob").comment("acme/web", numbers[3]!, "/update Looking into it");
    await h.deliver();
    h.sim.clock.advance("10m");
    h.sim.resetRequests();
    await escalate();
    expect(readIssues()).toEqual([numbers[3]]);
    expect(h.sim.count({ identity: ACTIONS_BOT, writes: true })).toBe(0);
  });

  it("escalates an unchanged incident when its level falls due, reading only that one", async () => {
    const quiet = h.sim.as("alice").openIssue("acme/web", { title: "Quiet sev3", labels: ["incident", "sev3"] });
    const urgent = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev2"] });
    await h.deliver();
    h.sim.clock.advance("10m");
    await escalate();
    expect(escalations(urgent)).toEqual([]);

    h.sim.clock.advance("10m"); // 20m: level 1 of the sev2 was due at 15m
    h.sim.resetRequests();
    const run = await escalate();
    expect(run.summary).toContain(`#${urgent}: escalated to level 1`);
    expect(readIssues()).toEqual([urgent]);
    expect(escalations(urgent)).toHaveLength(1);
    void quiet;

    // Its own comment changed the issue: read once more, and nothing is said twice.
    h.sim.clock.advance("10m");
    h.sim.resetRequests();
    await escalate();
    expect(escalations(urgent)).toHaveLength(1);
    // The sev2's update reminder (1h after the declaration) is the next thing due.
    h.sim.clock.advance("10m");
    h.sim.resetRequests();
    await escalate();
    expect(readIssues()).toEqual([]);
    h.sim.clock.advance("25m");
    h.sim.resetRequests();
    await escalate();
    expect(readIssues()).toEqual([urgent]);
    expect(escalations(urgent)).toHaveLength(2);
    expect(escalations(urgent)[1]!.body).toContain("no status update");
  });

  it("repairs an incident whose delivery failed: the change is in the listing", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev3"] });
    await h.deliver();
    await escalate();
    h.sim.as("alice").comment("acme/web", n, "/resolve");
    h.sim.webhooks.take(); // the delivery never reached the app
    h.sim.clock.advance("10m");
    await escalate();
    expect(h.sim.issue("acme/web", n).state).toBe("closed");
    expect(h.card(n)).toContain("✅ resolved");
  });

  it("reads everything again when the memory is lost, unreadable or from another configuration", async () => {
    const numbers = [1, 2, 3].map((i) => h.sim.as("alice").openIssue("acme/web", { title: `Incident ${i}`, labels: ["incident", "sev3"] }));
    await h.deliver();
    await escalate();
    const file = join(workspace, ".incident-desk/escalate.json");

    writeFileSync(file, "{ not json");
    h.sim.resetRequests();
    const corrupt = await escalate();
    expect(readIssues()).toEqual(numbers);
    expect(corrupt.log).toContain("is not JSON: every open incident is read");

    h.sim.as("alice").writeFile("acme/web", ".github/incidents.yml", `${CONFIG}\ndefault_severity: sev2\n`);
    h.sim.webhooks.take();
    h.sim.clock.advance("10m");
    h.sim.resetRequests();
    await escalate();
    expect(readIssues()).toEqual(numbers);

    // `state-file: ""`: no memory, as before.
    h.sim.resetRequests();
    await escalate({ "state-file": "" });
    expect(readIssues()).toEqual(numbers);
  });

  it("a dry run leaves the memory as it was", async () => {
    h.sim.as("alice").openIssue("acme/web", { title: "Checkout fails", labels: ["incident", "sev3"] });
    await h.deliver();
    await escalate();
    const file = join(workspace, ".incident-desk/escalate.json");
    const before = readFileSync(file, "utf8");
    h.sim.clock.advance("1h");
    await escalate({ "dry-run": "true" });
    expect(readFileSync(file, "utf8")).toBe(before);
  });
});
