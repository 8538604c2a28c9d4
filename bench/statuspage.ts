/**
 * The status page's pure part (model and every file) on a big quarter: 10 components, 500
 * incidents over 90 days with 8 updates each, 20 maintenance windows. Prints the time to render
 * the whole site (first run, templates compiled; then warm), the number of files and their size.
 */
import { performance } from "node:perf_hooks";
import { parseConfig } from "../src/config/load.js";
import type { PublicMaintenance } from "../src/statuspage/maintenance.js";
import type { PublicIncident, PublicStatus } from "../src/statuspage/public.js";
import { siteOf } from "../src/statuspage/run.js";
import { renderSite } from "../src/statuspage/site.js";

const services = Array.from({ length: 10 }, (_, i) => `service-${i}`);
const config = parseConfig({ services: Object.fromEntries(services.map((s) => [s, {}])) });
const asOf = "2026-03-31T12:00:00.000Z";
const DAY = 86_400_000;
const start = Date.parse(asOf) - 89 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const statuses: PublicStatus[] = ["investigating", "identified", "monitoring", "monitoring", "monitoring", "monitoring", "monitoring", "resolved"];

const incidents: PublicIncident[] = Array.from({ length: 500 }, (_, i) => {
  const t = start + Math.floor((i * 89 * DAY) / 500);
  const id = `acme-web-${i + 1}`;
  const updates = statuses.map((status, u) => ({ id: `${id}-u${u + 1}`, at: iso(t + u * 600_000), status, body: `Update ${u + 1} of incident ${i + 1}: ${"text ".repeat(30)}` }));
  return {
    id,
    repo: "acme/web",
    number: i + 1,
    name: `Incident ${i + 1} on ${services[i % 10]}`,
    severity: `sev${(i % 4) + 1}`,
    severities: [`sev${(i % 4) + 1}`],
    service: services[i % 10]!,
    status: "resolved",
    createdAt: iso(t),
    startedAt: iso(t),
    monitoringAt: iso(t + 1_200_000),
    resolvedAt: iso(t + 7 * 600_000),
    updatedAt: iso(t + 7 * 600_000),
    updates,
    impact: [{ from: iso(t), to: iso(t + 1_200_000), severity: `sev${(i % 4) + 1}` }],
  };
});
const maintenances: PublicMaintenance[] = Array.from({ length: 20 }, (_, i) => {
  const t = start + i * 4 * DAY;
  return {
    id: `maintenance-acme-web-${1000 + i}`,
    repo: "acme/web",
    number: 1000 + i,
    name: `Window ${i}`,
    services: [services[i % 10]!],
    status: "completed",
    scheduledFor: iso(t),
    scheduledUntil: iso(t + 7_200_000),
    endedAt: iso(t + 7_200_000),
    createdAt: iso(t - DAY),
    updatedAt: iso(t + 7_200_000),
    updates: [{ id: `m${i}-u1`, at: iso(t - DAY), status: "scheduled", body: "Planned." }],
  };
});

const site = siteOf(config, { owner: "acme", repo: "web" }, ["acme/web"]);
for (const label of ["first (templates compiled)", "warm"]) {
  const t0 = performance.now();
  const { files } = renderSite({ config, site, incidents, maintenances, asOf });
  const ms = performance.now() - t0;
  const bytes = [...files.values()].reduce((sum, f) => sum + Buffer.byteLength(f), 0);
  const index = Buffer.byteLength(files.get("index.html")!);
  console.log(`| status page, ${label} | ${ms.toFixed(0)} ms | ${files.size} files, ${(bytes / 1e6).toFixed(1)} MB (index.html ${(index / 1e3).toFixed(0)} kB) |`);
}
