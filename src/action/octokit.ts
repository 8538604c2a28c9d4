import { Octokit } from "@octokit/rest";
import type { GitHub } from "../github/client.js";
import { pacing, type PacingOptions } from "../github/pacing.js";

/**
 * The Action's Octokit: @octokit/rest with the same pacing plugin as the app (5xx retried with
 * growing waits, a 403/429 rate limit waited out and retried, searches spaced). GITHUB_API_URL makes it work on GitHub
 * Enterprise Server and against the test simulator.
 *
 * Writes go one at a time but are not spaced by default: an Action run writes a handful of
 * things, far from GitHub's content limit (about 80 a minute), and when a limit is hit the
 * `retry-after` GitHub sends is honoured. The app's 1 s spacing would make a run with a dozen
 * tickets take a long while for nothing.
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
  /** For tests: an in-process fetch. */
  fetch?: typeof fetch;
  log?: { warn: (message: string) => void; info?: (message: string) => void };
}

const ActionOctokit = Octokit.plugin(pacing);

export function buildOctokit(settings: OctokitSettings): GitHub {
  const warn = settings.log?.warn ?? (() => undefined);
  const options: PacingOptions = {
    writeSpacingMs: settings.writeSpacingMs ?? 0,
    searchSpacingMs: settings.searchSpacingMs ?? 2000,
    ...(settings.retryBaseMs !== undefined ? { retryBaseMs: settings.retryBaseMs } : {}),
    ...(settings.maxRetryAfterS !== undefined ? { maxRetryAfterS: settings.maxRetryAfterS } : {}),
  };
  return new ActionOctokit({
    auth: settings.token,
    baseUrl: settings.baseUrl.replace(/\/+$/, ""),
    userAgent: "incident-desk-action",
    // Octokit logs every failed request as an error, expected 404s included; the ones that matter
    // are thrown and fail the step, so the log stays quiet.
    log: { debug: () => undefined, info: () => undefined, warn, error: () => undefined },
    pacing: options,
    ...(settings.fetch ? { request: { fetch: settings.fetch } } : {}),
  }) as unknown as GitHub;
}
