import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Octokit } from "@octokit/rest";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubSim } from "./sim/index.js";

/** The simulator's checks and pull request files, held to GitHub's descriptions (REST and webhooks). */

const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => void }).default ?? addFormatsModule;
let sim: GitHubSim;
let octokit: Octokit;
const R = { owner: "acme", repo: "web" };

beforeEach(() => {
  sim = new GitHubSim({ validateResponses: true });
  sim.addRepo("acme/web");
  octokit = new Octokit({ auth: sim.installationToken("acme/web"), request: { fetch: sim.fetch } });
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

let webhookAjv: Ajv | undefined;
/** A payload against @octokit/openapi-webhooks' schema of that event and action. */
function validWebhook(name: string, action: string, payload: unknown): string[] {
  if (!webhookAjv) {
    const require = createRequire(import.meta.url);
    const doc = JSON.parse(readFileSync(require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json"), "utf8")) as object;
    webhookAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    addFormats(webhookAjv);
    webhookAjv.addSchema({ ...doc, $id: "webhooks" });
  }
  const validate = webhookAjv.compile({ $ref: `webhooks#/components/schemas/webhook-${name.replace(/_/g, "-")}-${action}` });
  return validate(payload) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function openPull(): { number: number; sha: string } {
  const number = sim
    .as("bob")
    .openPullRequest("acme/web", { title: "Change", head: "change", commits: [{ message: "c", files: { "a.ts": "1", "dir/b.ts": "2" } }] });
  return { number, sha: sim.pull("acme/web", number).head.sha };
}

describe("check runs", () => {
  it("create, update, get and list for a ref, with their webhooks valid against GitHub's schemas", async () => {
    const { sha, number } = openPull();
    sim.webhooks.take();
    const { data: created } = await octokit.checks.create({
      ...R,
      name: "risk",
      head_sha: sha,
      external_id: "7",
      status: "completed",
      conclusion: "neutral",
      output: { title: "T", summary: "S" },
    });
    expect(created).toMatchObject({ name: "risk", head_sha: sha, status: "completed", conclusion: "neutral", external_id: "7" });
    expect(created.pull_requests.map((p) => p.number)).toEqual([number]);
    const hooks = sim.webhooks.take();
    expect(hooks.map((d) => `${d.name}.${d.payload.action}`)).toEqual(["check_run.created", "check_run.completed"]);
    for (const d of hooks) expect(validWebhook(d.name, d.payload.action, d.payload)).toEqual([]);

    await octokit.checks.update({ ...R, check_run_id: created.id, conclusion: "success", output: { title: "T2", summary: "S2" } });
    expect((await octokit.checks.get({ ...R, check_run_id: created.id })).data).toMatchObject({
      conclusion: "success",
      output: { title: "T2", summary: "S2" },
    });
    const { data: listed } = await octokit.checks.listForRef({ ...R, ref: sha, check_name: "risk" });
    expect(listed.total_count).toBe(1);
    expect((await octokit.checks.listForRef({ ...R, ref: sha, check_name: "other" })).data.total_count).toBe(0);

    sim.rerequestCheckRun("acme/web", "bob", created.id);
    sim.rerequestCheckSuite("acme/web", "bob", created.check_suite!.id);
    for (const d of sim.webhooks.take()) {
      expect(d.payload.action).toBe("rerequested");
      expect(validWebhook(d.name, "rerequested", d.payload)).toEqual([]);
    }
  });

  it("refuses what GitHub refuses: a completed run without a conclusion, an unknown commit, a person's token", async () => {
    const { sha } = openPull();
    await expect(octokit.checks.create({ ...R, name: "x", head_sha: sha, status: "completed" })).rejects.toMatchObject({ status: 422 });
    await expect(octokit.checks.create({ ...R, name: "x", head_sha: "f".repeat(40) })).rejects.toMatchObject({ status: 422 });
    sim.addToken("ghp_bob", "bob");
    const bob = new Octokit({ auth: "ghp_bob", request: { fetch: sim.fetch } });
    await expect(bob.checks.create({ ...R, name: "x", head_sha: sha })).rejects.toMatchObject({ status: 403 });
  });

  it("a summary over 65,535 characters is refused as the description says", async () => {
    const { sha } = openPull();
    await expect(
      octokit.checks.create({ ...R, name: "x", head_sha: sha, conclusion: "neutral", output: { title: "T", summary: "x".repeat(65_536) } }),
    ).rejects.toMatchObject({ status: 422 });
    expect(sim.violations.map((v) => v.kind)).toEqual(["invalid-body"]);
    sim.violations = [];
  });
});

describe("pull request files", () => {
  it("lists added and modified files (removed ones too, as GitHub does), 100 a page with GitHub's Link header, 3,000 at most", async () => {
    sim.seedFile("acme/web", "keep.txt", "same");
    const files: Record<string, string> = { "keep.txt": "changed" };
    for (let i = 0; i < 3_050; i++) files[`f/${String(i).padStart(4, "0")}.ts`] = String(i);
    const number = sim.as("bob").openPullRequest("acme/web", { title: "Big", head: "big", commits: [{ message: "big", files }] });
    const first = await octokit.pulls.listFiles({ ...R, pull_number: number, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="last"');
    expect(first.data[0]).toMatchObject({ filename: "f/0000.ts", status: "added" });
    const all = await octokit.paginate(octokit.pulls.listFiles, { ...R, pull_number: number, per_page: 100 });
    expect(all).toHaveLength(3_000);
    const small = sim.as("bob").openPullRequest("acme/web", { title: "Small", head: "small", commits: [{ message: "s", files: { "keep.txt": "changed" } }] });
    expect((await octokit.pulls.listFiles({ ...R, pull_number: small })).data.map((f) => [f.filename, f.status])).toEqual([["keep.txt", "modified"]]);
  });
});
