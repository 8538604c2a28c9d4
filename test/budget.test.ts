/**
 * GitHub's content-creation budget (80 a minute, 500 an hour per installation; scaled down here):
 * when it runs short, cards and replies go first, the cosmetic writes (labels, assignees,
 * reactions) wait, the log and the card say so, and they follow when the budget allows.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { InProcessCoordination } from "../src/cluster/coordination.js";
import { useApp } from "./harness.js";

const REPO = "acme/web";
const LABELS = ["incident", "sev1", "sev2", "sev3", "sev4", "status:investigating", "status:identified", "status:mitigated", "status:resolved"];

let now = Date.parse("2026-03-02T09:00:00Z");
beforeEach(() => {
  now = Date.parse("2026-03-02T09:00:00Z");
});

const until = async (what: () => boolean, ms = 5_000) => {
  for (let t = 0; t < ms && !what(); t += 25) await new Promise((r) => setTimeout(r, 25));
  return what();
};

describe("the content budget", () => {
  // Six content-creating requests an hour; cosmetic ones only while more than three are left.
  // The budget's windows run on the test's clock.
  const h = useApp(() => ({ coordination: new InProcessCoordination({ now: () => now }), octokit: { budget: { perMinute: 80, perHour: 6, keepMinute: 0, keepHour: 3 }, recheckMs: 20 } }));

  it("keeps the card and replies ahead of labels and reactions, says so, and sends them when the budget allows", async () => {
    h.sim.seedLabels(REPO, LABELS);
    const alice = h.sim.as("alice");
    const first = alice.openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver(); // labels (1), card (2)
    const sev = alice.comment(REPO, first, "/sev 1");
    await h.deliver(); // label sev1 (3), 👍 delayed: cosmetic writes stop at three
    expect(h.sim.issue(REPO, first).labels).toContain("sev1");
    expect(h.sim.issue(REPO, first).comments.find((c) => c.id === sev)!.reactions).toEqual([]);

    // A second incident: its card goes out (4), its labels wait.
    const second = alice.openIssue(REPO, { title: "Search down", labels: ["incident"] });
    await h.deliver();
    expect(h.card(second)).toBeDefined();
    expect(h.sim.issue(REPO, second).labels).toEqual(["incident"]);
    // A reply is not cosmetic: it goes (5). The card goes out first, before its labels wait, so it
    // tells of the delayed writes from its next edit on (here: the verdict on this comment).
    alice.comment(REPO, second, "/sev 9");
    await h.deliver();
    expect(h.card(second)).toContain("GitHub's content budget for this installation is nearly spent:");
    expect(h.comments(second).some((c) => c.body.includes("sev 9") || c.body.includes("sev9") || c.body.toLowerCase().includes("severity"))).toBe(true);
    expect(h.logs.filter((l) => l.msg.includes("is delayed")).length).toBeGreaterThanOrEqual(2);
    expect(h.logs.some((l) => l.msg.includes("POST /repos/acme/web/issues/comments/") && l.msg.includes("reactions is delayed"))).toBe(true);

    // An hour later the budget is back: the delayed writes go out in order, and the issue is
    // reconciled afterwards, which takes the note off the card.
    now += 3_600_000;
    expect(await until(() => h.sim.issue(REPO, second).labels.includes("status:investigating"))).toBe(true);
    expect(await until(() => h.sim.issue(REPO, first).comments.find((c) => c.id === sev)!.reactions.length === 1)).toBe(true);
    expect(await until(() => !h.card(second)!.includes("content budget"), 6_000)).toBe(true);
    expect(h.sim.issue(REPO, second).labels.sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.logs.some((l) => l.msg.includes("delayed POST /repos/acme/web/issues/") && l.msg.includes("sent"))).toBe(true);
  }, 20_000);
});
