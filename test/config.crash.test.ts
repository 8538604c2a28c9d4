/**
 * Configuration values that used to throw (or loop) at run time are refused by the schema: the
 * incident gets the one clear invalid-configuration comment, and nothing else happens.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.js";
import { GITHUB_BODY_LIMIT } from "../src/text/limits.js";
import { startApp, type Harness } from "./harness.js";

let h: Harness;
afterEach(async () => {
  expect(h.sim.violations).toEqual([]);
  await h.close();
});

const repo = "acme/web";
const rotation = (fields: string) =>
  `oncall:\n  rotations:\n    - { name: payments, members: [alice, bob], ${fields.startsWith("start:") ? "" : 'start: "2026-02-23T09:00:00Z", '}${fields} }\n`;

/** Open an incident with this configuration: the comment it gets, and what else the app wrote. */
async function declareWith(config: string) {
  h = await startApp({ config });
  const n = h.sim.as("alice").openIssue(repo, { title: "Checkout down", labels: ["incident", "sev2"] });
  h.sim.resetRequests();
  await h.deliver();
  const comments = h.comments(n);
  const writes = h.sim.requests.filter((r) => r.method !== "GET" && !r.path.startsWith("/app/"));
  return { n, comments, writes };
}

describe("values that would throw at run time get the invalid-configuration comment, and nothing else happens", () => {
  it.each([
    ["a rotation every 0s (it divided by zero at every declaration)", rotation("every: 0s"), "oncall.rotations.0.every", "must be a duration longer than zero"],
    ["a rotation every 0.0h", rotation("every: 0.0h"), "oncall.rotations.0.every", "must be a duration longer than zero"],
    ["a rotation every half a second", rotation("every: 0.5s"), "oncall.rotations.0.every", "must be between 1s and 3650d"],
    ["a look-back no date can hold", "changes:\n  lookback: 99999999999999999999w\n", "changes.lookback", "must be between 1s and 3650d"],
    ["an ack deadline of zero", "severities:\n  - { name: sev1, ack_within: 0m }\n  - { name: sev2, update_every: 0h }\n", "severities.0.ack_within", "must be a duration longer than zero"],
    ["a rotation with nobody in it", "oncall:\n  rotations:\n    - { name: payments, members: [], start: \"2026-02-23T09:00:00Z\" }\n", "oncall.rotations.0.members", "a rotation needs at least one member"],
    ["a start on February 30th", rotation("start: \"2026-02-30T09:00:00Z\""), "oncall.rotations.0.start", "is not a real date and time"],
    ["a start without a time zone (the host's local time)", "oncall:\n  rotations:\n    - { name: payments, members: [alice], start: \"2026-02-23T09:00\" }\n", "oncall.rotations.0.start", "with Z or an offset"],
    ["a time zone that does not exist", rotation("timezone: Mars/Olympus_Mons"), "oncall.rotations.0.timezone", "must be an IANA time zone"],
    ["two rotations of one name", "oncall:\n  rotations:\n    - { name: payments, members: [alice], start: \"2026-02-23T09:00:00Z\" }\n    - { name: payments, members: [bob], start: \"2026-02-23T09:00:00Z\" }\n", "oncall.rotations.1.name", '"payments" is listed twice'],
    ["a severity labelled as a status (labels swapped for ever)", "severities:\n  - { name: sev1, label: \"status:investigating\" }\n  - { name: sev2 }\n", "severities.0.label", "each label has one meaning"],
    ["an incident label with a comma", "labels:\n  incident: \"incident,outage\"\n", "labels.incident", "must not contain a comma"],
    ["a post-mortem path out of the repository", "postmortem:\n  path: ../../etc\n", "postmortem.path", 'no ".."'],
  ])("%s", async (_, config, key, message) => {
    const { n, comments, writes } = await declareWith(config);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("incident-desk cannot read its configuration");
    expect(comments[0]!.body).toMatch(new RegExp(`\\| \`${key.replace(/\./g, "\\.")}\` \\| [^|\\n]*${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    // The comment is the only write: no label, no assignee, no card.
    expect(writes.map((w) => `${w.method} ${w.route}`)).toEqual(["POST /repos/{owner}/{repo}/issues/{issue_number}/comments"]);
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev2"]);
    expect(h.logs.some((l) => l.level >= 50)).toBe(false);
  });

  it("the values that are fine still are: a zero escalation wait, a date-only start, decimals, offsets", () => {
    const config = parseConfig({
      oncall: {
        rotations: [{ name: "p", members: ["alice"], start: "2026-03-02", every: "1.5d", timezone: "Europe/Berlin", overrides: [{ member: "bob", from: "2026-03-03T09:00:00+01:00", to: "2026-03-04T09:00:00.123456Z" }] }],
        escalation: [{ after: "0m", notify: ["@carol"] }],
      },
      changes: { lookback: "3650d" },
    });
    expect(config.oncall.rotations[0]!.every).toBe("1.5d");
  });

  it("a file with thousands of problems gets one comment within GitHub's limit", async () => {
    const severities = Array.from({ length: 5_000 }, (_, i) => `  - { name: sev${i}, ack_within: ${i % 2 ? "0m" : "soon"} }`).join("\n");
    const { comments } = await declareWith(`severities:\n${severities}\n`);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.startsWith("<!-- incident-desk:config-error -->")).toBe(true);
    expect(body).toMatch(/\| … \| and [\d,]+ more problems \|/);
    expect(body).toContain("Fix the file and repeat the action");
  });
});
