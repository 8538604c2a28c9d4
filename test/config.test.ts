import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { configJsonSchema } from "../src/config/json-schema.js";
import { startApp, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  expect(h?.sim.violations ?? []).toEqual([]);
  h = undefined;
});

const repo = "acme/web";

describe("configuration (.github/incidents.yml)", () => {
  it("incidents.schema.json is generated from the zod schema and committed fresh", () => {
    const committed = JSON.parse(readFileSync(new URL("../incidents.schema.json", import.meta.url), "utf8"));
    expect(committed, "run `npm run schema` and commit incidents.schema.json").toEqual(configJsonSchema());
  });

  it("uses the repository's labels and severities", async () => {
    h = await startApp({
      config: [
        "labels:",
        "  incident: outage",
        "severities:",
        "  - name: critical",
        "    description: Everything is down",
        "  - name: minor",
        "default_severity: minor",
      ].join("\n"),
    });
    const n = h.sim.as("alice").openIssue(repo, { title: "API down", labels: ["Outage"] });
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["Outage", "minor", "status:investigating"]);
    h.sim.as("alice").comment(repo, n, "/sev critical");
    await h.deliver();
    expect(h.sim.issue(repo, n).labels).toContain("critical");
    expect(h.sim.issue(repo, n).labels).not.toContain("minor");
  });

  it("an invalid file gets one clear comment (file, key, problem) and nothing else changes; fixing it makes the next event work", async () => {
    h = await startApp({ config: "severities:\n  - name: sev1\n    ack_within: soon\ncommands:\n  permission: owner\n" });
    const n = h.sim.as("alice").openIssue(repo, { title: "API down", labels: ["incident"] });
    const delivered = await h.deliver();
    for (const d of delivered) await h.receive(d); // GitHub may deliver twice: still one comment
    const comments = h.comments(n);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("`acme/web/.github/incidents.yml`");
    expect(comments[0]!.body).toContain("| `severities.0.ack_within` | must be a duration longer than zero, such as 30m, 4h, 1d or 1w |");
    expect(comments[0]!.body).toContain("| `commands.permission` |");
    expect(h.sim.issue(repo, n).labels).toEqual(["incident"]);
    expect(h.card(n)).toBeUndefined();

    h.sim.as("alice").writeFile(repo, ".github/incidents.yml", "commands:\n  permission: write\n");
    h.sim.as("alice").comment(repo, n, "/ack");
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["incident", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("| Acknowledged | 2026-03-02");
  });

  it("an invalid file is not reported on issues and pull requests that have nothing to do with incidents", async () => {
    h = await startApp({ config: "severities: 7\n" });
    const bug = h.sim.as("alice").openIssue(repo, { title: "Typo in the docs", labels: ["bug"] });
    h.sim.as("bob").comment(repo, bug, "/cc @carol");
    const pr = h.sim.as("bob").openPullRequest(repo, { title: "Fix the typo", head: "typo", commits: [{ message: "typo" }] });
    const linked = h.sim.as("bob").openPullRequest(repo, { title: "Raise the pool", body: `Fixes #${bug}`, head: "pool", commits: [{ message: "pool" }] });
    await h.deliver();
    expect(h.comments(bug).filter((c) => c.user === "incident-desk[bot]")).toEqual([]);
    expect(h.sim.comments(repo, pr)).toEqual([]);
    // Pull requests are told by their change risk check run (README: change risk), not by a comment.
    expect(h.sim.comments(repo, linked)).toEqual([]);
    for (const n of [pr, linked]) {
      const runs = h.sim.checkRuns(repo, h.sim.pull(repo, n).head.sha);
      expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([["neutral", "incident-desk cannot read its configuration"]]);
    }
  });

  it("YAML that does not parse is reported the same way", async () => {
    h = await startApp({ config: "labels: [unclosed\n" });
    const n = h.sim.as("alice").openIssue(repo, { title: "API down", labels: ["incident"] });
    await h.deliver();
    expect(h.comments(n)[0]!.body).toMatch(/invalid YAML/);
    expect(h.sim.issue(repo, n).labels).toEqual(["incident"]);
  });

  it("follows _extends and falls back to the organisation's .github repository", async () => {
    h = await startApp({});
    h.sim.addRepo("acme/.github");
    h.sim.seedFile("acme/.github", ".github/incidents.yml", "_extends: acme/policies\nroles: [commander, comms, scribe, liaison]\n");
    h.sim.addRepo("acme/policies");
    h.sim.seedFile("acme/policies", ".github/incidents.yml", "labels:\n  incident: outage\n");
    const n = h.sim.as("alice").openIssue(repo, { title: "API down", labels: ["outage"] });
    h.sim.as("alice").comment(repo, n, "/role liaison @carol");
    await h.deliver();
    expect(h.sim.issue(repo, n).labels.sort()).toEqual(["outage", "sev3", "status:investigating"]);
    expect(h.card(n)).toContain("liaison @carol");
  });
});
