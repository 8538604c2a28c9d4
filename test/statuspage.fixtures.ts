/**
 * A realistic quarter of a shop, played by people against the app on the simulator, for the
 * status page's tests: three components, incidents over ~90 days (one resolved sev1 with five
 * public updates, one internal update and a pasted token), an active sev2, maintenance windows
 * (one done, one scheduled), and what must never be published: a security incident, a report
 * by someone who may not command, and an issue that is not an incident.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { vi } from "vitest";
import { runAction, addActionToken } from "./action.fixtures.js";
import { startApp, type Harness } from "./harness.js";

export const REPO = "acme/web";

export const CONFIG = [
  "services:",
  "  checkout: { team: '@acme/payments', labels: [svc:checkout] }",
  "  search: { labels: [svc:search] }",
  "  accounts: { labels: [svc:accounts] }",
  "statuspage:",
  "  title: Acme Status",
  "  description: Live status of the Acme shop.",
  "  url: https://status.acme.test/",
  "  components:",
  "    - checkout",
  "    - { name: Search, services: [search], description: Product search and suggestions }",
  "    - accounts",
].join("\n");

export const SECRET_TITLE = "Leaked signing key in build logs";
export const INTERNAL_TEXT = "Root cause is the pool size on db-7; keep this off the page";
export const TOKEN = `ghp_${"A1b2C3d4".repeat(5)}`;
export const ACTIVE_TITLE = "Card payments failing for some customers";
export const ACTIVE_LATEST = "A faulty deploy of the payment gateway is being rolled back.";
export const RESOLVED_TITLE = "Checkout unavailable";

/** The harness's clock and the runner's are the simulator's. */
export function at(h: Harness, iso: string): void {
  h.sim.clock.set(iso);
  vi.setSystemTime(h.sim.clock.now());
}

export async function startShop(): Promise<Harness> {
  vi.useFakeTimers({ toFake: ["Date"] });
  const h = await startApp({ repo: REPO, config: CONFIG });
  addActionToken(h.sim);
  return h;
}

function maintenanceForm(services: string, starts: string, ends: string, description: string): string {
  return ["### Services", "", services, "", "### Starts", "", starts, "", "### Ends", "", ends, "", "### Description", "", description].join("\n");
}

/** Plays the quarter; returns the issue numbers worth asserting on. */
export async function playQuarter(h: Harness) {
  const alice = h.sim.as("alice");
  const bob = h.sim.as("bob");
  const step = async (iso: string, act: () => void) => {
    at(h, iso);
    act();
    await h.deliver();
  };

  let search = 0;
  await step("2026-01-12T10:00:00Z", () => (search = alice.openIssue(REPO, { title: "Search suggestions slow", labels: ["incident", "sev3", "svc:search"] })));
  await step("2026-01-12T10:20:00Z", () => bob.comment(REPO, search, "/update Suggestions take up to 5 s; results are correct."));
  await step("2026-01-12T11:40:00Z", () => bob.comment(REPO, search, "/resolve"));

  let accounts = 0;
  await step("2026-02-03T07:00:00Z", () => (accounts = alice.openIssue(REPO, { title: "Login emails delayed", labels: ["incident", "sev2", "svc:accounts"] })));
  await step("2026-02-03T07:30:00Z", () => bob.comment(REPO, accounts, "/mitigated\n/update Emails are flowing again; the backlog clears within the hour."));
  await step("2026-02-03T09:00:00Z", () => bob.comment(REPO, accounts, "/resolve"));

  let secret = 0;
  await step("2026-02-20T16:00:00Z", () => (secret = alice.openIssue(REPO, { title: SECRET_TITLE, labels: ["incident", "security", "sev1"] })));

  // The resolved sev1: five public updates, an internal one, a token pasted into one.
  let resolved = 0;
  await step("2026-03-15T14:00:00Z", () => (resolved = alice.openIssue(REPO, { title: RESOLVED_TITLE, labels: ["incident", "sev1", "svc:checkout"] })));
  await step("2026-03-15T14:05:00Z", () => bob.comment(REPO, resolved, "/ack\n/update Checkout returns errors for everyone. We are on it."));
  await step("2026-03-15T14:20:00Z", () => bob.comment(REPO, resolved, `/status identified\n/update The database connection pool is exhausted. Token seen in logs: ${TOKEN}`));
  await step("2026-03-15T14:25:00Z", () => bob.comment(REPO, resolved, `/update internal ${INTERNAL_TEXT}`));
  await step("2026-03-15T14:40:00Z", () => bob.comment(REPO, resolved, "/mitigated\n/update The pool was resized; checkouts succeed again."));
  await step("2026-03-15T15:10:00Z", () => bob.comment(REPO, resolved, "/update Error rates are back to normal; we keep watching."));
  await step("2026-03-15T16:00:00Z", () => bob.comment(REPO, resolved, "/update All clear.\n\n/resolve"));

  let report = 0;
  await step("2026-03-20T08:00:00Z", () => (report = h.sim.as("rita").openIssue(REPO, { title: "Site is down!!! (rita)", labels: ["incident"] })));
  await step("2026-03-20T08:01:00Z", () => void alice.openIssue(REPO, { title: "Add dark mode", body: "A feature request." }));

  let doneWindow = 0;
  await step("2026-03-25T09:00:00Z", () => {
    doneWindow = alice.openIssue(REPO, {
      title: "Search index rebuild",
      labels: ["maintenance"],
      body: maintenanceForm("search", "2026-03-28 02:00", "2026-03-28 04:00", "Search may return partial results while the index is rebuilt."),
    });
  });

  let upcoming = 0;
  await step("2026-03-30T09:00:00Z", () => {
    upcoming = alice.openIssue(REPO, {
      title: "Accounts database upgrade",
      labels: ["maintenance"],
      body: maintenanceForm("accounts", "2026-04-05 01:00", "2026-04-05 03:00", "Sign-in is unavailable for up to two hours."),
    });
  });

  let active = 0;
  await step("2026-03-31T09:00:00Z", () => (active = alice.openIssue(REPO, { title: ACTIVE_TITLE, labels: ["incident", "sev2", "svc:checkout"] })));
  await step("2026-03-31T09:04:00Z", () => bob.comment(REPO, active, "/ack\n/update We are investigating elevated payment errors."));
  await step("2026-03-31T09:30:00Z", () => bob.comment(REPO, active, `/status identified\n/update ${ACTIVE_LATEST}`));
  at(h, "2026-03-31T12:00:00Z");
  return { search, accounts, secret, resolved, report, doneWindow, upcoming, active };
}

/** The Action's `statuspage` command into a fresh folder (or `dir`), at the simulator's time. */
export async function statuspage(h: Harness, dir = mkdtempSync(join(tmpdir(), "incident-desk-site-")), inputs: Record<string, string> = {}) {
  vi.setSystemTime(h.sim.clock.now());
  const run = await runAction(h.sim, { inputs: { command: "statuspage", "statuspage-dir": dir, ...inputs }, event: { name: "schedule" } });
  return { run, dir };
}

/** Every file of a folder, path → content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return out;
}
