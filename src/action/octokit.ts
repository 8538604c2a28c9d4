import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";
import type { GitHub } from "../github/client.js";

/**
 * The Action's Octokit: @octokit/rest with retry (5xx, with growing waits) and throttling
 * (a 403/429 rate limit is waited out and retried). GITHUB_API_URL makes it work on GitHub
 * Enterprise Server and against the test simulator.
 *
 * Writes go one at a time but are not spaced by default: an Action run writes a handful of
 * things, far from GitHub's content limit (about 80 a minute), and when a limit is hit the
 * `retry-after` GitHub sends is honoured. The plugin's default 1 s spacing (3 s for writes that
 * notify people) would make a run with a dozen tickets take most of a minute.
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

const ActionOctokit = Octokit.plugin(retry, throttling);

export function buildOctokit(settings: OctokitSettings): GitHub {
  const maxWait = settings.maxRetryAfterS ?? 120;
  const warn = settings.log?.warn ?? (() => undefined);
  const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
    const again = retryCount < 3 && retryAfter <= maxWait;
    warn(`${kind} on ${options.method ?? ""} ${options.url ?? ""}: ${again ? `retrying in ${retryAfter}s` : "giving up"}`);
    return again;
  };
  const group = () => new Bottleneck.Group({ maxConcurrent: 1, minTime: settings.writeSpacingMs ?? 0 });
  return new ActionOctokit({
    auth: settings.token,
    baseUrl: settings.baseUrl.replace(/\/+$/, ""),
    userAgent: "incident-desk-action",
    // Octokit logs every failed request as an error, expected 404s included; the ones that matter
    // are thrown and fail the step, so the log stays quiet.
    log: { debug: () => undefined, info: () => undefined, warn, error: () => undefined },
    retry: { retryAfterBaseValue: settings.retryBaseMs ?? 1000 },
    throttle: {
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      onRateLimit: onLimit("rate limit"),
      write: group(),
      notifications: group(),
      // Searches keep the plugin's 2 s spacing (30 a minute), but in a queue of this run's own:
      // the plugin's shared queue would make a run wait for searches made by an earlier client.
      search: new Bottleneck.Group({ maxConcurrent: 1, minTime: settings.searchSpacingMs ?? 2000 }),
    },
    ...(settings.fetch ? { request: { fetch: settings.fetch } } : {}),
  }) as unknown as GitHub;
}
