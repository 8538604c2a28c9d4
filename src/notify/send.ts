import { createHmac } from "node:crypto";
import type { Config, NotificationChannel } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { IncidentState } from "../incident/state.js";
import { wants, type NotificationEvent } from "./events.js";
import { jsonBody, slackBody, teamsBody } from "./format.js";

/**
 * Delivering to the channels: each request has a timeout, failures (network, timeout, 429, 5xx)
 * are retried a bounded number of times with growing waits, and nothing here ever throws: a
 * channel that is down is logged and the incident work goes on. Sends run in the background;
 * `settleNotifications()` waits for them (the Action, before its process exits; tests).
 *
 * Order: the sends to one channel about one incident form one queue in this process, whichever
 * deliveries caused them. An /update handled while the declaration is still being retried waits
 * for it, so a channel never hears of an update before the incident it belongs to (nor a
 * resolution before the update that preceded it). Different channels and incidents do not wait
 * for each other.
 */
export interface SendOptions {
  log: Logger;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
  backoffMs?: number;
}

export const SIGNATURE_HEADER = "X-Incident-Desk-Signature-256";

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Delivery limits: timeout per attempt, attempts after the first, first wait between them. */
export const notificationLimits = { timeoutMs: 5_000, retries: 2, backoffMs: 500 };

const pending = new Set<Promise<void>>();
/** The last send queued per channel and incident. */
const queues = new Map<string, Promise<void>>();

/** Wait for every notification in flight. */
export async function settleNotifications(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

const channelName = (c: NotificationChannel) => c.name ?? c.url_env;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(url: string, body: string, headers: Record<string, string>, opts: Required<Omit<SendOptions, "env" | "log">>): Promise<string | undefined> {
  let problem = "";
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) await sleep(opts.backoffMs * 2 ** (attempt - 1));
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json; charset=utf-8", ...headers }, body, signal: AbortSignal.timeout(opts.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return undefined;
      problem = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) return problem;
    } catch (error) {
      problem = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${opts.timeoutMs} ms` : error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
  }
  return `${problem} (after ${opts.retries + 1} attempts)`;
}

async function deliver(channel: NotificationChannel, state: IncidentState, event: NotificationEvent, config: Config, options: SendOptions): Promise<void> {
  const env = options.env ?? process.env;
  const url = env[channel.url_env];
  const name = channelName(channel);
  if (!url) {
    options.log.warn(`incident-desk: notification channel ${name}: ${channel.url_env} is not set; ${event.event} for ${state.repo}#${state.number} not sent`);
    return;
  }
  const headers: Record<string, string> = { "X-Incident-Desk-Event": event.event, "X-Incident-Desk-Delivery": event.key };
  let body: string;
  const severityIndex = config.severities.findIndex((s) => s.name === state.severity);
  if (channel.format === "slack") {
    body = JSON.stringify(slackBody(state, event, severityIndex));
  } else if (channel.format === "teams") {
    body = JSON.stringify(teamsBody(state, event, severityIndex));
  } else {
    body = JSON.stringify(jsonBody(state, event));
    if (channel.secret_env) {
      const secret = env[channel.secret_env];
      if (!secret) {
        // Unsigned, the receiver would (rightly) refuse it.
        options.log.warn(`incident-desk: notification channel ${name}: ${channel.secret_env} is not set; nothing sent unsigned`);
        return;
      }
      headers[SIGNATURE_HEADER] = sign(body, secret);
    }
  }
  const problem = await post(url, body, headers, {
    timeoutMs: options.timeoutMs ?? notificationLimits.timeoutMs,
    retries: options.retries ?? notificationLimits.retries,
    backoffMs: options.backoffMs ?? notificationLimits.backoffMs,
  });
  if (problem) options.log.warn(`incident-desk: notification channel ${name} failed for ${state.repo}#${state.number} (${event.event}): ${problem}`);
}

/** Start sending the events each channel wants; returns at once. */
export function sendNotifications(config: Config, state: IncidentState, events: NotificationEvent[], options: SendOptions): void {
  for (const channel of config.notifications) {
    const wanted = events.filter((e) => wants(channel, e, state, config));
    if (wanted.length === 0) continue;
    // In order per channel and incident (declared before its first update), behind what an
    // earlier delivery queued there; channels and incidents side by side.
    const key = [channel.name ?? "", channel.url_env, channel.format, state.repo.toLowerCase(), state.number].join("\n");
    const before = queues.get(key) ?? Promise.resolve();
    const run = before
      .then(async () => {
        for (const event of wanted) await deliver(channel, state, event, config, options);
      })
      .catch((error: unknown) => options.log.error(`incident-desk: notification channel ${channelName(channel)}: ${String(error)}`));
    queues.set(key, run);
    pending.add(run);
    void run.finally(() => {
      pending.delete(run);
      if (queues.get(key) === run) queues.delete(key);
    });
  }
}
