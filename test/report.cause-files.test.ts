import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { newSim, runAction } from "./action.fixtures.js";
import type { GitHubSim } from "./sim/index.js";

/**
 * The `report` command's recurring incidents by cause files, run as the Action against the
 * simulator: incidents whose cause pull requests (`/cause #pr`) changed a same file are grouped,
 * with the files named, whatever their service; each cause's files are read once, at most 50.
 */
const REPO = "acme/web";
let sim: GitHubSim;

beforeEach(() => {
  sim = newSim(REPO);
});
afterEach(() => {
  vi.useRealTimers();
  expect(sim.violations).toEqual([]);
});

let branch = 0;
/** A pull request (left open: a cause need not be merged) changing `files`. */
function pull(files: string[]): number {
  const head = `change-${++branch}`;
  return sim.as("bob").openPullRequest(REPO, {
    title: `Change ${branch}`,
    head,
    commits: [{ message: `Change ${branch}`, files: Object.fromEntries(files.map((f) => [f, `content of ${head}`])) }],
  });
}

/** An incident declared now whose causes are `causes` (one `/cause` line each). */
function incident(title: string, causes: number[], labels: string[] = []): number {
  const n = sim.as("alice").openIssue(REPO, { title, labels: ["incident", "sev2", ...labels] });
  sim.clock.advance("5m");
  if (causes.length > 0) sim.as("alice").comment(REPO, n, causes.map((p) => `/cause #${p}`).join("\n"));
  sim.clock.advance("1h");
  return n;
}

async function report() {
  vi.useFakeTimers({ toFake: ["Date"], now: sim.clock.now(), shouldAdvanceTime: true });
  try {
    let run!: Awaited<ReturnType<typeof runAction>>;
    const requests = await sim.measure(async () => {
      run = await runAction(sim, { inputs: { command: "report", since: "7d" } });
    });
    expect(run.error).toBeUndefined();
    const by = (op: string) => requests.filter((r) => r.operationId === op).length;
    return { md: run.summary, requests, by };
  } finally {
    vi.useRealTimers();
  }
}

const link = (n: number) => `[#${n}](https://github.com/${REPO}/issues/${n})`;
/** The section, up to the next heading. */
const section = (md: string) => {
  const start = md.indexOf("### Recurring incidents by cause files");
  return start < 0 ? "" : md.slice(start, md.indexOf("\n### ", start + 1));
};

describe("report: recurring incidents by cause files", () => {
  it("groups two incidents whose different causes changed a shared file, names the file, whatever their service; unrelated ones are not grouped", async () => {
    const p1 = pull(["src/db/pool.ts", "src/api/a.ts"]);
    const p2 = pull(["src/db/pool.ts", "src/api/b.ts"]);
    const p3 = pull(["docs/runbook.md"]);
    const p4 = pull(["src/api/c.ts"]);
    const a = incident("Checkout returns 502", [p1], ["checkout"]);
    const b = incident("Search is slow", [p2]);
    const c = incident("Docs outage", [p3]);
    const d = incident("API errors", [p4]);
    const none = incident("No cause known", []);

    const { md, requests, by } = await report();
    const recurring = section(md);
    expect(recurring).toContain("| incidents | shared files | cause pull requests |");
    expect(recurring).toContain(`| ${link(a)}, ${link(b)} | \`src/db/pool.ts\` | #${p1}, #${p2} |`);
    for (const n of [c, d, none]) expect(recurring).not.toContain(`#${n}]`);
    expect(recurring).not.toContain("src/api/");
    expect(recurring).toContain("Incidents whose cause pull requests changed the same files, whatever their service.\n");
    // One files read per cause pull request, and nothing written.
    expect(by("pulls/list-files")).toBe(4);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("says nothing when no two causes share a file, and reads no file when fewer than two incidents have a cause", async () => {
    incident("One", [pull(["a.ts"])]);
    const alone = await report();
    expect(alone.by("pulls/list-files")).toBe(0);
    expect(alone.md).not.toContain("Recurring incidents by cause files");
    incident("Two", [pull(["b.ts"])]);
    const apart = await report();
    expect(apart.by("pulls/list-files")).toBe(2);
    expect(apart.md).not.toContain("Recurring incidents by cause files");
  });

  it("a cause shared by two incidents, and a chain (A–B by one file, B–C by another), make one group each", async () => {
    const shared = pull(["lib/cache.ts"]);
    const x = incident("X", [shared]);
    const y = incident("Y", [shared]);
    const q1 = pull(["one.ts"]);
    const q2 = pull(["one.ts", "two.ts"]);
    const q3 = pull(["two.ts"]);
    const a = incident("A", [q1]);
    const b = incident("B", [q2]);
    const c = incident("C", [q3]);
    const { md, by } = await report();
    expect(by("pulls/list-files")).toBe(4);
    const recurring = section(md);
    expect(recurring).toContain(`| ${link(a)}, ${link(b)}, ${link(c)} | \`one.ts\`, \`two.ts\` | #${q1}, #${q2}, #${q3} |`);
    expect(recurring).toContain(`| ${link(x)}, ${link(y)} | \`lib/cache.ts\` | #${shared} |`);
  });

  it("an incident declared before the period and updated in it joins a group, marked earlier; two earlier ones alone make none", async () => {
    const old = incident("Old pool outage", [pull(["src/pool.ts"])]);
    const x = incident("Old X", [pull(["src/x.ts"])]);
    const y = incident("Old Y", [pull(["src/x.ts"])]);
    const gone = incident("Not updated since", [pull(["src/pool.ts"])]);
    sim.clock.advance("10d");
    for (const n of [old, x, y]) sim.as("bob").comment(REPO, n, "Still looking at it.");
    const a = incident("Pool outage again", [pull(["src/pool.ts"])]);
    const { md, by } = await report();
    const recurring = section(md);
    expect(recurring).toContain(`| ${link(old)} (earlier), ${link(a)} | \`src/pool.ts\` |`);
    expect(recurring).toContain("_(earlier)_: declared before the period, updated in it.");
    expect(recurring).not.toContain(`#${x}]`);
    expect(recurring).not.toContain(`#${gone}]`);
    // The earlier ones were read anyway (updated in the period); the one not updated is not listed.
    expect(by("pulls/list-files")).toBe(4);
  });

  it("a hostile file name is shown as written, in a code span: no hidden marker, no ping, no broken cell", async () => {
    const hostile = "docs/a|b <!-- incident-desk:card --> @org/team.md";
    const a = incident("A", [pull([hostile])]);
    const b = incident("B", [pull([hostile])]);
    const { md } = await report();
    expect(md).not.toContain("<!-- incident-desk:card -->");
    const row = md.split("\n").find((l) => l.startsWith(`| ${link(a)}, ${link(b)} |`))!;
    expect(row).toContain("`docs/a\\|b <\u200b!-- incident-desk:card --> @org/team.md`");
    // Three cells: every other `|` is escaped.
    expect(row.replace(/\\\|/g, "").split("|").length - 2).toBe(3);
    // The only `@org/team` is inside the code span (GitHub does not ping there).
    expect(
      row
        .split("`")
        .filter((_, i) => i % 2 === 0)
        .join(""),
    ).not.toContain("@org/team");
  });

  it("reads at most 50 cause pull requests, newest incidents first, and says so", async () => {
    const older = Array.from({ length: 26 }, (_, i) => pull(i === 0 ? ["src/shared.ts"] : [`src/older-${i}.ts`]));
    const newer = Array.from({ length: 26 }, (_, i) => pull(i === 0 ? ["src/shared.ts"] : [`src/newer-${i}.ts`]));
    const a = incident("Older", older);
    const b = incident("Newer", newer);
    const { md, by } = await report();
    expect(by("pulls/list-files")).toBe(50);
    const recurring = section(md);
    expect(recurring).toContain(`| ${link(a)}, ${link(b)} | \`src/shared.ts\` | #${older[0]}, #${newer[0]} |`);
    expect(recurring).toContain("_Files read for 50 of 52 cause pull requests (the newest incidents' first); the other 2 are not compared._");
  });

  it("a 500 and a secondary rate limit on files reads are waited out, and a re-run gives the same report", async () => {
    const a = incident("A", [pull(["src/pool.ts"])]);
    const b = incident("B", [pull(["src/pool.ts"])]);
    sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: 500, times: 1 });
    sim.faults.secondaryRateLimit({ method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}/files", times: 1, retryAfter: 1 });
    const first = await report();
    expect(first.by("pulls/list-files")).toBe(4);
    expect(section(first.md)).toContain(`| ${link(a)}, ${link(b)} | \`src/pool.ts\` |`);
    const again = await report();
    expect(again.by("pulls/list-files")).toBe(2);
    // The same report, but for the end of the period (the runner's clock).
    const body = (md: string) => md.split("\n").slice(3).join("\n");
    expect(body(again.md)).toBe(body(first.md));
  });

  it("a cause pull request GitHub no longer finds (404 on its files): compared on none, the others still grouped", async () => {
    incident("A", [pull(["src/pool.ts"])]);
    incident("B", [pull(["src/pool.ts"])]);
    incident("C", [pull(["src/pool.ts"])]);
    sim.faults.inject({ method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: 404, times: 1 });
    const { md, by } = await report();
    expect(by("pulls/list-files")).toBe(3);
    const rows = section(md)
      .split("\n")
      .filter((l) => l.startsWith("| [#"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.match(/\[#\d+\]/g)).toHaveLength(2);
  });

  it("long lists are cut: 5 files per group, 10 groups", async () => {
    const many = Array.from({ length: 8 }, (_, i) => `src/common-${i}.ts`);
    const a = incident("A", [pull(many)]);
    const b = incident("B", [pull(many)]);
    for (let g = 0; g < 11; g++) {
      incident(`G${g}a`, [pull([`grp/${g}.ts`])]);
      incident(`G${g}b`, [pull([`grp/${g}.ts`])]);
    }
    const { md } = await report();
    const recurring = section(md);
    expect(recurring).toContain(
      `| ${link(a)}, ${link(b)} | ${many
        .slice(0, 5)
        .map((f) => `\`${f}\``)
        .join(", ")} … and 3 more |`,
    );
    expect(recurring.split("\n").filter((l) => l.startsWith("| [#"))).toHaveLength(10);
    expect(recurring).toContain("… and 2 more groups.");
  });

  it("a report over 20 incidents with causes: requests counted", async () => {
    for (let i = 0; i < 10; i++) {
      incident(`I${i}a`, [pull([`svc/${i}/handler.ts`, `svc/${i}/a.ts`])]);
      incident(`I${i}b`, [pull([`svc/${i}/handler.ts`, `svc/${i}/b.ts`])]);
    }
    const { md, requests, by } = await report();
    expect(
      section(md)
        .split("\n")
        .filter((l) => l.startsWith("| [#")),
    ).toHaveLength(10);
    expect(by("pulls/list-files")).toBe(20);
    expect(by("pulls/get")).toBe(20); // no card here: the report resolves each cause itself
    expect(by("issues/list-events-for-timeline")).toBe(20);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    // Without cause files: 46 (config 2, listing 1, identity 1, timelines 20, a permission 1, causes 20, deployments 1).
    expect(requests.length).toBe(66);
  });
});
