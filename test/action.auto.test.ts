import { describe, expect, it } from "vitest";
import { chooseCommands } from "../src/action/auto.js";
import { InputError, parseInputs } from "../src/action/inputs.js";
import { DEFAULT_CONFIG, configSchema } from "../src/config/schema.js";

/** Pure parts of the Action: which command an event calls for, and reading the inputs. */
const issue = (action: string, labels: string[], extra: Record<string, unknown> = {}) => ({
  action,
  issue: { number: 12, labels: labels.map((name) => ({ name })) },
  ...extra,
});
const comment = (body: string, type = "User") => issue("created", ["incident"], { comment: { body, user: { login: "alice", type } } });

describe("auto", () => {
  it.each([
    ["an incident closed", "issues", issue("closed", ["Incident", "sev2"]), ["postmortem", "problems"], true],
    ["an incident labelled resolved", "issues", issue("labeled", ["incident", "status:resolved"], { label: { name: "status:resolved" } }), ["postmortem", "problems"], true],
    ["an incident labelled something else", "issues", issue("labeled", ["incident", "sev1"], { label: { name: "sev1" } }), [], false],
    ["an ordinary issue closed", "issues", issue("closed", ["bug"]), [], false],
    ["/postmortem on an incident", "issue_comment", comment("Thanks all.\n/postmortem"), ["postmortem"], false],
    ["/resolve on an incident", "issue_comment", comment("/resolve"), ["postmortem", "problems"], true],
    ["/status resolved on an incident", "issue_comment", comment("/status resolved"), ["postmortem", "problems"], true],
    ["a bot's /postmortem", "issue_comment", comment("/postmortem", "Bot"), [], false],
    ["a comment with no command", "issue_comment", comment("looking into it"), [], false],
    ["a pull request comment", "issue_comment", { ...comment("/postmortem"), issue: { number: 3, labels: [{ name: "incident" }], pull_request: {} } }, [], false],
    ["a schedule", "schedule", {}, ["escalate"], false],
    ["a push", "push", {}, [], false],
  ])("%s", (_what, event, payload, commands, whenResolved) => {
    const choice = chooseCommands(event, payload, DEFAULT_CONFIG);
    expect(choice.commands).toEqual(commands);
    expect(choice.whenResolved ?? false).toBe(whenResolved);
  });

  it("follows the configured labels", () => {
    const config = configSchema.parse({ labels: { incident: "outage", status: { resolved: "state/done" } } });
    expect(chooseCommands("issues", issue("labeled", ["outage"], { label: { name: "State/Done" } }), config).commands).toEqual(["postmortem", "problems"]);
    expect(chooseCommands("issues", issue("closed", ["incident"]), config).commands).toEqual([]);
  });

  it("workflow_dispatch runs its own command input, with its issue", () => {
    expect(chooseCommands("workflow_dispatch", { inputs: { command: "postmortem", issue: "#7" } }, DEFAULT_CONFIG)).toMatchObject({ commands: ["postmortem"], issue: 7 });
    const none = chooseCommands("workflow_dispatch", { inputs: {} }, DEFAULT_CONFIG);
    expect(none.commands).toEqual([]);
    expect(none.reason).toMatch(/add a `command` input/);
  });
});

describe("inputs", () => {
  const base = { command: "", issue: "", token: "t", config: "", since: "", "dry-run": "" };
  it("fills the defaults the way action.yml documents them", () => {
    expect(parseInputs(base)).toEqual({ command: "auto", token: "t", config: ".github/incidents.yml", "dry-run": false, "statuspage-dir": "_site" });
    expect(parseInputs({ ...base, command: " PostMortem ", issue: "#42", "dry-run": "TRUE", since: "30d" })).toEqual({
      command: "postmortem",
      issue: 42,
      token: "t",
      config: ".github/incidents.yml",
      since: "30d",
      "dry-run": true,
      "statuspage-dir": "_site",
    });
  });
  it.each([
    [{ command: "deploy" }, 'input `command` unknown command "deploy": use one of auto, postmortem, problems, escalate, report, handle, statuspage'],
    [{ issue: "0" }, "input `issue` must be an issue number such as 42"],
    [{ "dry-run": "maybe" }, "input `dry-run` must be true or false"],
    [{ token: "  " }, "input `token` is empty: pass `token: ${{ github.token }}` (the default) or a token with issues, contents and pull-requests write access"],
  ])("rejects %o with one line", (bad, message) => {
    expect(() => parseInputs({ ...base, ...bad })).toThrow(new InputError(message));
  });
});
