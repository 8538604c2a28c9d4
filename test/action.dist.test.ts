import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubSim, Listening } from "./sim/index.js";
import { ACTIONS_TOKEN, newSim, parseOutputFile, seedIncident } from "./action.fixtures.js";

/**
 * The committed bundle is what GitHub runs: it must be exactly what the sources build to, and it
 * must work when started the way the runner starts it (`node dist/index.js` with INPUT_* and
 * GITHUB_* variables), here against the simulator on loopback.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist/index.js");

function exec(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - started }));
  });
}

describe("dist/index.js", () => {
  it("is what the sources build to, with its source map and licences (run `npm run build` and commit dist/ when this fails)", async () => {
    const out = mkdtempSync(join(tmpdir(), "incident-desk-build-"));
    const built = await exec(process.execPath, ["scripts/build-action.mjs", "--outdir", out]);
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    for (const file of ["index.js", "index.js.map", "licenses.txt"]) {
      expect(readFileSync(join(out, file), "utf8") === readFileSync(join(ROOT, "dist", file), "utf8"), `dist/${file} is stale`).toBe(true);
    }
  }, 60_000);

  it("can be read and audited: not minified, mapped back to src/, every bundled package's licence listed", () => {
    const code = readFileSync(DIST, "utf8");
    expect(code.trimEnd().endsWith("//# sourceMappingURL=index.js.map")).toBe(true);
    expect(code).toContain("// src/action.ts\n");
    const map = JSON.parse(readFileSync(join(ROOT, "dist/index.js.map"), "utf8")) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sources).toContain("../src/action.ts");
    expect(map.sourcesContent?.length).toBe(map.sources.length);
    // Each package a mapped source comes from has an entry: name@version, its licence, its text.
    const licenses = readFileSync(join(ROOT, "dist/licenses.txt"), "utf8");
    const lines = new Set(licenses.split("\n"));
    const packageDirs = new Set(map.sources.flatMap((s) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []));
    expect(packageDirs.size).toBeGreaterThan(5);
    for (const dir of packageDirs) {
      // Some packages ship a bundle whose own source map names files of packages it vendored
      // (@github/issue-parser's names its yaml); esbuild follows those maps, but they are not installed.
      if (!existsSync(join(ROOT, "dist", dir, "package.json"))) continue;
      const pkg = JSON.parse(readFileSync(join(ROOT, "dist", dir, "package.json"), "utf8")) as { name: string; version: string };
      expect(lines.has(`${pkg.name}@${pkg.version}`), `${pkg.name}@${pkg.version} in dist/licenses.txt`).toBe(true);
    }
    expect(licenses).toContain("@actions/core@");
    expect(licenses).not.toContain("(no licence file in the package)");
  });

  describe("run as the runner runs it", () => {
    let sim: GitHubSim;
    let server: Listening;
    let dir: string;
    beforeEach(async () => {
      sim = newSim();
      server = await sim.listen();
      dir = mkdtempSync(join(tmpdir(), "incident-desk-runner-"));
    });
    afterEach(async () => {
      await server.close();
      expect(sim.violations).toEqual([]);
    });

    const runDist = (inputs: Record<string, string>, event: { name: string; payload: unknown } = { name: "workflow_dispatch", payload: {} }) => {
      const files = { event: join(dir, "event.json"), output: join(dir, "output"), summary: join(dir, "summary") };
      writeFileSync(files.event, JSON.stringify(event.payload));
      writeFileSync(files.output, "");
      writeFileSync(files.summary, "");
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GITHUB_ACTIONS: "true",
        GITHUB_REPOSITORY: "acme/web",
        GITHUB_EVENT_NAME: event.name,
        GITHUB_EVENT_PATH: files.event,
        GITHUB_API_URL: server.url,
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_RUN_ID: "4242",
        "INPUT_TOKEN": ACTIONS_TOKEN,
        "INPUT_CONFIG": ".github/incidents.yml",
        "INPUT_DRY-RUN": "false",
        ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      };
      return exec(process.execPath, [DIST], env).then((r) => ({
        ...r,
        outputs: parseOutputFile(readFileSync(files.output, "utf8")),
        summary: readFileSync(files.summary, "utf8"),
      }));
    };

    it("writes the post-mortem and opens its pull request; outputs and job summary as documented", async () => {
      const n = seedIncident(sim);
      const run = await runDist({ command: "postmortem", issue: String(n) });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.outputs).toEqual({ "postmortem-path": "docs/postmortems/2026-03-02-1-checkout-fails-with-502.md", "pull-request": "2" });
      expect(run.summary).toContain("### 📝 Post-mortem of #1");
      expect(sim.file("acme/web", run.outputs["postmortem-path"]!, "incident-desk/postmortem-1")).toContain("# Post-mortem: Checkout fails with 502");
      expect(sim.issue("acme/web", 2).labels).toEqual(["postmortem"]);
    }, 30_000);

    it("auto on the incident being closed: problem tickets, then the post-mortem", async () => {
      const n = seedIncident(sim);
      sim.as("bob").close("acme/web", n);
      const payload = { action: "closed", issue: sim.issue("acme/web", n).rest, repository: { name: "web", full_name: "acme/web", owner: { login: "acme" } }, sender: { login: "bob", type: "User" } };
      const run = await runDist({ command: "auto" }, { name: "issues", payload });
      expect(run.code).toBe(0);
      expect(run.outputs).toEqual({ "problem-issues": "[2,3]", "postmortem-path": "docs/postmortems/2026-03-02-1-checkout-fails-with-502.md", "pull-request": "4" });
      expect(run.summary).toContain("### 🎫 Problem tickets of #1");
      expect(run.summary).toContain("### 📝 Post-mortem of #1");
    }, 30_000);

    it("fails the step with one ::error:: line and exit code 1 on wrong use", async () => {
      sim.resetRequests();
      const run = await runDist({ command: "postmortem" });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("::error::the `postmortem` command needs an incident: set the input `issue`");
      expect(sim.count({ writes: true })).toBe(0);
    }, 30_000);
  });
});
