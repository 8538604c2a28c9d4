import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";

/** Pull requests linked to incidents, driven by webhooks into the app against the simulator. */

const repo = "acme/web";
const h = useApp();

const prLabels = (n: number) => h.sim.issue(repo, n).labels.sort();
/** The card's lines about linked changes (causes, fixes, mitigations, post-mortem), or undefined when none. */
const changesSection = (n: number) =>
  (h.card(n) ?? "")
    .split("\n")
    .filter((l) => /^- \*\*(Cause|Fix|Mitigation \(revert\)|Post-mortem):\*\*/.test(l))
    .join("\n") || undefined;
const timeline = (n: number) => (h.card(n) ?? "").split("### Timeline")[1] ?? "";

async function incident(title = "Checkout is down"): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title, labels: ["incident"] });
  await h.deliver();
  return n;
}

describe("a pull request that refers to an incident", () => {
  it("`Fixes #n` in the body: labelled incident-fix, listed on the card with its state, opened and merged on the timeline", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Raise pool size", body: `Fixes #${n}`, head: "fix-pool", commits: [{ message: "pool: 50" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(n)).toBe(`- **Fix:** #${pr} Raise pool size · 🟢 open`);
    expect(timeline(n)).toContain(`Fix #${pr} Raise pool size opened`);

    h.sim.as("bob").mergePullRequest(repo, pr);
    await h.deliver();
    expect(changesSection(n)).toBe(`- **Fix:** #${pr} Raise pool size · 🟣 merged`);
    expect(timeline(n)).toContain(`Fix #${pr} merged`);
  });

  it("linking reads the incident issue once per delivery", async () => {
    const n = await incident();
    h.sim.resetRequests();
    h.sim.as("bob").openPullRequest(repo, { title: "Raise pool size", body: `Fixes #${n}`, head: "fix-pool", commits: [{ message: "pool: 50" }] });
    const opened = h.sim.webhooks.take();
    for (const d of opened) await h.receive(d);
    const reads = h.sim.requests.filter((r) => r.method === "GET").map((r) => r.path);
    expect(reads.filter((p) => p === `/repos/acme/web/issues/${n}`)).toHaveLength(1);
    expect(new Set(reads).size).toBe(reads.length);
  });

  it("the app's own incident-fix label, echoed back by GitHub as pull_request.labeled, costs no request", async () => {
    const n = await incident();
    h.sim.as("bob").openPullRequest(repo, { title: "Raise pool size", body: `Fixes #${n}`, head: "fix-pool", commits: [{ message: "pool: 50" }] });
    for (const d of h.sim.webhooks.take()) await h.receive(d);
    h.sim.resetRequests();
    const echoes = await h.deliver();
    expect(echoes.some((d) => d.name === "pull_request" && d.payload.action === "labeled")).toBe(true);
    expect(h.sim.requests).toEqual([]);
  });

  it.each([
    ["Closes #N", "in the body"],
    ["Incident: #N", "in the body"],
    ["see #N for context", "as a plain mention"],
    ["acme/web#N", "as owner/repo#N"],
    ["https://github.com/acme/web/issues/N", "as a URL"],
  ])("`%s` %s links it", async (text) => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "A change", body: text.replace("N", String(n)), head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(n)).toContain(`#${pr} A change`);
  });

  it("a reference in the title links it", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: `Hotfix for #${n}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(n)).toContain(`**Fix:** #${pr} Hotfix for #${n}`);
  });

  it("a reference in a commit message links it", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Tune timeouts", body: "No issue named here", head: "b1", commits: [{ message: `Lower timeout\n\nFixes #${n}` }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(n)).toBe(`- **Fix:** #${pr} Tune timeouts · 🟢 open`);
    h.sim.as("bob").mergePullRequest(repo, pr);
    await h.deliver();
    expect(changesSection(n)).toBe(`- **Fix:** #${pr} Tune timeouts · 🟣 merged`);
  });

  it("a revert pull request is a mitigation", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: 'Revert "Add caching"', body: `Reverts acme/web#3\n\nMitigates #${n}`, head: "revert-3", commits: [{ message: "Revert" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(n)).toBe(`- **Mitigation (revert):** #${pr} Revert "Add caching" · 🟢 open`);
    expect(timeline(n)).toContain(`Mitigation (revert) #${pr}`);
  });

  it("editing the body to drop the reference unlinks it and removes the label", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "A change", body: `Fixes #${n}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    h.sim.as("bob").editPullRequest(repo, pr, { body: "Unrelated after all" });
    await h.deliver();
    expect(prLabels(pr)).toEqual([]);
    expect(changesSection(n)).toBeUndefined();
  });

  it("keeps the label while it still refers to another incident", async () => {
    const a = await incident("A is down");
    const b = await incident("B is down");
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "A change", body: `Fixes #${a}, fixes #${b}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    h.sim.as("bob").editPullRequest(repo, pr, { body: `Fixes #${b}` });
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(a)).toBeUndefined();
    expect(changesSection(b)).toContain(`#${pr} A change`);
  });

  it("a reference to an issue that is not an incident does nothing", async () => {
    const bug = h.sim.as("alice").openIssue(repo, { title: "Typo on the home page" });
    await h.deliver();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Fix typo", body: `Fixes #${bug}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual([]);
    expect(h.sim.comments(repo, bug)).toEqual([]);
    expect(h.sim.issue(repo, bug).labels).toEqual([]);
  });

  it("the post-mortem pull request is shown as the post-mortem, not as a fix", async () => {
    const n = await incident();
    const pr = h.sim.as("alice").openPullRequest(repo, { title: `Post-mortem of #${n}`, body: `Post-mortem for #${n}`, head: `incident-desk/postmortem-${n}`, commits: [{ message: "pm" }] });
    await h.deliver();
    h.sim.as("alice").addLabels(repo, pr, ["postmortem"]);
    await h.deliver();
    expect(prLabels(pr)).toEqual(["postmortem"]);
    expect(changesSection(n)).toBe(`- **Post-mortem:** #${pr} Post-mortem of #${n} · 🟢 open`);
  });

  it("a pull request that referred to the issue before it was declared is labelled on declaration", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Slow pages" });
    await h.deliver();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Cache pages", body: `Fixes #${n}`, head: "b1", commits: [{ message: "x" }] });
    await h.deliver();
    expect(prLabels(pr)).toEqual([]);
    h.sim.as("alice").addLabels(repo, n, ["incident"]);
    await h.deliver();
    expect(prLabels(pr)).toEqual(["incident-fix"]);
    expect(changesSection(n)).toContain(`#${pr} Cache pages`);
  });
});
