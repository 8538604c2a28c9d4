import { describe, expect, it } from "vitest";
import type { DeploymentSnapshot } from "../../src/changes/facts.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import type { Actor, History, HistoryEvent } from "../../src/incident/history.js";
import { deriveIncident, type IncidentState } from "../../src/incident/state.js";
import { bucketsOf, computeMetrics, median, percentile, stat } from "../../src/report/metrics.js";
import { parsePeriod } from "../../src/report/period.js";
import { renderReport } from "../../src/report/render.js";

const alice: Actor = { login: "alice", type: "User" };
const T0 = Date.parse("2026-03-02T09:00:00Z");
const t = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const MIN = 60_000;
let nextId = 1;

/** An incident as people run it: declared by label at `declared`, then the given commands (minutes after T0). */
function incident(
  number: number,
  declared: number,
  commands: [number, string][],
  options: { labels?: string[]; closedAt?: number } = {},
): IncidentState {
  const events: HistoryEvent[] = [
    { type: "labeled", label: "incident", actor: alice, at: t(declared) },
    ...(options.labels ?? []).map((label): HistoryEvent => ({ type: "labeled", label, actor: alice, at: t(declared) })),
    ...commands.map(([at, body]): HistoryEvent => ({ type: "commented", commentId: nextId++, body, author: alice, at: t(at), url: `https://github.com/acme/web/issues/${number}#c` })),
    ...(options.closedAt !== undefined ? [{ type: "closed", actor: alice, at: t(options.closedAt) } as HistoryEvent] : []),
  ];
  const history: History = {
    repo: { owner: "acme", repo: "web" },
    issue: {
      number,
      id: 1000 + number,
      nodeId: `I_${number}`,
      title: `Incident ${number}`,
      body: "",
      state: "open",
      labels: [],
      assignees: [],
      author: alice,
      createdAt: t(declared),
      closedAt: null,
      url: `https://github.com/acme/web/issues/${number}`,
    },
    events,
  };
  return deriveIncident(history, { config: DEFAULT_CONFIG, mayCommand: () => true });
}

const SEVERITIES = DEFAULT_CONFIG.severities.map((s) => s.name);
const PERIOD = { from: t(-7 * 24 * 60), to: t(7 * 24 * 60) };
const metrics = (incidents: IncidentState[], deployments: DeploymentSnapshot[] = [], period = PERIOD) =>
  computeMetrics({ period, incidents, deployments, severities: SEVERITIES });

describe("median and p90", () => {
  it("odd, even, single and empty sets", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeUndefined();
    expect(percentile([], 90)).toBeUndefined();
  });
  it("p90 by nearest rank: always a value that happened", () => {
    expect(percentile([10], 90)).toBe(10);
    expect(percentile([10, 20], 90)).toBe(20);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
  it("stat leaves median and p90 out of an empty set", () => {
    expect(stat([])).toEqual({ count: 0 });
    expect(stat([2, 4])).toEqual({ count: 2, median: 3, p90: 4 });
  });
});

describe("period", () => {
  const now = new Date("2026-03-31T12:00:00Z");
  it("durations back from now, dates, date-times; 30 days by default", () => {
    expect(parsePeriod(undefined, now)).toEqual({ from: "2026-03-01T12:00:00.000Z", to: "2026-03-31T12:00:00.000Z" });
    expect(parsePeriod("12w", now).from).toBe("2026-01-06T12:00:00.000Z");
    expect(parsePeriod("36h", now).from).toBe("2026-03-30T00:00:00.000Z");
    expect(parsePeriod("2026-03-01", now).from).toBe("2026-03-01T00:00:00.000Z");
    expect(parsePeriod("2026-03-01T08:30:00+02:00", now).from).toBe("2026-03-01T06:30:00.000Z");
  });
  it("says what to write instead", () => {
    expect(() => parsePeriod("last month", now)).toThrow(/neither an ISO 8601 date .* nor a duration back from now \(30d, 12w, 36h\)/);
    expect(() => parsePeriod("2026-04-01", now)).toThrow(/not in the past/);
    expect(() => parsePeriod("2026-02-30", now)).not.toThrow(); // Date.parse rolls it over, like GitHub's own search
  });
  it("buckets: days up to two weeks, then weeks, then months", () => {
    expect(bucketsOf(parsePeriod("7d", now)).unit).toBe("day");
    expect(bucketsOf(parsePeriod("30d", now))).toMatchObject({ unit: "week" });
    expect(bucketsOf(parsePeriod("30d", now)).starts).toHaveLength(5);
    const year = bucketsOf(parsePeriod("2025-04-15", now));
    expect(year.unit).toBe("month");
    expect(year.starts.map((s) => new Date(s).toISOString().slice(0, 10))).toEqual([
      "2025-04-15", "2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01",
    ]);
  });
});

describe("computeMetrics", () => {
  it("an empty period: zeros, no medians, no rate, and a report that says so", () => {
    const m = metrics([]);
    expect(m.incidents).toEqual({ total: 0, open: 0, resolved: 0 });
    expect(m.bySeverity).toEqual(SEVERITIES.map((name) => ({ name, count: 0 })));
    expect(m.byService).toEqual([]);
    expect(m.times).toEqual({ acknowledge: { count: 0 }, mitigate: { count: 0 }, resolve: { count: 0 } });
    expect(m.changeFailure).toEqual({ deployments: 0, incidents: 0, failedDeployments: 0 });
    expect(m.recovery).toEqual({ count: 0 });
    const md = renderReport("acme/web", m);
    expect(md).toContain("**0** incidents declared");
    expect(md).toContain("No incident was declared in this period.");
    expect(md).toContain("| Change failure rate | — (no deployment to `production` in the period) |");
    expect(md).not.toContain("```mermaid");
  });

  it("counts and times; an incident still open has no resolve time but counts for ack and mitigate", () => {
    const a = incident(1, 0, [[4, "/ack"], [30, "/mitigated"], [60, "/resolve"]], { labels: ["sev1"] });
    const b = incident(2, 100, [[102, "/ack"], [110, "/mitigated"], [200, "/resolve"]], { labels: ["sev2"] });
    const c = incident(3, 300, [[310, "/ack"], [320, "/mitigated"]], { labels: ["sev2"] }); // still open
    const d = incident(4, 400, [], { closedAt: 440 }); // closed by hand: resolved (and mitigated) then
    const m = metrics([a, b, c, d]);
    expect(m.incidents).toEqual({ total: 4, open: 1, resolved: 3 });
    expect(m.bySeverity).toEqual([
      { name: "sev1", count: 1 },
      { name: "sev2", count: 2 },
      { name: "sev3", count: 1 },
      { name: "sev4", count: 0 },
    ]);
    expect(m.times.acknowledge).toEqual({ count: 3, median: 4 * MIN, p90: 10 * MIN });
    // Mitigate: 30, 10, 20 and 40 minutes: an even set, the mean of the two middle ones.
    expect(m.times.mitigate).toEqual({ count: 4, median: 25 * MIN, p90: 40 * MIN });
    // Resolve: 60, 100, 40 minutes; #3 is open and left out.
    expect(m.times.resolve).toEqual({ count: 3, median: 60 * MIN, p90: 100 * MIN });
    expect(m.rows.find((r) => r.number === 3)?.resolve).toBeUndefined();
    expect(m.resolveBySeverity).toEqual([
      { name: "sev1", stat: { count: 1, median: 60 * MIN, p90: 60 * MIN } },
      { name: "sev2", stat: { count: 1, median: 100 * MIN, p90: 100 * MIN } },
      { name: "sev3", stat: { count: 1, median: 40 * MIN, p90: 40 * MIN } },
    ]);
  });

  it("a reopened incident is open again: its earlier resolution does not count", () => {
    const s = incident(1, 0, [[10, "/resolve"], [20, "/status investigating"]]);
    expect(metrics([s]).times.resolve).toEqual({ count: 0 });
    expect(metrics([s]).incidents).toEqual({ total: 1, open: 1, resolved: 0 });
  });

  it("only incidents declared in the period count, and only what is still an incident", () => {
    const before = incident(1, -8 * 24 * 60, [[0, "/resolve"]]);
    const inside = incident(2, 0, []);
    const undeclared = incident(3, 0, []);
    undeclared.isIncident = false;
    expect(metrics([before, inside, undeclared]).rows.map((r) => r.number)).toEqual([2]);
  });

  it("by service, most first, incidents without one last", () => {
    const withService = (n: number, service?: string) => ({ ...incident(n, n, []), ...(service ? { service } : {}) });
    const m = metrics([withService(1, "web"), withService(2), withService(3, "api"), withService(4, "web"), withService(5)]);
    expect(m.byService).toEqual([
      { name: "web", count: 2 },
      { name: null, count: 2 },
      { name: "api", count: 1 },
    ]);
  });

  it("change failure rate and failed-deployment recovery time", () => {
    const dep = (id: number, minutes: number, environment = "production"): DeploymentSnapshot => ({ id, sha: `sha${id}`, environment, createdAt: t(minutes) });
    const deployments = [dep(1, -60), dep(2, -30), dep(3, 500), dep(4, 900)];
    const caused = (n: number, declared: number, deployment: DeploymentSnapshot, resolvedAt?: number) => {
      const s = incident(n, declared, resolvedAt !== undefined ? [[resolvedAt, "/resolve"]] : []);
      s.changes.failedDeployment = deployment;
      if (resolvedAt !== undefined) s.changes.recoveryMs = Date.parse(t(resolvedAt)) - Date.parse(deployment.createdAt);
      return s;
    };
    const m = metrics([
      caused(1, 0, deployments[1]!, 90), // recovery 120m
      caused(2, 10, deployments[1]!, 60), // the same deployment: one failed deployment, two incidents; recovery 90m
      caused(3, 520, deployments[2]!), // still open: no recovery time
      incident(4, 600, [[620, "/resolve"]]), // no cause
    ], deployments);
    expect(m.changeFailure).toEqual({ deployments: 4, incidents: 3, failedDeployments: 2, rate: 0.5 });
    expect(m.recovery).toEqual({ count: 2, median: 105 * MIN, p90: 120 * MIN });
    expect(renderReport("acme/web", m)).toContain("| Change failure rate | **50%** (2 of 4 production deployments caused an incident) |");
  });

  it("security incidents keep their titles out of the report", () => {
    const s = incident(1, 0, []);
    s.security = true;
    s.title = "CVE in the login form";
    const md = renderReport("acme/web", metrics([s]));
    expect(md).not.toContain("CVE");
    expect(md).toContain("(security incident)");
  });
});

describe("renderReport", () => {
  it("tables and Mermaid charts GitHub renders", () => {
    const a = incident(1, 0, [[4, "/ack"], [30, "/mitigated"], [60, "/resolve"]], { labels: ["sev1"] });
    const b = incident(2, 2 * 24 * 60, [[2 * 24 * 60 + 10, "/ack"]], { labels: ["sev2"] });
    const md = renderReport("acme/web", metrics([a, b], [], { from: t(0), to: t(14 * 24 * 60 + 1) }));
    expect(md).toContain("## 📊 Incident report: acme/web\n\n2026-03-02 09:00 UTC → 2026-03-16 09:01 UTC");
    expect(md).toContain("**2** incidents declared · **1** resolved · **1** still open");
    expect(md).toContain("| Time to acknowledge | **7m** | 10m | 2 | declared → first `/ack` or `/commander` |");
    expect(md).toContain("| Time to resolve | **1h 00m** | 1h 00m | 1 | started → resolved (resolved incidents only) |");
    expect(md).toContain('```mermaid\npie showData title Incidents by severity\n    "sev1" : 1\n    "sev2" : 1\n```');
    expect(md).toContain('```mermaid\npie showData title Incidents by service\n    "(no service)" : 2\n```');
    expect(md).toContain('```mermaid\nxychart-beta\n    title "Incidents per week"\n    x-axis ["03-02", "03-09", "03-16"]\n    y-axis "Incidents" 0 --> 2\n    bar [2, 0, 0]\n```');
    expect(md).toContain('    title "Median time to resolve by severity (hours)"\n    x-axis ["sev1"]\n    y-axis "Hours" 0 --> 1\n    bar [1]');
    expect(md).toContain("| [#1](https://github.com/acme/web/issues/1) Incident 1 | sev1 | resolved | — | 2026-03-02 09:00 UTC | 4m | 30m | 1h 00m | — |");
  });

  it("redacts credentials pasted into titles, and keeps quotes out of chart labels", () => {
    const s = incident(1, 0, []);
    s.title = "Leaked ghp_abcdefghijklmnopqrstuvwxyz0123456789 | oops";
    s.service = 'the "edge"';
    const md = renderReport("acme/web", metrics([s]));
    expect(md).not.toContain("ghp_abc");
    expect(md).toContain("Leaked [redacted] \\| oops");
    expect(md).toContain(`"the 'edge'" : 1`);
  });
});
