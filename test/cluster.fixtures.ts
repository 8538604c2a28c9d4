/**
 * Several replicas of the real server (`src/main.ts`, as `npm start` runs it) on one Redis,
 * against the simulator served over HTTP on loopback, behind a small round-robin proxy: the
 * cluster test and the cluster benchmark both drive this.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort, privateKey, WEBHOOK_SECRET } from "./harness.js";
import type { Delivery, GitHubSim } from "./sim/index.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const ALERTS_TOKEN = "cluster-alerts-token-of-at-least-32-characters";

export interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  logs: string[];
  alive: boolean;
  /** Peak RSS seen by `ps` while it ran, in bytes (sampled by `sampleMemory`). */
  peakRss: number;
}

export interface ReplicaOptions {
  sim: GitHubSim;
  simUrl: string;
  redisUrl?: string;
  env?: Record<string, string>;
}

/** Start `src/main.ts` (through tsx, as `npm start` runs lib/main.js) and wait for its /healthz. */
export async function startReplica(name: string, options: ReplicaOptions): Promise<Replica> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    APP_ID: String(options.sim.app.id),
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET,
    PORT: String(port),
    HOST: "127.0.0.1",
    GHE_HOST: new URL(options.simUrl).host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    NODE_ENV: "production",
    ALERTS_TOKEN,
    WRITE_SPACING_MS: "0",
    SEARCH_SPACING_MS: "0",
    LOCK_LEASE_MS: "2000",
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const replica: Replica = { name, url: `http://127.0.0.1:${port}`, child, logs: [], alive: true, peakRss: 0 };
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) replica.logs.push(line);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.once("exit", () => (replica.alive = false));
  for (let i = 0; i < 400; i++) {
    if (!replica.alive) throw new Error(`replica ${name} exited at start:\n${replica.logs.join("\n")}`);
    try {
      const res = await fetch(`${replica.url}/healthz`);
      await res.arrayBuffer();
      if (res.ok) return replica;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`replica ${name} did not answer /healthz within 20 s:\n${replica.logs.join("\n")}`);
}

export async function stopReplica(replica: Replica, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!replica.alive) return;
  const exited = new Promise((resolve) => replica.child.once("exit", resolve));
  replica.child.kill(signal);
  await exited;
}

/** The resident memory of each live replica, kept as a peak (Linux `/proc`). */
export async function sampleMemory(replicas: Replica[]): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  for (const r of replicas) {
    if (!r.alive || r.child.pid === undefined) continue;
    try {
      const status = await readFile(`/proc/${r.child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      r.peakRss = Math.max(r.peakRss, kb * 1024);
    } catch {
      // gone meanwhile
    }
  }
}

export interface Answer {
  status: number;
  ms: number;
  replica: string;
}

/**
 * A load balancer in miniature: POSTs go to the live replicas in turn; a replica that refuses
 * the connection is taken out and the next one tried (a health check would); one that dies with
 * the request in flight answers 502, as a load balancer would.
 */
export async function startProxy(replicas: Replica[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    // A rejection here would be unhandled (the listener's return value is ignored): answer 500 instead.
    req.on("end", () => void forward().catch((error: unknown) => (res.headersSent ? res.destroy() : res.writeHead(500).end(String(error)))));
    const forward = async () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
      for (let tries = 0; tries < replicas.length; tries++) {
        const live = replicas.filter((r) => r.alive);
        if (live.length === 0) break;
        const target = live[next++ % live.length]!;
        try {
          const answer = await fetch(`${target.url}${req.url}`, { method: req.method, headers, ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }) });
          const text = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain", "x-replica": target.name });
          res.end(text);
          return;
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code === "ECONNREFUSED") {
            target.alive = false;
            continue;
          }
          res.writeHead(502, { "x-replica": target.name }).end(`replica ${target.name} failed: ${code ?? String(error)}`);
          return;
        }
      }
      res.writeHead(503).end("no replica");
    };
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GitHub's side: POST a delivery, signed, to `url` (the proxy or one replica). */
export async function post(sim: GitHubSim, url: string, delivery: Delivery): Promise<Answer> {
  const { headers, body } = sim.webhooks.toRequest(delivery, WEBHOOK_SECRET);
  const t = performance.now();
  try {
    const res = await fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t, replica: res.headers.get("x-replica") ?? url };
  } catch {
    return { status: 599, ms: performance.now() - t, replica: url };
  }
}

/** Alertmanager's side: POST a group to `url`. */
export async function postAlert(url: string, repo: string, payload: unknown): Promise<Answer & { body: unknown }> {
  const t = performance.now();
  try {
    const res = await fetch(`${url}/api/alerts/alertmanager?repo=${repo}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ALERTS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - t, replica: url, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: 599, ms: performance.now() - t, replica: url, body: undefined };
  }
}

/** Run `jobs` with at most `width` at once. */
export async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (i < jobs.length) {
        const k = i++;
        out[k] = await jobs[k]!();
      }
    }),
  );
  return out;
}

/** An Alertmanager group of its own, numbered. */
export function alertGroup(n: number, status: "firing" | "resolved" = "firing", extraAlert = false) {
  const alert = (instance: string) => ({
    status,
    labels: { alertname: `Errors${n}`, service: "checkout", severity: "critical", instance },
    annotations: { summary: `Error rate of shard ${n} above 5%` },
    startsAt: "2026-03-02T08:52:30Z",
    endsAt: status === "resolved" ? "2026-03-02T09:40:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example.com:9090/graph",
    fingerprint: `f${n}${instance.replace(/\D/g, "")}`,
  });
  return {
    version: "4",
    groupKey: `{}:{alertname="Errors${n}"}`,
    truncatedAlerts: 0,
    status,
    receiver: "incident-desk",
    groupLabels: { alertname: `Errors${n}` },
    commonLabels: { alertname: `Errors${n}`, service: "checkout", severity: "critical" },
    commonAnnotations: { summary: `Error rate of shard ${n} above 5%` },
    externalURL: "http://alertmanager.example.com:9093",
    alerts: extraAlert ? [alert("10.0.0.1:8080"), alert("10.0.0.2:8080")] : [alert("10.0.0.1:8080")],
  };
}

/** What people type on each incident, one line per round after it was opened (alice, /ack by bob). */
export const SCRIPT = [
  "/ack",
  "/sev 2",
  "Looking at the dashboards now.",
  "/update Rolling back the deploy",
  "/timeline 08:55 alert fired",
  "/status identified",
  "/commander @bob",
  "/mitigated",
  "/update Recovered",
];

export interface BurstOptions {
  sim: GitHubSim;
  repo: string;
  proxy: string;
  replicas: Replica[];
  incidents: number;
  /** Alert groups, each sent to every live replica at once (firing, then changed). */
  groups: number;
  /** Deliveries posted at once. */
  width: number;
  /** Every n-th delivery from people is also sent a second time at once (it goes to another replica). */
  duplicateEvery: number;
  /** Kill (SIGKILL) the last replica while this round's deliveries are in flight. */
  killAtRound?: number;
  /** Stop after about this many deliveries (rounds are cut short). */
  maxDeliveries?: number;
  onRound?: () => Promise<void>;
}

export interface Sent {
  delivery: Delivery;
  answer: Answer;
  people: boolean;
}

export interface BurstResult {
  sent: Sent[];
  alerts: (Answer & { body: unknown; group: number; phase: "firing" | "changed" })[];
  issues: number[];
  /** Comment ids with a delivery that went to the replica that was killed (its work may be lost). */
  lostComments: Set<number>;
  killed?: Replica;
  seconds: number;
  /** Rounds of SCRIPT carried out (fewer when `maxDeliveries` cut the burst short). */
  rounds: number;
}

/** The severity and status labels incident `i` of a burst must end with after `rounds` of SCRIPT. */
export function expectedLabels(i: number, rounds: number): string[] {
  const done = SCRIPT.slice(0, rounds);
  const severity = done.includes("/sev 2") || i % 2 === 1 ? "sev2" : "sev3";
  const status = done.includes("/mitigated") ? "status:mitigated" : done.includes("/status identified") ? "status:identified" : "status:investigating";
  return [severity, status];
}

export async function runBurst(o: BurstOptions): Promise<BurstResult> {
  const { sim, repo } = o;
  const sent: Sent[] = [];
  const alerts: BurstResult["alerts"] = [];
  const issues: number[] = [];
  const lostComments = new Set<number>();
  let killed: Replica | undefined;
  let peopleCount = 0;
  const started = performance.now();

  const flush = async (kill: boolean) => {
    const queue = sim.webhooks.take();
    const jobs: (() => Promise<void>)[] = [];
    for (const d of queue) {
      const people = (d.payload as { sender?: { type?: string } }).sender?.type !== "Bot";
      const copies = people && ++peopleCount % o.duplicateEvery === 0 ? 2 : 1;
      const one = async () => {
        const answer = await post(sim, o.proxy, d);
        sent.push({ delivery: d, answer, people });
        const commentId = (d.payload as { comment?: { id?: number } }).comment?.id;
        if (killed && answer.replica === killed.name && commentId !== undefined) lostComments.add(commentId);
      };
      // The copies of a duplicate go at the same moment (round robin sends them to two replicas).
      jobs.push(copies === 2 ? async () => void (await Promise.all([one(), one()])) : one);
    }
    const running = pool(jobs, o.width);
    if (kill) {
      await new Promise((r) => setTimeout(r, 40));
      killed = o.replicas[o.replicas.length - 1]!;
      await stopReplica(killed, "SIGKILL");
    }
    await running;
  };
  const sendAlerts = async (phase: "firing" | "changed") => {
    await pool(
      Array.from({ length: o.groups }, (_, g) => async () => {
        const live = o.replicas.filter((r) => r.alive);
        const answers = await Promise.all(live.map((r) => postAlert(r.url, repo, alertGroup(g, "firing", phase === "changed"))));
        for (const a of answers) alerts.push({ ...a, group: g, phase });
      }),
      Math.max(1, Math.floor(o.width / 3)),
    );
  };

  const alice = sim.as("alice");
  for (let i = 0; i < o.incidents; i++) {
    issues.push(
      i % 2 === 0
        ? alice.openIssue(repo, { title: `Checkout shard ${i} down`, labels: ["incident"] })
        : alice.openIssue(repo, { title: `Checkout shard ${i} down`, body: `/incident sev2\n\nShard ${i} answers 502.` }),
    );
  }
  alice.dispatch(repo, "incident", { title: "Payments queue backing up", severity: "sev2", key: "payments-queue" });
  await flush(false);
  let rounds = 0;
  for (let round = 0; round < SCRIPT.length; round++) {
    if (o.maxDeliveries !== undefined && sent.length >= o.maxDeliveries) break;
    rounds++;
    for (const n of issues) sim.as(SCRIPT[round] === "/ack" ? "bob" : "alice").comment(repo, n, SCRIPT[round]!);
    if (round === 1 && o.groups > 0) await sendAlerts("firing");
    if (round === 4 && o.groups > 0) await sendAlerts("changed");
    await flush(round === o.killAtRound);
    await o.onRound?.();
  }
  for (let i = 0; i < 30 && sim.webhooks.peek().length > 0; i++) await flush(false);
  return { sent, alerts, issues, lostComments, ...(killed ? { killed } : {}), seconds: (performance.now() - started) / 1000, rounds };
}
