import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Harness } from "./harness.js";
import {
  ACTIVE_LATEST,
  ACTIVE_TITLE,
  INTERNAL_TEXT,
  playQuarter,
  readTree,
  REPO,
  RESOLVED_TITLE,
  SECRET_TITLE,
  startShop,
  statuspage,
  TOKEN,
  at,
  CONFIG,
} from "./statuspage.fixtures.js";
import { ACTIONS_BOT } from "./action.fixtures.js";
import { validateStatuspageApi } from "./statuspage.schemas.js";

/**
 * The `statuspage` command, run as the Action against the simulator over incidents people ran
 * with the app: what the site says, what it leaves out, that it is valid, that a re-run writes
 * the same bytes, and that it costs only reads.
 */
let h: Harness;

beforeEach(async () => {
  h = await startShop();
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
  expect(h.sim.violations).toEqual([]);
});

const json = (files: Map<string, string>, path: string) => JSON.parse(files.get(path)!) as Record<string, any>;

describe("command: statuspage", () => {
  it("writes the site from the public incidents only: page, incident pages, feeds, Statuspage's API, badge", async () => {
    const n = await playQuarter(h);
    const writes = h.sim.count({ writes: true });
    const { run, dir } = await statuspage(h);
    expect(run.failed, run.error).toBe(false);
    expect(run.outputs["statuspage-path"]).toBe(dir);
    // Reads only.
    expect(h.sim.count({ writes: true })).toBe(writes);

    const files = readTree(dir);
    expect([...files.keys()].sort()).toEqual(
      [
        "index.html",
        "style.css",
        "feed.atom",
        "feed.rss",
        "badge.json",
        `incidents/web-${n.search}.html`,
        `incidents/web-${n.accounts}.html`,
        `incidents/web-${n.resolved}.html`,
        `incidents/web-${n.active}.html`,
        `maintenance/web-${n.doneWindow}.html`,
        `maintenance/web-${n.upcoming}.html`,
        ...["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances", "scheduled-maintenances/upcoming", "scheduled-maintenances/active"].map((p) => `api/v2/${p}.json`),
      ].sort(),
    );

    // Never published: the security incident, the report nobody accepted, the internal update,
    // the token, people's names, the issue's address.
    const everything = [...files.values()].join("\n");
    for (const secret of [SECRET_TITLE, "rita", INTERNAL_TEXT, "db-7", TOKEN, "Add dark mode", "alice", "@bob", "github.com/acme"]) {
      expect(everything, secret).not.toContain(secret);
    }
    expect(files.get(`incidents/web-${n.resolved}.html`)).toContain("Token seen in logs: [redacted]");
    expect(run.summary).toContain(`left out, a security incident: ${REPO}#${n.secret}`);
    expect(run.summary).toContain(`left out, still in triage: ${REPO}#${n.report}`);

    const index = files.get("index.html")!;
    expect(index).toContain("<title>Acme Status</title>");
    expect(index).toContain('<link rel="alternate" type="application/atom+xml" title="Acme Status (Atom)" href="feed.atom">');
    expect(index).toContain("Partial System Outage");
    expect(index).toContain(ACTIVE_TITLE);
    expect(index).toContain(ACTIVE_LATEST);
    // Newest update first.
    expect(index.indexOf(ACTIVE_LATEST)).toBeLessThan(index.indexOf("We are investigating elevated payment errors."));
    expect(index).toContain("Accounts database upgrade");
    expect(index).not.toContain("<script");
    // 90 daily bars per component.
    expect(index.match(/<li class="bar bar--/g)).toHaveLength(3 * 90);

    // Statuspage's API, against schemas written from its documented fields.
    for (const [path, content] of files) if (path.startsWith("api/v2/")) validateStatuspageApi(path.slice("api/v2/".length), JSON.parse(content));
    const summary = json(files, "api/v2/summary.json");
    expect(summary.page).toEqual({ id: "acme-web", name: "Acme Status", url: "https://status.acme.test/", time_zone: "Etc/UTC", updated_at: "2026-03-31T09:30:00.000Z" });
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    expect(summary.components.map((c: any) => [c.name, c.status])).toEqual([
      ["checkout", "partial_outage"],
      ["Search", "operational"],
      ["accounts", "operational"],
    ]);
    expect(summary.incidents.map((i: any) => [i.name, i.status, i.impact])).toEqual([[ACTIVE_TITLE, "identified", "major"]]);
    expect(summary.scheduled_maintenances.map((m: any) => [m.name, m.status, m.scheduled_for])).toEqual([["Accounts database upgrade", "scheduled", "2026-04-05T01:00:00.000Z"]]);

    const incidents = json(files, "api/v2/incidents.json").incidents as any[];
    expect(incidents.map((i) => i.name)).toEqual([ACTIVE_TITLE, RESOLVED_TITLE, "Login emails delayed", "Search suggestions slow"]);
    const sev1 = incidents[1];
    expect(sev1).toMatchObject({ status: "resolved", impact: "critical", started_at: "2026-03-15T14:00:00.000Z", shortlink: `https://status.acme.test/incidents/web-${n.resolved}.html` });
    expect(sev1.incident_updates.map((u: any) => [u.status, u.body])).toEqual([
      ["resolved", "All clear."],
      ["monitoring", "Error rates are back to normal; we keep watching."],
      ["monitoring", "The pool was resized; checkouts succeed again."],
      ["identified", "The database connection pool is exhausted. Token seen in logs: [redacted]"],
      ["investigating", "Checkout returns errors for everyone. We are on it."],
      ["investigating", "We are investigating this issue."],
    ]);
    expect(sev1.components.map((c: any) => c.name)).toEqual(["checkout"]);

    // Feeds: well-formed, and one entry per incident update and per window.
    const parser = new XMLParser({ ignoreAttributes: false });
    for (const feed of ["feed.atom", "feed.rss"]) expect(XMLValidator.validate(files.get(feed)!), feed).toBe(true);
    const atom = parser.parse(files.get("feed.atom")!).feed;
    const updateCount = incidents.reduce((sum, i) => sum + i.incident_updates.length, 0);
    expect(atom.entry).toHaveLength(updateCount + 2);
    expect(atom.entry[0].title).toBe(`${ACTIVE_TITLE} — Identified`);
    const rss = parser.parse(files.get("feed.rss")!).rss.channel;
    expect(rss.item).toHaveLength(updateCount + 2);

    expect(json(files, "badge.json")).toEqual({ schemaVersion: 1, label: "status", message: "partial outage", color: "orange" });
  });

  it("a re-run on unchanged incidents writes the same bytes; a new update changes the page", async () => {
    const n = await playQuarter(h);
    const { dir } = await statuspage(h);
    const first = readTree(dir);
    // What the page does not show does not move it either: an internal update, a timeline note.
    at(h, "2026-03-31T17:00:00Z");
    h.sim.as("bob").comment(REPO, n.active, "/update internal Paging the gateway vendor.\n\n/timeline Vendor engaged");
    await h.deliver();
    at(h, "2026-03-31T17:45:00Z");
    const again = await statuspage(h, dir);
    expect(again.run.summary).toContain("files: 0 written");
    expect(readTree(dir)).toEqual(first);

    h.sim.as("bob").comment(REPO, n.active, "/mitigated\n/update The rollback is complete; payments succeed again.");
    await h.deliver();
    at(h, "2026-03-31T18:00:00Z");
    const third = await statuspage(h, dir);
    expect(third.run.failed, third.run.error).toBe(false);
    const files = readTree(dir);
    expect(files.get("index.html")).toContain("The rollback is complete; payments succeed again.");
    expect(json(files, "api/v2/status.json").status.indicator).toBe("major");
    expect(json(files, "api/v2/components.json").components[0].status).toBe("operational");
  });

  it("leaves out a private repository's incidents unless it is listed, and removes pages that are no longer public", async () => {
    const n = await playQuarter(h);
    const { dir } = await statuspage(h);
    // Someone's own file in the folder stays.
    mkdirSync(join(dir, "incidents"), { recursive: true });
    writeFileSync(join(dir, "CNAME"), "status.acme.test\n");

    h.sim.state.repos.get(REPO)!.private = true;
    // The workflow's token reads its own repository, private or not.
    h.sim.setPermission(REPO, ACTIONS_BOT, "read");
    const hidden = await statuspage(h, dir);
    expect(hidden.run.failed, hidden.run.error).toBe(false);
    const files = readTree(dir);
    expect(existsSync(join(dir, `incidents/web-${n.resolved}.html`))).toBe(false);
    expect(json(files, "api/v2/incidents.json").incidents).toEqual([]);
    expect(files.get("index.html")).not.toContain(ACTIVE_TITLE);
    expect(files.get("CNAME")).toBe("status.acme.test\n");
    expect(hidden.run.summary).toContain("left out, a private repository's incident");

    h.sim.seedFile(REPO, ".github/incidents.yml", `${CONFIG}\n  repos: [${REPO}]\n`);
    const listed = await statuspage(h, dir);
    expect(listed.run.failed, listed.run.error).toBe(false);
    expect(json(readTree(dir), "api/v2/incidents.json").incidents).toHaveLength(4);
  });

  it("shows a window in progress: its components under maintenance, the page's status, the API's active list", async () => {
    await playQuarter(h);
    at(h, "2026-04-05T01:30:00Z");
    const { run, dir } = await statuspage(h);
    expect(run.failed, run.error).toBe(false);
    const files = readTree(dir);
    const summary = json(files, "api/v2/summary.json");
    expect(summary.components.find((c: any) => c.name === "accounts")).toMatchObject({ status: "under_maintenance", updated_at: "2026-04-05T01:00:00.000Z" });
    expect(summary.scheduled_maintenances.map((m: any) => [m.name, m.status])).toEqual([["Accounts database upgrade", "in_progress"]]);
    expect(json(files, "api/v2/scheduled-maintenances/active.json").scheduled_maintenances).toHaveLength(1);
    // The sev2 is still open (identified): the page says so, and the window shows beside it.
    expect(summary.status.indicator).toBe("major");
    expect(files.get("index.html")).toContain('<span class="tag tag--in_progress">In progress</span>');
    expect(files.get("index.html")).toContain('<span class="component__status status--under_maintenance">Under maintenance</span>');
    for (const [path, content] of files) if (path.startsWith("api/v2/")) validateStatuspageApi(path.slice("api/v2/".length), JSON.parse(content));
  });

  it("a listed repository the token cannot read fails the step with one line, and writes no file", async () => {
    h.sim.seedFile(REPO, ".github/incidents.yml", `${CONFIG}\n  repos: [acme/secret-ops]\n`);
    h.sim.addRepo("acme/secret-ops", { private: true });
    const { run, dir } = await statuspage(h);
    expect(run.failed).toBe(true);
    expect(run.error).toBe("statuspage.repos: acme/secret-ops cannot be read with this token; give the Action a token that can read it (input `token`), or remove it from the list");
    expect(readTree(dir).size).toBe(0);
  });

  it("an invalid statuspage configuration fails the step naming the key", async () => {
    h.sim.seedFile(REPO, ".github/incidents.yml", "statuspage:\n  history_days: 0\n");
    const first = await statuspage(h);
    expect(first.run.failed).toBe(true);
    expect(first.run.error).toContain("statuspage.history_days: Too small");
    h.sim.seedFile(REPO, ".github/incidents.yml", "services:\n  checkout: {}\nstatuspage:\n  components: [payments]\n");
    const second = await statuspage(h);
    expect(second.run.error).toContain('statuspage.components.0: "payments" is not one of the services (checkout)');
  });

  it("people's text is only text: escaped in the pages, well-formed in the feeds, plain strings in the JSON", async () => {
    at(h, "2026-03-02T09:00:00Z");
    const title = "<script>alert(1)</script> & \u0001 ]]> <!-- incident-desk:card -->";
    const n = h.sim.as("alice").openIssue(REPO, { title, labels: ["incident", "sev2", "svc:checkout"] });
    await h.deliver();
    at(h, "2026-03-02T09:10:00Z");
    h.sim.as("bob").comment(REPO, n, "/update `</content></entry> <b>bold</b>` \u0007 \uD800 done & dusted\n" + "x".repeat(9_000));
    await h.deliver();
    const { run, dir } = await statuspage(h);
    expect(run.failed, run.error).toBe(false);
    const files = readTree(dir);
    expect(files.get("index.html")).not.toContain("<script>");
    expect(files.get("index.html")).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp;");
    expect(files.get("index.html")).not.toContain("<b>bold</b>");
    for (const feed of ["feed.atom", "feed.rss"]) expect(XMLValidator.validate(files.get(feed)!), feed).toBe(true);
    const entry = new XMLParser().parse(files.get("feed.atom")!).feed.entry[0];
    expect(entry.content).toContain("</content></entry> <b>bold</b>");
    expect(entry.content).toContain("done & dusted");
    expect(entry.content).not.toContain("\u0007");
    const incident = json(files, "api/v2/incidents.json").incidents[0];
    expect(incident.name).toBe("<script>alert(1)</script> & ]]> <!-- incident-desk:card -->");
  });
});
