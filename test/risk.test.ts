import { describe, expect, it } from "vitest";
import { useApp, type Harness } from "./harness.js";

/**
 * Change risk (SPEC section 9): the `incident-desk / change risk` check run on pull requests,
 * driven by webhooks into the app against the simulator.
 */

const repo = "acme/web";
const NAME = "incident-desk / change risk";

const SERVICES = `
services:
  api:
    labels: [svc:api]
    paths: ["services/api/**"]
  web:
    labels: [svc:web]
    paths: ["web/**", "**/*.css"]
`;
const FREEZE = `
changes:
  freeze:
    environments: [production]
    min_severity: sev2
`;

type Run = { id: number; name: string; status: string; conclusion: string | null; details_url: string; external_id: string; output: { title: string | null; summary: string | null } };

function runs(h: Harness, pr: number): Run[] {
  const sha = h.sim.pull(repo, pr).head.sha as string;
  return (h.sim.checkRuns(repo, sha) as Run[]).filter((r) => r.name === NAME);
}

/** The one check run on the pull request's head commit (fails if there are two). */
function run(h: Harness, pr: number): Run {
  const found = runs(h, pr);
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function incident(h: Harness, title: string, labels: string[]): Promise<number> {
  const n = h.sim.as("alice").openIssue(repo, { title, labels: ["incident", ...labels] });
  await h.deliver();
  return n;
}

async function pull(h: Harness, input: { title?: string; body?: string; files: Record<string, string>; fromFork?: boolean; login?: string; head?: string }): Promise<number> {
  const head = input.head ?? `change-${Object.keys(input.files).join("-").replace(/\W+/g, "-").slice(0, 40)}`;
  const pr = h.sim.as(input.login ?? "bob").openPullRequest(repo, {
    title: input.title ?? "A change",
    body: input.body ?? "",
    head,
    commits: [{ message: input.title ?? "A change", files: input.files }],
    ...(input.fromFork ? { fromFork: true } : {}),
  });
  await h.deliver();
  return pr;
}

describe("change risk: nothing to report", () => {
  const h = useApp({ config: "" });

  it("no services configured and nothing open: success, saying what was looked at", async () => {
    const pr = await pull(h, { files: { "README.md": "hello" } });
    const r = run(h, pr);
    expect(r.status).toBe("completed");
    expect(r.conclusion).toBe("success");
    expect(r.external_id).toBe(String(pr));
    expect(r.output.summary).toContain("No service has `paths`");
  });
});

describe("change risk: services", () => {
  const h = useApp({ config: SERVICES });

  it("a pull request touching a service with an open sev2 incident: neutral, listing it", async () => {
    const n = await incident(h, "API returns 500s", ["sev2", "svc:api"]);
    await incident(h, "Web is slow", ["sev3", "svc:web"]);
    const pr = await pull(h, { files: { "services/api/handler.ts": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.title).toBe("1 open incident");
    expect(r.output.summary).toContain(`[#${n}](https://github.com/${repo}/issues/${n}) API returns 500s — sev2, investigating, service api`);
    expect(r.output.summary).not.toContain("Web is slow");
    expect(r.output.summary).toContain("Services this changes: **api** (1 file)");
  });

  it("a pull request touching no service while incidents are open elsewhere: success", async () => {
    await incident(h, "API returns 500s", ["sev2", "svc:api"]);
    const pr = await pull(h, { files: { "docs/intro.md": "x" } });
    expect(run(h, pr).conclusion).toBe("success");
    expect(run(h, pr).output.summary).toContain("This changes no configured service");
  });

  it("open problems on the touched service are listed", async () => {
    const problem = h.sim.as("alice").openIssue(repo, { title: "Connection pool exhaustion", labels: ["problem", "svc:web"] });
    h.sim.as("alice").openIssue(repo, { title: "Unrelated problem", labels: ["problem", "svc:api"] });
    await h.deliver();
    const pr = await pull(h, { files: { "web/style.css": "x" } });
    const r = run(h, pr);
    expect(r.conclusion).toBe("neutral");
    expect(r.output.summary).toContain(`[#${problem}](https://github.com/${repo}/issues/${problem}) Connection pool exhaustion — web`);
    expect(r.output.summary).not.toContain("Unrelated problem");
  });

  it("reports in triage are not listed", async () => {
    h.sim.as("rita").openIssue(repo, { title: "I think the API is down", labels: ["incident", "svc:api"] });
    await h.deliver();
    const pr = await pull(h, { files: { "services/api/x.ts": "x" } });
    expect(run(h, pr).conclusion).toBe("success");
  });
});
