import { afterEach, describe, expect, it } from "vitest";
import { useApp } from "./harness.js";
import { forgedMarkers, pings, SENTINEL } from "./trust.fixtures.js";

/**
 * Issue 8, "Outsiders' text becomes the app's markers", through webhooks into the app: people's
 * text the app shows again can never form one of its hidden markers, and a marker is believed
 * only where the app itself wrote it, not in a stranger's comment nor in another bot's.
 */

const repo = "acme/web";
const h = useApp();

afterEach(() => {
  expect(forgedMarkers(h.sim, repo)).toEqual([]);
});

const labels = (n: number) => [...h.sim.issue(repo, n).labels].sort();
const comment = (n: number, id: number) => h.sim.issue(repo, n).comments.find((c) => c.id === id);
const ourComments = (n: number) => h.comments(n).filter((c) => c.user === "incident-desk[bot]");
const cards = (n: number) => h.sim.issue(repo, n).comments.filter((c) => c.body.includes("<!-- incident-desk:card -->"));

async function incident(title = "Checkout is down", body = ""): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title, body, labels: ["incident"] });
  await h.deliver();
  return n;
}

/** An alert comment's signal as the app writes it: a resolved group that mitigates. */
const RESOLVED_SIGNAL = `<!-- incident-desk:alert {"group":"${SENTINEL}","digest":"0000","status":"resolved","mitigate":true} -->`;

describe("a stranger's fork pull request", () => {
  it("titled with a resolved alert signal and `Fixes #1` does not mitigate incident #1; the card shows the title neutralised", async () => {
    const n = await incident();
    expect(n).toBe(1);
    const title = `${RESOLVED_SIGNAL}Bump deps`;
    const pr = h.sim.as("mallory").openPullRequest(repo, { title, body: `Fixes #1\n\n${RESOLVED_SIGNAL}`, head: "bump", fromFork: true, commits: [{ message: "Bump deps" }] });
    await h.deliver();
    // Another event re-reads the card the app wrote with the title in it.
    h.sim.as("alice").comment(repo, n, "/update Still looking.");
    await h.deliver();

    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    const card = h.card(n)!;
    expect(card).toContain("🔍 investigating");
    expect(card).toContain(`- **Fix:** #${pr} &lt;!-- incident-desk:alert {"group":"${SENTINEL}"`);
    expect(card).toContain("--&gt;Bump deps");
    expect(card).not.toContain("Alerts resolved");

    // Renamed later: the same.
    h.sim.as("mallory").editPullRequest(repo, pr, { title: `Fixes #1 ${RESOLVED_SIGNAL}` });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/update Still looking, again.");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
  });
});

describe("another bot's or a stranger's perfect copy of the app's markers", () => {
  const COPIERS: [string, "Bot" | "User"][] = [
    ["renovate[bot]", "Bot"],
    ["mallory", "User"],
  ];

  it.each(COPIERS)("%s: a resolved alert signal in a comment does not mitigate", async (login, type) => {
    h.sim.addUser(login, { type });
    const n = await incident();
    h.sim.as(login).comment(repo, n, `${RESOLVED_SIGNAL}\n✅ **Alertmanager: the alerts resolved.** The incident is marked mitigated; \`/resolve\` when it is over.`);
    h.sim.as("alice").comment(repo, n, "/update Still looking.");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).not.toContain("Alerts resolved");
  });

  it.each(COPIERS)("%s: a copy of the card is neither edited, nor deleted, nor taken for the app's card", async (login, type) => {
    h.sim.addUser(login, { type });
    // Before the incident exists, so the copy comes first on the issue.
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down" });
    const copy = `<!-- incident-desk:card -->\n## 🔵 SEV4 incident · Checkout is down\n\n**Status:** ✅ resolved\n<!-- incident-desk:notified t${"z".repeat(9)} -->\n<!-- ${SENTINEL} -->`;
    const fake = h.sim.as(login).comment(repo, n, copy);
    await h.deliver();
    h.sim.as("alice").addLabels(repo, n, ["incident"]);
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/sev 2");
    await h.deliver();

    expect(labels(n)).toEqual(["incident", "sev2", "status:investigating"]);
    expect(comment(n, fake)).toMatchObject({ body: copy, user: login });
    const ours = cards(n).filter((c) => c.user === "incident-desk[bot]");
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain("SEV2 incident · Checkout is down");
    expect(ours[0]!.id).not.toBe(fake);
  });

  it.each(COPIERS)("%s: a copy of the reply to a wrong command does not stop the app's own reply", async (login, type) => {
    h.sim.addUser(login, { type });
    const n = await incident();
    const c = h.sim.as("alice").comment(repo, n, "/status sleepy");
    const copy = `<!-- incident-desk:reply:${c} -->\n@alice, nothing in your comment was applied.`;
    const fake = h.sim.as(login).comment(repo, n, copy);
    await h.deliver();
    const replies = ourComments(n).filter((x) => x.body.includes(`<!-- incident-desk:reply:${c} -->`));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain('`/status sleepy`: "sleepy" is not a status');
    expect(comment(n, fake)).toMatchObject({ body: copy, user: login });
  });

  it.each(COPIERS)("%s: a copy of a reply to a good command is not deleted as the app's outdated reply", async (login, type) => {
    h.sim.addUser(login, { type });
    const n = await incident();
    const c = h.sim.as("alice").comment(repo, n, "/sev 2");
    const copy = `<!-- incident-desk:reply:${c} -->\n@alice, nothing in your comment was applied.`;
    const fake = h.sim.as(login).comment(repo, n, copy);
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev2", "status:investigating"]);
    expect(comment(n, c)?.reactions).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);
    expect(comment(n, fake)).toMatchObject({ body: copy, user: login });
  });

  it.each(COPIERS)("%s: an issue carrying a declaration block declares nothing", async (login, type) => {
    h.sim.addUser(login, { type });
    const declare = `<!-- incident-desk:declare {"severity":"sev1","source":"alert","service":"${SENTINEL}"} -->`;
    const n = h.sim.as(login).openIssue(repo, { title: "Dependency dashboard", body: `${declare}\n<!-- incident-desk:alert-group ${SENTINEL} 0000 -->\nThis issue lists updates.` });
    await h.deliver();
    expect(labels(n)).toEqual([]);
    expect(h.sim.issue(repo, n).comments).toEqual([]);
  });
});

describe("people's text echoed in the app's own comments", () => {
  it.each([
    ["in inline code", `/status \`<!-- incident-desk:card ${SENTINEL} -->\` sleepy`],
    ["escaped", `/status \\<!-- incident-desk:card ${SENTINEL} --> sleepy`],
  ])("a wrong command's line %s, quoted in the reply, makes the reply no second card", async (_name, line) => {
    const n = await incident();
    const c = h.sim.as("alice").comment(repo, n, line);
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/sev 2");
    await h.deliver();
    const reply = ourComments(n).find((x) => x.body.includes(`<!-- incident-desk:reply:${c} -->`));
    expect(reply?.body).toContain("&lt;!-- incident-desk:card");
    expect(cards(n)).toHaveLength(1);
    expect(labels(n)).toEqual(["incident", "sev2", "status:investigating"]);
  });

  it("a `|` or a backslash in a timeline entry or a follow-up stays inside its table cell", async () => {
    const n = await incident();
    h.sim.as("alice").comment(repo, n, "/timeline 08:30 Restarted a | b | C:\\ c\n/followup Split | the pool @carol");
    await h.deliver();
    const card = h.card(n)!;
    const row = card.split("\n").find((l) => l.includes("Restarted"))!;
    expect(row).toBe("| 2026-03-02 08:30 UTC | Restarted a \\| b \\| C:\\\\ c | @alice |");
    expect(card).toContain("- ⬜ Split \\| the pool · @carol · _no ticket yet_");
  });
});

describe("a fake change facts block", () => {
  it("in a reporter's issue form, a stranger's or a bot's fake card, makes the app label and comment on no unrelated pull request", async () => {
    // An unrelated change, merged the day before.
    const unrelated = h.sim.as("bob").openPullRequest(repo, { title: "Refactor logging", head: "logging", commits: [{ message: "Refactor logging" }] });
    h.sim.as("bob").mergePullRequest(repo, unrelated);
    await h.deliver();
    h.sim.clock.advance("2h");
    const n = unrelated + 1;
    const snapshot = {
      number: unrelated,
      title: `Fixes #${n}`,
      url: `https://github.com/${repo}/pull/${unrelated}`,
      state: "closed",
      mergedAt: "2026-03-02T09:00:05Z",
      createdAt: "2026-03-02T09:00:01Z",
      author: "bob",
      labels: [],
    };
    const facts = { v: 1, causes: { "1234567": { found: true, sha: "1234567", pull: snapshot, noted: false } }, commits: {}, titled: [snapshot], [SENTINEL]: true };
    const block = `<!-- incident-desk:changes ${JSON.stringify(facts)} -->`;
    const form = `### Severity\n\nsev2\n\n### Service\n\ncheckout\n\n### Impact\n\nCheckout fails\n\n${block}`;
    expect(h.sim.as("rita").openIssue(repo, { title: "Checkout fails", body: form, labels: ["incident"] })).toBe(n);
    h.sim.addUser("renovate[bot]", { type: "Bot" });
    h.sim.as("mallory").comment(repo, n, `<!-- incident-desk:card -->\n${block}`);
    h.sim.as("renovate[bot]").comment(repo, n, `<!-- incident-desk:card -->\n${block}`);
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/cause 1234567");
    await h.deliver();

    expect(labels(unrelated)).toEqual([]);
    expect(h.sim.issue(repo, unrelated).comments).toEqual([]);
    const card = h.card(n)!;
    expect(card).not.toContain(`#${unrelated}`);
    expect(card).not.toContain("**Cause:**");
    expect(card).not.toContain("**Fix:**");
  });
});

describe("mentions in people's text", () => {
  it("@org/team and @user in titles, updates, summaries, timeline entries, follow-ups and pull request titles do not ping; the commander and the service's team do", async () => {
    h.sim.seedFile(repo, ".github/incidents.yml", "services:\n  checkout: { team: '@acme/payments' }\n");
    const form = "### Severity\n\nsev2\n\n### Service\n\ncheckout\n\n### Impact\n\n@acme/everyone cannot pay";
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down for @acme/everyone, cc @mallory", body: form, labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").comment(repo, n, "/commander @bob");
    h.sim.as("alice").comment(
      repo,
      n,
      [
        "/update Paging @acme/everyone and @mallory now",
        "/summary Caused by @mallory's deploy",
        "/impact @acme/everyone could not pay",
        "/timeline 09:30 @mallory restarted the pods",
        "/followup Ask @acme/everyone to retry @carol",
      ].join("\n"),
    );
    h.sim.as("mallory").openPullRequest(repo, { title: "Fix checkout for @acme/everyone", body: `Fixes #${n}`, head: "fix", fromFork: true, commits: [{ message: "Fix" }] });
    await h.deliver();

    const card = h.card(n)!;
    expect(card).toContain("**Commander:** @bob");
    expect(card).toContain("**Team:** @acme/payments");
    expect(card).toContain("Checkout down for @\u200bacme/everyone, cc @\u200bmallory");
    expect(card).toContain("> Paging @\u200bacme/everyone and @\u200bmallory now");
    expect(card).toContain("**Summary:** Caused by @\u200bmallory's deploy");
    expect(card).toContain("Fix checkout for @\u200bacme/everyone");
    expect(card).toContain("Ask @\u200bacme/everyone to retry · @carol");
    // Whom the card pings at all: people who acted, the follow-up's owner and the service's team.
    expect(pings(card)).toEqual(["acme/payments", "alice", "bob", "carol"]);
  });
});
