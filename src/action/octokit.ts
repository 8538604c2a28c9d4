import { getOctokit } from "@actions/github";
import { InProcessCoordination, type Coordination } from "../cluster/coordination.js";
import type { GitHub } from "../github/client.js";
import { GITHUB_CONTENT_BUDGET, pacing, type PacingOptions } from "../github/pacing.js";

/**
 * The Action's Octokit: `getOctokit` from @actions/github, as other Actions build theirs (the
 * runner's HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured; GITHUB_API_URL makes it work on
 * GitHub Enterprise Server and against the test simulator), with the app's pacing plugin
 * (src/github/pacing.ts) rather than @octokit/plugin-retry and plugin-throttling: 5xx retried with
 * growing waits, a 403/429 rate limit waited out and retried, searches spaced, and GitHub's
 * content budget (80 content-creating requests a minute, 500 an hour) kept. bench/client.ts
 * measures both; README "The Action's GitHub client" gives the figures behind the choice.
 *
 * Writes go one at a time but are not spaced by default: an Action run writes a handful of
 * things, and the content budget, not a fixed spacing, is what GitHub counts. When a limit is hit
 * the `retry-after` GitHub sends is honoured.
 */
export interface OctokitSettings {
  token: string;
  baseUrl: string;
  /** Milliseconds between two writes (default 0). */
  writeSpacingMs?: number;
  /** Milliseconds between two searches (default 2000: GitHub allows 30 a minute). */
  searchSpacingMs?: number;
  /** Base of the quadratic back-off after a 5xx, in ms (default 1000: waits 1 s, 4 s, 9 s). */
  retryBaseMs?: number;
  /** The longest `retry-after` worth waiting for within one run, in seconds. */
  maxRetryAfterS?: number;
  /** For tests: an in-process fetch (it replaces the proxy-aware one). */
  fetch?: typeof fetch;
  /** For tests: the content budget's and the pauses' clock (default: the run's own, real time). */
  coordination?: Coordination;
  sleep?: (ms: number) => Promise<void>;
  log?: { warn: (message: string) => void; info?: (message: string) => void };
}

/**
 * In the Action nothing is kept back for cards: a write delayed for budget would be lost when the
 * run ends, so every content-creating request waits its turn instead.
 */
const ACTION_BUDGET = { ...GITHUB_CONTENT_BUDGET, keepMinute: 0, keepHour: 0 };

export function buildOctokit(settings: OctokitSettings): GitHub {
  const warn = settings.log?.warn ?? (() => undefined);
  const options: PacingOptions = {
    writeSpacingMs: settings.writeSpacingMs ?? 0,
    searchSpacingMs: settings.searchSpacingMs ?? 2000,
    budget: ACTION_BUDGET,
    ...(settings.retryBaseMs !== undefined ? { retryBaseMs: settings.retryBaseMs } : {}),
    ...(settings.maxRetryAfterS !== undefined ? { maxRetryAfterS: settings.maxRetryAfterS } : {}),
    // Its own, as a run is a process of its own: budget and pauses are the run's.
    coordination: settings.coordination ?? new InProcessCoordination(),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  };
  const octokit = getOctokit(
    settings.token,
    {
      // Explicit, though getOctokit reads GITHUB_API_URL too: it reads it once, when loaded.
      baseUrl: settings.baseUrl.replace(/\/+$/, ""),
      userAgent: "incident-desk-action",
      // Octokit logs every failed request as an error, expected 404s included; the ones that matter
      // are thrown and fail the step, so the log stays quiet but for the pacing's waits.
      log: { debug: () => undefined, info: () => undefined, warn, error: () => undefined },
      pacing: options,
      // `request` replaces getOctokit's (its proxy-aware fetch): only tests pass one.
      ...(settings.fetch ? { request: { fetch: settings.fetch } } : {}),
    },
    pacing,
  );
  return octokit;
}
