import { describe, expect, it } from "vitest";
import { findReferences } from "../src/changes/references.js";
import { DEFAULT_CONFIG } from "../src/config/schema.js";
import { concernsIncident, issueTarget } from "../src/events.js";
import { parseCommands } from "../src/incident/commands.js";
import { parseDeclaration } from "../src/incident/declaration.js";
import { bodyFollowups, rootCauseLines } from "../src/incident/state.js";
import { parseMaintenanceCommands, parseMaintenanceForm, parseServiceList } from "../src/maintenance/parse.js";
import { readMarkers } from "../src/markers.js";
import { formAnswer, readForm } from "../src/text/form.js";
import { fitBody, GITHUB_BODY_LIMIT, list, openFence, text as textPart } from "../src/text/limits.js";
import { mayHoldCommand } from "../src/text/markdown.js";
import { neutralise, neutraliseInline, neutraliseQuote } from "../src/text/neutralise.js";
import { FAMILIES, MB, PARSERS } from "./adversarial.fixtures.js";
import { useApp } from "./harness.js";

/**
 * Issue 8, "bounded work per delivery": every parser that reads people's text, on a megabyte of
 * each hostile family (test/adversarial.fixtures.ts), and what must stay true of the result.
 *
 * The time bound is deliberately generous (CI machines are slow and shared): it is there to catch
 * a quadratic blow-up, which costs seconds to minutes on a megabyte, not to measure. The measured
 * figures are in BENCHMARKS.md (bench/adversarial.ts).
 */
const BOUND_MS = 1_000;

/**
 * Milliseconds of one run; a run over the bound is tried once more, so that a pause of the machine
 * is not a failure. The second run gets a fresh copy of the text (`run(1)`), so that the Markdown
 * layer's cache cannot answer it.
 */
function timed(run: (attempt: number) => unknown): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 2 && best > BOUND_MS; attempt++) {
    const started = performance.now();
    run(attempt);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** A copy of `text` no cache has seen: one character more, past what any capped parser reads. */
const fresh = (text: string, attempt: number) => (attempt === 0 ? text : `${text}\uE000`);

describe("every parser on a megabyte of hostile text", () => {
  it.each(FAMILIES.map((f) => [f.name, f] as const))(
    "%s",
    (_name, family) => {
      const input = family.make(MB);
      expect(input.length).toBe(MB);
      const slow = PARSERS.map((p) => ({ parser: p.name, ms: Math.round(timed((attempt) => p.run(fresh(input, attempt)))) })).filter((r) => r.ms > BOUND_MS);
      expect(slow).toEqual([]);
    },
    120_000,
  );
});

const here = { owner: "acme", repo: "web" };
const ctx = { at: "2026-03-02T10:30:00Z", config: DEFAULT_CONFIG };
/** Everything a reader could act on, were it visible. */
const ACTIVE =
  "/sev 1\n/incident sev1\n/maintenance 2026-03-10T02:00Z 2h checkout\nroot cause: 0123abcd\nFixes #1 acme/web#2 GH-3 https://github.com/acme/web/issues/4\n- [ ] a follow-up @bob\n";

/** The hostile text with the active lines before and after it, inside a construct no reader sees as text. */
const hidden: [construct: string, wrap: (text: string) => string][] = [
  ["a tilde fence", (t) => `~~~~\n${t.replaceAll("~", "-")}\n~~~~`],
  ["an HTML comment", (t) => `<!--\n${t.replaceAll(">", "›")}\n-->`],
  [
    "an indented code block",
    (t) =>
      t
        .split("\n")
        .map((line) => `    ${line}`)
        .join("\n"),
  ],
  [
    "a block quote",
    (t) =>
      t
        .split("\n")
        .map((line) => `> ${line}`)
        .join("\n"),
  ],
];

describe("nothing hidden in code, a comment or a quote is acted on, whatever it holds", () => {
  it.each(FAMILIES.map((f) => [f.name, f] as const))("%s", (_name, family) => {
    for (const [construct, wrap] of hidden) {
      // Short enough that the whole text is read (GitHub's body limit), wrapper included.
      const overhead = wrap(family.make(10_000)).length / 10_000;
      const body = wrap(`${ACTIVE}\n${family.make(Math.floor(60_000 / overhead))}\n${ACTIVE}`);
      expect(body.length, construct).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
      expect(parseCommands(body, ctx), construct).toEqual([]);
      expect(parseMaintenanceCommands(body), construct).toEqual([]);
      expect(findReferences(body, here), construct).toEqual([]);
      expect(rootCauseLines(body), construct).toEqual([]);
      expect(bodyFollowups(`## Follow-ups\n\n${body}`), construct).toEqual([]);
      const target = issueTarget("issues", {
        action: "opened",
        repository: { name: "web", owner: { login: "acme" } },
        issue: { number: 5, body, labels: [] },
        sender: { login: "x" },
      });
      expect(target === undefined || !concernsIncident(target, "incident"), construct).toBe(true);
    }
  });

  it("nested fences: a four-backtick fence quoting a three-backtick block hides its commands", () => {
    const body = `${"````\n```\n/sev 1\n```\n/resolve\n````\n".repeat(2_000)}`;
    expect(parseCommands(body, ctx)).toEqual([]);
    expect(parseCommands(`${body}\n/ack`, ctx).map((p) => p.ok && p.command.name)).toEqual([]);
    // Past GitHub's body limit nothing is read: GitHub stores no longer body.
    expect(body.length).toBeGreaterThan(GITHUB_BODY_LIMIT);
    expect(parseCommands(`${"````\n```\n/sev 1\n```\n/resolve\n````\n".repeat(1_000)}\n/ack`, ctx).map((p) => p.ok && p.command.name)).toEqual(["ack"]);
  });
});

describe("what the parsers find in hostile text", () => {
  it("the cheap pre-filter never drops a delivery the parser would act on", () => {
    for (const family of FAMILIES) {
      for (const body of [family.make(60_000), `${family.make(30_000)}\n\n/sev 1\n`, `/ack\n${family.make(30_000)}`]) {
        if (parseCommands(body, ctx).length === 0) continue;
        expect(mayHoldCommand(body), family.name).toBe(true);
        expect(
          issueTarget("issue_comment", {
            action: "created",
            repository: { name: "web", owner: { login: "acme" } },
            issue: { number: 1, body: "", labels: [] },
            comment: { id: 1, body },
            sender: { login: "x" },
          }),
          family.name,
        ).toBeDefined();
      }
    }
  });

  it("a comment of 9,000 `/sev 1` lines is 9,000 commands; of 9,000 `#1 `, one reference", () => {
    const sev = "/sev 1\n".repeat(9_000);
    expect(parseCommands(sev, ctx)).toHaveLength(9_000);
    expect(findReferences("#1 ".repeat(20_000), here)).toEqual([{ owner: "acme", repo: "web", number: 1 }]);
    expect(rootCauseLines("root cause: 0123abcd\n".repeat(3_000))).toHaveLength(3_000);
  });

  it("markers: a head without its end is none, and each comment ends at its first `-->`", () => {
    const marker = "<!-- incident-desk:card -->";
    expect(readMarkers(marker.repeat(30_000), "card")).toHaveLength(30_000);
    expect(readMarkers(`${"<!-- incident-desk:card".repeat(40_000)}`, "card")).toEqual([]);
    // One HTML comment (from the first `<!--` to the first `-->`), whose payload the app never writes.
    expect(readMarkers(`${"<!-- incident-desk:card".repeat(40_000)} -->`, "card")).toEqual([]);
    expect(readMarkers("<!-- incident-desk:card <!-- incident-desk:card --> <!-- incident-desk:card 7 -->", "card")).toEqual(["<!-- incident-desk:card", "7"]);
  });

  it("neutralised text cannot open a comment, end a cell, ping, or leave its line or quote", () => {
    for (const family of FAMILIES) {
      const t = family.make(200_000);
      const n = neutralise(t);
      expect(n.includes("<"), family.name).toBe(false);
      expect(/(^|[^\\])(\\\\)*\|/.test(n), family.name).toBe(false);
      expect(/@[A-Za-z0-9]/.test(n), family.name).toBe(false);
      expect(/[\r\n\u2028\u2029]/.test(neutraliseInline(t, t.length)), family.name).toBe(false);
      expect(
        neutraliseQuote(t)
          .split("\n")
          .every((line) => line.startsWith("> ") && !/[\r\u2028\u2029]/.test(line)),
        family.name,
      ).toBe(true);
    }
  });

  it("fitBody keeps a megabyte of any family within GitHub's limit, its markers whole and no comment open over them", () => {
    const head = "<!-- incident-desk:card -->\n";
    const tail = "\n<!-- incident-desk:notified -->";
    for (const family of FAMILIES) {
      const t = family.make(MB);
      const texts = fitBody([head, textPart(t), "\n", textPart(t, { at: "line" }), tail]);
      expect(texts.length, family.name).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
      expect(texts.startsWith(head) && texts.endsWith(tail), family.name).toBe(true);
      // A cut text never ends inside an HTML comment (a list keeps its items whole: callers give it neutralised lines).
      expect(openComment(texts.slice(0, -tail.length)), family.name).toBe(false);
      const lists = fitBody([head, list(t.split("\n")), tail]);
      expect(lists.length, family.name).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
      expect(lists.startsWith(head) && lists.endsWith(tail), family.name).toBe(true);
    }
  });

  it("a fence line of 64,000 backticks and a U+2028 is read in one pass", () => {
    // `.*$` stopped at the U+2028 and backtracked along the fence: 3 s before.
    expect(openFence(`${"`".repeat(64_000)}\u2028`)).toBe("`".repeat(64_000));
    expect(timed(() => openFence(`${"`".repeat(64_000)}\u2028`))).toBeLessThan(BOUND_MS);
  });

  it("a service list word of 64,000 backticks between letters is read in one pass", () => {
    // `/`+$/` tried from every backtick: 3.4 s before.
    expect(parseServiceList(`a${"`".repeat(64_000)}a checkout`)).toEqual({ services: ["checkout"], invalid: 1 });
    expect(timed(() => parseServiceList(`a${"`".repeat(64_000)}a`))).toBeLessThan(BOUND_MS);
  });

  it("the payload schemas of Alertmanager and Grafana take any text in labels and annotations", () => {
    const schemas = PARSERS.filter((p) => p.name.endsWith("payload schema"));
    for (const family of FAMILIES)
      for (const schema of schemas) expect((schema.run(family.make(100_000)) as { success: boolean }).success, `${schema.name} ${family.name}`).toBe(true);
  });
});

/** Whether an HTML comment is open at the end of `text` (read front to back, as HTML does). */
function openComment(text: string): boolean {
  for (let open = text.indexOf("<!--"); open !== -1;) {
    const close = text.indexOf("-->", open + 4);
    if (close === -1) return true;
    open = text.indexOf("<!--", close + 3);
  }
  return false;
}

describe("the issue form reader (src/text/form.ts)", () => {
  const form = (fields: [string, string][]) => fields.map(([label, answer]) => `### ${label}\n\n${answer}`).join("\n\n");

  it("reads each `### Label` section; the first of a label wins; `_No response_` is no answer", () => {
    const answers = readForm(
      form([
        ["Severity", "sev2 — Major"],
        ["Service", "_No response_"],
        ["Started at", "2026-03-02 08:40"],
        ["Summary", "It broke.\n\n### Severity\n\nsev1"],
      ]),
    );
    expect(formAnswer(answers, "severity")).toBe("sev2 — Major");
    expect(formAnswer(answers, "service")).toBeUndefined();
    expect(formAnswer(answers, "started-at")).toBe("2026-03-02 08:40");
    expect(formAnswer(answers, "summary")).toBe("It broke.");
  });

  it("a `###` line in a fenced code block or an HTML comment is no heading", () => {
    const body = `<!--\n### Severity\n\nsev1\n-->\n${form([
      ["Severity", "sev3"],
      ["Summary", "Logs:\n\n````\n```\n### Service\n```\ncheckout\n````"],
      ["Service", "search"],
    ])}`;
    const answers = readForm(body);
    expect(formAnswer(answers, "severity")).toBe("sev3");
    expect(formAnswer(answers, "service")).toBe("search");
    expect(formAnswer(answers, "summary")).toBe("Logs:\n\n````\n```\n### Service\n```\ncheckout\n````");
  });

  it("reads a 1 MB form of hostile answers in one pass (@github/issue-parser: 14 s on 232 kB)", () => {
    for (const family of FAMILIES) {
      const body = form([
        ["Severity", family.make(MB / 4)],
        ["Service", family.make(MB / 4)],
        ["Impact", family.make(MB / 4)],
        ["Summary", family.make(MB / 4)],
      ]);
      expect(
        timed((attempt) => parseDeclaration(fresh(body, attempt), DEFAULT_CONFIG, false)),
        family.name,
      ).toBeLessThan(BOUND_MS);
      expect(
        timed((attempt) => parseMaintenanceForm(fresh(body, attempt))),
        family.name,
      ).toBeLessThan(BOUND_MS);
    }
  });

  describe("through the app", () => {
    const h = useApp();
    const repo = "acme/web";

    it("a `### Severity` typed into a later answer, or hidden in a comment above the form, does not change the form's severity", async () => {
      const body = `<!--\n### Severity\n\nsev1\n-->\n${form([
        ["Severity", "sev3 — Minor: limited impact, a workaround exists"],
        ["Service", "_No response_"],
        ["Started at", "_No response_"],
        ["Impact", "Some EU users see errors.\n\n### Severity\n\nsev1 — Critical"],
        ["Summary", "_No response_"],
      ])}`;
      const n = h.sim.as("rita").openIssue(repo, { title: "Checkout errors", body, labels: ["incident"] });
      await h.deliver();
      const labels = h.sim.issue(repo, n).labels;
      expect(labels).toContain("sev3");
      expect(labels).not.toContain("sev1");
      const card = h.card(n)!;
      expect(card).toContain("**Impact:** Some EU users see errors.");
      expect(card).not.toContain("**Service:**");
    });
  });
});

describe("hostile deliveries through the app", () => {
  const h = useApp();
  const repo = "acme/web";
  /** Delivers everything queued, one delivery at a time; returns the slowest, in milliseconds. */
  const slowestDelivery = async () => {
    let slowest = 0;
    for (let round = 0; round < 20; round++) {
      const queue = h.sim.webhooks.take();
      if (queue.length === 0) break;
      for (const d of queue) {
        const started = performance.now();
        await h.receive(d);
        slowest = Math.max(slowest, performance.now() - started);
      }
    }
    return slowest;
  };
  // Generous: the app's own work and the simulator's (in this process) for one delivery; the cases
  // below took 0.8–20 s before their fixes.
  const DELIVERY_BOUND_MS = 3_000;

  it("64 KB comments of the hostile families, one after another on one incident: each answered; only visible commands act", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    const names = [
      "U+2028",
      "-a",
      " @a",
      "backticks",
      "nested fences",
      "<!--",
      "*a",
      "> nested",
      "|a|\\n|-|\\n tables",
      "wide tables of short rows",
      "#1 ",
      "random mix #1",
    ];
    for (const name of names) {
      const family = FAMILIES.find((f) => f.name === name)!;
      // Another bot's `/command` first, so that the whole comment is parsed (the pre-filter lets it through).
      const prefix = "/shrug\n\n";
      h.sim.as("alice").comment(repo, n, prefix + family.make(GITHUB_BODY_LIMIT - prefix.length));
      expect(await slowestDelivery(), name).toBeLessThan(DELIVERY_BOUND_MS);
      if (!name.startsWith("random")) expect(h.sim.issue(repo, n).labels, name).toContain("sev3");
    }
    const labels = [...h.sim.issue(repo, n).labels].sort();
    h.sim.as("alice").comment(repo, n, `${"````\n```\n/sev 4\n```\n````\n".repeat(2_000)}`.slice(0, GITHUB_BODY_LIMIT));
    expect(await slowestDelivery()).toBeLessThan(DELIVERY_BOUND_MS);
    expect([...h.sim.issue(repo, n).labels].sort()).toEqual(labels);
    h.sim.as("alice").comment(repo, n, "/sev 1\n".repeat(9_000));
    expect(await slowestDelivery()).toBeLessThan(DELIVERY_BOUND_MS);
    expect(h.sim.issue(repo, n).labels).toContain("sev1");
  });

  it("a `/summary` and an `/update` that were slow to cut (backticks and a U+2028, `<!--`): answered, the card within GitHub's limit", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    h.sim.as("alice").comment(repo, n, `/summary ${"`".repeat(9_000)}\u2028`);
    h.sim.as("alice").comment(repo, n, `/update ${"<!--".repeat(2_400)}`);
    expect(await slowestDelivery()).toBeLessThan(DELIVERY_BOUND_MS);
    const card = h.card(n)!;
    expect(card.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(card).toContain("characters more");
    expect(openComment(card.slice(0, card.indexOf("<!-- incident-desk:changes")))).toBe(false);
  });

  it("a fork pull request with `Fixes #n` and 64 KB of `-a`, U+2028, ` @a` or wide tables links the incident, answered in one delivery", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    const wide = FAMILIES.find((f) => f.name === "wide tables of short rows")!.make(65_000);
    for (const [i, unit] of ["-a", "\u2028", " @a", wide].entries()) {
      const body = `Fixes #${n}\n\n${unit.repeat(65_000 / unit.length)}`.slice(0, GITHUB_BODY_LIMIT);
      h.sim
        .as("mallory")
        .openPullRequest(repo, { title: "Fix", body, head: `fix-${i}`, fromFork: true, commits: [{ message: `${unit.repeat(60_000 / unit.length)}` }] });
      expect(await slowestDelivery()).toBeLessThan(DELIVERY_BOUND_MS);
    }
    expect(h.card(n)).toContain("Fix");
  });

  it("five long refused comments: each is refused once, and a later `/ack` applies", async () => {
    const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    for (let i = 0; i < 5; i++) {
      h.sim.as("rita").comment(repo, n, `${"/sev 1\n".repeat(9_000)}#${i}`);
      expect(await slowestDelivery()).toBeLessThan(DELIVERY_BOUND_MS);
    }
    expect(h.sim.issue(repo, n).labels).toContain("sev3");
    h.sim.as("bob").comment(repo, n, "/ack");
    expect(await slowestDelivery()).toBeLessThan(DELIVERY_BOUND_MS);
    expect(h.card(n)).toMatch(/Acknowledged/);
    expect(h.sim.issue(repo, n).labels).toContain("sev3");
  });
});
