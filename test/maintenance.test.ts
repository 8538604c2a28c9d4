import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACTIONS_BOT, issuePayload, runAction, addActionToken } from "./action.fixtures.js";
import { alertmanagerFiring } from "./alerts.fixtures.js";
import { startApp, type Harness } from "./harness.js";

/**
 * Maintenance windows, through the app (webhooks), the alert route (HTTP) and the Action's
 * scheduled run, against the simulator: the card, the phases, the reminders, who may declare,
 * bad and hostile input, and alerts held during a window.
 */
const REPO = "acme/web";
const TOKEN = "s3cret-alerts-token-of-32-characters-or-more";
const CONFIG = "services:\n  checkout: {}\n  search: {}\n";
const MARKER = "<!-- incident-desk:maintenance-card -->";
let h: Harness;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  process.env.ALERTS_TOKEN = TOKEN;
  process.env.ALERTS_REPO = REPO;
  h = await startApp({ config: CONFIG, http: true });
  addActionToken(h.sim);
  h.sim.clock.autoTick = false;
  at("2026-03-02T08:00:00Z");
});

afterEach(async () => {
  vi.useRealTimers();
  delete process.env.ALERTS_TOKEN;
  delete process.env.ALERTS_REPO;
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

function at(iso: string): void {
  h.sim.clock.set(iso);
  vi.setSystemTime(h.sim.clock.now());
}

const form = (services: string, starts: string, ends: string, description = "Upgrading the database.") =>
  ["### Services", "", services, "", "### Starts", "", starts, "", "### Ends", "", ends, "", "### Description", "", description].join("\n");

const card = (n: number) => h.sim.comments(REPO, n).find((c: { body?: string | null }) => c.body?.startsWith(MARKER))?.body;
const others = (n: number) => h.comments(n).filter((c) => !c.body.startsWith(MARKER));

/** The Action's scheduled run (`escalate`), at the simulator's time. */
async function scheduled() {
  const run = await runAction(h.sim, { inputs: { command: "escalate" }, event: { name: "schedule" } });
  expect(run.failed, run.error).toBe(false);
  return run;
}

async function alert(body: unknown) {
  const res = await fetch(`${h.url}/api/alerts/alertmanager?repo=${REPO}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  await h.deliver();
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** An Alertmanager group for `service` at `severity`, with its own group key. */
const firing = (service: string, severity: string, key = `${service}-${severity}`) => {
  const base = alertmanagerFiring();
  const labels = { alertname: "HighLatency", service, severity };
  return {
    ...base,
    groupKey: `{}:{alertname="HighLatency", key="${key}"}`,
    groupLabels: { alertname: "HighLatency", service },
    commonLabels: labels,
    alerts: [{ ...base.alerts[0]!, labels, fingerprint: `fp-${key}` }],
  };
};

describe("maintenance windows", () => {
  it("the issue form declares one: label kept, a card that follows the clock, one comment when it starts and one when it ends", async () => {
    const n = h.sim.as("alice").openIssue(REPO, { title: "Database upgrade", labels: ["maintenance"], body: form("checkout", "2026-03-02 12:00", "2026-03-02 14:00") });
    await h.deliver();
    expect(card(n)).toMatchInlineSnapshot(`
      "<!-- incident-desk:maintenance-card -->
      ### 🛠️ Maintenance window · 🗓️ scheduled

      | | |
      | --- | --- |
      | **Starts** | 2026-03-02 12:00 UTC |
      | **Ends** | 2026-03-02 14:00 UTC |
      | **Services** | \`checkout\` |
      | **Alerts** | during the window, alerts for these services open no incident (they are noted here), except sev1 and above |

      <sub>Reschedule with \`/maintenance <start> <end> <service…>\`; close the issue before the start to cancel, or while it runs to end it early. The window, its title and its description are shown on the status page.</sub>"
    `);
    expect(others(n)).toEqual([]);
    // The same delivery again writes nothing.
    const writes = h.sim.count({ writes: true });
    await h.receive(h.sim.webhooks.history.find((d) => d.name === "issues" && (d.payload as { action: string }).action === "opened")!);
    expect(h.sim.count({ writes: true })).toBe(writes);

    at("2026-03-02T10:00:00Z");
    await scheduled();
    expect(others(n)).toEqual([]);
    expect(h.sim.count({ writes: true })).toBe(writes);

    at("2026-03-02T12:05:00Z");
    const started = await scheduled();
    expect(started.summary).toContain(`#${n}: maintenance window started`);
    expect(card(n)).toContain("Maintenance window · 🔧 in progress");
    expect(others(n).map((c) => c.body)).toEqual([
      "<!-- incident-desk:maintenance-started 2026-03-02T12:00:00.000Z -->\n🔧 @alice The maintenance window has started; it ends 2026-03-02 14:00 UTC. Until then, alerts for `checkout` open no incident unless they are sev1 or above.",
    ]);
    const afterStart = h.sim.count({ writes: true });
    at("2026-03-02T12:15:00Z");
    await scheduled();
    expect(h.sim.count({ writes: true })).toBe(afterStart);

    at("2026-03-02T14:10:00Z");
    await scheduled();
    expect(card(n)).toContain("Maintenance window · ✅ completed");
    expect(others(n).map((c) => c.body.split("\n")[1])).toEqual([
      expect.stringContaining("has started"),
      "✅ @alice The maintenance window has ended (2026-03-02 14:00 UTC): alerts for `checkout` open incidents again. Close this issue when the work is done.",
    ]);
    const afterEnd = h.sim.count({ writes: true });
    await scheduled();
    expect(h.sim.count({ writes: true })).toBe(afterEnd);
    expect(h.sim.issue(REPO, n).labels).toEqual(["maintenance"]);
  });

  it("the shipped issue form's fields, as GitHub writes them into the body, are what the app reads", async () => {
    const template = parseYaml(readFileSync(".github/ISSUE_TEMPLATE/maintenance.yml", "utf8")) as { labels: string[]; body: { type: string; id?: string; attributes: { label?: string } }[] };
    const answers: Record<string, string> = { services: "checkout, search", starts: "2026-03-03 02:00", ends: "90m", description: "Sign-in may be slow." };
    const body = template.body
      .filter((f) => f.type !== "markdown")
      .map((f) => `### ${f.attributes.label}\n\n${answers[f.id!]}`)
      .join("\n\n");
    const n = h.sim.as("alice").openIssue(REPO, { title: "[Maintenance] Sign-in upgrade", labels: template.labels, body });
    await h.deliver();
    expect(card(n)).toContain("Maintenance window · 🗓️ scheduled");
    expect(card(n)).toContain("| **Ends** | 2026-03-03 03:30 UTC |");
    expect(card(n)).toContain("| **Services** | `checkout`, `search` |");
  });

  it("without the app, the Action's `handle` keeps the card (as github-actions[bot])", async () => {
    const n = h.sim.as("alice").openIssue(REPO, { title: "Window", body: "/maintenance 2026-03-03T02:00Z 1h search" });
    h.sim.webhooks.take();
    const run = await runAction(h.sim, { inputs: { command: "handle" }, event: { name: "issues", payload: issuePayload(h.sim, REPO, n, "opened") } });
    expect(run.failed, run.error).toBe(false);
    const comments = h.sim.comments(REPO, n) as { body: string; user: { login: string } }[];
    expect(comments.map((c) => [c.user.login, c.body.split("\n")[1]])).toEqual([[ACTIONS_BOT, "### 🛠️ Maintenance window · 🗓️ scheduled"]]);
    expect(h.sim.issue(REPO, n).labels).toEqual(["maintenance"]);
  });

  it("`/maintenance <start> <end> <service…>` in a new issue declares one (the end may be a duration); the app labels it", async () => {
    const n = h.sim.as("alice").openIssue(REPO, { title: "Network change", body: "Switching the load balancers.\n\n/maintenance 2026-03-03T02:00Z 2h checkout search" });
    await h.deliver();
    expect(h.sim.issue(REPO, n).labels).toEqual(["maintenance"]);
    expect(card(n)).toContain("| **Ends** | 2026-03-03 04:00 UTC |");
    expect(card(n)).toContain("| **Services** | `checkout`, `search` |");
    // Not an incident: no incident card, no incident labels.
    expect(h.card(n)).toBeUndefined();
    expect(h.sim.labels(REPO).find((l: { name: string }) => l.name === "maintenance")).toMatchObject({ color: "c5def5" });
  });

  it("a reporter who may not command waits for confirmation; a commander confirms with `/maintenance` (👍); the reporter cannot reschedule", async () => {
    const n = h.sim.as("rita").openIssue(REPO, { title: "Please schedule a DB upgrade", labels: ["maintenance"], body: form("checkout", "2026-03-03 02:00", "2026-03-03 03:00") });
    await h.deliver();
    expect(card(n)).toContain("Maintenance window · ⏳ awaiting confirmation");
    expect(card(n)).toContain("declared by someone without write permission");

    const confirm = h.sim.as("bob").comment(REPO, n, "Looks good.\n\n/maintenance");
    await h.deliver();
    expect(card(n)).toContain("Maintenance window · 🗓️ scheduled");
    expect(h.sim.issue(REPO, n).comments.find((c: { id: number }) => c.id === confirm)?.reactions).toEqual(expect.arrayContaining([expect.objectContaining({ content: "+1" })]));

    h.sim.as("rita").comment(REPO, n, "/maintenance 2026-03-04T02:00Z 1h checkout");
    await h.deliver();
    expect(card(n)).toContain("| **Starts** | 2026-03-03 02:00 UTC |");
    expect(card(n)).toContain("The last `/maintenance` command was not carried out: only people with write permission");
  });

  it("bad or hostile input: the card says what is wrong and repeats nothing people wrote; a quoted or fenced command is not one", async () => {
    const hostile = "@everyone <!-- incident-desk:card --> | x";
    const n = h.sim.as("alice").openIssue(REPO, {
      title: "<!-- incident-desk:maintenance-card --> @everyone",
      labels: ["maintenance"],
      body: form(hostile, "2026-03-03 04:00", "2026-03-03 02:00", "@everyone <!-- incident-desk:card -->"),
    });
    await h.deliver();
    const body = card(n)!;
    expect(body).toContain("Maintenance window · ⚠️ incomplete");
    expect(body).toContain("the end is not after the start");
    expect(body).toContain("of the services listed is not a service name");
    expect(body).not.toContain("@everyone");
    expect(body.match(/<!--/g)).toHaveLength(1);

    const m = h.sim.as("alice").openIssue(REPO, { title: "Not a window", body: "> /maintenance 2026-03-03T02:00Z 1h checkout\n\n```\n/maintenance 2026-03-03T02:00Z 1h checkout\n```" });
    await h.deliver();
    expect(h.sim.issue(REPO, m).labels).toEqual([]);
    expect(h.sim.comments(REPO, m)).toEqual([]);
  });

  it("closing it before the start cancels it; closing it while it runs ends it early", async () => {
    const a = h.sim.as("alice").openIssue(REPO, { title: "A", body: "/maintenance 2026-03-02T12:00Z 2h checkout" });
    const b = h.sim.as("alice").openIssue(REPO, { title: "B", body: "/maintenance 2026-03-02T09:00Z 2h search" });
    await h.deliver();
    h.sim.as("alice").close(REPO, a);
    await h.deliver();
    expect(card(a)).toContain("Maintenance window · 🚫 cancelled");

    at("2026-03-02T09:30:00Z");
    h.sim.as("alice").close(REPO, b);
    await h.deliver();
    expect(card(b)).toContain("Maintenance window · ✅ completed");
    expect(card(b)).toContain("(ended early: 2026-03-02 09:30 UTC)");
    // Closed windows get no reminders.
    await scheduled();
    expect(others(a)).toEqual([]);
    expect(others(b)).toEqual([]);
  });

  it("during the window, alerts for its services open no incident and are noted once per group; sev1, other services and later alerts page", async () => {
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout DB upgrade", body: "/maintenance 2026-03-02T09:00Z 2h checkout" });
    await h.deliver();
    at("2026-03-02T09:30:00Z");

    const held = await alert(firing("checkout", "warning"));
    expect(held).toMatchObject({ status: 200, json: { status: "maintenance", issue: n } });
    expect(h.sim.issues(REPO).map((i: { number: number }) => i.number)).toEqual([n]);
    expect(others(n).map((c) => c.body)).toEqual([
      expect.stringMatching(/^<!-- incident-desk:maintenance-alert [0-9a-f]+ -->\n🔕 \*\*Alert held by this maintenance window:\*\* 1 firing alert for `checkout` \(sev3\): `HighLatency`, since 2026-03-02 08:52 UTC\./),
    ]);
    const writes = h.sim.count({ writes: true });
    expect(await alert(firing("checkout", "warning"))).toMatchObject({ status: 200, json: { status: "maintenance" } });
    expect(h.sim.count({ writes: true })).toBe(writes);

    // sev1 pages all the same (maintenance.page_above defaults to sev1), and so does another service.
    expect((await alert(firing("checkout", "critical"))).json).toMatchObject({ status: "opened" });
    expect((await alert(firing("search", "warning"))).json).toMatchObject({ status: "opened" });
    expect(others(n)).toHaveLength(1);

    at("2026-03-02T11:05:00Z");
    expect((await alert(firing("checkout", "warning", "after"))).json).toMatchObject({ status: "opened" });
  });

  it("`maintenance.page_above: sev2` lets sev2 alerts through as well", async () => {
    h.sim.seedFile(REPO, ".github/incidents.yml", `${CONFIG}maintenance:\n  page_above: sev2\n`);
    h.sim.as("alice").openIssue(REPO, { title: "Window", body: "/maintenance 2026-03-02T08:00Z 2h checkout" });
    await h.deliver();
    expect((await alert(firing("checkout", "error"))).json).toMatchObject({ status: "opened" });
    expect((await alert(firing("checkout", "warning"))).json).toMatchObject({ status: "maintenance" });
  });
});
