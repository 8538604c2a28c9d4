import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";

const repo = "acme/web";
const h = useApp();

const labels = (n: number) => h.sim.issue(repo, n).labels.sort();

describe("declaring an incident", () => {
  it("by opening an issue with the incident label: severity sev3, status investigating, a card", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("SEV3 incident · Checkout is down");
    const created = h.sim.labels(repo).find((l: { name: string }) => l.name === "sev3");
    expect(created).toMatchObject({ color: "fbca04" });
  });

  it("by adding the incident label to an existing issue", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Search is slow" });
    await h.deliver();
    h.sim.clock.advance("10m");
    h.sim.as("bob").addLabels(repo, n, ["Incident"]);
    await h.deliver();
    expect(labels(n)).toEqual(["Incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("| Detected | 2026-03-02 09:10 UTC |");
  });

  it("an issue opened with labels is handled once: the labeled deliveries that follow it cost nothing", async () => {
    h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident", "sev2"] });
    const deliveries = h.sim.webhooks.take();
    expect(deliveries.map((d) => `${d.name}.${(d.payload as { action: string }).action}`)).toContain("issues.labeled");
    const opened = deliveries.find((d) => (d.payload as { action: string }).action === "opened")!;
    await h.receive(opened);
    h.sim.resetRequests();
    for (const d of deliveries.filter((x) => (x.payload as { action: string }).action === "labeled")) await h.receive(d);
    expect(h.sim.requests).toEqual([]);
  });

  it("by /incident in a comment, with severity and title", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Something odd" });
    h.sim.as("alice").comment(repo, n, "/incident sev1 Payments failing");
    await h.deliver();
    const issue = h.sim.issue(repo, n);
    expect(issue.title).toBe("Payments failing");
    expect(labels(n)).toEqual(["incident", "sev1", "status:investigating"]);
    expect(h.card(n)).toContain("SEV1 incident · Payments failing");
  });
});

describe("commands", () => {
  it("a comment that declares the incident carries out the commands written after /incident too", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Something odd" });
    const c = h.sim.as("alice").comment(repo, n, "/incident sev2\n/commander @bob\n/update Looking into the checkout errors");
    const m = h.sim.as("alice").openIssue(repo, { title: "Queue backing up", body: "/incident sev1\n/commander @carol" });
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev2", "status:investigating"]);
    expect(h.sim.issue(repo, n).assignees).toEqual(["bob"]);
    expect(h.card(n)).toContain("**Commander:** @bob");
    expect(h.card(n)).toContain("Looking into the checkout errors");
    expect(h.sim.issue(repo, n).comments.find((x) => x.id === c)?.reactions).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);
    expect(labels(m)).toEqual(["incident", "sev1", "status:investigating"]);
    expect(h.sim.issue(repo, m).assignees).toEqual(["carol"]);
  });

  it("applies a comment's commands in order, reacts 👍, assigns the commander", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    const c = h.sim.as("alice").comment(repo, n, "/sev 1\n/commander @bob\n/status identified");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev1", "status:identified"]);
    const issue = h.sim.issue(repo, n);
    expect(issue.assignees).toEqual(["bob"]);
    expect(issue.comments.find((x) => x.id === c)?.reactions).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);
    expect(h.card(n)).toContain("**Commander:** @bob");
  });

  it("refuses a read-only user's /sev 1 politely and changes nothing", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    const before = h.card(n);
    h.sim.as("rita").comment(repo, n, "/sev 1");
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    // The card looks the same; only its hidden record of verdicts gained the refusal.
    const visible = (card: string | undefined) => card?.replace(/<!-- incident-desk:verdicts [^>]*-->\n?/, "");
    expect(visible(h.card(n))).toBe(visible(before));
    expect(h.card(n)).toMatch(/<!-- incident-desk:verdicts a:[^ ]* r:c\d+ -->/);
    const replies = h.comments(n).filter((c) => c.user === "incident-desk[bot]");
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("@rita, thanks — incident commands need write access");
  });

  it("explains a wrong command and applies nothing of that comment", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/sev 1\n/status sleepy");
    await h.deliver();
    expect(labels(n)).toContain("sev3");
    const reply = h.comments(n).find((c) => c.user === "incident-desk[bot]");
    expect(reply?.body).toContain("`/status sleepy`: \"sleepy\" is not a status");
  });

  it("resolves: closes the issue; reopening goes back to investigating", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/resolve");
    await h.deliver();
    expect(h.sim.issue(repo, n).state).toBe("closed");
    expect(labels(n)).toContain("status:resolved");
    h.sim.as("bob").reopen(repo, n);
    await h.deliver();
    expect(h.sim.issue(repo, n).state).toBe("open");
    expect(labels(n)).toContain("status:investigating");
  });
});

describe("editing a command comment", () => {
  it("follows the comment as it stands: the 👍 and the reply come and go with its commands", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    const c = h.sim.as("alice").comment(repo, n, "/sev 1");
    await h.deliver();
    const reactions = () => h.sim.issue(repo, n).comments.find((x) => x.id === c)?.reactions ?? [];
    const replies = () => h.comments(n).filter((x) => x.user === "incident-desk[bot]");
    expect(reactions()).toHaveLength(1);

    h.sim.as("alice").editComment(repo, c, "/sev 9");
    await h.deliver();
    expect(labels(n)).toContain("sev3");
    expect(reactions()).toEqual([]);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toContain("`/sev 9`");

    h.sim.as("alice").editComment(repo, c, "/sev 2");
    await h.deliver();
    expect(labels(n)).toContain("sev2");
    expect(reactions()).toHaveLength(1);
    expect(replies()).toEqual([]);
  });
});

describe("state from history", () => {
  it("a duplicate delivery writes nothing", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    const delivered = await h.deliver();
    h.sim.resetRequests();
    for (const d of delivered) await h.receive(d);
    expect(h.sim.count({ writes: true })).toBe(0);
    expect(h.comments(n)).toEqual([]);
  });

  it("a deleted card comes back the same on the next event", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    const card = h.card(n)!;
    const id = h.sim.comments(repo, n).find((c: { body?: string | null }) => c.body === card)!.id;
    h.sim.as("alice").deleteComment(repo, id);
    h.sim.as("alice").comment(repo, n, "/help");
    await h.deliver();
    expect(h.card(n)).toBe(card);
  });
});

describe("credentials on the card", () => {
  it("a token pasted in an /update, a summary or a timeline entry is not copied onto the card (as in notifications and the post-mortem)", async () => {
    const token = `ghp_${"Zz9".repeat(12)}`;
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, `/update Rotated the key, the old one was ${token}\n/summary The deploy used password=hunter2hunter2 from the wiki\n/timeline 09:00 Found ${token} in the logs`);
    await h.deliver();
    const card = h.card(n)!;
    expect(card).not.toContain(token);
    expect(card).not.toContain("hunter2hunter2");
    expect(card).toContain("Rotated the key, the old one was [redacted]");
    expect(card).toContain("Found [redacted] in the logs");
  });
});
