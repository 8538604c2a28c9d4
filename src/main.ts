/**
 * The hosted app: `npm start`. Probot reads APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST, PORT and LOG_LEVEL from the environment (and `.env`); with no
 * credentials it serves its setup page, which registers the app from app.yml.
 *
 * Ours (src/cluster/settings.ts): REDIS_URL makes this process one replica of several sharing a
 * Redis. Probot is not given REDIS_URL: it would install ioredis with `npx` at start and queue
 * every installation's writes in one Bottleneck line; our coordination uses the declared ioredis.
 * SIGTERM and SIGINT stop gracefully: /healthz turns 503, no new connection is taken, work in
 * flight is finished (or, after SHUTDOWN_GRACE_MS, handed back), locks are released.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { run, type ApplicationFunctionOptions, type Probot } from "probot";
import incidentDesk from "./app.js";
import { useCoordination, type Coordination } from "./cluster/coordination.js";
import { DegradingCoordination } from "./cluster/degrading.js";
import { handBackDeliveries } from "./cluster/deliveries.js";
import { drained, inflight, stopTakingWork } from "./cluster/inflight.js";
import { RedisCoordination } from "./cluster/redis.js";
import { contentBudget, readServerSettings } from "./cluster/settings.js";
import { incidentOctokit } from "./github/octokit.js";
import { delayedWrites } from "./github/pacing.js";

// `.env` the way Probot's run() applies it, so that our settings see it too.
try {
  Object.assign(process.env, parseEnv(readFileSync(join(process.cwd(), ".env"), "utf8")));
} catch (error) {
  if ((error as { code?: string }).code !== "ENOENT") throw error;
}
const settings = readServerSettings(process.env);

let coordination: Coordination | undefined;
let log: Probot["log"] | undefined;

async function replica(app: Probot, options: ApplicationFunctionOptions): Promise<void> {
  log = app.log;
  if (settings.REDIS_URL) {
    const redis = new RedisCoordination(settings.REDIS_URL, { leaseMs: settings.LOCK_LEASE_MS, log: app.log });
    coordination = new DegradingCoordination(redis, app.log);
    useCoordination(coordination);
    try {
      await redis.connect();
      app.log.info("incident-desk: Redis reachable: pacing, locks and de-duplication are shared with the other replicas");
    } catch (error) {
      // Answering alone beats not answering; ioredis keeps trying and the replica rejoins.
      app.log.error(`incident-desk: Redis unreachable at start (${error instanceof Error ? error.message : String(error)}): this replica works alone until it is back`);
    }
  }
  incidentDesk(app, options);
}

const server = await run(replica, {
  Octokit: incidentOctokit({ writeSpacingMs: settings.WRITE_SPACING_MS, searchSpacingMs: settings.SEARCH_SPACING_MS, budget: contentBudget(settings) }),
  // Everything but REDIS_URL, read when Probot reads it (after it applied `.env`).
  env: new Proxy(process.env, { get: (env, name) => (name === "REDIS_URL" ? undefined : (Reflect.get(env, name) as string | undefined)) }),
});

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopTakingWork();
  const say = (msg: string) => (log ? log.info(msg) : console.info(msg));
  say(`incident-desk: ${signal}: stopping; ${inflight()} deliveries in flight`);
  const closed = server.stop().catch((error: unknown) => say(`incident-desk: closing the server: ${error instanceof Error ? error.message : String(error)}`));
  const finished = await drained(settings.SHUTDOWN_GRACE_MS);
  if (!finished) {
    const handed = await handBackDeliveries();
    log?.warn(`incident-desk: stopped with ${inflight()} deliveries unfinished after ${settings.SHUTDOWN_GRACE_MS} ms: ${handed} handed back (a redelivery or the next event does them)`);
  }
  const waiting = delayedWrites();
  if (waiting > 0) log?.warn(`incident-desk: ${waiting} writes delayed for GitHub's content budget are dropped; the next reconcile of their issues makes them`);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
  await coordination?.close();
  say("incident-desk: stopped");
  process.exit(0);
}
// Probot's own SIGINT handler exits at once; ours finishes the work first.
process.removeAllListeners("SIGINT");
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
