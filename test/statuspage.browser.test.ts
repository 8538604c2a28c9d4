import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Harness } from "./harness.js";
import { ACTIVE_LATEST, ACTIVE_TITLE, playQuarter, RESOLVED_TITLE, startShop, statuspage } from "./statuspage.fixtures.js";

/**
 * The generated site in a real browser: Debian's headless Chromium, driven by puppeteer-core.
 * The realistic quarter (three components, an active sev2, a resolved sev1 with five updates,
 * maintenance windows, ~90 days of history) renders with no console error, passes axe-core with
 * no serious or critical violation, and shows the active incident and its latest update at
 * desktop and phone widths, served over HTTP as GitHub Pages serves it and opened from the plain
 * folder. Screenshots go to test-output/statuspage/ for people to look at.
 *
 * Chromium comes from the system (`apt-get install chromium`; .ci/run installs it). Without it
 * the test is skipped on a developer's machine and fails in CI (CI=true), where it must run.
 */
// What the functions run inside the page see (this project compiles without the DOM library).
declare const document: any;
declare const window: any;
declare const getComputedStyle: (element: unknown) => { backgroundColor: string; visibility: string };
declare const NodeFilter: { SHOW_TEXT: number };
type HTMLElement = { offsetWidth: number };

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const OUT = join(process.cwd(), "test-output", "statuspage");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let h: Harness;
let dir: string;
let browser: Browser | undefined;
let profile: string;
let ids: Awaited<ReturnType<typeof playQuarter>>;
let server: Server | undefined;
let origin = "";

const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", css: "text/css", json: "application/json", atom: "application/atom+xml", rss: "application/rss+xml" };

/** A static file server over the site's folder, as GitHub Pages would serve it. */
async function serve(root: string): Promise<void> {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/\/$/, "/index.html");
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

if (!available && process.env.CI) {
  it("has Chromium to test the status page with", () => {
    expect.fail(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  });
}

describe.skipIf(!available)("the status page in Chromium", () => {
  beforeAll(async () => {
    h = await startShop();
    ids = await playQuarter(h);
    const made = await statuspage(h);
    expect(made.run.failed, made.run.error).toBe(false);
    dir = made.dir;
    await serve(dir);
    vi.useRealTimers();
    await h.close();
    expect(h.sim.violations).toEqual([]);
    mkdirSync(OUT, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), "incident-desk-chromium-"));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Open a page of the site; collect what went wrong while it loaded. */
  async function open(path: string, width: number, via: "http" | "file" = "http"): Promise<{ page: Page; problems: string[] }> {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warn") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${String(error)}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`));
    // Nothing leaves the folder: any request that is not a file of the site is a bug.
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.url().startsWith(via === "http" ? `${origin}/` : "file://")) void request.continue();
      else {
        problems.push(`request outside the site: ${request.url()}`);
        void request.abort();
      }
    });
    await page.setViewport({ width, height: 900 });
    await page.goto(via === "http" ? `${origin}/${path}` : pathToFileURL(join(dir, path)).href, { waitUntil: "load" });
    return { page, problems };
  }

  async function axe(page: Page) {
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => {
      const run = (window as unknown as { axe: { run: (ctx: unknown, options: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run;
      const r = await run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    });
    return result.filter((v) => v.impact === "serious" || v.impact === "critical");
  }

  /** Visible: rendered, with a size, inside the viewport's width once scrolled to. */
  async function visible(page: Page, text: string): Promise<boolean> {
    return page.evaluate((wanted) => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.includes(wanted)) continue;
        const element = node.parentElement!;
        element.scrollIntoView({ block: "center" });
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        if (box.width > 0 && box.height > 0 && style.visibility !== "hidden" && box.left >= 0 && box.right <= window.innerWidth) return true;
      }
      return false;
    }, text);
  }

  for (const width of [1280, 390]) {
    it(`index.html at ${width} px: no errors, accessible, the active incident and its latest update visible, no sideways scrolling`, async () => {
      const { page, problems } = await open("index.html", width);
      expect(await page.title()).toBe("Acme Status");
      expect(await visible(page, ACTIVE_TITLE)).toBe(true);
      expect(await visible(page, ACTIVE_LATEST)).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      // The stylesheet applied (the bars have a colour), though the page needs no script.
      expect(await page.evaluate(() => getComputedStyle(document.querySelector(".bar")).backgroundColor)).toBe("rgb(45, 164, 78)");
      expect(await page.evaluate(() => document.scripts.length)).toBe(0);
      // Phones see the last 30 days; desktops all 90.
      const shown = await page.evaluate(() => [...document.querySelectorAll(".components > li:first-child .bar")].filter((b) => (b as HTMLElement).offsetWidth > 0).length);
      expect(shown).toBe(width < 640 ? 30 : 90);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(OUT, `index-${width}.png`), fullPage: true });
      expect(await axe(page)).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it("an incident's page: its timeline of updates, newest first; a bar's tooltip names the day's incident", async () => {
    const { page, problems } = await open(`incidents/web-${ids.resolved}.html`, 390);
    expect(await page.title()).toBe(`${RESOLVED_TITLE} · Acme Status`);
    const updates = await page.$$eval(".update__body", (nodes) => nodes.map((n) => n.textContent));
    expect(updates).toEqual([
      "All clear.",
      "Error rates are back to normal; we keep watching.",
      "The pool was resized; checkouts succeed again.",
      "The database connection pool is exhausted. Token seen in logs: [redacted]",
      "Checkout returns errors for everyone. We are on it.",
      "We are investigating this issue.",
    ]);
    await page.screenshot({ path: join(OUT, `incident-${ids.resolved}-390.png`), fullPage: true });
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);

    const index = await open("index.html", 1280);
    // Hovering the checkout bar of 2026-03-15 shows the sev1 in its tooltip.
    const bar = await index.page.$(".components > li:first-child .bar--major_outage");
    expect(bar).not.toBeNull();
    await bar!.hover();
    const tip = await index.page.evaluate(() => {
      const t = document.querySelector(".components > li:first-child .bar--major_outage .bar__tip")!;
      const box = t.getBoundingClientRect();
      return { text: t.textContent, width: box.width };
    });
    expect(tip.text).toBe(`Mar 15, 2026 Major outage; ${RESOLVED_TITLE}`);
    expect(tip.width).toBeGreaterThan(50);
    await index.page.screenshot({ path: join(OUT, "index-tooltip-1280.png") });
    expect(index.problems).toEqual([]);
  }, 60_000);

  it("works from the plain folder too (file://): styled, links between pages work, nothing fails to load", async () => {
    const { page, problems } = await open("index.html", 1280, "file");
    expect(await page.evaluate(() => getComputedStyle(document.querySelector(".bar")).backgroundColor)).toBe("rgb(45, 164, 78)");
    await Promise.all([page.waitForNavigation(), page.click(`article[id="acme-web-${ids.active}"] h3 a`)]);
    expect(await page.title()).toBe(`${ACTIVE_TITLE} · Acme Status`);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(246, 248, 250)");
    expect(problems).toEqual([]);
  }, 60_000);
});
