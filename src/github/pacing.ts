import type { Octokit } from "@octokit/core";
import { coordination as currentCoordination, type Coordination, type SpendWindow } from "../cluster/coordination.js";

/**
 * An Octokit plugin that keeps incident-desk within GitHub's limits, per installation (GitHub
 * counts its limits per installation, whatever the client and however many replicas):
 *
 * - writes wait their turn, one at a time, spaced `writeSpacingMs` apart (default 1 s, as GitHub
 *   asks of mutating requests), and searches `searchSpacingMs` apart (default 2 s: 30 a minute);
 * - a secondary rate limit (403 or 429 with `retry-after`, or GitHub's "secondary rate limit"
 *   message) and an exhausted primary limit (`x-ratelimit-remaining: 0`) are waited out and the
 *   request retried, up to `maxRetries` times and only when the wait is at most `maxRetryAfterS`;
 *   while one request waits, the installation's other requests wait too (GitHub asks for none
 *   until `retry-after` has passed);
 * - 500, 502, 503 and 504 are retried after `retryBaseMs` × 1, 4, 9;
 * - with `budget`, content creation (POST) stays within GitHub's content limits (80 a minute,
 *   500 an hour): when little is left, the card and replies go first and the cosmetic writes
 *   (labels, assignees, reactions) are delayed, logged, noted on the card, and sent when the
 *   budget allows; then `onDelayedSent` is told, so that the app can reconcile the issue.
 *
 * Gates, pauses and the budget live in the process's coordination (src/cluster/coordination.ts):
 * in memory, or shared by the replicas through Redis. The plugin replaces
 * @octokit/plugin-throttling and plugin-retry: their default spacing of writes (1 s, 3 s for those
 * that notify people) makes a run of the Action that opens 30 tickets take minutes (bench/client.ts
 * measures both), they keep no content budget, and their Redis mode shares one write queue between
 * every installation of the app.
 */
export interface PacingOptions {
  writeSpacingMs?: number;
  searchSpacingMs?: number;
  retryBaseMs?: number;
  maxRetries?: number;
  maxRetryAfterS?: number;
  /** GitHub's content-creation limits and how much of them cosmetic writes may use. Off by default (the Action writes a handful). */
  budget?: ContentBudget;
  /** Default: the process's coordination, read at each request. */
  coordination?: Coordination;
  /** Longest wait between two looks at the budget for delayed writes (default 60 s). */
  recheckMs?: number;
  /** How waits are waited (default: a timer; tests inject a clock that only moves on). */
  sleep?: (ms: number) => Promise<void>;
}

export interface ContentBudget {
  perMinute: number;
  perHour: number;
  /**
   * Cosmetic writes go only while more than this is left of the minute's budget… (With nothing
   * kept, as in the Action, no write is delayed: every one waits its turn.)
   */
  keepMinute: number;
  /** …and of the hour's: the rest is kept for cards and replies. */
  keepHour: number;
}

export const GITHUB_CONTENT_BUDGET: ContentBudget = { perMinute: 80, perHour: 500, keepMinute: 10, keepHour: 100 };

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
export function accountOf(auth: unknown): string {
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

/**
 * The route's path: a template for requests made through `octokit.rest.*`, a full URL for the
 * pages `octokit.paginate` asks for (their origin and GitHub Enterprise's `/api/v3` taken off).
 */
export const routePath = (url: string) =>
  url
    .replace(/^https?:\/\/[^/]+/, "")
    .replace(/^\/api\/v3(?=\/)/, "")
    .replace(/\?.*$/, "");

/** Writes whose only purpose is how the issue looks: they wait when the content budget is short. */
const COSMETIC = [
  /^\/repos\/[^/]+\/[^/]+\/labels$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/labels$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/assignees$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/(comments\/)?[^/]+\/reactions$/,
];

/** Content creation as GitHub counts it for its 80-a-minute and 500-an-hour limits: what a POST makes. */
const createsContent = (method: string, url: string) => method === "POST" && !url.startsWith("/app/installations");

/** The card's hidden marker (src/incident/card.ts): the card tells readers what is delayed. */
const CARD_MARKER = "<!-- incident-desk:card -->";
const MAX_BODY = 65_536;

export const delayedNote = (count: number) =>
  `\n\n> [!NOTE]\n> GitHub's content budget for this installation is nearly spent: ${count} label, assignee or reaction change${count === 1 ? " waits" : "s wait"} and will follow; this card and replies go first.`;

interface Delayed {
  what: string;
  send: () => Promise<unknown>;
  url: string;
}

/** Cosmetic writes delayed for lack of budget, per account, in order (this process's). */
const delayed = new Map<string, Delayed[]>();

/** Called after a delayed write was sent: src/app.ts reconciles the issue (its labels may have moved on meanwhile). */
type DelayedSent = (account: string, path: string) => void;
let onDelayedSent: DelayedSent | undefined;
export function whenDelayedSent(listener: DelayedSent | undefined): void {
  onDelayedSent = listener;
}

/** How many cosmetic writes wait for budget in this process (the log at shutdown says so). */
export function delayedWrites(): number {
  let n = 0;
  for (const list of delayed.values()) n += list.length;
  return n;
}

export function pacing(octokit: Octokit, octokitOptions: object): Record<string, never> {
  const o = (octokitOptions as { pacing?: PacingOptions }).pacing ?? {};
  const writeSpacing = o.writeSpacingMs ?? 1000;
  const searchSpacing = o.searchSpacingMs ?? 2000;
  const retryBase = o.retryBaseMs ?? 1000;
  const maxRetries = o.maxRetries ?? 3;
  const maxWait = o.maxRetryAfterS ?? 120;
  const budget = o.budget;
  const recheck = o.recheckMs ?? 60_000;
  const sleep = o.sleep ?? timer;
  const delays = budget !== undefined && (budget.keepMinute > 0 || budget.keepHour > 0);
  const client = accountOf((octokitOptions as { auth?: unknown }).auth);
  const coordinate = () => o.coordination ?? currentCoordination();
  const full: SpendWindow[] = budget ? [{ ms: 60_000, limit: budget.perMinute }, { ms: 3_600_000, limit: budget.perHour }] : [];
  const cosmeticShare: SpendWindow[] = budget
    ? [{ ms: 60_000, limit: budget.perMinute - budget.keepMinute }, { ms: 3_600_000, limit: budget.perHour - budget.keepHour }]
    : [];

  /** Send cosmetic writes delayed for `account` as the budget allows, in order. */
  const drain = async (account: string) => {
    for (;;) {
      const list = delayed.get(account);
      const next = list?.[0];
      if (!list || !next) {
        delayed.delete(account);
        return;
      }
      const spent = await coordinate().spend(`content ${account}`, cosmeticShare);
      if (!spent.ok) {
        await sleep(Math.min(spent.waitMs, recheck));
        continue;
      }
      list.shift();
      try {
        await next.send();
        octokit.log.info(`incident-desk: delayed ${next.what} sent`);
        onDelayedSent?.(account, next.url);
      } catch (error) {
        octokit.log.warn(`incident-desk: delayed ${next.what} failed (${error instanceof Error ? error.message : String(error)}); the next reconcile of the issue makes it`);
      }
    }
  };

  octokit.hook.wrap("request", async (request, options) => {
    const method = options.method.toUpperCase();
    const url = routePath(String(options.url));
    const isWrite = method !== "GET" && method !== "HEAD" && !url.startsWith("/app/installations");
    const isSearch = url.startsWith("/search/");
    const account = String((options.headers as Record<string, unknown> | undefined)?.authorization ?? client);
    const coordination = coordinate();
    const send = async (): Promise<Awaited<ReturnType<typeof request>>> => {
      for (let attempt = 0; ; attempt++) {
        // Someone of this installation is waiting out a rate limit (another replica, maybe): wait too.
        if (!isWrite && !isSearch) {
          const paused = await coordination.pausedFor(account);
          if (paused > 0) await sleep(paused);
        }
        try {
          return await request(options);
        } catch (error) {
          const e = error as HttpError;
          const what = `${method} ${url}`;
          const wait = rateLimitWait(e);
          if (wait !== undefined) {
            if (attempt >= maxRetries || wait > maxWait) {
              octokit.log.warn(`rate limited on ${what}: giving up (retry-after ${wait}s)`);
              throw error;
            }
            octokit.log.warn(`rate limited on ${what}: retrying in ${wait}s`);
            await coordination.pause(account, wait * 1000);
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
    if (isSearch) return coordination.gate(`search ${account}`, searchSpacing, send, { pauseKey: account });
    if (!isWrite) return send();

    const template = COSMETIC.some((re) => re.test(url));
    if (budget && createsContent(method, url)) {
      const key = `content ${account}`;
      if (template && delays) {
        const spent = await coordination.spend(key, cosmeticShare);
        if (!spent.ok) {
          const concrete = octokit.request.endpoint.parse(options).url.replace(/^https?:\/\/[^/]+(\/api\/v3)?/, "");
          const what = `${method} ${concrete}`;
          const list = delayed.get(account) ?? [];
          list.push({ what, url: concrete, send: () => coordination.gate(`write ${account}`, writeSpacing, send, { pauseKey: account, priority: 1 }) });
          if (!delayed.has(account)) {
            delayed.set(account, list);
            void drain(account);
          }
          octokit.log.warn(
            `incident-desk: GitHub's content budget of ${account} is nearly spent: ${what} is delayed (${list.length} waiting); cards and replies go first`,
          );
          return { status: 202, url: concrete, headers: { "x-incident-desk-delayed": "content budget" }, data: {} } as never;
        }
      } else {
        for (;;) {
          const spent = await coordination.spend(key, full);
          if (spent.ok) break;
          octokit.log.warn(`incident-desk: GitHub's content budget of ${account} is spent: ${method} ${url} waits ${Math.ceil(spent.waitMs / 1000)}s`);
          await sleep(spent.waitMs);
        }
      }
    }
    // The card says what waits for budget, while anything does.
    const waiting = delayed.get(account)?.length ?? 0;
    const body = (options as { body?: unknown }).body;
    if (waiting > 0 && typeof body === "string" && body.includes(CARD_MARKER)) {
      const note = delayedNote(waiting);
      // In place: Octokit's inner hooks (auth) hold this very object, not what is passed on.
      if (body.length + note.length <= MAX_BODY) (options as { body?: string }).body = body + note;
    }
    return coordination.gate(`write ${account}`, writeSpacing, send, { pauseKey: account, priority: template ? 1 : 0 });
  });
  return {};
}
