/**
 * Nothing the app or the Action writes exceeds GitHub's 65,536 characters (the simulator refuses
 * longer bodies with GitHub's 422, as GitHub does): a 3,000-alert group, a 60 KB `/summary`, a
 * 5,000-entry timeline, a comment full of wrong commands.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GITHUB_BODY_LIMIT } from "../src/text/limits.js";
import { runAction, addActionToken } from "./action.fixtures.js";
import { alertmanagerFiring } from "./alerts.fixtures.js";
import { startApp, type Harness } from "./harness.js";

const TOKEN = "limits-test-alerts-token-0123456789abcdef";
let h: Harness;

const refusedBodies = () => h.sim.requests.filter((r) => r.status === 422);
const bodies = (repo: string) =>
  h.sim.issues(repo).flatMap((i: { number: number; body: string | null }) => [i.body ?? "", ...h.sim.comments(repo, i.number).map((c: { body: string }) => c.body)]);

afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  expect(refusedBodies()).toEqual([]);
  for (const body of bodies(h.repo)) expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  await h.close();
});

/** An Alertmanager group of `n` alerts, each with a dozen labels, as a big Kubernetes cluster sends them. */
function bigGroup(n: number, startsAt = "2026-03-02T08:52:30Z") {
  const base = alertmanagerFiring();
  const alerts = Array.from({ length: n }, (_, i) => ({
    ...base.alerts[0]!,
    labels: {
      ...base.alerts[0]!.labels,
      instance: `10.0.${Math.floor(i / 250)}.${i % 250}:8080`,
      pod: `checkout-api-7c9f8d6b5-${String(i).padStart(5, "0")}`,
      namespace: "payments-production",
      node: `ip-10-0-${i % 64}-17.eu-west-1.compute.internal`,
      container: "checkout",
      cluster: "prod-eu-west-1",
    },
    startsAt,
    fingerprint: i.toString(16).padStart(16, "0"),
  }));
  return { ...base, alerts };
}

describe("a 3,000-alert group through the real alert route", () => {
  beforeEach(async () => {
    process.env.ALERTS_TOKEN = TOKEN;
    process.env.ALERTS_REPO = "acme/web";
    h = await startApp({ http: true });
  });
  afterEach(() => {
    delete process.env.ALERTS_TOKEN;
    delete process.env.ALERTS_REPO;
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${h.url}/api/alerts/alertmanager`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it("opens one incident whose body keeps its markers and says how many alerts are not shown", async () => {
    const res = await post(bigGroup(3_000));
    expect(res).toMatchObject({ status: 201, json: { status: "opened", issue: 1 } });
    await h.deliver();
    const body = h.sim.issue("acme/web", 1).body!;
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toMatch(/^<!-- incident-desk:declare \{"severity":"sev1"/);
    expect(body).toMatch(/<!-- incident-desk:alert-group [0-9a-f]{24} [0-9a-f]{16} -->/);
    const shown = body.split("\n").filter((l) => l.startsWith("| CheckoutErrorRate |")).length;
    expect(shown).toBeGreaterThan(100);
    expect(body).toContain(`| _… and ${(3_000 - shown).toLocaleString("en-US")} more alerts (all of them in [Prometheus Alertmanager](http://alertmanager.example.com:9093))_ | | | | |`);
    // The incident works as any other: labels, card, a redelivery writes nothing.
    expect(h.sim.issue("acme/web", 1).labels).toEqual(expect.arrayContaining(["incident", "sev1", "status:investigating"]));
    expect(h.card(1)).toContain("SEV1 incident");
    const writes = h.sim.count({ writes: true });
    expect(await post(bigGroup(3_000))).toMatchObject({ status: 200, json: { status: "unchanged" } });
    expect(h.sim.count({ writes: true })).toBe(writes);
  });

  it("a changed 3,000-alert group comments within the limit, with its signal intact", async () => {
    await post(bigGroup(3_000));
    await h.deliver();
    const res = await post(bigGroup(3_000, "2026-03-02T08:55:00Z"));
    expect(res).toMatchObject({ status: 200, json: { status: "commented", issue: 1 } });
    await h.deliver();
    const [comment] = h.comments(1);
    expect(comment!.body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(comment!.body).toMatch(/^<!-- incident-desk:alert \{"group":"[0-9a-f]{24}","digest":"[0-9a-f]{16}","status":"firing","mitigate":false\} -->/);
    expect(comment!.body).toContain("the alert group is firing (3000 alerts)");
    expect(comment!.body).toMatch(/\| _… and [\d,]+ more alerts \(all of them in \[Prometheus Alertmanager\]\([^)]+\)\)_ \| \| \| \| \| \|$/m);
    // The comment is recognised: the same group again writes nothing.
    const writes = h.sim.count({ writes: true });
    expect(await post(bigGroup(3_000, "2026-03-02T08:55:00Z"))).toMatchObject({ status: 200, json: { status: "unchanged" } });
    expect(h.sim.count({ writes: true })).toBe(writes);
  });

  it("one alert with megabytes of labels and annotations is cut cell by cell", async () => {
    const group = bigGroup(1);
    const alert = { ...group.alerts[0]!, labels: { ...group.alerts[0]!.labels, blob: "b".repeat(500_000) } };
    const commonLabels = { ...group.commonLabels, service: "v".repeat(100_000) };
    const res = await post({ ...group, alerts: [alert], commonLabels, commonAnnotations: { ...group.commonAnnotations, description: "d".repeat(300_000), summary: "s".repeat(100_000) } });
    expect(res.status).toBe(201);
    await h.deliver();
    const issue = h.sim.issue("acme/web", 1);
    expect(issue.title.length).toBeLessThanOrEqual(256);
    expect(issue.body!.length).toBeLessThan(10_000);
    expect(issue.body).toContain("… (cut, 296,0");
    expect(issue.body).toMatch(/\| CheckoutErrorRate \| firing \| [^|]+ \| [^|]*b… \|/);
    expect(h.card(1)).toContain(`**Service:** ${"v".repeat(199)}…`);
  });
});

describe("people's long texts on the card and in replies", () => {
  beforeEach(async () => {
    h = await startApp();
  });

  it("a 60 KB /summary gets a reply within the limit, which shows the start of its line", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    const id = h.sim.as("alice").comment("acme/web", n, `/summary ${"summary text 🔥 ".repeat(4_000)}`);
    await h.deliver();
    const [reply] = h.comments(n).filter((c) => c.user === "incident-desk[bot]");
    expect(reply!.body.startsWith(`<!-- incident-desk:reply:${id} -->`)).toBe(true);
    expect(reply!.body.length).toBeLessThan(2_000);
    expect(reply!.body).toContain("- `/summary summary text 🔥 summary text");
    expect(h.card(n)).not.toContain("**Summary:**");
  });

  it("the longest /summary, /impact, /update and 15 /timeline entries: the card cuts each and keeps its markers", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    const long = (word: string) => `${word} text 🔥 `.repeat(600).trim(); // under 10,000 characters, the most a command takes
    for (const command of ["summary", "impact", "update"]) h.sim.as("alice").comment("acme/web", n, `/${command} ${long(command)}`);
    for (let i = 0; i < 15; i++) h.sim.as("bob").comment("acme/web", n, `/timeline ${i} ${long("entry")}`);
    await h.deliver();
    const card = h.card(n)!;
    expect(card.length).toBeLessThan(30_000);
    expect(card.startsWith("<!-- incident-desk:card -->")).toBe(true);
    expect(card).toMatch(/<!-- incident-desk:changes \{.*\} -->\n<!-- incident-desk:verdicts [^>]*-->\n$/);
    for (const command of ["summary", "impact", "update"]) expect(card).toContain(`${command} text 🔥 ${command} text`);
    expect(card.match(/… \(cut, [\d,]+ characters more: the whole text is in its comment\)/g)).toHaveLength(3);
    expect(card.match(/\| \d+ entry text 🔥 [^|]*… \| @bob \|/g)).toHaveLength(15);
    // Every command was carried out (no reply), and a redelivery writes nothing.
    expect(h.comments(n).filter((c) => c.user === "incident-desk[bot]")).toEqual([]);
    const writes = h.sim.count({ writes: true });
    await h.receive(h.sim.webhooks.history.at(-1)!);
    expect(h.sim.count({ writes: true })).toBe(writes);
  });

  it("a comment of thousands of wrong commands gets one reply within the limit, naming the first of them", async () => {
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    const lines = Array.from({ length: 9_000 }, (_, i) => `/sev ${7 + (i % 3)}`).join("\n");
    const id = h.sim.as("alice").comment("acme/web", n, lines);
    await h.deliver();
    const replies = h.comments(n).filter((c) => c.user === "incident-desk[bot]");
    expect(replies).toHaveLength(1);
    const reply = replies[0]!.body;
    expect(reply.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(reply.startsWith(`<!-- incident-desk:reply:${id} -->`)).toBe(true);
    expect(reply).toContain("nothing in your comment was applied");
    expect(reply).toContain("- `/sev 7`:");
    expect(reply).toMatch(/\n… \(cut, [\d,]+ characters more\)$/);
    expect(h.sim.issue("acme/web", n).labels).toContain("sev3");
  });
});

describe("an incident with 5,000 timeline entries", () => {
  beforeEach(async () => {
    h = await startApp();
  });

  it("the card shows the latest 15; the post-mortem has them all, and its pull request and comment fit", async () => {
    // The longest title GitHub takes: the post-mortem's pull request and the ticket must still fit theirs.
    const title = `Checkout down for a long time ${"🔥".repeat(226)}`;
    const n = h.sim.as("alice").openIssue("acme/web", { title, labels: ["incident", "sev2"] });
    h.sim.as("alice").comment("acme/web", n, `/followup ${"Alert on pool saturation ".repeat(400)}@bob`);
    for (let c = 0; c < 50; c++) {
      h.sim.clock.advance("1m");
      const lines = Array.from({ length: 100 }, (_, i) => `/timeline checked shard ${c * 100 + i} of the payments database`);
      h.sim.as(c % 2 ? "alice" : "bob").comment("acme/web", n, lines.join("\n"));
    }
    h.sim.clock.advance("10m");
    h.sim.as("bob").comment("acme/web", n, "/summary The pool ran dry.\n\n/resolve");
    // Handled once, with the whole history (each delivery would read it all again: minutes).
    const last = h.sim.webhooks.take().at(-1)!;
    await h.receive(last);
    await h.deliver();
    const card = h.card(n)!;
    expect(card.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(card).toMatch(/_[\d,]+ earlier entries in the post-mortem_/);
    expect(card).toContain("checked shard 4999 of the payments database");
    expect(card).not.toContain("checked shard 4980 of");

    addActionToken(h.sim);
    const run = await runAction(h.sim, { inputs: { command: "postmortem", issue: String(n) } });
    expect(run.error).toBeUndefined();
    const doc = h.sim.file("acme/web", run.outputs["postmortem-path"]!, `incident-desk/postmortem-${n}`)!;
    expect(doc.length).toBeGreaterThan(GITHUB_BODY_LIMIT); // a file, not a body: it has every entry
    for (const shard of [0, 2500, 4999]) expect(doc).toContain(`checked shard ${shard} of the payments database`);
    const pull = h.sim.pull("acme/web", Number(run.outputs["pull-request"]));
    expect(pull.body!.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(pull.title.length).toBeLessThanOrEqual(256); // UTF-16 units, so never over GitHub's 256 characters
    expect(pull.title).toMatch(/^Post-mortem: Checkout down for a long time 🔥+… \(#1\)$/u);
    expect(h.comments(n).some((c) => c.body.includes("incident-desk:postmortem-link"))).toBe(true);

    const problems = await runAction(h.sim, { inputs: { command: "problems", issue: String(n) } });
    expect(problems.error).toBeUndefined();
    const [ticket] = JSON.parse(problems.outputs["problem-issues"]!) as number[];
    const opened = h.sim.issue("acme/web", ticket!);
    expect(opened.title).toMatch(/^Alert on pool saturation Alert on pool/);
    expect(opened.title.length).toBeLessThanOrEqual(256);
    expect(opened.body).toMatch(/^<!-- incident-desk:problem incident=acme\/web#1 key=/);
  }, 60_000);
});
