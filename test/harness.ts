/**
 * The app, running against the GitHub simulator: the test foundation. A test acts as people do
 * (through `sim.as(login)`), calls `deliver()` to hand every queued webhook to the app the way
 * GitHub would (including the echoes of the app's own writes), and asserts on the simulator.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { Probot, Server } from "probot";
import { pino } from "pino";
import { afterEach, beforeEach, expect } from "vitest";
import incidentDesk from "../src/app.js";
import { InProcessCoordination, useCoordination, type Coordination } from "../src/cluster/coordination.js";
import { incidentOctokit, type AppOctokitOptions } from "../src/github/octokit.js";
import { GitHubSim, type Delivery } from "./sim/index.js";

export const WEBHOOK_SECRET = "test-webhook-secret";

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let key: string | undefined;
/** One RSA key per test process: Probot signs its app JWTs with it (the sim does not check). */
export function privateKey(): string {
  key ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return key;
}

export interface LogLine {
  level: number;
  msg: string;
}

export interface StartOptions {
  /** Repository the tests use (created, app installed). */
  repo?: string;
  /** `.github/incidents.yml` of that repository. */
  config?: string;
  /** Collaborators: login → permission. Default: alice and bob write, rita read. */
  people?: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
  sim?: GitHubSim;
  /** Start the real HTTP server on 127.0.0.1 too (for signed deliveries and the app's routes). */
  http?: boolean;
  /** Milliseconds between two writes (production: the plugin's 1000). */
  writeSpacingMs?: number;
  /** Other options of the app's Octokit (the content budget, conditional requests). */
  octokit?: AppOctokitOptions;
  /** The process's coordination; default a fresh in-memory one, as a freshly started process has. */
  coordination?: Coordination;
}

export interface Harness {
  sim: GitHubSim;
  repo: string;
  probot: Probot;
  logs: LogLine[];
  /** Base URL of the app's HTTP server, with `http: true`. */
  url?: string;
  /** Deliver every queued webhook, and those they cause, until GitHub is quiet. Returns what was delivered. */
  deliver(): Promise<Delivery[]>;
  /** Deliver one webhook (e.g. a second copy of one already delivered). */
  receive(delivery: Delivery): Promise<void>;
  /** POST a delivery to the real server, signed (or with the given signature). */
  post(delivery: Delivery, signature?: string | null): Promise<Response>;
  /** The incident card's body on issue `n`, if there is one. */
  card(n: number): string | undefined;
  /** Comments on issue `n` other than the card. */
  comments(n: number): { id: number; body: string; user: string }[];
  close(): Promise<void>;
}

export async function startApp(options: StartOptions = {}): Promise<Harness> {
  const sim = options.sim ?? new GitHubSim();
  const repo = options.repo ?? "acme/web";
  if (!sim.state.repos.has(repo.toLowerCase())) sim.addRepo(repo);
  const people = options.people ?? { alice: "write", bob: "write", carol: "write", rita: "read" };
  for (const [login, level] of Object.entries(people)) sim.setPermission(repo, login, level);
  if (options.config !== undefined) sim.seedFile(repo, ".github/incidents.yml", options.config);

  // A fresh process: nothing remembered from an earlier test (caches, locks, the content budget).
  useCoordination(options.coordination ?? new InProcessCoordination());
  const logs: LogLine[] = [];
  const log = pino(
    { level: "info" },
    {
      write: (line: string) => {
        const parsed = JSON.parse(line) as { level: number; msg: string };
        logs.push({ level: parsed.level, msg: parsed.msg });
      },
    },
  );
  // No content budget unless a test asks (test/budget.test.ts): a test file writes far more than
  // 80 times a minute to a simulator that does not limit it.
  const Octokit = incidentOctokit({ writeSpacingMs: options.writeSpacingMs ?? 0, searchSpacingMs: 0, retryBaseMs: 5, budget: undefined, ...options.octokit });
  const probotOptions = {
    appId: sim.app.id,
    privateKey: privateKey(),
    secret: WEBHOOK_SECRET,
    Octokit,
    log,
    request: { fetch: sim.fetch as unknown as typeof fetch },
    baseUrl: "https://api.github.com",
  };
  let probot: Probot;
  let server: Server | undefined;
  let url: string | undefined;
  if (options.http) {
    // The Server builds its own Probot; keep a hold of it so in-process delivery also works.
    let built: Probot | undefined;
    const Defaults = Probot.defaults(probotOptions);
    class Kept extends Defaults {
      constructor(...args: ConstructorParameters<typeof Defaults>) {
        super(...args);
        built = this;
      }
    }
    // Probot's Server reads port 0 as "unset" (3000): take a free port first.
    server = new Server({ Probot: Kept, host: "127.0.0.1", port: await freePort(), log, request: probotOptions.request });
    await server.load(incidentDesk);
    const http = await server.start();
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    if (!built) throw new Error("the server did not build a Probot");
    probot = built;
  } else {
    probot = new Probot(probotOptions);
    // No HTTP server here: the app's extra routes are only served with `http: true`.
    await probot.load(incidentDesk, { cwd: process.cwd(), addHandler: () => undefined });
  }

  const receive = async (d: Delivery) => {
    await probot.receive({ id: d.id, name: d.name, payload: d.payload } as never);
  };

  const harness: Harness = {
    sim,
    repo,
    probot,
    logs,
    ...(url ? { url } : {}),
    async deliver() {
      const delivered: Delivery[] = [];
      for (let round = 0; ; round++) {
        const queue = sim.webhooks.take();
        if (queue.length === 0) return delivered;
        if (round > 20) throw new Error(`GitHub never went quiet: the app keeps reacting to its own writes (${queue.map((d) => `${d.name}.${(d.payload as { action?: string }).action}`).join(", ")})`);
        for (const d of queue) {
          await receive(d);
          delivered.push(d);
        }
      }
    },
    receive,
    async post(d, signature) {
      if (!url) throw new Error("start the harness with { http: true }");
      const { headers, body } = sim.webhooks.toRequest(d, WEBHOOK_SECRET);
      if (signature === null) delete headers["x-hub-signature-256"];
      else if (signature !== undefined) headers["x-hub-signature-256"] = signature;
      return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
    },
    card(n) {
      return sim.comments(repo, n).find((c: { body?: string | null }) => c.body?.includes("<!-- incident-desk:card -->"))?.body ?? undefined;
    },
    comments(n) {
      return sim
        .comments(repo, n)
        .filter((c: { body?: string | null }) => !c.body?.includes("<!-- incident-desk:card -->"))
        .map((c: { id: number; body?: string | null; user: { login: string } | null }) => ({ id: c.id, body: c.body ?? "", user: c.user?.login ?? "" }));
    },
    async close() {
      await server?.stop();
    },
  };
  return harness;
}

/**
 * One app on a fresh simulator per test, closed afterwards, with the check every test owes: no
 * request outside GitHub's OpenAPI description. Returns a stand-in for the current test's harness.
 */
export function useApp(options: StartOptions | (() => StartOptions) = {}): Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startApp(typeof options === "function" ? options() : options);
  });
  afterEach(async () => {
    const h = current;
    current = undefined;
    await h?.close();
    expect(h?.sim.violations ?? []).toEqual([]);
  });
  return new Proxy({} as Harness, {
    get(_target, property) {
      if (!current) throw new Error("useApp(): the harness exists only inside a test");
      const value = Reflect.get(current, property, current) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
