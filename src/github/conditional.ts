import type { Octokit } from "@octokit/core";
import { coordination as currentCoordination, type Coordination } from "../cluster/coordination.js";
import { accountOf, routePath } from "./pacing.js";

/**
 * Conditional requests: reads of things that rarely change between two deliveries are sent with
 * the ETag of the last answer (`If-None-Match`); GitHub answers `304 Not Modified` without a body
 * and does not count it against the rate limit, and the remembered answer is used. The cache is
 * per installation (what one may read is not what another may) and lives in the process's
 * coordination: in memory, or shared by the replicas through Redis.
 *
 * Cached: the configuration file (and any file read through the contents API), a user's
 * permission, the repository's labels, the app's installation on a repository, the issue and its
 * timeline (unchanged on duplicate deliveries and alert redeliveries), the repository's issue
 * listings (change risk lists the open incidents, problems and cause pull requests on every pull
 * request event) and a commit's check runs (change risk looks its run up before writing).
 *
 * A file that does not exist has no ETag: its 404 is asked again each time (and counted), so that
 * a configuration added meanwhile is used at the next event. A repository that commits a
 * `.github/incidents.yml`, even an empty one, reads its configuration for free.
 */
export interface ConditionalOptions {
  /** How long an answer is remembered. */
  ttlMs?: number;
  /** Larger answers (a long timeline page) are not remembered. */
  maxChars?: number;
  coordination?: Coordination;
}

const CACHED = [
  /^\/repos\/[^/]+\/[^/]+\/contents\/.+$/,
  /^\/repos\/[^/]+\/[^/]+\/collaborators\/[^/]+\/permission$/,
  /^\/repos\/[^/]+\/[^/]+\/labels$/,
  /^\/repos\/[^/]+\/[^/]+\/installation$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/timeline$/,
  /^\/repos\/[^/]+\/[^/]+\/issues$/,
  /^\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/check-runs$/,
  /^\/repos\/[^/]+\/[^/]+\/pulls\/[^/]+$/,
];

interface Remembered {
  etag: string;
  url: string;
  headers: Record<string, string>;
  data: unknown;
}

/** What of the answer's headers the callers use (pagination reads `link`). */
const KEPT_HEADERS = ["link", "content-type", "etag", "last-modified"];

export function conditionalRequests(octokit: Octokit, octokitOptions: object): Record<string, never> {
  const o = (octokitOptions as { conditional?: ConditionalOptions | false }).conditional;
  if (!o) return {};
  const ttl = o.ttlMs ?? 3_600_000;
  const maxChars = o.maxChars ?? 256 * 1024;
  const client = accountOf((octokitOptions as { auth?: unknown }).auth);
  octokit.hook.wrap("request", async (request, options) => {
    const template = routePath(String(options.url));
    if (options.method.toUpperCase() !== "GET" || !CACHED.some((re) => re.test(template))) return request(options);
    const coordination = o.coordination ?? currentCoordination();
    const headers = options.headers as typeof options.headers & Record<string, string | undefined>;
    const account = String(headers.authorization ?? client);
    const parsed = octokit.request.endpoint.parse(options);
    const key = `etag ${account} ${parsed.headers.accept ?? ""} ${parsed.url}`;
    let remembered: Remembered | undefined;
    try {
      const raw = await coordination.get(key);
      remembered = raw ? (JSON.parse(raw) as Remembered) : undefined;
    } catch {
      remembered = undefined;
    }
    // In place: Octokit's inner hooks (pacing, auth) hold this very object, not what is passed on.
    if (remembered) headers["if-none-match"] = remembered.etag;
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      if (etag && response.status === 200) {
        const kept = Object.fromEntries(KEPT_HEADERS.flatMap((h) => (response.headers[h] !== undefined ? [[h, String(response.headers[h])]] : [])));
        const text = JSON.stringify({ etag, url: response.url, headers: kept, data: response.data } satisfies Remembered);
        if (text.length <= maxChars) await coordination.set(key, text, ttl).catch(() => undefined);
      }
      return response;
    } catch (error) {
      if ((error as { status?: number }).status !== 304 || !remembered) throw error;
      const fresh = (error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {};
      // Not modified: the remembered answer (parsed afresh from text, so callers may change it),
      // with this answer's rate-limit headers.
      return { status: 200, url: remembered.url, headers: { ...fresh, ...remembered.headers }, data: remembered.data } as never;
    }
  });
  return {};
}
