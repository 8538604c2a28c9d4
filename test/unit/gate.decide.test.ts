import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { decideGate, passageFor, type DeployedPull, type GateIncident } from "../../src/gate/decide.js";
import { runIdOf } from "../../src/gate/handle.js";

/** The deploy gate's pure rule: what counts as a fix, a revert or an allowance, per freezing incident. */
const here = { owner: "acme", repo: "web" };
const config = parseConfig({ changes: { freeze: { environments: ["production"], min_severity: "sev2" } } });
const SHA = "0123456789abcdef0123456789abcdef01234567";
const incident = (number: number, extra: Partial<GateIncident> = {}): GateIncident => ({
  number,
  title: `Incident ${number}`,
  url: `https://github.com/acme/web/issues/${number}`,
  severity: "sev1",
  status: "investigating",
  open: true,
  allowances: [],
  ...extra,
});
const pull = (title: string, body = "", fromFork = false): DeployedPull => ({ number: 7, title, body, fromFork });

describe("passageFor", () => {
  it("reads a pull request's commits and the deployed commit's message with the same rules", () => {
    const withCommits = { ...pull("Change"), commits: ["Add a metric", "Raise the pool\n\nFixes #12"] };
    expect(passageFor(incident(12), SHA, [withCommits], here)).toEqual({ via: "fix", pull: 7 });
    expect(passageFor(incident(12), SHA, [{ ...pull("Change"), commits: ['Revert "Add caching"\n\nfor #12'] }], here)).toEqual({ via: "revert", pull: 7 });
    expect(passageFor(incident(12), SHA, [], here, { sha: SHA, message: "Raise the pool\n\nIncident: #12" })).toEqual({ via: "fix", commit: SHA });
    expect(passageFor(incident(12), SHA, [], here, { sha: SHA, message: 'Revert "Add caching"\n\n#12' })).toEqual({ via: "revert", commit: SHA });
    // A bare mention, a keyword in a comment or in a later line's revert subject: nothing.
    for (const message of ["Tune, see #12", "Tune\n\n<!-- Fixes #12 -->", 'Tune\n\nRevert "x" #12']) {
      expect(passageFor(incident(12), SHA, [], here, { sha: SHA, message }), message).toBeUndefined();
      expect(passageFor(incident(12), SHA, [{ ...pull("Change"), commits: [message] }], here), message).toBeUndefined();
    }
    // A fork's commits, or a deployed commit that belongs to a fork's pull request: nothing.
    expect(passageFor(incident(12), SHA, [{ ...pull("Change", "", true), commits: ["Fixes #12"] }], here)).toBeUndefined();
    expect(passageFor(incident(12), SHA, [pull("Change", "", true)], here, { sha: SHA, message: "Fixes #12" })).toBeUndefined();
  });

  it("takes a keyword naming this incident of this repository as a fix", () => {
    for (const body of ["Fixes #12", "closes #12", "Resolved: #12", "Incident: #12", "fixes acme/web#12", "Fixes https://github.com/acme/web/issues/12"]) {
      expect(passageFor(incident(12), SHA, [pull("Change", body)], here), body).toEqual({ via: "fix", pull: 7 });
    }
  });

  it("does not take a bare mention, another number, another repository, a fork, or a keyword in code", () => {
    for (const [title, body, fork] of [
      ["Change", "wait until #12 is mitigated", false],
      ["Change", "Fixes #120", false],
      ["Change", "Fixes other/web#12", false],
      ["Change", "Fixes #12", true],
      ["Change", "`Fixes #12`", false],
    ] as const) {
      expect(passageFor(incident(12), SHA, [pull(title, body, fork)], here), body).toBeUndefined();
    }
  });

  it("takes a revert that names the incident, even without a keyword", () => {
    expect(passageFor(incident(12), SHA, [pull('Revert "Add caching"', "see #12")], here)).toEqual({ via: "revert", pull: 7 });
    expect(passageFor(incident(12), SHA, [pull('Revert "Add caching"', "Reverts #3")], here)).toBeUndefined();
  });

  it("takes the commander's allowance of the commit (any prefix of 7+) or of a pull request of it", () => {
    const at = "2026-03-02T09:00:00Z";
    const bySha = incident(12, { allowances: [{ ref: { kind: "sha", sha: SHA.slice(0, 7) }, by: "bob", at, url: "" }] });
    expect(passageFor(bySha, SHA, [], here)).toEqual({ via: "allowed", by: "bob" });
    expect(passageFor(bySha, `f${SHA.slice(1)}`, [], here)).toBeUndefined();
    const byPull = incident(12, { allowances: [{ ref: { kind: "pull", number: 7 }, by: "bob", at, url: "", reason: "hotfix" }] });
    expect(passageFor(byPull, SHA, [pull("Hotfix")], here)).toEqual({ via: "allowed", by: "bob", reason: "hotfix" });
    expect(passageFor(byPull, SHA, [], here)).toBeUndefined();
  });
});

describe("decideGate", () => {
  it("rejects while one freezing incident holds it, naming only those that hold it", () => {
    const verdict = decideGate(config, "Production", SHA, [incident(12), incident(13), incident(14, { severity: "sev3" })], [pull("Fix", "Fixes #12")], here);
    expect(verdict.state).toBe("rejected");
    expect(verdict.record).toEqual({ outcome: "rejected", incidents: [13] });
    expect(verdict.freezing.map((i) => i.number)).toEqual([12, 13]);
  });

  it("approves what nothing freezes, and records nothing", () => {
    expect(decideGate(config, "staging", SHA, [incident(12)], [], here)).toMatchObject({ state: "approved", freezing: [] });
    expect(
      decideGate(
        config,
        "production",
        SHA,
        [incident(12, { status: "mitigated" }), incident(13, { status: "triage" }), incident(14, { declined: true })],
        [],
        here,
      ),
    ).toMatchObject({ state: "approved", freezing: [] });
    expect(decideGate(config, "production", SHA, [incident(12)], [], here).record).toBeDefined();
  });
});

describe("runIdOf", () => {
  it("reads the run from GitHub's callback URL, and nothing from anything else", () => {
    expect(runIdOf("https://api.github.com/repos/acme/web/actions/runs/4242/deployment_protection_rule")).toBe(4242);
    expect(runIdOf("https://ghe.example.com/api/v3/repos/acme/web/actions/runs/7/deployment_protection_rule")).toBe(7);
    expect(runIdOf("https://api.github.com/repos/acme/web/actions/runs/0/deployment_protection_rule")).toBeUndefined();
    expect(runIdOf("https://api.github.com/repos/acme/web/actions/runs/abc/deployment_protection_rule")).toBeUndefined();
  });
});
