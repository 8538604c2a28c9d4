import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";
import { runAction, addActionToken } from "./action.fixtures.js";

/**
 * Problem records (SPEC section 9) through the app: an issue labelled `problem` groups incidents
 * with one underlying cause. `/problem #n` and `/problem new <title>` on incidents; `/known-error`,
 * `/workaround`, closing and reopening on the problem; its card; the workaround on the linked
 * incidents' cards.
 */
const PROBLEM_CARD = "<!-- incident-desk:problem-card";
let h: Harness;

beforeEach(async () => {
  h = await startApp();
  addActionToken(h.sim);
});
afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

const problemCard = (n: number) => h.sim.comments(h.repo, n).find((c: { body: string }) => c.body.includes(PROBLEM_CARD))?.body;
const problems = () => h.sim.issues(h.repo).filter((i) => i.labels.includes("problem"));
/** Writes other than the 👍 GitHub answers 200 for when it exists already (a repeat changes nothing). */
const changes = () => h.sim.requests.filter((r) => r.method !== "GET" && !(r.path.endsWith("/reactions") && r.status === 200));
const linkRecords = (n: number) => h.sim.comments(h.repo, n).filter((c: { body: string }) => c.body.includes("<!-- incident-desk:problem-link"));

async function incident(title = "Checkout fails with 502", labels: string[] = ["incident", "sev2"]): Promise<number> {
  const n = h.sim.as("alice").openIssue(h.repo, { title, labels });
  await h.deliver();
  return n;
}

async function say(n: number, body: string, who = "alice"): Promise<number> {
  const id = h.sim.as(who).comment(h.repo, n, body);
  await h.deliver();
  return id;
}

/** A problem record as a person opens one: an issue labelled `problem`. */
function plainProblem(title = "Connection pool too small"): number {
  return h.sim.as("alice").openIssue(h.repo, { title, labels: ["problem"] });
}

describe("/problem new", () => {
  it("opens one problem (labelled problem and the incident's service labels), links the incident, and both cards show it", async () => {
    h.sim.seedFile(h.repo, ".github/incidents.yml", "services:\n  payments:\n    labels: [svc:payments]\n");
    const n = await incident("Checkout fails", ["incident", "sev2", "svc:payments"]);
    h.sim.clock.advance("10m");
    const id = await say(n, "/problem new Payment pool exhaustion under load");

    const [p] = problems();
    expect(p).toBeDefined();
    expect(p!.title).toBe("Payment pool exhaustion under load");
    expect(p!.labels).toEqual(["problem", "svc:payments"]);
    expect(p!.user).toBe(h.sim.app.bot.login);
    expect(p!.body).toContain(`opened from incident #${n}`);

    const card = problemCard(p!.number)!;
    expect(card).toContain("## 🧩 Problem · Payment pool exhaustion under load");
    expect(card).toContain("**Status:** 🔍 investigating · **Incidents:** 1");
    expect(card).toMatch(new RegExp(`\\| #${n} Checkout fails \\| sev2 \\| .* \\| ongoing \\| investigating \\|`));
    expect(linkRecords(p!.number)).toHaveLength(1);
    // The card is the problem's first comment; link records follow it.
    expect(h.sim.comments(h.repo, p!.number)[0]!.body).toContain(PROBLEM_CARD);

    expect(h.card(n)).toContain(`**Problem:** [#${p!.number}](${p!.rest.html_url}) Payment pool exhaustion under load · investigating`);
    expect(
      h.sim
        .issue(h.repo, n)
        .comments.find((c) => c.id === id)!
        .reactions.map((r) => r.content),
    ).toEqual(["+1"]);
    expect(h.comments(n).filter((c) => c.body.includes("incident-desk:reply"))).toHaveLength(0);
  });

  it("a duplicate delivery opens nothing more and writes nothing", async () => {
    const n = await incident();
    h.sim.as("alice").comment(h.repo, n, "/problem new Pool exhaustion");
    const deliveries = await h.deliver();
    const comment = deliveries.find((d) => d.name === "issue_comment")!;
    h.sim.resetRequests();
    await h.receive(comment);
    expect(changes()).toEqual([]);
    expect(problems()).toHaveLength(1);
  });

  it("the delivery redelivered after a failure half-way (the problem opened, the link record not written) opens no second problem", async () => {
    const n = await incident();
    h.sim.as("alice").comment(h.repo, n, "/problem new Pool exhaustion");
    const [comment] = h.sim.webhooks.take();
    // GitHub fails every write of a comment for a while: the delivery fails after the problem was opened.
    h.sim.faults.inject({ method: "POST", path: /\/issues\/\d+\/comments$/, status: 500, times: 20 });
    await expect(h.receive(comment!)).rejects.toThrow();
    expect(problems()).toHaveLength(1);
    h.sim.faults.clear();
    // GitHub adds cross-references asynchronously: the problem's mention of the incident is not there yet.
    const rec = h.sim.state.issue(h.sim.state.repos.get(h.repo)!, n)!;
    const hidden = rec.timeline.filter((e) => e.event === "cross-referenced");
    expect(hidden).toHaveLength(1);
    rec.timeline = rec.timeline.filter((e) => e.event !== "cross-referenced");
    await h.receive(comment!);
    await h.deliver();
    expect(problems()).toHaveLength(1);
    const p = problems()[0]!.number;
    expect(linkRecords(p)).toHaveLength(1);
    expect(h.card(n)).toContain(`**Problem:** [#${p}]`);
  });

  it("a 500 and a secondary rate limit on opening the problem are waited out: one problem", async () => {
    const n = await incident();
    h.sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 500, times: 1 });
    h.sim.faults.secondaryRateLimit({ method: "POST", path: "/repos/{owner}/{repo}/issues", times: 1, retryAfter: 1 });
    await say(n, "/problem new Pool exhaustion");
    expect(problems()).toHaveLength(1);
    expect(h.card(n)).toContain(`**Problem:** [#${problems()[0]!.number}]`);
  });

  it("from someone below the command permission: refused, nothing opened", async () => {
    const n = await incident();
    await say(n, "/problem new Pool exhaustion", "rita");
    expect(problems()).toHaveLength(0);
    expect(h.comments(n).find((c) => c.body.includes("incident-desk:reply"))!.body).toContain("@rita, thanks — incident commands need write access");
  });

  it("a hostile title: no marker, no ping, no broken table on either card", async () => {
    const n = await incident("Search <!-- incident-desk:card --> @bob | x");
    await say(n, "/problem new Pool <!-- incident-desk:problem-card {} --> @carol | cell");
    const [p] = problems();
    const card = problemCard(p!.number)!;
    expect(card.match(/<!-- incident-desk:/g)).toEqual(["<!-- incident-desk:"]); // the card's own marker only
    expect(card).not.toContain("@carol");
    expect(card).not.toContain("@bob");
    expect(card).toContain("Search &lt;!-- incident-desk:card --&gt; @\u200bbob \\| x");
    expect(h.card(n)).not.toMatch(/<!-- incident-desk:problem-card/);
    expect(h.card(n)).not.toContain("@carol");
    expect(
      h.sim
        .comments(h.repo, p!.number)
        .map((c: { body: string }) => c.body)
        .join("\n"),
    ).not.toMatch(/@carol|@bob/);
  });
});

describe("/problem #n", () => {
  it("links to an existing problem record; the problem's card lists both incidents, recurrence and total impact", async () => {
    const p = plainProblem();
    const first = await incident("Checkout 502s");
    h.sim.clock.advance("30m");
    await say(first, "/mitigated");
    await say(first, `/problem #${p}`);
    const second = await incident("Checkout 502s again");
    h.sim.clock.advance("20m");
    await say(second, "/mitigated");
    await say(second, `/problem #${p}`);

    const card = problemCard(p)!;
    expect(card).toContain("**Incidents:** 2 · **Total impact:** 50m");
    expect(card).toContain(`| #${second} Checkout 502s again | sev2 |`);
    expect(card).toContain(`| #${first} Checkout 502s | sev2 |`);
    expect(card.indexOf(`#${second} `)).toBeLessThan(card.indexOf(`#${first} `));
    expect(linkRecords(p)).toHaveLength(2);
  });

  it("is refused with a reply for a follow-up ticket (even one labelled problem), a plain issue, a pull request; nothing is linked", async () => {
    const n = await incident();
    await say(n, "/followup Add a pool alert @bob");
    const run = await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
    const [ticket] = JSON.parse(run.outputs["problem-issues"]!) as number[];
    await h.deliver();
    // A ticket from before labels.followup existed, labelled `problem`: still a ticket.
    h.sim.as("alice").addLabels(h.repo, ticket!, ["problem"]);
    const plain = h.sim.as("alice").openIssue(h.repo, { title: "Unrelated" });
    await h.deliver();

    await say(n, `/problem #${ticket}`);
    await say(n, `/problem #${plain}`);
    await say(n, "/problem #999");
    const replies = h.comments(n).filter((c) => c.body.includes("incident-desk:reply"));
    expect(replies.map((r) => r.body)).toEqual([
      expect.stringContaining(`#${ticket} is a follow-up ticket (an incident's action), not a problem record`),
      expect.stringContaining(`#${plain} is not a problem record (it has no \`problem\` label)`),
      expect.stringContaining("there is no issue #999 in this repository"),
    ]);
    expect(h.card(n)).not.toContain("**Problem:**");
    expect(problemCard(ticket!)).toBeUndefined();
    expect(linkRecords(ticket!)).toHaveLength(0);
  });

  it("linking elsewhere takes the incident off the former problem's card", async () => {
    const a = plainProblem("Pool");
    const b = plainProblem("DNS");
    const n = await incident();
    await say(n, `/problem #${a}`);
    expect(problemCard(a)).toContain("**Incidents:** 1");
    await say(n, `/problem #${b}`);
    expect(problemCard(a)).toContain("**Incidents:** 0");
    expect(problemCard(b)).toContain("**Incidents:** 1");
    expect(h.card(n)).toContain(`**Problem:** [#${b}]`);
  });

  it("the incident's changes show on the problem's card (its link record follows the incident)", async () => {
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    expect(problemCard(p)).toMatch(new RegExp(`\\| #${n} .* \\| sev2 \\| .* \\| ongoing \\| investigating \\|`));
    await say(n, "/sev 1");
    h.sim.clock.advance("15m");
    await say(n, "/resolve");
    expect(problemCard(p)).toMatch(new RegExp(`\\| #${n} .* \\| sev1 \\| .* \\| 1\\d+m.* \\| resolved \\|`));
    expect(linkRecords(p)).toHaveLength(1);
  });
});

describe("on the problem: /known-error, /workaround, close, reopen", () => {
  async function linked(count: number) {
    const p = plainProblem();
    const incidents: number[] = [];
    for (let i = 0; i < count; i++) {
      const n = await incident(`Checkout 502s #${i}`);
      await say(n, `/problem #${p}`);
      incidents.push(n);
    }
    return { p, incidents };
  }

  it("/workaround makes it a known error; every open linked incident's card shows the workaround on top at once", async () => {
    const { p, incidents } = await linked(2);
    await say(p, "/workaround Restart the payments pods; raise `pool_size` to 50.");
    const card = problemCard(p)!;
    expect(card).toContain("**Status:** 🩹 known error");
    expect(card).toContain("### Workaround\n> Restart the payments pods; raise `pool_size` to 50.");
    for (const n of incidents) {
      const top = h.card(n)!.split("## ")[0]!;
      expect(top).toContain("**Known error — workaround**");
      expect(top).toContain("> Restart the payments pods; raise `pool_size` to 50.");
    }
    // A new incident linked later shows it in the same delivery.
    const late = await incident("Checkout 502s, later");
    await say(late, `/problem #${p}`);
    expect(h.card(late)!.split("## ")[0]).toContain("> Restart the payments pods");
  });

  it("/known-error alone: known error with no workaround yet", async () => {
    const { p, incidents } = await linked(1);
    await say(p, "/known-error");
    expect(problemCard(p)).toContain("**Status:** 🩹 known error");
    expect(h.card(incidents[0]!)).toContain("_No workaround recorded yet._");
  });

  it("below the permission: refused with a reply, nothing changes", async () => {
    const { p, incidents } = await linked(1);
    const before = h.card(incidents[0]!);
    await say(p, "/workaround Just reboot everything @bob", "rita");
    expect(problemCard(p)).toContain("**Status:** 🔍 investigating");
    expect(h.card(incidents[0]!)).toBe(before);
    const reply = h.comments(p).find((c) => c.body.includes("incident-desk:reply"))!.body;
    expect(reply).toContain("@rita, thanks — problem commands need write access");
    expect(reply).not.toContain("incident commands");
  });

  it("closing resolves it, reopening goes back to known error", async () => {
    const { p, incidents } = await linked(1);
    await say(p, "/workaround Restart the pods");
    h.sim.as("bob").close(h.repo, p);
    await h.deliver();
    expect(problemCard(p)).toContain("**Status:** ✅ resolved");
    expect(h.card(incidents[0]!)).toContain(`· resolved`);
    expect(h.card(incidents[0]!)).not.toContain("**Known error");
    h.sim.as("bob").reopen(h.repo, p);
    await h.deliver();
    expect(problemCard(p)).toContain("**Status:** 🩹 known error");
    expect(h.card(incidents[0]!)).toContain("**Known error — workaround**");
  });

  it("a duplicate /workaround delivery writes nothing; an older delivery after a newer one changes nothing", async () => {
    const { p, incidents } = await linked(1);
    h.sim.as("alice").comment(h.repo, p, "/workaround First");
    const [first] = h.sim.webhooks.take();
    h.sim.as("alice").comment(h.repo, p, "/workaround Second");
    const [second] = h.sim.webhooks.take();
    await h.receive(second!);
    await h.receive(first!);
    await h.deliver();
    expect(problemCard(p)).toContain("> Second");
    expect(h.card(incidents[0]!)).toContain("> Second");
    h.sim.resetRequests();
    await h.receive(second!);
    await h.receive(first!);
    expect(changes()).toEqual([]);
  });

  it("a sub-issue from another repository shows on the problem's card as owner/repo#n, not as an issue of the problem's repository", async () => {
    h.sim.addRepo("acme/lib");
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    const lib = h.sim.as("bob").openIssue("acme/lib", { title: "Bound the client's pool" });
    h.sim.as("alice").addSubIssue(h.repo, n, "acme/lib", lib);
    await h.deliver();
    expect(problemCard(p)).toContain(`- ⬜ acme/lib#${lib} Bound the client's pool · from #${n}`);
  });

  it("an incident withdrawn (its label removed) stops counting on its problem; declared again, it counts again", async () => {
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    expect(problemCard(p)).toContain("**Incidents:** 1");
    h.sim.as("alice").removeLabel(h.repo, n, "incident");
    await h.deliver();
    expect(h.sim.issue(h.repo, n).labels).not.toContain("incident");
    expect(problemCard(p)).toContain("**Incidents:** 0");
    h.sim.as("alice").addLabels(h.repo, n, ["incident"]);
    await h.deliver();
    expect(problemCard(p)).toContain("**Incidents:** 1");
  });

  it("an incident with many follow-ups of long escaped titles: its link record stays within GitHub's body limit", async () => {
    const p = plainProblem();
    const n = await incident();
    for (let i = 0; i < 45; i++) {
      const sub = h.sim.as("alice").openIssue(h.repo, { title: `${i} ${"<&-".repeat(84)}` });
      h.sim.as("alice").addSubIssue(h.repo, n, h.repo, sub);
    }
    await h.deliver();
    await say(n, `/problem #${p}`);
    const [record] = linkRecords(p);
    expect(record).toBeDefined();
    expect(record!.body.length).toBeLessThanOrEqual(65_536);
    expect(problemCard(p)).toContain("**Incidents:** 1");
    expect(h.card(n)).toContain(`**Problem:** [#${p}]`);
  });

  it("a problem whose `problem` label is removed: its linked incidents' cards stop showing its workaround at once", async () => {
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    await say(p, "/workaround Fail over to the standby");
    expect(h.card(n)!.split("## ")[0]).toContain("> Fail over to the standby");
    h.sim.as("alice").removeLabel(h.repo, p, "problem");
    await h.deliver();
    expect(h.card(n)!.split("## ")[0]).not.toContain("Known error");
    expect(h.card(n)).not.toContain("Fail over to the standby");
  });

  it("the fix: a pull request that references the problem is listed at once, and when it is merged", async () => {
    const { p } = await linked(1);
    const pr = h.sim.as("bob").openPullRequest(h.repo, { title: "Raise the pool size", body: `Fixes #${p}`, head: "fix-pool", commits: [{ message: "pool" }] });
    await h.deliver();
    expect(problemCard(p)).toContain(`### Fix\n- #${pr} Raise the pool size · open`);
    h.sim.as("bob").mergePullRequest(h.repo, pr);
    await h.deliver();
    expect(problemCard(p)).toContain(`### Fix\n- #${pr} Raise the pool size · merged`);
    // `Fixes #p` merged into the default branch closes the problem, as GitHub does: it is resolved.
    expect(h.sim.issue(h.repo, p).state).toBe("closed");
    expect(problemCard(p)).toContain("**Status:** ✅ resolved");
  });
});

describe("the Action: report and post-mortem", () => {
  const action = (inputs: Record<string, string>) => runAction(h.sim, { repo: h.repo, inputs });

  /** An incident mitigated `impact` after it started, linked to `problem` (when given). */
  async function past(title: string, impact: string, problem?: number, labels: string[] = ["incident", "sev2"]) {
    const n = await incident(title, labels);
    h.sim.clock.advance(impact);
    await say(n, "/mitigated");
    if (problem !== undefined) await say(n, `/problem #${problem}`);
    h.sim.clock.advance("1h");
    return n;
  }

  it("report: top problems by incidents and by impact, recurring incidents (same problem; same service, no problem)", async () => {
    h.sim.seedFile(h.repo, ".github/incidents.yml", "services:\n  search:\n    labels: [svc:search]\n");
    const pool = plainProblem("Pool | exhaustion @bob");
    const dns = plainProblem("DNS flaps");
    const a = await past("Checkout 502s", "30m", pool);
    const b = await past("Checkout 502s again", "20m", pool);
    const c = await past("Checkout slow", "10m", pool);
    const d = await past("Everything down", "2h", dns);
    const s1 = await past("Search down", "5m", undefined, ["incident", "sev3", "svc:search"]);
    const s2 = await past("Search down again", "5m", undefined, ["incident", "sev3", "svc:search"]);
    const run = await action({ command: "report", since: "2026-03-01" });
    expect(run.error).toBeUndefined();
    const url = (n: number) => h.sim.issue(h.repo, n).rest.html_url;
    expect(run.summary).toContain(
      [
        "**Top problems by incidents**",
        "",
        "| problem | status | incidents | total impact |",
        "| --- | --- | --- | --- |",
        `| [#${pool}](${url(pool)}) Pool \\| exhaustion @\u200bbob | investigating | 3 | 1h 00m |`,
        `| [#${dns}](${url(dns)}) DNS flaps | investigating | 1 | 2h 00m |`,
      ].join("\n"),
    );
    expect(run.summary).toContain(
      `| problem | total impact | incidents |\n| --- | --- | --- |\n| [#${dns}](${url(dns)}) DNS flaps | 2h 00m | 1 |\n| [#${pool}]`,
    );
    expect(run.summary).toContain("**Recurring incidents**");
    expect(run.summary).toContain(
      `- Problem [#${pool}](${url(pool)}) Pool \\| exhaustion @\u200bbob: [#${a}](${url(a)}), [#${b}](${url(b)}), [#${c}](${url(c)})`,
    );
    expect(run.summary).toContain(`- Service search, no problem linked: [#${s1}](${url(s1)}), [#${s2}](${url(s2)})`);
    expect(run.summary).not.toContain(`[#${d}](${url(d)}),`);
  });

  it("post-mortem: names the problem and, for a known error, its workaround", async () => {
    const p = plainProblem("Pool exhaustion");
    const n = await past("Checkout 502s", "30m", p);
    await say(p, "/workaround Restart the payments pods.\nRaise `pool_size` to 50.");
    await say(n, "/resolve");
    const run = await action({ command: "postmortem", issue: String(n) });
    expect(run.error).toBeUndefined();
    const doc = h.sim.file(h.repo, run.outputs["postmortem-path"]!, `incident-desk/postmortem-${n}`)!;
    expect(doc).toContain(`**Problem record:** [#${p}](${h.sim.issue(h.repo, p).rest.html_url}) Pool exhaustion · known error`);
    expect(doc).toContain("It is a **known error**. Workaround:\n\n> Restart the payments pods.\n> Raise `pool_size` to 50.");
    // Named once, as the problem record: not again among the related issues.
    expect(doc.match(new RegExp(`\\[#${p}\\]`, "g"))).toHaveLength(1);
  });

  it("post-mortem: a problem opened with /problem new is the problem record, not also a related issue", async () => {
    const n = await incident("Checkout 502s");
    await say(n, "/problem new Pool exhaustion");
    const [p] = problems();
    await say(n, "/resolve");
    const run = await action({ command: "postmortem", issue: String(n) });
    expect(run.error).toBeUndefined();
    const doc = h.sim.file(h.repo, run.outputs["postmortem-path"]!, `incident-desk/postmortem-${n}`)!;
    expect(doc).toContain(`**Problem record:** [#${p!.number}]`);
    expect(doc.match(new RegExp(`\\[#${p!.number}[\\] ]`, "g"))).toHaveLength(1);
  });

  it("`handle` runs /problem in the Action as in the app", async () => {
    const p = plainProblem("Pool exhaustion");
    const n = h.sim.as("alice").openIssue(h.repo, { title: "Checkout 502s", labels: ["incident"] });
    h.sim.webhooks.take();
    h.sim.as("alice").comment(h.repo, n, `/problem #${p}`);
    const [delivery] = h.sim.webhooks.take();
    const run = await runAction(h.sim, {
      repo: h.repo,
      inputs: { command: "handle" },
      event: { name: "issue_comment", payload: delivery!.payload as Record<string, unknown> },
    });
    expect(run.error).toBeUndefined();
    expect(problemCard(p)).toContain("**Incidents:** 1");
    expect(h.card(n)).toContain(`**Problem:** [#${p}]`);
  });
});

describe("bounds, order and hostile workarounds", () => {
  it("a changed workaround goes at once to the newest 25 open linked incidents, not to closed ones or older ones", async () => {
    const p = plainProblem();
    const linked: number[] = [];
    for (let i = 0; i < 27; i++) {
      const n = h.sim.as("alice").openIssue(h.repo, { title: `Checkout 502s ${i}`, labels: ["incident", "sev2"] });
      h.sim.clock.advance("1m");
      h.sim.as("alice").comment(h.repo, n, `/problem #${p}`);
      linked.push(n);
    }
    await h.deliver();
    // The newest one is over: it is not pushed to.
    await say(linked.at(-1)!, "/resolve");
    await say(p, "/workaround Restart the pods");
    const shows = (n: number) => h.card(n)!.includes("> Restart the pods");
    expect(problemCard(p)).toContain("**Incidents:** 27");
    expect(linked.slice(1, 26).every(shows)).toBe(true);
    expect(shows(linked[0]!)).toBe(false);
    expect(shows(linked[26]!)).toBe(false);
    // The oldest catches up when its summary next changes (its link record is written again, with the problem read).
    await say(linked[0]!, "/sev 1");
    expect(shows(linked[0]!)).toBe(true);
  });

  it("two /problem commands delivered in reverse order: the last one written counts", async () => {
    const a = plainProblem("Pool");
    const b = plainProblem("DNS");
    const n = await incident();
    h.sim.as("alice").comment(h.repo, n, `/problem #${a}`);
    h.sim.as("alice").comment(h.repo, n, `/problem #${b}`);
    const [first, second] = h.sim.webhooks.take();
    await h.receive(second!);
    await h.receive(first!);
    await h.deliver();
    expect(h.card(n)).toContain(`**Problem:** [#${b}]`);
    expect(problemCard(b)).toContain("**Incidents:** 1");
    expect(problemCard(a)).toBeUndefined();
  });

  it("a hostile workaround: no marker, no ping, no escape from the quote or a table on the incident's card", async () => {
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    await say(p, "/workaround <!-- incident-desk:card --> ask @bob | or @acme/ops\n</details> ## not a heading\n| a | b |");
    const top = h.card(n)!.split("## 🟠")[0]!;
    // Only what a reader sees is read (the comment and the raw HTML are dropped, as GitHub drops them); the rest stays inside the quote.
    expect(top).toContain("(problem [#1](https://github.com/acme/web/issues/1) Connection pool too small):\n>\n> ask @\u200bbob \\| or @\u200bacme/ops\n\n");
    expect(h.card(n)!.match(/<!-- incident-desk:card -->/g)).toHaveLength(1);
    expect(problemCard(p)).not.toMatch(/@bob|@acme|<\/details> ##/);
  });
});

describe("GitHub failing during the push", () => {
  it("a secondary rate limit and a 500 on the incidents' card edits are waited out: every card gets the workaround", async () => {
    const p = plainProblem();
    const a = await incident("One");
    await say(a, `/problem #${p}`);
    const b = await incident("Two");
    await say(b, `/problem #${p}`);
    h.sim.faults.secondaryRateLimit({ method: "PATCH", path: /\/issues\/comments\/\d+$/, times: 1, retryAfter: 1 });
    h.sim.faults.inject({ method: "PATCH", path: /\/issues\/comments\/\d+$/, status: 500, times: 1 });
    await say(p, "/workaround Fail over to the standby");
    for (const n of [a, b]) expect(h.card(n)).toContain("> Fail over to the standby");
    expect(problemCard(p)).toContain("### Workaround\n> Fail over to the standby");
  });

  it("a push that fails half-way (one incident's card cannot be written) is finished by GitHub's redelivery", async () => {
    const p = plainProblem();
    const a = await incident("One");
    await say(a, `/problem #${p}`);
    const b = await incident("Two");
    await say(b, `/problem #${p}`);
    const cardOf = (n: number) => h.sim.comments(h.repo, n).find((c: { body: string }) => c.body.includes("<!-- incident-desk:card"))!;
    // GitHub refuses every edit of the older incident's card for a while: the delivery fails after
    // the problem's card and the newer incident's card were written.
    h.sim.faults.inject({ method: "PATCH", path: new RegExp(`/issues/comments/${cardOf(a).id}$`), status: 500, times: 50 });
    h.sim.as("alice").comment(h.repo, p, "/workaround Fail over to the standby");
    const [comment] = h.sim.webhooks.take();
    await expect(h.receive(comment!)).rejects.toThrow();
    h.sim.faults.clear();
    await h.receive(comment!);
    await h.deliver();
    for (const n of [a, b]) expect(h.card(n)!.split("## ")[0]).toContain("> Fail over to the standby");
  });

  it("closing an old follow-up ticket labelled `problem` costs no problem reads", async () => {
    const n = await incident();
    await say(n, "/followup Add a pool alert @bob");
    const run = await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
    const [ticket] = JSON.parse(run.outputs["problem-issues"]!) as number[];
    await h.deliver();
    h.sim.as("alice").addLabels(h.repo, ticket!, ["problem"]);
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("bob").close(h.repo, ticket!);
    await h.deliver();
    expect(h.sim.requests.filter((r) => r.path.endsWith(`/issues/${ticket}/timeline`))).toEqual([]);
    expect(problemCard(ticket!)).toBeUndefined();
    expect(h.card(n)).toContain(`#${ticket} closed`);
  });
});

describe("verdicts and order on the problem", () => {
  it("a refused /workaround stays refused when its author is promoted later (the verdict is kept in the problem's card)", async () => {
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    await say(p, "/workaround Reboot everything", "rita");
    h.sim.setPermission(h.repo, "rita", "write");
    await say(p, "/known-error", "alice");
    expect(problemCard(p)).toContain("**Status:** 🩹 known error");
    expect(problemCard(p)).not.toContain("Reboot everything");
    expect(h.card(n)).toContain("_No workaround recorded yet._");
  });

  it("close and reopen delivered in reverse order: the problem is as its history stands", async () => {
    const p = plainProblem();
    const n = await incident();
    await say(n, `/problem #${p}`);
    h.sim.as("bob").close(h.repo, p);
    h.sim.as("bob").reopen(h.repo, p);
    const [closed, reopened] = h.sim.webhooks.take().filter((d) => d.name === "issues");
    await h.receive(reopened!);
    await h.receive(closed!);
    await h.deliver();
    expect(problemCard(p)).toContain("**Status:** 🔍 investigating");
    expect(h.card(n)).toContain("· investigating");
  });
});
