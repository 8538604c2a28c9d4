import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { notificationLimits, settleNotifications } from "../src/notify/send.js";
import { startApp, type Harness } from "./harness.js";
import { receiver, type Receiver } from "./receiver.fixtures.js";

/**
 * The Slack and Teams bodies, as the receivers get them over HTTP, against the documented shapes:
 * Slack's Block Kit reference (docs.slack.dev/reference/block-kit: blocks and their limits) and
 * Microsoft's "Create incoming webhooks with Workflows for Microsoft Teams" (a message with one
 * Adaptive Card attachment) with the Adaptive Card schema (adaptivecards.io/explorer). Every
 * object is strict: a key the documents do not name fails the test.
 */

// ---- Slack Block Kit -------------------------------------------------------------------------
const plainText = (max: number) => z.object({ type: z.literal("plain_text"), text: z.string().min(1).max(max), emoji: z.boolean().optional() }).strict();
const mrkdwn = (max: number) => z.object({ type: z.literal("mrkdwn"), text: z.string().min(1).max(max), verbatim: z.boolean().optional() }).strict();
const textObject = (max: number) => z.union([plainText(max), mrkdwn(max)]);
const blockId = z.string().max(255).optional();
const slackBlock = z.discriminatedUnion("type", [
  z.object({ type: z.literal("header"), text: plainText(150), block_id: blockId }).strict(),
  z
    .object({ type: z.literal("section"), text: textObject(3_000).optional(), fields: z.array(textObject(2_000)).min(1).max(10).optional(), block_id: blockId })
    .strict()
    .refine((s) => s.text !== undefined || s.fields !== undefined, "a section needs text or fields"),
  z.object({ type: z.literal("context"), elements: z.array(textObject(3_000)).min(1).max(10), block_id: blockId }).strict(),
  z
    .object({
      type: z.literal("actions"),
      elements: z
        .array(
          z
            .object({
              type: z.literal("button"),
              text: plainText(75),
              url: z.url().max(3_000).optional(),
              action_id: z.string().max(255).optional(),
              value: z.string().max(2_000).optional(),
              style: z.enum(["primary", "danger"]).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(25),
      block_id: blockId,
    })
    .strict(),
  z.object({ type: z.literal("divider"), block_id: blockId }).strict(),
]);
const slackMessage = z.object({ text: z.string().min(1).max(40_000), blocks: z.array(slackBlock).min(1).max(50) }).strict();
type SlackMessage = z.infer<typeof slackMessage>;

// ---- Teams Workflows: a message with one Adaptive Card (1.4 or lower) ----------------------------
const color = z.enum(["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]);
const size = z.enum(["Default", "Small", "Medium", "Large", "ExtraLarge"]);
const weight = z.enum(["Default", "Lighter", "Bolder"]);
const textRun = z
  .object({
    type: z.literal("TextRun"),
    text: z.string(),
    color: color.optional(),
    isSubtle: z.boolean().optional(),
    size: size.optional(),
    weight: weight.optional(),
    italic: z.boolean().optional(),
  })
  .strict();
const cardElement = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("TextBlock"),
      text: z.string().min(1),
      color: color.optional(),
      size: size.optional(),
      weight: weight.optional(),
      wrap: z.boolean().optional(),
      isSubtle: z.boolean().optional(),
      maxLines: z.number().int().positive().optional(),
    })
    .strict(),
  z.object({ type: z.literal("RichTextBlock"), inlines: z.array(textRun).min(1) }).strict(),
  z.object({ type: z.literal("FactSet"), facts: z.array(z.object({ title: z.string().min(1), value: z.string().min(1) }).strict()).min(1) }).strict(),
]);
const adaptiveCard = z
  .object({
    $schema: z.literal("http://adaptivecards.io/schemas/adaptive-card.json"),
    type: z.literal("AdaptiveCard"),
    version: z.enum(["1.0", "1.1", "1.2", "1.3", "1.4"]),
    body: z.array(cardElement).min(1),
    actions: z.array(z.object({ type: z.literal("Action.OpenUrl"), title: z.string().min(1), url: z.url() }).strict()).optional(),
  })
  .strict();
const workflowsMessage = z
  .object({
    type: z.literal("message"),
    attachments: z
      .array(z.object({ contentType: z.literal("application/vnd.microsoft.card.adaptive"), contentUrl: z.null(), content: adaptiveCard }).strict())
      .length(1),
  })
  .strict();
type TeamsMessage = z.infer<typeof workflowsMessage>;
/** Teams refuses a message over about 28 KB. */
const TEAMS_MAX_BYTES = 28 * 1024;

const CONFIG = [
  "notifications:",
  "  - { name: ops-slack, url_env: SLACK_URL, format: slack }",
  "  - { name: ops-teams, url_env: TEAMS_URL, format: teams }",
].join("\n");

let h: Harness;
let rx: Receiver;
const saved = { ...notificationLimits };

beforeEach(async () => {
  rx = await receiver();
  process.env.SLACK_URL = `${rx.url}/slack`;
  process.env.TEAMS_URL = `${rx.url}/teams`;
  Object.assign(notificationLimits, { timeoutMs: 2_000, retries: 2, backoffMs: 20 });
});

afterEach(async () => {
  await settleNotifications();
  expect(h.sim.violations).toEqual([]);
  await h.close();
  await rx.close();
  Object.assign(notificationLimits, saved);
  for (const k of ["SLACK_URL", "TEAMS_URL"]) delete process.env[k];
});

const slack = (): SlackMessage[] => rx.received.filter((r) => r.path === "/slack").map((r) => slackMessage.parse(JSON.parse(r.body)));
const teams = (): TeamsMessage[] =>
  rx.received
    .filter((r) => r.path === "/teams")
    .map((r) => {
      expect(Buffer.byteLength(r.body, "utf8")).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
      return workflowsMessage.parse(JSON.parse(r.body));
    });
const events = (path: string) => rx.received.filter((r) => r.path === path).map((r) => r.event);

/** Every text object of a Slack message, with its type. */
function slackTexts(m: SlackMessage): { type: string; text: string }[] {
  return m.blocks.flatMap((b) => {
    if (b.type === "header") return [b.text];
    if (b.type === "section") return [...(b.text ? [b.text] : []), ...(b.fields ?? [])];
    if (b.type === "context") return b.elements;
    if (b.type === "actions") return b.elements.map((e) => e.text);
    return [];
  });
}
const card = (m: TeamsMessage) => m.attachments[0]!.content;
const textRuns = (m: TeamsMessage) => card(m).body.flatMap((e) => (e.type === "RichTextBlock" ? e.inlines.map((i) => i.text) : []));
/** What Teams reads as Markdown: TextBlocks, facts, action titles. */
const markdownTexts = (m: TeamsMessage) => [
  ...card(m).body.flatMap((e) => (e.type === "TextBlock" ? [e.text] : e.type === "FactSet" ? e.facts.flatMap((f) => [f.title, f.value]) : [])),
  ...(card(m).actions ?? []).map((a) => a.title),
];
const fact = (m: TeamsMessage, title: string) =>
  card(m)
    .body.flatMap((e) => (e.type === "FactSet" ? e.facts : []))
    .find((f) => f.title === title)?.value;
const field = (m: SlackMessage, name: string) =>
  m.blocks
    .flatMap((b) => (b.type === "section" ? (b.fields ?? []) : []))
    .find((f) => f.text.startsWith(`${name}: `))
    ?.text.slice(name.length + 2);

const HOSTILE_TITLE = "<!channel> **Checkout** down @here <https://evil.example|click> <@U024BE7LH>";
const HOSTILE_UPDATE = "Failing over <!here> @channel **now** <https://evil.example/x|details> [click](https://evil.example) <at>Everyone</at> @everyone";
// 10,000 characters (the most an /update holds) of what Slack escapes and four-byte characters.
const LONG_UPDATE = `${"<&>😀".repeat(2_000)}`;
// A service typed into the issue form: 64,000 UTF-16 units, over 70 KB in UTF-8, hostile throughout.
const HUGE_SERVICE = `**pay** @here <!channel> ${"€😀<".repeat(16_000)}`;

/** No text Slack parses can ping anyone, link anywhere, or hold people's Markdown-like formatting. */
function expectSlackNeutral(m: SlackMessage, url: string) {
  const all = [m.text, ...slackTexts(m).map((t) => t.text)];
  for (const text of all) {
    // Our one link is the only `<…>` Slack may parse.
    const rest = text.split(`<${url}|acme/web#1>`).join("");
    expect(rest).not.toMatch(/[<>]/);
    expect(text).not.toMatch(/@(channel|here|everyone)/i);
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
  // People's text is never in mrkdwn: `**Checkout**`, `**now**` only in plain_text.
  for (const t of slackTexts(m).filter((t) => t.type === "mrkdwn")) expect(t.text).not.toMatch(/Checkout|now|evil|pay/);
}

/** People's text only in TextRuns (shown as written); everything Teams reads as Markdown escaped. */
function expectTeamsNeutral(m: TeamsMessage) {
  for (const text of markdownTexts(m)) {
    expect(text).not.toMatch(/Checkout|Failing|evil/);
    // Every Markdown character escaped.
    expect(text.replace(/\\[\\*_~`[\]()<>|!]/g, "")).not.toMatch(/[\\*_~`[\]<>|]/);
  }
  expect(JSON.stringify(card(m))).not.toContain("msteams");
}

describe("Slack Block Kit and Teams Adaptive Cards through the app", () => {
  it("declaration, hostile /update, /sev, /resolve: documented shapes, in order, neutralised and within limits", async () => {
    h = await startApp({ config: CONFIG });
    const n = h.sim.as("alice").openIssue("acme/web", { title: HOSTILE_TITLE, labels: ["incident", "sev1"], body: `### Service\n\n${HUGE_SERVICE}\n` });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, `/commander @bob\n/update ${HOSTILE_UPDATE}`);
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, `/update ${LONG_UPDATE}`);
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/sev 2");
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/resolve");
    await h.deliver();
    await settleNotifications();

    const order = ["declared", "update", "update", "severity", "resolved"];
    expect(events("/slack")).toEqual(order);
    expect(events("/teams")).toEqual(order);
    const url = `https://github.com/acme/web/issues/${n}`;

    // Slack: header, title, what happened, fields, link, button; the fallback text kept.
    const [declared, update, long, severity, resolved] = slack();
    expect(declared!.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "context", "actions"]);
    expect(declared!.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "🔴 SEV1 incident declared", emoji: true } });
    expect(declared!.blocks.at(-1)).toEqual({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open acme/web#1", emoji: true }, url }],
    });
    expect(declared!.text).toMatch(
      /^🔴 \*SEV1 incident declared\* · <https:\/\/github.com\/acme\/web\/issues\/1\|acme\/web#1> · &lt;!channel&gt; \*\*Checkout\*\* down @\u200bhere /,
    );
    expect(update!.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "context", "actions"]);
    expect(update!.blocks[2]).toEqual({
      type: "section",
      text: {
        type: "plain_text",
        emoji: true,
        // The text layer keeps what GitHub shows: `<!here>` and `<at>` are raw HTML there, not text.
        text: "Failing over  @\u200bchannel **now** &lt;https://evil.example/x|details&gt; [click](https://evil.example) Everyone @\u200beveryone",
      },
    });
    expect(field(update!, "Severity")).toBe("SEV1");
    expect(field(update!, "Status")).toBe("investigating");
    expect(field(update!, "Commander")).toBe("@bob");
    // The service: one line, cut to 100 characters, escaped.
    const service = field(update!, "Service")!;
    expect(service).toMatch(/^\*\*pay\*\* @\u200bhere &lt;!channel&gt; €😀&lt;/);
    expect(
      service
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/\u200b/g, "").length,
    ).toBeLessThanOrEqual(100);
    expect(severity!.blocks[0]).toMatchObject({ text: { text: "🟠 SEV2 severity changed" } });
    expect(severity!.blocks[2]).toMatchObject({ text: { text: "Severity sev1 → sev2" } });
    expect(resolved!.blocks[0]).toMatchObject({ text: { text: "🟠 SEV2 incident resolved" } });
    expect(field(resolved!, "Status")).toBe("resolved");
    // 10,000 characters that escape to 25,000: cut within the section's 3,000 (and the fallback's 4,000).
    const cut = long!.blocks[2]! as { text: { text: string } };
    expect(cut.text.text.length).toBeLessThanOrEqual(3_000);
    expect(cut.text.text.length).toBeGreaterThan(2_900);
    expect(cut.text.text).toMatch(/^&lt;&amp;&gt;😀&lt;/);
    expect(cut.text.text).toMatch(/… \(cut: the full text is on the issue\)$/);
    expect(long!.text.length).toBeLessThanOrEqual(4_000);
    for (const m of slack()) expectSlackNeutral(m, url);

    // Teams: the Workflows message, one Adaptive Card.
    const cards = teams();
    const first = card(cards[0]!);
    expect(first.version).toBe("1.4");
    expect(first.body[0]).toEqual({ type: "TextBlock", text: "🔴 SEV1 incident declared", size: "Large", weight: "Bolder", color: "Attention", wrap: true });
    expect(first.body[1]).toEqual({ type: "RichTextBlock", inlines: [{ type: "TextRun", text: HOSTILE_TITLE, weight: "Bolder" }] });
    expect(first.actions).toEqual([{ type: "Action.OpenUrl", title: "Open acme/web#1", url }]);
    expect(textRuns(cards[1]!)).toContain("Failing over  @channel **now** <https://evil.example/x|details> [click](https://evil.example) Everyone @everyone");
    expect(fact(cards[1]!, "Severity")).toBe("SEV1");
    expect(fact(cards[1]!, "Commander")).toBe("@bob");
    expect(fact(cards[1]!, "Service")).toMatch(/^\\\*\\\*pay\\\*\\\* @here \\<\\!channel\\> €😀\\</);
    expect(card(cards[3]!).body[0]).toMatchObject({ text: "🟠 SEV2 severity changed", color: "Warning" });
    expect(fact(cards[4]!, "Status")).toBe("resolved");
    // Teams shows all of it (14 KB, within the card's size), as written.
    expect(textRuns(cards[2]!)[1]).toBe(LONG_UPDATE);
    for (const m of cards) expectTeamsNeutral(m);
  });

  it("a card of four-byte and escaped characters stays within Teams' size: the update gives way", async () => {
    h = await startApp({ config: "notifications:\n  - { url_env: TEAMS_URL, format: teams }" });
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    // JSON writes each of these as six bytes (\u001b): 10,000 of them would be 60 KB.
    const escapes = "\u001b\u0007".repeat(4_990);
    h.sim.as("bob").comment("acme/web", n, `/update x${escapes}y`);
    await h.deliver();
    await settleNotifications();
    const [, update] = teams();
    const run = textRuns(update!)[1]!;
    expect(run.startsWith("x\u001b\u0007")).toBe(true);
    expect(run).toMatch(/… \(cut: the full text is on the issue\)$/);
    const bytes = Buffer.byteLength(rx.received.at(-1)!.body, "utf8");
    expect(bytes).toBeLessThanOrEqual(24_000);
    expect(bytes).toBeGreaterThan(23_000);
  });

  it("an update never overtakes its declaration while the declaration is retried", async () => {
    h = await startApp({ config: CONFIG });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const failed = new Set<string>();
    rx.answer = (req, res) => {
      // The first declaration to each channel fails, once we let it; the retry succeeds.
      if (req.event === "declared" && !failed.has(req.path)) {
        failed.add(req.path);
        void gate.then(() => res.writeHead(503).end("busy"));
      } else res.end("1");
    };
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/update Failing over.");
    await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/resolve");
    await h.deliver();
    // Both deliveries were handled while the declaration still waited for its answer.
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await settleNotifications();
    expect(events("/slack")).toEqual(["declared", "declared", "update", "resolved"]);
    expect(events("/teams")).toEqual(["declared", "declared", "update", "resolved"]);
    expect(h.logs.filter((l) => l.msg.includes("notification channel"))).toEqual([]);
  });

  it("duplicate and out-of-order deliveries send nothing twice", async () => {
    h = await startApp({ config: CONFIG });
    const n = h.sim.as("alice").openIssue("acme/web", { title: "Checkout is down", labels: ["incident", "sev1"] });
    const delivered = await h.deliver();
    h.sim.as("bob").comment("acme/web", n, "/update Failing over.");
    delivered.push(...(await h.deliver()));
    h.sim.as("bob").comment("acme/web", n, "/sev 2");
    delivered.push(...(await h.deliver()));
    await settleNotifications();
    expect(events("/slack")).toEqual(["declared", "update", "severity"]);
    expect(events("/teams")).toEqual(["declared", "update", "severity"]);
    for (const d of [...delivered].reverse()) await h.receive(d);
    for (const d of delivered) await h.receive(d);
    await h.deliver();
    await settleNotifications();
    expect(rx.received).toHaveLength(6);
  });

  it("a security incident: no title, update text or service in either format; credentials redacted elsewhere", async () => {
    h = await startApp({ config: CONFIG });
    const secret = h.sim
      .as("alice")
      .openIssue("acme/web", { title: "Leaked signing key", labels: ["incident", "sev1", "security"], body: "### Service\n\nkeyvault\n" });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", secret, "/update Rotated the signing key.");
    await h.deliver();
    const token = `ghp_${"Zz9".repeat(12)}`;
    const plain = h.sim.as("alice").openIssue("acme/web", { title: `Deploy key ${token} leaked`, labels: ["incident", "sev1"] });
    await h.deliver();
    h.sim.as("bob").comment("acme/web", plain, "/update The new DB url is postgres://app:hunter2@db:5432/app");
    await h.deliver();
    await settleNotifications();

    const all = rx.received.map((r) => r.body).join("\n");
    for (const hidden of ["Leaked", "Rotated", "keyvault", token, "hunter2"]) expect(all).not.toContain(hidden);
    const [sDeclared, sUpdate, pDeclared, pUpdate] = teams();
    expect(card(sDeclared!).body[1]).toEqual({
      type: "RichTextBlock",
      inlines: [{ type: "TextRun", text: "Security incident (details in the private repository)", weight: "Bolder" }],
    });
    expect(textRuns(sUpdate!)).toContain("A status update was posted.");
    expect(fact(sUpdate!, "Service")).toBeUndefined();
    expect(textRuns(pDeclared!)).toContain("Deploy key [redacted] leaked");
    expect(textRuns(pUpdate!)).toContain("The new DB url is postgres://app:[redacted]@db:5432/app");
    const [slackSecret] = slack();
    expect(field(slackSecret!, "Service")).toBeUndefined();
    expect(slackSecret!.blocks[1]).toMatchObject({ text: { type: "plain_text", text: "Security incident (details in the private repository)" } });
  });
});
