/**
 * The Action's GitHub client (src/action/octokit.ts), through runs of the Action: 500s retried,
 * secondary rate limits waited out, GitHub's content budget kept (80 content-creating requests a
 * minute, 500 an hour), all on an injected clock; then the runner's proxy and GitHub Enterprise
 * Server's API URL, with the Action started as the runner starts it, in a process of its own.
 */
import { spawn } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InProcessCoordination } from "../src/cluster/coordination.js";
import type { GitHubSim } from "./sim/index.js";
import { ACTIONS_TOKEN, newSim, parseOutputFile, runAction, seedIncident } from "./action.fixtures.js";

const REPO = "acme/web";
let sim: GitHubSim;

beforeEach(() => {
  sim = newSim(REPO);
});
afterEach(() => {
  expect(sim.violations).toEqual([]);
});

/** A clock that only moves when the client waits: every wait is recorded and passes at once. */
class TestClock {
  t = Date.parse("2026-03-02T09:00:00Z");
  readonly waits: number[] = [];
  now = () => this.t;
  sleep = async (ms: number) => {
    this.waits.push(ms);
    this.t += ms;
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/** Runs the Action on `clock`, with the client's real settings (back-off, retry-after limits). */
function runOn(clock: TestClock, inputs: Record<string, string>) {
  return runAction(sim, { inputs, octokit: { coordination: new InProcessCoordination({ clock }), sleep: clock.sleep, searchSpacingMs: 0 } });
}

/** The clock's time of every content-creating request GitHub accepted (with `all`: of every request it answered). */
function recordCreations(clock: TestClock, all = false): number[] {
  const times: number[] = [];
  const handle = sim.handle.bind(sim);
  sim.handle = async (req) => {
    const res = await handle(req);
    if (all || (req.method.toUpperCase() === "POST" && res.status < 400)) times.push(clock.t);
    return res;
  };
  return times;
}

/** The most requests of `times` within any window of `ms`. */
function busiest(times: number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const followups = (count: number) => Array.from({ length: count }, (_, i) => `/followup Follow-up number ${i + 1} @${["alice", "bob", "carol"][i % 3]}`);
const tickets = () => sim.issues(REPO).filter((i) => i.labels.includes("follow-up"));

describe("the Action's client: failures and GitHub's limits", () => {
  it("retries GitHub's 500s after 1 s and 4 s, and opens every ticket once", async () => {
    const clock = new TestClock();
    const n = seedIncident(sim, REPO);
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 500, times: 2 });
    const run = await runOn(clock, { command: "problems", issue: String(n) });
    expect(run.error).toBeUndefined();
    expect(clock.waits).toEqual([1000, 4000]);
    expect(tickets().map((t) => t.title)).toEqual(["Alert on pool saturation", "Load-test config changes before rollout"]);
    expect(sim.count({ status: 500 })).toBe(2);
  });

  it("gives up after three retries of a 500 and fails the step with a line that says to re-run", async () => {
    const clock = new TestClock();
    const n = seedIncident(sim, REPO);
    sim.faults.inject({ method: "POST", path: "/repos/{owner}/{repo}/issues", status: 502, times: Infinity });
    const run = await runOn(clock, { command: "problems", issue: String(n) });
    expect(run.failed).toBe(true);
    expect(run.error).toContain("GitHub answered 502 to POST /repos/acme/web/issues");
    expect(run.error).toContain("re-run the job");
    expect(clock.waits).toEqual([1000, 4000, 9000]);
    expect(tickets()).toEqual([]);
  });

  it("waits out a secondary rate limit (403 + retry-after) before anything else is sent, then goes on", async () => {
    const clock = new TestClock();
    const n = seedIncident(sim, REPO);
    const times = recordCreations(clock, true);
    sim.faults.secondaryRateLimit({ method: "POST", path: "/repos/{owner}/{repo}/issues", times: 1, retryAfter: 90 });
    const start = clock.t;
    const run = await runOn(clock, { command: "problems", issue: String(n) });
    expect(run.error).toBeUndefined();
    expect(run.log).toContain("rate limited on POST /repos/{owner}/{repo}/issues: retrying in 90s");
    expect(clock.waits).toContain(90_000);
    // Nothing at all was sent during the 90 s; the run went on afterwards.
    expect(times.every((t) => t === start || t >= start + 90_000)).toBe(true);
    expect(times.filter((t) => t >= start + 90_000).length).toBeGreaterThan(2);
    expect(tickets()).toHaveLength(2);
    expect(sim.requests.filter((r) => r.status === 403 && r.method === "POST")).toHaveLength(1);
  });

  it("does not wait for a retry-after longer than the run may wait: the step fails and says so", async () => {
    const clock = new TestClock();
    const n = seedIncident(sim, REPO);
    sim.faults.secondaryRateLimit({ method: "POST", path: "/repos/{owner}/{repo}/issues", times: 1, retryAfter: 3600 });
    const run = await runOn(clock, { command: "problems", issue: String(n) });
    expect(run.failed).toBe(true);
    expect(run.error).toContain("GitHub answered 403 to POST /repos/acme/web/issues");
    expect(clock.waits).not.toContain(3_600_000);
    expect(tickets()).toEqual([]);
  });

  it("keeps GitHub's content budget: at most 80 content-creating requests in any minute, and a re-run creates nothing", async () => {
    const clock = new TestClock();
    const n = seedIncident(sim, REPO, { followups: followups(60) });
    const times = recordCreations(clock);
    const run = await runOn(clock, { command: "problems", issue: String(n) });
    expect(run.error).toBeUndefined();
    expect(tickets()).toHaveLength(60);
    expect(times.length).toBeGreaterThan(80);
    expect(busiest(times, 60_000)).toBe(80);
    expect(run.log).toMatch(/GitHub's content budget of token .* is spent: POST \S+ waits \d+s/);

    const before = times.length;
    const again = await runOn(clock, { command: "problems", issue: String(n) });
    expect(again.error).toBeUndefined();
    expect(times.length).toBe(before);
    expect(tickets()).toHaveLength(60);
  });

  it("keeps the hour's budget too: at most 500 content-creating requests in any hour", async () => {
    const clock = new TestClock();
    const n = seedIncident(sim, REPO, { followups: followups(250) });
    const times = recordCreations(clock);
    const run = await runOn(clock, { command: "problems", issue: String(n) });
    expect(run.error).toBeUndefined();
    expect(tickets()).toHaveLength(250);
    expect(times.length).toBeGreaterThan(500);
    expect(busiest(times, 3_600_000)).toBe(500);
    expect(busiest(times, 60_000)).toBeLessThanOrEqual(80);
  }, 60_000);
});

// ---- the runner's proxy and GitHub Enterprise Server ----------------------------------------------

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Proxy {
  url: string;
  /** `CONNECT host:port` tunnels and absolute-form requests (`GET http://host/path`) it served. */
  seen: string[];
  close: () => Promise<void>;
}

/**
 * A forward proxy on a free loopback port, as a runner behind a corporate proxy has: it answers
 * CONNECT (the tunnel undici's ProxyAgent opens) and absolute-form HTTP requests, and takes every
 * host to the simulator, so a host that does not resolve is reached only through it.
 */
async function startProxy(target: { port: number }): Promise<Proxy> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? "/");
    const upstream = httpRequest(
      { host: "127.0.0.1", port: target.port, method: req.method, path: url.pathname + url.search, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const upstream = connect(target.port, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `node src/action.ts` as the runner starts the Action: only INPUT_* and GITHUB_* (and the proxy) in its environment. */
function startAction(inputs: Record<string, string>, env: Record<string, string>): Promise<{ code: number; stdout: string; outputs: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), "incident-desk-proxy-"));
  const files = { event: join(dir, "event.json"), output: join(dir, "output"), summary: join(dir, "summary") };
  writeFileSync(files.event, "{}");
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const childEnv = {
    PATH: process.env.PATH,
    GITHUB_REPOSITORY: REPO,
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    INPUT_TOKEN: ACTIONS_TOKEN,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/action.ts"], { cwd: ROOT, env: childEnv });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, outputs: parseOutputFile(readFileSync(files.output, "utf8")) }));
  });
}

describe("the Action's client: the runner's proxy and GitHub Enterprise Server", () => {
  let listening: Awaited<ReturnType<GitHubSim["listen"]>>;
  let proxy: Proxy;
  /** The URLs the simulator was asked for, as its server saw them (Host header and path). */
  let urls: string[];
  beforeEach(async () => {
    listening = await sim.listen();
    proxy = await startProxy({ port: Number(new URL(listening.url).port) });
    urls = [];
    const handle = sim.handle.bind(sim);
    sim.handle = (req) => {
      urls.push(req.url);
      return handle(req);
    };
  });
  afterEach(async () => {
    await proxy.close();
    await listening.close();
  });

  it("goes through HTTPS_PROXY/HTTP_PROXY to a GitHub Enterprise Server API URL (GITHUB_API_URL)", async () => {
    const n = seedIncident(sim, REPO);
    // ghes.example.test does not resolve: only the proxy can reach it.
    const env = { GITHUB_API_URL: "http://ghes.example.test/api/v3", HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url };
    const run = await startAction({ command: "problems", issue: String(n) }, env);
    expect(run.stdout).not.toContain("::error::");
    expect(run.code).toBe(0);
    expect(tickets()).toHaveLength(2);
    expect(JSON.parse(run.outputs["problem-issues"]!)).toEqual(tickets().map((t) => t.number));
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(
      proxy.seen.every(
        (s) =>
          s === "CONNECT ghes.example.test:80" ||
          s.startsWith("GET http://ghes.example.test/api/v3/") ||
          /^(POST|PATCH|PUT|DELETE) http:\/\/ghes\.example\.test\/api\/v3\//.test(s),
      ),
    ).toBe(true);
    expect(urls.length).toBeGreaterThan(5);
    expect(urls.every((u) => u.startsWith("http://ghes.example.test/api/v3/"))).toBe(true);
  }, 30_000);

  it("goes straight to a host NO_PROXY names, and through the proxy to the same host otherwise", async () => {
    const n = seedIncident(sim, REPO);
    // 0.0.0.0 reaches the simulator on loopback, but is not one of the loopback names the runner's
    // toolkit (@actions/http-client) keeps away from the proxy by itself.
    const api = `http://0.0.0.0:${new URL(listening.url).port}/api/v3`;
    const proxied = await startAction({ command: "problems", issue: String(n) }, { GITHUB_API_URL: api, HTTP_PROXY: proxy.url });
    expect(proxied.code).toBe(0);
    expect(proxy.seen.length).toBeGreaterThan(0);
    const through = proxy.seen.length;

    urls.length = 0;
    const direct = await startAction({ command: "postmortem", issue: String(n) }, { GITHUB_API_URL: api, HTTP_PROXY: proxy.url, NO_PROXY: "0.0.0.0" });
    expect(direct.stdout).not.toContain("::error::");
    expect(direct.code).toBe(0);
    expect(direct.outputs["postmortem-path"]).toBeDefined();
    expect(proxy.seen.length).toBe(through);
    expect(urls.length).toBeGreaterThan(5);
    expect(urls.every((u) => u.startsWith(`${api}/`))).toBe(true);
  }, 30_000);

  it("with no proxy, talks to GITHUB_API_URL directly (a GitHub Enterprise Server's /api/v3 on loopback)", async () => {
    const n = seedIncident(sim, REPO);
    const api = `${listening.url}/api/v3`;
    const run = await startAction({ command: "postmortem", issue: String(n) }, { GITHUB_API_URL: api });
    expect(run.stdout).not.toContain("::error::");
    expect(run.code).toBe(0);
    expect(run.outputs["postmortem-path"]).toBeDefined();
    expect(proxy.seen).toEqual([]);
    expect(urls.length).toBeGreaterThan(5);
    expect(urls.every((u) => u.startsWith(`${api}/`))).toBe(true);
  }, 30_000);
});
