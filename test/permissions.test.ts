import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";
import { runAction, addActionToken } from "./action.fixtures.js";

/**
 * SPEC section 2, "Who may command": one rule for every way of changing an incident, decided once
 * per change. Below `commands.permission` (write): a declaration opens a report in triage, any other
 * change is put back with one reply. Verdicts stand whatever happens to permissions later.
 */
const CONFIG = ["oncall:", "  rotations:", "    - name: primary", "      members: [bob]", "      start: 2020-01-06T00:00:00Z", "      every: 1w", ""].join("\n");
const repo = "acme/web";

describe("one permission model", () => {
  const h = useApp({ config: CONFIG, people: { alice: "write", bob: "write", tess: "triage", rita: "read" } });
  const labels = (n: number) => h.sim.issue(repo, n).labels.slice().sort();
  const bot = (n: number) => h.comments(n).filter((c) => c.user === "incident-desk[bot]");
  /** The repository's workflow runs the Action beside the app. */
  const workflow = () => {
    addActionToken(h.sim);
  };

  it("a reporter's issue form opens a report in triage: nobody is paged until a responder accepts it", async () => {
    const n = h.sim.as("rita").openIssue(repo, { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev1", "status:triage"]);
    expect(h.sim.issue(repo, n).assignees).toEqual([]);
    expect(h.card(n)).toContain("**Reported by @rita; awaits a responder.** Nobody has been paged.");

    // Escalation and reminders leave a report alone.
    h.sim.clock.advance("2h");
    workflow();
    const run = await runAction(h.sim, { inputs: { command: "escalate" }, event: { name: "schedule" } });
    expect(run.error).toBeUndefined();
    expect(h.comments(n).filter((c) => c.body.includes("Escalation"))).toEqual([]);

    // Someone who may command accepts it with /ack: now it is an incident, and on call is paged.
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev1", "status:investigating"]);
    expect(h.sim.issue(repo, n).assignees).toEqual(["bob"]);
    expect(h.card(n)).toContain("Accepted as a sev1 incident");
    expect(h.card(n)).not.toContain("Nobody has been paged");
  });

  it("/decline closes a report as not an incident, with the reason; it is not for incidents already accepted", async () => {
    const n = h.sim.as("rita").openIssue(repo, { title: "Site slow?", body: "/incident sev2 Site slow?" });
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev2", "status:triage"]);
    h.sim.as("alice").comment(repo, n, "/decline a load test, planned");
    await h.deliver();
    const issue = h.sim.issue(repo, n);
    expect(issue.state).toBe("closed");
    expect(issue.state_reason).toBe("not_planned");
    expect(labels(n)).toEqual([]);
    expect(h.card(n)).toContain("**Declined** by @alice");
    expect(h.card(n)).toContain("a load test, planned");

    const m = h.sim.as("alice").openIssue(repo, { title: "Real outage", labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").comment(repo, m, "/decline");
    await h.deliver();
    expect(h.sim.issue(repo, m).state).toBe("open");
    expect(bot(m).some((c) => c.body.includes("only a report in triage can be declined"))).toBe(true);
  });

  it("a triage user's severity swap is put back with one reply, edited rather than repeated", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("tess").removeLabel(repo, n, "sev3");
    h.sim.as("tess").addLabels(repo, n, ["sev1"]);
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    const replies = bot(n).filter((c) => c.body.includes("@tess"));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("added the label sev1");

    h.sim.as("tess").addLabels(repo, n, ["status:resolved"]);
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    const again = bot(n).filter((c) => c.body.includes("@tess"));
    expect(again).toHaveLength(1);
    expect(again[0]!.body).toContain("added the label status:resolved");
  });

  it("a read-only reporter closing their incident reopens it, and the Action writes no post-mortem for it", async () => {
    const n = h.sim.as("rita").openIssue(repo, { title: "Checkout is down" });
    h.sim.as("alice").addLabels(repo, n, ["incident"]);
    await h.deliver();
    h.sim.as("rita").close(repo, n);
    const closedPayload = h.sim.webhooks.peek().find((d) => d.name === "issues")!.payload;
    await h.deliver();
    expect(h.sim.issue(repo, n).state).toBe("open");
    expect(labels(n)).toContain("status:investigating");
    expect(bot(n).some((c) => c.body.includes("@rita") && c.body.includes("closed the issue"))).toBe(true);

    workflow();
    const run = await runAction(h.sim, { inputs: {}, event: { name: "issues", payload: closedPayload as Record<string, unknown> } });
    expect(run.error).toBeUndefined();
    expect(h.sim.pulls(repo)).toEqual([]);
  });

  it("`root cause:` lines and follow-up lists in a read-only reporter's body do nothing", async () => {
    const body = ["Checkout fails.", "", "root cause: abcdef1234567", "", "## Follow-ups", "- [ ] Add a canary @rita", ""].join("\n");
    const n = h.sim.as("rita").openIssue(repo, { title: "Checkout is down", body });
    h.sim.as("alice").addLabels(repo, n, ["incident"]);
    await h.deliver();
    const card = h.card(n)!;
    expect(card).not.toContain("abcdef1");
    expect(card).not.toContain("Add a canary");
  });

  it("verdicts stand: a demoted responder's /resolve stays, a promoted reader's old /sev 1 does not apply", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("rita").comment(repo, n, "/sev 1");
    h.sim.as("bob").comment(repo, n, "/mitigated");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:mitigated"]);

    h.sim.setPermission(repo, "bob", "read");
    h.sim.setPermission(repo, "rita", "write");
    h.sim.as("alice").comment(repo, n, "/update Still watching the error rate.");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:mitigated"]);
    // Rita, now a responder, can command from now on.
    h.sim.as("rita").comment(repo, n, "/sev 2");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev2", "status:mitigated"]);
  });

  it("without the record (the card deleted by hand), changes are judged again with today's permissions", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("bob").comment(repo, n, "/sev 2");
    await h.deliver();
    h.sim.setPermission(repo, "bob", "read");
    const card = h.sim.comments(repo, n).find((c: { body?: string | null }) => c.body?.includes("incident-desk:card"))!;
    h.sim.as("alice").deleteComment(repo, card.id);
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    // Documented: the record was lost, so bob's /sev 2 is judged again, and refused.
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
  });
});
