import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACTIONS_BOT, runAction, addActionToken } from "./action.fixtures.js";
import { startApp, type Harness } from "./harness.js";
import { followupKey, forgedMarkers, htmlComments, pings, SENTINEL } from "./trust.fixtures.js";

/**
 * Issue 8's marker attacks on what the Action does, with the app beside it (as a repository that
 * runs both has it): people's text cannot silence escalation, make a problem ticket a new
 * incident, or pass a stranger's issue off as a ticket.
 */

const repo = "acme/web";
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

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  h = await startApp({ config: CONFIG });
  addActionToken(h.sim);
  h.sim.addUser("renovate[bot]", { type: "Bot" });
  h.sim.clock.autoTick = false;
});

afterEach(async () => {
  vi.useRealTimers();
  expect(forgedMarkers(h.sim, repo)).toEqual([]);
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

async function action(command: string, inputs: Record<string, string> = {}) {
  vi.setSystemTime(h.sim.clock.now());
  const run = await runAction(h.sim, { inputs: { command, ...inputs }, event: { name: command === "escalate" ? "schedule" : "workflow_dispatch" } });
  expect(run.error).toBeUndefined();
  return run;
}

const actionComments = (n: number) => h.comments(n).filter((c) => c.user === ACTIONS_BOT).map((c) => c.body);
/** The kinds of the hidden markers in a body. */
const markerKinds = (body: string) => htmlComments(body).map((c) => /^<!-- incident-desk:([a-z-]+)/.exec(c)?.[1] ?? c);


describe("escalate", () => {
  it("escalation and reminder markers in a title, a stranger's or another bot's comment do not silence it; the levels still ping", async () => {
    const detected = h.sim.clock.iso();
    const silencers = ["<!-- incident-desk:escalation:0 -->", "<!-- incident-desk:escalation:1 -->", `<!-- incident-desk:update-reminder:${detected} -->`].join("");
    const n = h.sim.as("alice").openIssue(repo, { title: `Checkout fails ${silencers}`, labels: ["incident", "sev2"] });
    await h.deliver();
    h.sim.as("mallory").comment(repo, n, `Same here. ${silencers}`);
    h.sim.as("renovate[bot]").comment(repo, n, silencers);
    await h.deliver();
    expect(markerKinds(h.card(n)!)).toEqual(["card", "changes", "verdicts"]);
    expect(h.card(n)).toContain("Checkout fails &lt;!-- incident-desk:escalation:0 --&gt;");

    h.sim.clock.advance("16m");
    await action("escalate");
    expect(actionComments(n)).toEqual([expect.stringContaining("**Escalation, level 1:** @acme/sre-leads: this sev2 incident has not been acknowledged within 15m")]);
    expect(pings(actionComments(n)[0]!)).toEqual(["acme/sre-leads"]);

    h.sim.clock.advance("10m");
    await action("escalate");
    expect(actionComments(n)).toHaveLength(2);
    expect(actionComments(n)[1]).toContain("**Escalation, level 2:** @carol @acme/directors");

    h.sim.clock.advance("40m");
    await action("escalate");
    expect(actionComments(n)).toHaveLength(3);
    expect(actionComments(n)[2]).toContain("no status update since the incident was declared");
  });
});

describe("problems", () => {
  it("a declaration block in an incident's title or a follow-up does not make the problem tickets opened from it incidents", async () => {
    const declare = `<!-- incident-desk:declare {"severity":"sev1","source":"alert","service":"${SENTINEL}"} -->`;
    const n = h.sim.as("alice").openIssue(repo, { title: `Checkout fails ${declare}`, labels: ["incident", "sev2"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, `/followup Add a canary stage @bob\n/followup Handle \`${declare}\` in titles @carol`);
    await h.deliver();
    const run = await action("problems", { issue: String(n) });
    const tickets = JSON.parse(run.outputs["problem-issues"]!) as number[];
    expect(tickets).toHaveLength(2);
    await h.deliver();

    for (const t of tickets) {
      const ticket = h.sim.issue(repo, t);
      expect(ticket.user).toBe(ACTIONS_BOT);
      expect(ticket.labels).toEqual(["follow-up"]);
      expect(ticket.comments).toEqual([]);
      expect(markerKinds(ticket.body ?? "")).toEqual(["problem"]);
      expect(ticket.body).toContain(`(Checkout fails &lt;!-- incident-desk:declare {"severity":"sev1"`);
    }
    expect(h.sim.issues(repo).filter((i) => i.labels.includes("incident")).map((i) => i.number)).toEqual([n]);
    expect(h.card(n)).toContain("### Follow-ups · 0 of 2 done");
  });

  it("a stranger's issue carrying a computed ticket marker is neither a finished follow-up nor adopted as the ticket", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout fails", labels: ["incident", "sev2"] });
    await h.deliver();
    const title = "Add a canary stage";
    const c = h.sim.as("alice").comment(repo, n, `/followup ${title} @bob`);
    await h.deliver();

    const marker = `<!-- incident-desk:problem incident=${repo}#${n} key=${followupKey(c, title)} -->`;
    const fakes = [
      h.sim.as("mallory").openIssue(repo, { title, body: `${marker}\nA follow-up of incident ${repo}#${n}.` }),
      h.sim.as("renovate[bot]").openIssue(repo, { title, body: `${marker}\nA follow-up of incident ${repo}#${n}.` }),
    ];
    // Attached as sub-issues too (GitHub asks triage access for that; the simulator does not).
    for (const f of fakes) h.sim.as("mallory").addSubIssue(repo, n, repo, f);
    for (const f of fakes) h.sim.as("mallory").close(repo, f);
    await h.deliver();
    expect(h.card(n)).toContain(`### Follow-ups · 0 of 1 done\n- ⬜ ${title} · @bob · _no ticket yet_\n`);
    expect(h.comments(n).filter((x) => x.body.includes("incident-desk:followups-done"))).toEqual([]);

    const run = await action("problems", { issue: String(n) });
    const [ticket] = JSON.parse(run.outputs["problem-issues"]!) as number[];
    expect(fakes).not.toContain(ticket);
    expect(h.sim.issue(repo, ticket!)).toMatchObject({ user: ACTIONS_BOT, title, state: "open", labels: ["follow-up"] });
    await h.deliver();
    expect(h.card(n)).toContain(`### Follow-ups · 0 of 1 done\n- ⬜ ${title} · @bob · #${ticket} open\n`);
  });

  it("follow-ups hidden in code, comments or quotes get no ticket", async () => {
    const body = ["## Follow-ups", "- [ ] Add a canary stage", "", "```", "- [ ] Hidden in a fence", "```", "", "<!--", "- [ ] Hidden in a comment", "-->", "", "> - [ ] Hidden in a quote"].join("\n");
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout fails", body, labels: ["incident", "sev2"] });
    h.sim.as("alice").comment(repo, n, "```\n/followup Hidden in a comment's fence\n```\n<!--\n/followup Hidden in a comment's comment\n-->");
    await h.deliver();
    const run = await action("problems", { issue: String(n) });
    const tickets = JSON.parse(run.outputs["problem-issues"]!) as number[];
    expect(tickets.map((t) => h.sim.issue(repo, t).title)).toEqual(["Add a canary stage"]);
  });
});

describe("the app's card and an Action that does not know the app", () => {
  it("stops with what to set, instead of writing a second card, tickets and notifications; a person's copy of a card stops nothing", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout fails", labels: ["incident", "sev2"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/followup Add a canary stage @bob");
    await h.deliver();
    const before = h.comments(n).length;

    vi.setSystemTime(h.sim.clock.now());
    const blind = await runAction(h.sim, { inputs: { command: "problems", issue: String(n), app: "" } });
    expect(blind.failed).toBe(true);
    expect(blind.error).toContain(`has its card written by ${h.sim.app.slug}[bot], which this Action does not believe`);
    expect(blind.error).toContain(`set the Action's \`app\` input to \`${h.sim.app.slug}\``);
    expect(h.comments(n)).toHaveLength(before);
    expect(h.sim.issues(repo).filter((i) => i.labels.includes("follow-up"))).toEqual([]);

    // Where only a person wrote a card marker (mallory's copy), the Action goes on: people's text stops nothing.
    const m = h.sim.as("alice").openIssue(repo, { title: "Search is slow", labels: ["incident", "sev3"] });
    h.sim.as("mallory").comment(repo, m, "<!-- incident-desk:card -->");
    h.sim.as("alice").comment(repo, m, "/followup Cache the index @bob");
    const alone = await runAction(h.sim, { inputs: { command: "problems", issue: String(m), app: "" } });
    expect(alone.error).toBeUndefined();

    // With the app named, the Action believes its card and opens the ticket once.
    const known = await action("problems", { issue: String(n) });
    expect(JSON.parse(known.outputs["problem-issues"]!)).toHaveLength(1);
  });
});
