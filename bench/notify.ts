/**
 * The Slack and Teams bodies of one notification on hostile text: time to build each (mean of 20,
 * warm) and the size of what is sent. The /update texts are at most 10,000 characters (the
 * command's limit); a service typed into an issue form can fill a body (64,000 UTF-16 units); the
 * megabyte is beyond anything the app lets through, to show the cost does not follow the text.
 */
import { performance } from "node:perf_hooks";
import type { IncidentState } from "../src/incident/state.js";
import type { NotificationEvent } from "../src/notify/events.js";
import { slackBody, teamsBody } from "../src/notify/format.js";

const base = {
  isIncident: true,
  repo: "acme/web",
  number: 1,
  url: "https://github.com/acme/web/issues/1",
  title: "<!channel> **x** @here".padEnd(256, "<"),
  severity: "sev1",
  status: "investigating",
  security: false,
  roles: { commander: "bob" },
} as unknown as IncidentState;
const cases: Record<string, string> = {
  "10,000 × `<` (Slack escapes it to 40,000)": "<".repeat(10_000),
  "10,000 control characters (60 KB as JSON)": "\u001b".repeat(10_000),
  "5,000 four-byte emoji": "😀".repeat(5_000),
  "1 MB of `<&>`": "<&>".repeat(350_000),
};
const kb = (body: unknown) => `${(Buffer.byteLength(JSON.stringify(body)) / 1024).toFixed(1)} KB`;
console.log("| update text | Slack build | Slack body | Teams build | Teams body |\n| --- | --- | --- | --- | --- |");
for (const [name, text] of Object.entries(cases)) {
  for (const service of [undefined, "€😀<".repeat(16_000)]) {
    const state = { ...base, ...(service ? { service } : {}) };
    const event: NotificationEvent = { key: "k", event: "update", at: "2026-01-01T00:00:00Z", text, by: "bob" };
    const time = (build: () => unknown) => {
      for (let i = 0; i < 3; i++) build();
      const start = performance.now();
      for (let i = 0; i < 20; i++) build();
      return `${((performance.now() - start) / 20).toFixed(2)} ms`;
    };
    const slack = () => slackBody(state, event, 0);
    const teams = () => teamsBody(state, event, 0);
    console.log(`| ${name}${service ? ", 64,000-unit service" : ""} | ${time(slack)} | ${kb(slack())} | ${time(teams)} | ${kb(teams())} |`);
  }
}
