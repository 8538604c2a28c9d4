import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";
import { issuePayload, runAction, addActionToken } from "./action.fixtures.js";
import type { Delivery } from "./sim/index.js";
import { followupKey } from "./trust.fixtures.js";

/**
 * Sub-issues as follow-ups (SPEC section 4, `problems`; section 9): an issue a responder attaches
 * to an incident by hand counts as a follow-up on the card and in the remediation progress, like
 * a problem ticket the Action opened. The Action's own tickets (sub-issues too) count once; a
 * ticket marker copied into someone else's issue counts for nothing.
 */
const DONE = "<!-- incident-desk:followups-done -->";
const SUB_ISSUES = "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues";
let h: Harness;

beforeEach(async () => {
  h = await startApp();
  addActionToken(h.sim);
});
afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

async function incident(title = "Search is slow"): Promise<number> {
  const n = h.sim.as("alice").openIssue(h.repo, { title, labels: ["incident"] });
  await h.deliver();
  return n;
}

const doneComments = (n: number) => h.comments(n).filter((c) => c.body.includes(DONE));
const followups = (n: number) => /### Follow-ups[^\n]*\n(?:- [^\n]*\n)*/.exec(h.card(n) ?? "")?.[0];

describe("sub-issues attached by hand", () => {
  it("count as follow-ups on the card and in the progress; closing them marks them done, detaching removes them", async () => {
    const n = await incident();
    const retries = h.sim.as("bob").openIssue(h.repo, { title: "Add retries to the search client" });
    const index = h.sim.as("bob").openIssue(h.repo, { title: "Rebuild the index nightly" });
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, retries);
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, index);
    await h.deliver();
    expect(followups(n)).toBe(
      `### Follow-ups · 0 of 2 done\n- ⬜ Add retries to the search client · #${retries} open\n- ⬜ Rebuild the index nightly · #${index} open\n`,
    );

    h.sim.as("bob").close(h.repo, retries);
    await h.deliver();
    expect(followups(n)).toContain(`### Follow-ups · 1 of 2 done\n- ✅ Add retries to the search client · #${retries} closed\n`);
    expect(doneComments(n)).toEqual([]);

    h.sim.as("bob").editIssue(h.repo, index, { title: "Rebuild the search index nightly" });
    h.sim.as("bob").close(h.repo, index);
    await h.deliver();
    expect(followups(n)).toBe(
      `### Follow-ups · 2 of 2 done\n- ✅ Add retries to the search client · #${retries} closed\n- ✅ Rebuild the search index nightly · #${index} closed\n`,
    );
    expect(doneComments(n)).toHaveLength(1);

    h.sim.as("alice").removeSubIssue(h.repo, n, h.repo, index);
    await h.deliver();
    expect(followups(n)).toBe(`### Follow-ups · 1 of 1 done\n- ✅ Add retries to the search client · #${retries} closed\n`);
  });

  it("the Action's own tickets count once; a hand-attached sub-issue gets no ticket of its own", async () => {
    const n = await incident();
    h.sim.as("alice").comment(h.repo, n, "/followup Add a query timeout @bob\n/followup Cache the facets @carol");
    const manual = h.sim.as("carol").openIssue(h.repo, { title: "Load-test search" });
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, manual);
    await h.deliver();
    const run = await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
    expect(run.error).toBeUndefined();
    const tickets = JSON.parse(run.outputs["problem-issues"]!) as number[];
    expect(tickets).toHaveLength(2);
    expect(tickets).not.toContain(manual);
    await h.deliver();
    expect(
      h.sim
        .issue(h.repo, n)
        .subIssues.map((s) => s.number)
        .sort(),
    ).toEqual([manual, ...tickets].sort());
    expect(followups(n)).toBe(
      `### Follow-ups · 0 of 3 done\n- ⬜ Add a query timeout · @bob · #${tickets[0]} open\n- ⬜ Cache the facets · @carol · #${tickets[1]} open\n- ⬜ Load-test search · #${manual} open\n`,
    );

    // A re-run opens nothing and attaches nothing.
    h.sim.resetRequests();
    const again = await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
    expect(again.error).toBeUndefined();
    expect(h.sim.count({ writes: true })).toBe(0);
  });

  it("an incident whose sub-issues are all the Action's tickets costs no read of the sub-issues", async () => {
    const n = await incident();
    h.sim.as("alice").comment(h.repo, n, "/followup Add a query timeout @bob");
    await h.deliver();
    await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("alice").comment(h.repo, n, "/sev 2");
    await h.deliver();
    expect(h.sim.count({ method: "GET", route: SUB_ISSUES })).toBe(0);
    expect(followups(n)).toContain("### Follow-ups · 0 of 1 done");

    // One attached by hand: then the list is read, once per delivery.
    const manual = h.sim.as("carol").openIssue(h.repo, { title: "Load-test search" });
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, manual);
    h.sim.resetRequests();
    await h.deliver();
    expect(h.sim.count({ method: "GET", route: SUB_ISSUES })).toBe(1);
    expect(followups(n)).toContain("### Follow-ups · 0 of 2 done");
  });

  it("a forged ticket marker in someone else's sub-issue counts for nothing", async () => {
    const n = await incident();
    const title = "Add a canary stage";
    h.sim.as("alice").comment(h.repo, n, `/followup ${title} @bob`);
    await h.deliver();
    // The marker the Action would write for that follow-up, as anyone can compute it.
    const commentId = h.sim.comments(h.repo, n).find((c: { body: string }) => c.body.startsWith("/followup"))!.id;
    const marker = `<!-- incident-desk:problem incident=${h.repo}#${n} key=${followupKey(commentId, title)} -->`;
    const forged = h.sim.as("mallory").openIssue(h.repo, { title, body: `${marker}\nA follow-up of ${h.repo}#${n}.` });
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, forged);
    h.sim.as("mallory").close(h.repo, forged);
    await h.deliver();
    // The follow-up still has no ticket; the forged issue is one more sub-issue, nothing else.
    expect(followups(n)).toBe(`### Follow-ups · 1 of 2 done\n- ⬜ ${title} · @bob · _no ticket yet_\n- ✅ ${title} · #${forged} closed\n`);
    expect(doneComments(n)).toEqual([]);
    const real = await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
    const [ticket] = JSON.parse(real.outputs["problem-issues"]!) as number[];
    expect(ticket).not.toBe(forged);
    await h.deliver();
    expect(followups(n)).toBe(`### Follow-ups · 1 of 2 done\n- ⬜ ${title} · @bob · #${ticket} open\n- ✅ ${title} · #${forged} closed\n`);
  });

  it("someone below write attaching a sub-issue is put back with one reply, which keeps saying so", async () => {
    const n = await incident();
    const own = h.sim.as("rita").openIssue(h.repo, { title: "My pet peeve" });
    h.sim.as("rita").addSubIssue(h.repo, n, h.repo, own);
    h.sim.as("rita").addLabels(h.repo, n, ["sev1"]);
    await h.deliver();
    expect(h.sim.issue(h.repo, n).subIssues).toEqual([]);
    expect(h.sim.issue(h.repo, n).labels).not.toContain("sev1");
    expect(followups(n)).toBeUndefined();
    const replies = () => h.comments(n).filter((c) => c.body.includes("was put back"));
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toContain(`attached #${own} as a sub-issue`);
    expect(replies()[0]!.body).toContain("added the label sev1");
    // The app's own detaching is an echo; a later event leaves the reply as it is.
    h.sim.as("alice").comment(h.repo, n, "/ack");
    await h.deliver();
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toContain(`attached #${own} as a sub-issue`);
    expect(h.sim.issue(h.repo, n).subIssues).toEqual([]);
  });

  it("duplicate and out-of-order `sub_issues` deliveries write nothing twice", async () => {
    const n = await incident();
    const a = h.sim.as("bob").openIssue(h.repo, { title: "Add retries" });
    await h.deliver();
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, a);
    const added = h.sim.webhooks.take();
    h.sim.as("alice").removeSubIssue(h.repo, n, h.repo, a);
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, a);
    const later = h.sim.webhooks.take();
    // GitHub delivers the later ones first, then the first again, twice.
    const deliveries: Delivery[] = [...later.reverse(), ...added, ...added];
    for (const d of deliveries) await h.receive(d);
    await h.deliver();
    expect(followups(n)).toBe(`### Follow-ups · 0 of 1 done\n- ⬜ Add retries · #${a} open\n`);
    expect(h.sim.comments(h.repo, n)).toHaveLength(1);
    expect(h.sim.count({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments" })).toBe(1);
  });

  it("a 500 reading the sub-issues fails the delivery and writes nothing; GitHub's retry of it does the work", async () => {
    const n = await incident();
    const a = h.sim.as("bob").openIssue(h.repo, { title: "Add retries" });
    await h.deliver();
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, a);
    const queued = h.sim.webhooks.take();
    h.sim.faults.inject({ method: "GET", path: SUB_ISSUES, status: 500, times: 20 });
    const card = h.card(n);
    await expect(
      (async () => {
        for (const d of queued) await h.receive(d);
      })(),
    ).rejects.toThrow();
    expect(h.card(n)).toBe(card);
    h.sim.faults.clear();
    h.sim.faults.secondaryRateLimit({ method: "GET", path: SUB_ISSUES, retryAfter: 1 });
    for (const d of queued) await h.receive(d);
    await h.deliver();
    expect(followups(n)).toBe(`### Follow-ups · 0 of 1 done\n- ⬜ Add retries · #${a} open\n`);
  });

  it("one from another public repository of the owner shows as owner/repo#n; one from a private repository is not told", async () => {
    h.sim.addRepo("acme/lib");
    h.sim.addRepo("acme/secret", { private: true });
    const n = await incident();
    const lib = h.sim.as("bob").openIssue("acme/lib", { title: "Bound the client's pool" });
    const secret = h.sim.as("bob").openIssue("acme/secret", { title: "Rotate the leaked key" });
    h.sim.as("alice").addSubIssue(h.repo, n, "acme/lib", lib);
    h.sim.as("alice").addSubIssue(h.repo, n, "acme/secret", secret);
    await h.deliver();
    expect(followups(n)).toBe(`### Follow-ups · 0 of 1 done\n- ⬜ Bound the client's pool · acme/lib#${lib} open\n`);
    expect(h.card(n)).not.toContain("leaked");
    expect(h.card(n)).not.toContain("acme/secret");
  });

  it("a sub-issue of an issue that is not an incident touches nothing", async () => {
    const plain = h.sim.as("alice").openIssue(h.repo, { title: "Epic: search v2" });
    const child = h.sim.as("alice").openIssue(h.repo, { title: "Facets" });
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("alice").addSubIssue(h.repo, plain, h.repo, child);
    await h.deliver();
    // The configuration is read (it names the incident label); the issue itself is not.
    expect(h.sim.requests.filter((r) => !r.path.endsWith("/access_tokens")).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/web/contents/.github%2Fincidents.yml",
      "GET /repos/acme/.github/contents/.github%2Fincidents.yml",
    ]);
  });
});

describe("sub-issues in the Action's `handle`", () => {
  it("a `sub_issues` event updates the incident's card", async () => {
    const n = await incident();
    const a = h.sim.as("bob").openIssue(h.repo, { title: "Add retries" });
    h.sim.as("alice").addSubIssue(h.repo, n, h.repo, a);
    const event = h.sim.webhooks.take().find((d) => d.name === "sub_issues" && d.payload.action === "sub_issue_added")!;
    const run = await runAction(h.sim, { repo: h.repo, inputs: { command: "handle" }, event: { name: "sub_issues", payload: event.payload } });
    expect(run.error).toBeUndefined();
    expect(followups(n)).toBe(`### Follow-ups · 0 of 1 done\n- ⬜ Add retries · #${a} open\n`);
    // A re-run of the same job writes nothing.
    h.sim.resetRequests();
    await runAction(h.sim, { repo: h.repo, inputs: { command: "handle" }, event: { name: "sub_issues", payload: event.payload } });
    expect(h.sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
    // The sub-issue closing, as an `issues` event: the card follows.
    h.sim.as("bob").close(h.repo, a);
    const closed = await runAction(h.sim, {
      repo: h.repo,
      inputs: { command: "handle" },
      event: { name: "issues", payload: issuePayload(h.sim, h.repo, a, "closed") },
    });
    expect(closed.error).toBeUndefined();
    expect(followups(n)).toBe(`### Follow-ups · 1 of 1 done\n- ✅ Add retries · #${a} closed\n`);
  });
});
