import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApp, type Harness } from "./harness.js";
import { runAction, addActionToken } from "./action.fixtures.js";

/**
 * Remediation tracking in the app: problem tickets closed and reopened by people show on the
 * incident's card, and the last one closing gets the incident exactly one "all done" comment.
 */
const DONE = "<!-- incident-desk:followups-done -->";
let h: Harness;

beforeEach(async () => {
  h = await startApp();
  addActionToken(h.sim);
});
afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

async function incidentWithTickets(): Promise<{ n: number; tickets: number[] }> {
  const n = h.sim.as("alice").openIssue(h.repo, { title: "Search is slow", labels: ["incident"] });
  await h.deliver();
  h.sim.as("alice").comment(h.repo, n, "/followup Add a query timeout @bob\n/followup Cache the facets @carol");
  await h.deliver();
  const run = await runAction(h.sim, { repo: h.repo, inputs: { command: "problems", issue: String(n) } });
  expect(run.error).toBeUndefined();
  await h.deliver();
  return { n, tickets: JSON.parse(run.outputs["problem-issues"]!) as number[] };
}

const doneComments = (n: number) => h.comments(n).filter((c) => c.body.includes(DONE));

describe("remediation tracking", () => {
  it("the card counts the follow-ups done as their tickets close and reopen; one comment when all are done", async () => {
    const { n, tickets } = await incidentWithTickets();
    const [first, second] = tickets as [number, number];
    expect(h.card(n)).toContain(`### Follow-ups · 0 of 2 done\n- ⬜ Add a query timeout · @bob · #${first} open\n- ⬜ Cache the facets · @carol · #${second} open\n`);

    h.sim.as("bob").close(h.repo, first);
    await h.deliver();
    expect(h.card(n)).toContain(`### Follow-ups · 1 of 2 done\n- ✅ Add a query timeout · @bob · #${first} closed\n- ⬜ Cache the facets · @carol · #${second} open\n`);
    expect(doneComments(n)).toHaveLength(0);

    h.sim.as("carol").close(h.repo, second);
    await h.deliver();
    expect(h.card(n)).toContain("### Follow-ups · 2 of 2 done");
    const done = doneComments(n);
    expect(done).toHaveLength(1);
    expect(done[0]!.body).toContain("### ✅ All follow-ups are done");
    expect(done[0]!.body).toContain(`- Add a query timeout · #${first}\n- Cache the facets · #${second}`);

    h.sim.as("carol").reopen(h.repo, second);
    await h.deliver();
    expect(h.card(n)).toContain(`### Follow-ups · 1 of 2 done`);
    expect(h.card(n)).toContain(`- ⬜ Cache the facets · @carol · #${second} open`);

    h.sim.as("carol").close(h.repo, second);
    const deliveries = await h.deliver();
    // A second delivery of the same event (GitHub retries) changes nothing either.
    await h.receive(deliveries.find((d) => d.name === "issues" && d.payload.action === "closed")!);
    await h.deliver();
    expect(h.card(n)).toContain("### Follow-ups · 2 of 2 done");
    expect(doneComments(n)).toHaveLength(1);
  });

  it("a ticket closing reads each resource once: the configuration is not read again for its incident", async () => {
    const { tickets } = await incidentWithTickets();
    h.sim.resetRequests();
    h.sim.as("bob").close(h.repo, tickets[0]!);
    await h.deliver();
    const reads = h.sim.requests.filter((r) => r.method === "GET").map((r) => r.path);
    expect(reads.filter((p) => p.includes("incidents.yml"))).toEqual([
      "/repos/acme/web/contents/.github%2Fincidents.yml",
      "/repos/acme/.github/contents/.github%2Fincidents.yml",
    ]);
    expect(new Set(reads).size).toBe(reads.length);
  });

  it("an ordinary issue closing, or a ticket naming another repository's incident, touches no incident", async () => {
    const { n } = await incidentWithTickets();
    const cardBefore = h.card(n);
    const plain = h.sim.as("alice").openIssue(h.repo, { title: "Unrelated", body: `See #${n}` });
    const forged = h.sim.as("rita").openIssue(h.repo, { title: "Forged", body: `<!-- incident-desk:problem incident=other/repo#${n} key=c1-abc -->` });
    await h.deliver();
    h.sim.resetRequests();
    h.sim.as("alice").close(h.repo, plain);
    h.sim.as("rita").close(h.repo, forged);
    await h.deliver();
    expect(h.sim.count({ writes: true })).toBe(0);
    expect(h.card(n)).toBe(cardBefore);
  });
});
