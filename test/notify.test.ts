import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notificationLimits, settleNotifications } from "../src/notify/send.js";
import { startApp, type Harness } from "./harness.js";
import { receiver, type Receiver } from "./receiver.fixtures.js";


const SECRET = "hook-secret";
const CONFIG = [
  "notifications:",
  "  - { name: ops-slack, url_env: SLACK_URL, format: slack, min_severity: sev2 }",
  "  - { name: pager, url_env: HOOK_URL, format: json, secret_env: HOOK_SECRET, events: [declared, resolved] }",
].join("\n");

let h: Harness;
let rx: Receiver;
const saved = { ...notificationLimits };

beforeEach(async () => {
  rx = await receiver();
  process.env.SLACK_URL = `${rx.url}/slack`;
  process.env.HOOK_URL = `${rx.url}/hook`;
  process.env.HOOK_SECRET = SECRET;
  Object.assign(notificationLimits, { timeoutMs: 300, retries: 2, backoffMs: 20 });
});

afterEach(async () => {
  await settleNotifications();
  expect(h.sim.violations).toEqual([]);
  await h.close();
  await rx.close();
  Object.assign(notificationLimits, saved);
  for (const k of ["SLACK_URL", "HOOK_URL", "HOOK_SECRET"]) delete process.env[k];
});

const at = (path: string) => rx.received.filter((r) => r.path === path);

describe("notifications", () => {
  it("each channel gets the events it asked for, at or above its minimum severity; json is signed", async () => {
    h = await startApp({ config: CONFIG });
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    await settleNotifications();

    expect(at("/slack").map((r) => r.json.text)).toEqual([expect.stringMatching(/^🔴 \*SEV1 incident declared\* · <https:\/\/github.com\/acme\/web\/issues\/1\|acme\/web#1> · Checkout is down\nStatus: investigating · by @alice$/)]);
    // Block Kit beside the fallback text (shapes and limits: test/notify.formats.test.ts).
    expect(at("/slack")[0]!.json.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "🔴 SEV1 incident declared", emoji: true } },
      { type: "section", text: { type: "plain_text", text: "Checkout is down", emoji: true } },
      { type: "section", fields: [{ type: "plain_text", text: "Severity: SEV1", emoji: true }, { type: "plain_text", text: "Status: investigating", emoji: true }] },
      { type: "context", elements: [{ type: "mrkdwn", text: "<https://github.com/acme/web/issues/1|acme/web#1> · by @alice" }] },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open acme/web#1", emoji: true }, url: "https://github.com/acme/web/issues/1" }] },
    ]);
    const [declared] = at("/hook");
    expect(declared!.json).toMatchObject({ event: "declared", incident: { repository: "acme/web", number: n, title: "Checkout is down", severity: "sev1", status: "investigating", security: false } });
    expect(declared!.headers["x-incident-desk-signature-256"]).toBe(`sha256=${createHmac("sha256", SECRET).update(declared!.body).digest("hex")}`);
    expect(declared!.headers["x-incident-desk-event"]).toBe("declared");

    h.sim.as("bob").comment("acme/web", n, "/commander @bob\n/update Payments provider is failing; failing over.");
    await h.deliver();
    await settleNotifications();
    expect(at("/slack").map((r) => r.json.text)).toEqual([
      expect.anything(),
      expect.stringMatching(/^🔴 \*SEV1 status update\* .*\nPayments provider is failing; failing over\.\nStatus: investigating · Commander: @bob · by @bob$/),
    ]);
    expect(at("/hook")).toHaveLength(1);

    // Below the slack channel's minimum: nothing there; the json channel gets the resolution.
    h.sim.as("bob").comment("acme/web", n, "/sev 3");
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/resolve");
    await h.deliver();
    await settleNotifications();
    expect(at("/slack")).toHaveLength(2);
    expect(at("/hook").map((r) => r.json.event)).toEqual(["declared", "resolved"]);
    expect(at("/hook")[1]!.json).toMatchObject({ text: "Status investigating → resolved", by: "bob", incident: { status: "resolved", severity: "sev3" } });
  });

  it("what people wrote is redacted before it leaves: a token in the title, a password in an /update", async () => {
    h = await startApp({ config: CONFIG });
    const token = `ghp_${"Zz9".repeat(12)}`;
    const n = h.sim.as("alice").openIssue("acme/web", { title: `Deploy key ${token} leaked`, labels: ["incident", "sev1"] });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/update Rotated; the new DB url is postgres://app:hunter2@db:5432/app");
    await h.deliver();
    await settleNotifications();
    const sent = rx.received.map((r) => r.body).join("\n");
    expect(sent).not.toContain(token);
    expect(sent).not.toContain("hunter2");
    expect(at("/slack").map((r) => r.json.text)).toEqual([
      expect.stringContaining("Deploy key [redacted] leaked"),
      expect.stringContaining("Rotated; the new DB url is postgres://app:[redacted]@db:5432/app"),
    ]);
    expect(at("/slack")[1]!.json.blocks[2]).toEqual({ type: "section", text: { type: "plain_text", text: "Rotated; the new DB url is postgres://app:[redacted]@db:5432/app", emoji: true } });
    expect(at("/hook")[0]!.json).toMatchObject({ incident: { title: "Deploy key [redacted] leaked" } });
  });

  it("a duplicate delivery sends nothing twice", async () => {
    h = await startApp({ config: CONFIG });
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    const first = await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/update Failing over.");
    const second = await h.deliver();
    await settleNotifications();
    const count = rx.received.length;
    expect(count).toBe(3);
    for (const d of [...first, ...second]) await h.receive(d);
    await settleNotifications();
    expect(rx.received).toHaveLength(count);
  });

  it("channels configured while an incident is open hear what happens next, not its past", async () => {
    h = await startApp();
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    h.sim.seedFile("acme/web", ".github/incidents.yml", CONFIG);
    h.sim.as("bob").comment("acme/web", n, "/update Failing over.");
    await h.deliver();
    await settleNotifications();
    expect(at("/slack").map((r) => r.json.text)).toEqual([expect.stringContaining("Failing over.")]);
    expect(at("/hook")).toEqual([]);
  });

  it("a channel that fails is retried a bounded number of times", async () => {
    h = await startApp({ config: CONFIG });
    let failures = 2;
    rx.answer = (req, res) => {
      if (req.path === "/slack" && failures-- > 0) res.writeHead(503).end("busy");
      else res.end("ok");
    };
    h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    await settleNotifications();
    expect(at("/slack")).toHaveLength(3);
    expect(new Set(at("/slack").map((r) => r.headers["x-incident-desk-delivery"])).size).toBe(1);
    expect(h.logs.filter((l) => l.msg.includes("notification channel"))).toEqual([]);
  });

  it("a channel that is slow or down never blocks or fails the incident work, and is logged", async () => {
    h = await startApp({ config: CONFIG });
    Object.assign(notificationLimits, { timeoutMs: 1_500, retries: 1, backoffMs: 10 });
    // Slack never answers; the json endpoint is a closed port.
    rx.answer = (req, res) => {
      if (req.path !== "/slack") res.end("ok");
    };
    const closed = await receiver();
    await closed.close();
    process.env.HOOK_URL = `${closed.url}/hook`;
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    let settled = false;
    const settling = settleNotifications().then(() => (settled = true));
    // The incident work is done while Slack still has not answered the first attempt.
    expect(h.card(n)).toContain("SEV1 incident");
    expect(settled).toBe(false);
    await settling;
    expect(at("/slack")).toHaveLength(2);
    const warnings = h.logs.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toContainEqual(expect.stringMatching(/channel ops-slack failed for acme\/web#1 \(declared\): no answer within 1500 ms \(after 2 attempts\)/));
    expect(warnings).toContainEqual(expect.stringMatching(/channel pager failed for acme\/web#1 \(declared\): .*ECONNREFUSED.* \(after 2 attempts\)/));
  });

  it("a missing secret sends nothing unsigned and says so", async () => {
    h = await startApp({ config: CONFIG });
    delete process.env.HOOK_SECRET;
    h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    await settleNotifications();
    expect(at("/hook")).toEqual([]);
    expect(h.logs.map((l) => l.msg)).toContainEqual(expect.stringContaining("channel pager: HOOK_SECRET is not set; nothing sent unsigned"));
  });
});
