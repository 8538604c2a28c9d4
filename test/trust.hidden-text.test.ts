import { describe, expect, it } from "vitest";
import { useApp } from "./harness.js";

/**
 * Issue 8, "Hidden commands run": text that GitHub shows readers as code, as a quote, or not at
 * all (HTML comments, raw HTML) is never a command, a `root cause:` line, a follow-up or a
 * reference. Each attack goes in through webhooks into the app and is shown inert: the labels,
 * the card, the replies and reactions are what they would be without it. Every test also carries
 * the visible counterpart, so it would fail if commands were not read at all.
 */

const repo = "acme/web";
const h = useApp();

const labels = (n: number) => [...h.sim.issue(repo, n).labels].sort();
const reactions = (n: number, id: number) => h.sim.issue(repo, n).comments.find((c) => c.id === id)?.reactions ?? [];
/** What the app wrote to GitHub (minting its installation token is not writing). */
const writes = () => h.sim.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens")).map((r) => `${r.method} ${r.path}`);
const botReplies = (n: number) => h.comments(n).filter((c) => c.user === "incident-desk[bot]");

async function incident(body = ""): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title: "Checkout is down", body, labels: ["incident"] });
  await h.deliver();
  return n;
}

const FENCE3 = "```";
/** A pull request of one commit, as people open them. */
const pull = (login: string, title: string, body: string, head: string, fromFork = false) =>
  h.sim.as(login).openPullRequest(repo, { title, body, head, fromFork, commits: [{ message: title }] });
const FENCE4 = "````";

/** `/sev 1` as GitHub shows it to no reader as a command. */
const HIDDEN: [string, string][] = [
  ["in a four-backtick fence quoting a three-backtick block", `Seen in the logs:\n\n${FENCE4}\n${FENCE3}\ntrace\n${FENCE3}\n/sev 1\n${FENCE4}\n`],
  ["in a three-backtick fence with an info string", `${FENCE3}sh\n/sev 1\n${FENCE3}`],
  ["in a fence never closed (it runs to the end)", `Output:\n\n${FENCE3}\nok\n/sev 1\n`],
  ["in a tilde fence", "~~~\n/sev 1\n~~~"],
  ["in a tilde fence that a backtick line does not close", `~~~~\n${FENCE3}\n/sev 1\n~~~~`],
  ["in a fence indented by three spaces", `   ${FENCE3}\n   /sev 1\n   ${FENCE3}`],
  ["in an HTML comment", "<!--\n/sev 1\n-->"],
  ["in an HTML comment across blank lines", "<!--\n\n/sev 1\n\n-->"],
  ["in an HTML comment inside a paragraph", "Looking. <!--\n/sev 1\n--> Nothing yet."],
  ["in an HTML comment at the start of the line", "<!-- x -->/sev 1"],
  ["in an indented code block", "Ran:\n\n    /sev 1\n"],
  ["in an indented code block after a list", "- one\n\n<!-- end -->\n\n    /sev 1\n"],
  ["in inline code", "`/sev 1`"],
  ["in inline code of two backticks", "`` /sev 1 ``"],
  ["in inline code over two lines", "`this\n/sev 1`"],
  ["in a block quote", "> /sev 1"],
  ["in a block quote's lazy continuation", "> alice wrote:\n/sev 1"],
  ["in a nested block quote", "> > /sev 1"],
  ["in a raw HTML block", "<div>\n/sev 1\n</div>"],
  ["in a raw <pre> block", "<pre>\n/sev 1\n</pre>"],
  ["in a raw <details> block", "<details><summary>logs</summary>\n/sev 1\n</details>"],
];

describe("commands people cannot see do not run", () => {
  it.each(HIDDEN)("/sev 1 %s", async (_name, body) => {
    const n = await incident();
    const card = h.card(n);
    const c = h.sim.as("alice").comment(repo, n, body);
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toBe(card);
    expect(reactions(n, c)).toEqual([]);
    expect(botReplies(n)).toEqual([]);

    // The same comment with the command where a reader sees it runs.
    h.sim.as("alice").editComment(repo, c, `/sev 2\n\n${body}`);
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev2", "status:investigating"]);
    expect(reactions(n, c)).toEqual([{ user: "incident-desk[bot]", content: "+1" }]);
  });

  it("a visible command after a four-backtick fence that quotes a three-backtick block runs once, the quoted one does not", async () => {
    const n = await incident();
    h.sim.as("alice").comment(repo, n, `${FENCE4}\n${FENCE3}\n/sev 1\n${FENCE3}\n/status resolved\n${FENCE4}\n/sev 2`);
    await h.deliver();
    expect(labels(n)).toEqual(["incident", "sev2", "status:investigating"]);
    expect(h.sim.issue(repo, n).state).toBe("open");
  });

  it("/incident hidden in a new issue's body declares nothing and writes nothing", async () => {
    const bodies = [`${FENCE3}\n/incident sev1 Payments down\n${FENCE3}`, "<!--\n/incident sev1\n-->", "    /incident sev1", "> /incident sev1", "`/incident sev1`"];
    const numbers = bodies.map((body) => h.sim.as("alice").openIssue(repo, { title: "A question", body }));
    h.sim.resetRequests();
    await h.deliver();
    for (const n of numbers) {
      expect(labels(n)).toEqual([]);
      expect(h.sim.issue(repo, n).comments).toEqual([]);
    }
    expect(writes()).toEqual([]);
  });

  it("/followup and /cause hidden in code add no follow-up and no cause", async () => {
    const n = await incident();
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Add caching", head: "cache", commits: [{ message: "Add caching", files: { "c.ts": "1" } }] });
    h.sim.as("bob").mergePullRequest(repo, pr);
    await h.deliver();
    h.sim.as("alice").comment(repo, n, `${FENCE3}\n/followup Rotate the keys @bob\n/cause #${pr}\n${FENCE3}\n<!--\n/followup Hidden too\n-->`);
    await h.deliver();
    expect(h.card(n)).not.toContain("Follow-ups");
    expect(h.card(n)).not.toContain("**Cause:**");
    expect(labels(pr)).toEqual([]);
    expect(h.sim.issue(repo, pr).comments).toEqual([]);
  });
});

describe("body lines people cannot see", () => {
  it("`root cause:` inside code, a comment or a quote names no cause; the visible one does", async () => {
    const hidden = h.sim.as("bob").openPullRequest(repo, { title: "Tune the pool", head: "pool", commits: [{ message: "Tune the pool", files: { "p.ts": "1" } }] });
    const hiddenSha = h.sim.as("bob").mergePullRequest(repo, hidden);
    const shown = h.sim.as("bob").openPullRequest(repo, { title: "Raise timeouts", head: "timeouts", commits: [{ message: "Raise timeouts", files: { "t.ts": "1" } }] });
    const shownSha = h.sim.as("bob").mergePullRequest(repo, shown);
    await h.deliver();
    const body = [
      "Checkout fails.",
      "",
      FENCE3,
      `root cause: ${hiddenSha}`,
      FENCE3,
      "",
      `<!--\nroot cause: ${hiddenSha}\n-->`,
      "",
      `> root cause: ${hiddenSha}`,
      "",
      `    root cause: ${hiddenSha}`,
      "",
      `\`root cause: ${hiddenSha}\``,
      "",
      `root cause: ${shownSha}`,
    ].join("\n");
    const n = await incident(body);
    expect(labels(hidden)).toEqual([]);
    expect(h.sim.issue(repo, hidden).comments).toEqual([]);
    expect(labels(shown)).toEqual(["incident-cause"]);
    const causes = (h.card(n) ?? "").split("\n").filter((l) => l.startsWith("- **Cause:**"));
    expect(causes).toEqual([expect.stringContaining(`#${shown} Raise timeouts`)]);
  });

  it("`- [ ]` follow-ups inside code or a comment under Follow-ups are not follow-ups; the visible one is", async () => {
    const body = [
      "Payments fail.",
      "",
      "## Follow-ups",
      "- [ ] Add a canary stage",
      "",
      FENCE3,
      "- [ ] Hidden in a fence @mallory",
      FENCE3,
      "",
      "<!--",
      "- [ ] Hidden in a comment",
      "-->",
      "",
      "    - [ ] Hidden in indented code",
      "",
      "> - [ ] Hidden in a quote",
    ].join("\n");
    const n = await incident(body);
    const card = h.card(n)!;
    expect(card).toContain("### Follow-ups · 0 of 1 done\n- ⬜ Add a canary stage · _no ticket yet_\n");
    expect(card).not.toContain("Hidden");
  });
});

describe("references people cannot see", () => {
  it.each([
    ["a fence", `${FENCE3}\nFixes #1\n${FENCE3}`],
    ["inline code", "Unrelated; see `Fixes #1` in the docs."],
    ["an HTML comment", "Bump deps.\n\n<!-- Fixes #1 -->"],
    ["an indented code block", "Example:\n\n    Fixes #1\n"],
    ["a raw HTML block", "<div>\nFixes #1\n</div>"],
    ["a block quote", "> Fixes #1 was said upstream"],
  ])("`Fixes #1` in %s of a pull request body links nothing; a visible one links", async (_name, body) => {
    const n = await incident();
    expect(n).toBe(1);
    const hidden = pull("bob", "Bump deps", body, "deps");
    await h.deliver();
    expect(labels(hidden)).toEqual([]);
    expect(h.card(n)).not.toContain(`#${hidden}`);

    const shown = pull("bob", "Retry payments", "Fixes #1", "retry");
    await h.deliver();
    expect(labels(shown)).toEqual(["incident-fix"]);
    expect(labels(hidden)).toEqual([]);
    const changes = (h.card(n) ?? "").split("\n").filter((l) => l.startsWith("- **Fix:**"));
    expect(changes).toEqual([expect.stringContaining(`#${shown} Retry payments`)]);
  });
});
