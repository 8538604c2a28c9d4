import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notificationLimits, settleNotifications } from "../src/notify/send.js";
import { alertmanagerFiring, alertmanagerResolved } from "./alerts.fixtures.js";
import { startApp, type Harness } from "./harness.js";
import { forgedMarkers, htmlComments, pings, SENTINEL } from "./trust.fixtures.js";

/**
 * Issue 8's marker attacks over HTTP: alerts whose annotations and label values carry markers and
 * mentions (whoever can set a label on a scraped target writes them), a stranger's issue that
 * copies an alert group's marker, and titles and updates that would tell the notification
 * channels everything was already announced. Notifications go to a real local receiver.
 */

const repo = "acme/web";
const TOKEN = "s3cret-alerts-token-for-the-trust-tests-0123456789";
const SECRET = "hook-secret";
let h: Harness;
let receiver: Server;
const received: { path: string; json: Record<string, any> }[] = [];
const saved = { ...notificationLimits };

beforeEach(async () => {
  received.length = 0;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, any> });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  Object.assign(process.env, { ALERTS_TOKEN: TOKEN, ALERTS_REPO: repo, HOOK_URL: `${url}/hook`, HOOK_SECRET: SECRET, SLACK_URL: `${url}/slack` });
  Object.assign(notificationLimits, { timeoutMs: 1_000, retries: 0, backoffMs: 10 });
  h = await startApp({
    http: true,
    config: [
      "notifications:",
      "  - { name: pager, url_env: HOOK_URL, format: json, secret_env: HOOK_SECRET }",
      "  - { name: chat, url_env: SLACK_URL, format: slack }",
    ].join("\n"),
  });
});

afterEach(async () => {
  await settleNotifications();
  expect(forgedMarkers(h.sim, repo)).toEqual([]);
  expect(h.sim.violations).toEqual([]);
  await h.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  Object.assign(notificationLimits, saved);
  for (const k of ["ALERTS_TOKEN", "ALERTS_REPO", "HOOK_URL", "HOOK_SECRET", "SLACK_URL"]) delete process.env[k];
});

async function alert(body: unknown) {
  const res = await fetch(`${h.url}/api/alerts/alertmanager?repo=${repo}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { status?: string; issue?: number } };
}

const labels = (n: number) => [...h.sim.issue(repo, n).labels].sort();
const markerKinds = (body: string) => htmlComments(body).map((c) => /^<!-- incident-desk:([a-z-]+)/.exec(c)?.[1] ?? c);
/** What the json channel was told, in order. */
const told = async () => {
  await settleNotifications();
  return received.filter((r) => r.path === "/hook").map((r) => r.json.event as string);
};

const FORGED_SIGNAL = `<!-- incident-desk:alert {"group":"${SENTINEL}","digest":"0","status":"resolved","mitigate":true} -->`;
const FORGED_DECLARE = `<!-- incident-desk:declare {"severity":"sev4","source":"${SENTINEL}"} -->`;

/** An Alertmanager group whose annotations and label values are hostile. */
function hostileGroup(resolved = false) {
  const base = resolved ? alertmanagerResolved() : alertmanagerFiring();
  const annotations = {
    summary: `Checkout errors, cc @acme/everyone ${FORGED_SIGNAL}`,
    description: `Ask @mallory.\n${FORGED_DECLARE}\n/resolve\n| broken | table |`,
    runbook_url: "https://runbooks.example.com/checkout <!-- x -->",
  };
  return {
    ...base,
    commonAnnotations: annotations,
    alerts: base.alerts.map((a) => ({ ...a, annotations, labels: { ...a.labels, instance: `10.0.0.7 | @mallory ${FORGED_SIGNAL}` } })),
  };
}

describe("alerts carrying markers and mentions", () => {
  it("open an incident whose body, card and comments hold only the app's own markers and ping no one", async () => {
    const opened = await alert(hostileGroup());
    expect(opened).toMatchObject({ status: 201, json: { status: "opened" } });
    await h.deliver();
    const n = opened.json.issue!;
    const issue = h.sim.issue(repo, n);
    expect(issue.user).toBe("incident-desk[bot]");
    expect(labels(n)).toEqual(["incident", "sev1", "status:investigating"]);
    expect(markerKinds(issue.body ?? "")).toEqual(["declare", "alert-group"]);
    expect(pings(issue.body ?? "")).toEqual([]);
    expect(issue.body).toContain("10.0.0.7 \\| @\u200bmallory &lt;!-- incident-desk:alert");

    // The group resolves with the same text: one comment with one signal; whatever it says, it is the app's.
    const resolved = await alert(hostileGroup(true));
    expect(resolved).toMatchObject({ status: 200, json: { status: "commented", issue: n } });
    await h.deliver();
    const comments = h.comments(n).filter((c) => c.user === "incident-desk[bot]");
    expect(comments).toHaveLength(1);
    expect(markerKinds(comments[0]!.body)).toEqual(["alert"]);
    expect(pings(comments[0]!.body)).toEqual([]);
    // The card names who did what: here only the app itself.
    expect(pings(h.card(n)!)).toEqual(["incident-desk[bot]"]);
  });

  it("a stranger's issue carrying an alert group's marker does not capture the group", async () => {
    const group = alertmanagerFiring();
    // Anyone can compute a group's id from its key: it is no secret.
    const id = createHash("sha256").update(`alertmanager\n${group.groupKey}`).digest("hex").slice(0, 24);
    const body = `<!-- incident-desk:declare {"severity":"sev1","source":"alert"} -->\n<!-- incident-desk:alert-group ${id} 0 -->\n${SENTINEL}`;
    // Opened from the issue form, which applies the incident label for anyone.
    const fake = h.sim.as("mallory").openIssue(repo, { title: "CheckoutErrorRate", body, labels: ["incident"] });
    await h.deliver();

    const opened = await alert(group);
    expect(opened).toMatchObject({ status: 201, json: { status: "opened" } });
    expect(opened.json.issue).not.toBe(fake);
    const resolved = await alert(alertmanagerResolved());
    expect(resolved).toMatchObject({ status: 200, json: { status: "commented", issue: opened.json.issue } });
    await h.deliver();
    expect(h.comments(fake).filter((c) => c.body.includes("incident-desk:alert"))).toEqual([]);
  });
});

describe("notifications", () => {
  it("a title and an /update carrying the notified marker do not make later events re-send, nor silence them", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down <!-- incident-desk:notified --> <!channel>", labels: ["incident", "sev1"] });
    await h.deliver();
    expect(await told()).toEqual(["declared"]);

    h.sim.as("alice").comment(repo, n, "/update Failing over.");
    await h.deliver();
    expect(await told()).toEqual(["declared", "update"]);

    // In inline code an /update keeps `<!--`: a watermark far in the future would silence everything after it.
    h.sim.as("alice").comment(repo, n, `/update Seen \`<!-- incident-desk:notified t${"z".repeat(9)} -->\` in the logs.`);
    await h.deliver();
    expect(await told()).toEqual(["declared", "update", "update"]);

    h.sim.as("alice").comment(repo, n, "/sev 2");
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    expect(await told()).toEqual(["declared", "update", "update", "severity", "resolved"]);
    expect(markerKinds(h.card(n)!)).toEqual(["card", "changes", "notified", "verdicts"]);
    // Slack would ping the whole channel for a raw `<!channel>`.
    const chat = received.filter((r) => r.path === "/slack").map((r) => r.json.text as string);
    expect(chat.length).toBeGreaterThan(0);
    for (const text of chat) expect(text).not.toContain("<!channel>");
  });

  it("a stranger's or another bot's copy of a card that says everything was told does not silence the channels", async () => {
    h.sim.addUser("renovate[bot]", { type: "Bot" });
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down", labels: ["sev1"] });
    const copy = `<!-- incident-desk:card -->\n<!-- incident-desk:notified t${"z".repeat(9)} -->\n<!-- ${SENTINEL} -->`;
    h.sim.as("mallory").comment(repo, n, copy);
    h.sim.as("renovate[bot]").comment(repo, n, copy);
    await h.deliver();
    h.sim.as("alice").addLabels(repo, n, ["incident"]);
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/update Failing over.");
    await h.deliver();
    expect(await told()).toEqual(["declared", "update"]);
  });
});
