import type { Octokit } from "@octokit/core";

/**
 * An Octokit plugin that keeps incident-desk within GitHub's limits, with little overhead:
 *
 * - writes wait their turn, spaced `writeSpacingMs` apart (default 1 s: GitHub limits content
 *   creation to about 80 a minute), and searches `searchSpacingMs` apart (default 2 s: 30 a minute);
 * - a secondary rate limit (403 or 429 with `retry-after`, or GitHub's "secondary rate limit"
 *   message) and an exhausted primary limit (`x-ratelimit-remaining: 0`) are waited out and the
 *   request retried, up to `maxRetries` times and only when the wait is at most `maxRetryAfterS`;
 * - 500, 502, 503 and 504 are retried after `retryBaseMs` × 1, 4, 9.
 *
 * It replaces @octokit/plugin-throttling and plugin-retry for a single process: their Bottleneck
 * queues cost about 2 ms of CPU and 10 ms of waiting per request (measured in bench/). Probot keeps
 * its throttling plugin when REDIS_URL is set, to share the queues between replicas.
 */
export interface PacingOptions {
  writeSpacingMs?: number;
  searchSpacingMs?: number;
  retryBaseMs?: number;
  maxRetries?: number;
  maxRetryAfterS?: number;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Requests of one kind for one account go one at a time, and start at least `spacing` ms after
 * the previous one ended: GitHub asks for serial writes per account, and counts its limits per
 * account whatever the client. Accounts are told apart by their token.
 */
class Gate {
  #tail: Promise<void> = Promise.resolve();
  #last = -Infinity;

  async run<T>(spacing: number, work: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => (release = resolve));
    try {
      await previous;
      // A monotonic clock: a wall clock set back (NTP, a test's fake Date) must not stall writes.
      const wait = this.#last + spacing - performance.now();
      if (wait > 0) await sleep(wait);
      return await work();
    } finally {
      this.#last = performance.now();
      release();
    }
  }
}

/**
 * One gate per account and kind, kept while the process lives (a few per installation): an idle
 * gate still remembers when its last request ended, so that the next write, even one that comes
 * long after it was queued alone, keeps the spacing.
 */
const gates = new Map<string, Gate>();

async function through<T>(key: string, spacing: number, work: () => Promise<T>): Promise<T> {
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new Gate()));
  return gate.run(spacing, work);
}

interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/** Seconds to wait before retrying, or undefined when the error is not a rate limit. */
export function rateLimitWait(error: HttpError, now = Date.now()): number | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  const headers = error.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers["retry-after"] !== undefined) return retryAfter;
  if (/secondary rate limit/i.test(error.message ?? "")) return 60;
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]) * 1000;
    return Number.isFinite(reset) ? Math.max(0, Math.ceil((reset - now) / 1000) + 1) : undefined;
  }
  return undefined;
}

/**
 * Who a client's requests count against. The auth strategy sets the `authorization` header in a
 * hook inside this one, so the header is not there yet: the client's auth options tell instead
 * (Probot's installation clients carry `installationId`; the Action's is a token).
 */
function accountOf(auth: unknown): string {
  if (typeof auth === "string") return `token ${auth}`;
  if (auth && typeof auth === "object") {
    const { installationId, token, appId } = auth as { installationId?: unknown; token?: unknown; appId?: unknown };
    if (installationId !== undefined && installationId !== null) return `installation ${String(installationId)}`;
    if (typeof token === "string") return `token ${token}`;
    if (appId !== undefined && appId !== null) return `app ${String(appId)}`;
  }
  return "anonymous";
}

const RETRIED_STATUSES = new Set([500, 502, 503, 504]);

export function pacing(octokit: Octokit, octokitOptions: object): Record<string, never> {
  const o = (octokitOptions as { pacing?: PacingOptions }).pacing ?? {};
  const writeSpacing = o.writeSpacingMs ?? 1000;
  const searchSpacing = o.searchSpacingMs ?? 2000;
  const retryBase = o.retryBaseMs ?? 1000;
  const maxRetries = o.maxRetries ?? 3;
  const maxWait = o.maxRetryAfterS ?? 120;
  const client = accountOf((octokitOptions as { auth?: unknown }).auth);
  octokit.hook.wrap("request", async (request, options) => {
    const method = options.method.toUpperCase();
    const isWrite = method !== "GET" && method !== "HEAD" && !String(options.url).startsWith("/app/installations");
    const isSearch = String(options.url).startsWith("/search/");
    const account = String((options.headers as Record<string, unknown> | undefined)?.authorization ?? client);
    // The retries happen inside the gate: while a write waits out a rate limit or a 5xx, the
    // account's other writes wait behind it (GitHub asks for no requests until retry-after has
    // passed) and go out after it, in their order.
    const send = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(options);
        } catch (error) {
          const e = error as HttpError;
          const what = `${method} ${options.url}`;
          const wait = rateLimitWait(e);
          if (wait !== undefined) {
            if (attempt >= maxRetries || wait > maxWait) {
              octokit.log.warn(`rate limited on ${what}: giving up (retry-after ${wait}s)`);
              throw error;
            }
            octokit.log.warn(`rate limited on ${what}: retrying in ${wait}s`);
            await sleep(wait * 1000);
            continue;
          }
          if (e.status !== undefined && RETRIED_STATUSES.has(e.status) && attempt < maxRetries) {
            await sleep(retryBase * (attempt + 1) ** 2);
            continue;
          }
          throw error;
        }
      }
    };
    if (isWrite) return through(`write ${account}`, writeSpacing, send);
    if (isSearch) return through(`search ${account}`, searchSpacing, send);
    return send();
  });
  return {};
}
