/**
 * Hostile text for every parser that reads people's text (issue 8, "bounded work per delivery"):
 * the input families that make backtracking expressions and Markdown parsers slow, and the table
 * of parsers they are run through. Shared by test/adversarial.test.ts (correctness and a generous
 * time bound) and bench/adversarial.ts (the real figures).
 */
import { alertmanagerPayloadSchema } from "../src/alerts/alertmanager.js";
import { grafanaPayloadSchema } from "../src/alerts/grafana.js";
import { findReferences, localReferences } from "../src/changes/references.js";
import { DEFAULT_CONFIG } from "../src/config/schema.js";
import { concernsIncident, issueTarget } from "../src/events.js";
import { parseCommands } from "../src/incident/commands.js";
import { parseDeclaration } from "../src/incident/declaration.js";
import { bodyFollowups, rootCauseLines } from "../src/incident/state.js";
import { parseMaintenanceCommands, parseMaintenanceForm, parseServiceList, parseWindowTimes } from "../src/maintenance/parse.js";
import { readMarkers } from "../src/markers.js";
import { redact } from "../src/postmortem/redact.js";
import { readForm } from "../src/text/form.js";
import { fitBody, list, text as textPart } from "../src/text/limits.js";
import { commandParagraphs, mayHoldCommand, visibleBlocks } from "../src/text/markdown.js";
import { mention, neutralise, neutraliseInline, neutraliseQuote } from "../src/text/neutralise.js";

export const MB = 1 << 20;
export const KB64 = 64 * 1024;

/** `unit` repeated to exactly `size` characters. */
export const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** A small seeded PRNG (mulberry32): the random mixes are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The repeated units of the families of issue 8 (and a few more of the same kind). */
export const UNITS: [name: string, unit: string][] = [
  ["U+2028", "\u2028"],
  ["-a", "-a"],
  [" @a", " @a"],
  ["backticks", "`"],
  ["`a", "`a"],
  ["nested fences", "````\n```\n"],
  ["*a", "*a"],
  ["[", "["],
  ["[a](", "[a]("],
  ["> nested", "> "],
  ["a\\n (one paragraph)", "a\n"],
  ["|a|\\n|-|\\n tables", "|a|\n|-|\n"],
  ["<!--", "<!--"],
  ["<a ", "<a "],
  ["#1 ", "#1 "],
  ["/sev 1\\n", "/sev 1\n"],
  ["root cause: ", "root cause: "],
  ["- [ ] x\\n", "- [ ] x\n"],
  ["### x\\n", "### x\n"],
  ["blank lines", "\n"],
  ["spaces", " "],
  ["<!-- incident-desk:card", "<!-- incident-desk:card"],
  ["```` + U+2028", "````\u2028"],
  ["~~a", "~~a"],
  ["setext headings", "a\n=\n"],
  // A table 181 columns wide whose rows hold one character: markdown-it fills each row with 180 empty cells.
  ["wide tables of short rows", `${"|a".repeat(181)}|\n${"|-".repeat(181)}|\n${"x\n".repeat(362)}\n`],
];

/** What the random mixes are made of: the units above and single characters that mean something. */
const PIECES = [
  ...UNITS.map(([, u]) => u),
  ..."\n \t`~<>-#/\u2028|[]()*_@!\\:=0123456789aZ".split(""),
  "/sev 1",
  "/ack",
  "Fixes #1",
  "-->",
  "```",
  "~~~",
  "    ",
];

/** A random mix of `size` characters, the same for the same seed. */
export function mix(seed: number, size: number): string {
  const random = prng(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const piece = PIECES[Math.floor(random() * PIECES.length)]!;
    const times = 1 + Math.floor(random() * 8);
    parts.push(piece.repeat(times));
    length += piece.length * times;
  }
  return parts.join("").slice(0, size);
}

export interface Family {
  name: string;
  make: (size: number) => string;
}

export const MIX_SEEDS = [1, 2, 3, 4, 5];

/**
 * One long run of a character, then one that ends it: what makes `x+$`, `.*$` and their kin
 * backtrack from every position of the run (U+2028 is where `.` stops).
 */
export const RUNS: [name: string, char: string][] = [
  ["backticks", "`"],
  ["spaces", " "],
  ["-", "-"],
  ["#", "#"],
  ["~", "~"],
  ["*", "*"],
];

/** Openers repeated, then one closer at the very end: what makes a search for the closer from every opener quadratic. */
export const CLOSED: [name: string, opener: string, closer: string][] = [
  ["marker heads, one --> at the end", "<!-- incident-desk:card", " -->"],
  ["<!--, one --> at the end", "<!--", "-->"],
  ["[a](, one ) at the end", "[a](", ")"],
  ["<a , one > at the end", "<a ", ">"],
];

export const FAMILIES: Family[] = [
  ...UNITS.map(([name, unit]) => ({ name, make: (size: number) => fill(unit, size) })),
  ...CLOSED.map(([name, opener, closer]) => ({ name, make: (size: number) => fill(opener, size - closer.length) + closer })),
  ...RUNS.flatMap(([name, char]) => [
    { name: `a, run of ${name}, a`, make: (size: number) => `a${char.repeat(size - 2)}a` },
    { name: `run of ${name}, U+2028`, make: (size: number) => `${char.repeat(size - 1)}\u2028` },
  ]),
  ...MIX_SEEDS.map((seed) => ({ name: `random mix #${seed}`, make: (size: number) => mix(seed, size) })),
];

const here = { owner: "acme", repo: "web" };
const at = "2026-03-02T10:30:00Z";
const ctx = { at, config: DEFAULT_CONFIG };

const repository = { name: "web", owner: { login: "acme" }, private: false };
const commentEvent = (body: string) => ({
  action: "created",
  repository,
  issue: { number: 1, body: "", labels: [{ name: "incident" }] },
  comment: { id: 7, body },
  sender: { login: "alice", type: "User" },
});
const issueEvent = (body: string) => ({ action: "opened", repository, issue: { number: 1, body, labels: [] }, sender: { login: "alice", type: "User" } });

const alert = (text: string) => ({
  status: "firing",
  labels: { alertname: "HighErrorRate", service: text },
  annotations: { summary: text, description: text },
  startsAt: "2026-03-02T08:52:30.123456789Z",
  endsAt: "0001-01-01T00:00:00Z",
  generatorURL: text,
  fingerprint: "a1",
});
const alertmanagerBody = (text: string) => ({
  version: "4",
  groupKey: text || "k",
  truncatedAlerts: 0,
  status: "firing",
  receiver: text,
  groupLabels: { alertname: text },
  commonLabels: { alertname: text },
  commonAnnotations: { summary: text },
  externalURL: text,
  alerts: [alert(text)],
});
const grafanaBody = (text: string) => ({
  receiver: text,
  status: "firing",
  orgId: 1,
  alerts: [{ ...alert(text), valueString: text }],
  groupLabels: { alertname: text },
  commonLabels: { alertname: text },
  commonAnnotations: { summary: text },
  externalURL: text,
  version: "1",
  groupKey: text || "k",
  truncatedAlerts: 0,
  title: text,
  state: "alerting",
  message: text,
});

export interface Parser {
  name: string;
  run: (text: string) => unknown;
}

/** Every parser that runs on people's text, each fed the hostile text where it reads it. */
export const PARSERS: Parser[] = [
  { name: "parseCommands", run: (t) => parseCommands(t, ctx) },
  { name: "visibleBlocks", run: (t) => visibleBlocks(t) },
  { name: "commandParagraphs", run: (t) => commandParagraphs(t) },
  { name: "mayHoldCommand", run: (t) => mayHoldCommand(t) },
  { name: "findReferences", run: (t) => findReferences(t, here) },
  { name: "localReferences", run: (t) => localReferences([t, `Fixes #2\n${t}`], here) },
  { name: "bodyFollowups", run: (t) => bodyFollowups(`## Follow-ups\n\n${t}`) },
  { name: "rootCauseLines", run: (t) => rootCauseLines(t) },
  { name: "issueTarget (comment)", run: (t) => issueTarget("issue_comment", commentEvent(t)) },
  {
    name: "issueTarget + concernsIncident (issue)",
    run: (t) => {
      const target = issueTarget("issues", issueEvent(t));
      return target && concernsIncident(target, "incident");
    },
  },
  { name: "readForm", run: (t) => readForm(`### Summary\n\n${t}`) },
  {
    name: "parseDeclaration (form)",
    run: (t) => parseDeclaration(`### Severity\n\n${t}\n\n### Service\n\n${t}\n\n### Started at\n\n${t}\n\n### Impact\n\n${t}`, DEFAULT_CONFIG, false),
  },
  { name: "parseDeclaration (marker)", run: (t) => parseDeclaration(`<!-- incident-desk:declare ${t} -->${t}`, DEFAULT_CONFIG, true) },
  {
    name: "parseMaintenanceForm",
    run: (t) => parseMaintenanceForm(`### Services\n\n${t}\n\n### Starts\n\n${t}\n\n### Ends\n\n${t}\n\n### Description\n\n${t}`),
  },
  { name: "parseMaintenanceCommands", run: (t) => parseMaintenanceCommands(`/maintenance ${t}`) },
  { name: "parseServiceList", run: (t) => parseServiceList(t) },
  { name: "parseWindowTimes", run: (t) => parseWindowTimes(t, t) },
  { name: "readMarkers", run: (t) => readMarkers(t, "card") },
  { name: "neutralise", run: (t) => neutralise(t) },
  { name: "neutraliseInline", run: (t) => neutraliseInline(t, t.length) },
  { name: "neutraliseQuote", run: (t) => neutraliseQuote(t) },
  { name: "mention", run: (t) => mention(t) },
  {
    name: "fitBody",
    run: (t) =>
      fitBody([
        "<!-- incident-desk:card -->\n",
        textPart(t),
        "\n",
        textPart(t, { at: "line" }),
        "\n",
        list(t.split("\n")),
        "\n<!-- incident-desk:notified -->",
      ]),
  },
  { name: "redact", run: (t) => redact(t) },
  { name: "alertmanager payload schema", run: (t) => alertmanagerPayloadSchema.safeParse(alertmanagerBody(t)) },
  { name: "grafana payload schema", run: (t) => grafanaPayloadSchema.safeParse(grafanaBody(t)) },
];

/** Milliseconds `fn` takes, median of `runs`. */
export function medianMs(fn: () => unknown, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}
