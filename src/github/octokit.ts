import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

/**
 * How incident-desk's Octokit paces itself against GitHub's limits.
 *
 * - Writes go one at a time, spaced (the throttling plugin's default is 1 s, GitHub's advice for
 *   content creation, which is limited to about 80 a minute). With `REDIS_URL` Probot shares this
 *   queue between replicas.
 * - A secondary rate limit (403 + `retry-after`) is waited out and retried, up to three times and
 *   only when the wait is short; beyond that the request fails and the next event reconciles.
 * - 5xx answers are retried three times with growing waits (plugin-retry).
 */
export interface Pacing {
  /**
   * Milliseconds between two writes, and between two writes that notify people (comments, issues);
   * and between two searches; leave unset for the plugin's 1 s, 3 s and 2 s, which follow GitHub's
   * advice for real traffic. Tests and the demo against the simulator set 0.
   */
  writeSpacingMs?: number;
  /** Base of plugin-retry's quadratic back-off, in ms (default 1000: 1 s, 4 s, 9 s). */
  retryBaseMs?: number;
  /** The longest `retry-after` (s) worth waiting for inside one delivery or run. */
  maxRetryAfterS?: number;
}

type LimitHandler = (retryAfter: number, options: { method: string; url: string }, octokit: { log: { warn: (m: string) => void } }, retryCount: number) => boolean;

export function octokitOptions(pacing: Pacing = {}) {
  const maxWait = pacing.maxRetryAfterS ?? 120;
  const onLimit =
    (kind: string): LimitHandler =>
    (retryAfter, options, octokit, retryCount) => {
      const retry = retryCount < 3 && retryAfter <= maxWait;
      octokit.log.warn(`${kind} on ${options.method} ${options.url}: ${retry ? `retrying in ${retryAfter}s` : "giving up"}`);
      return retry;
    };
  return {
    retry: { retryAfterBaseValue: pacing.retryBaseMs ?? 1000 },
    throttle: {
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      onRateLimit: onLimit("rate limit"),
      ...(pacing.writeSpacingMs !== undefined
        ? {
            write: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.writeSpacingMs }),
            notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.writeSpacingMs }),
            search: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.writeSpacingMs }),
          }
        : {}),
    },
  };
}

/**
 * Probot's Octokit (retry, throttling, pagination, REST methods, config) with our pacing. Probot
 * passes its own `throttle` (whose secondary-limit handler never retries, and the Redis connection
 * when `REDIS_URL` is set) with every instance, so ours are merged over it here rather than given
 * as plain defaults, which Probot's would replace.
 */
export function incidentOctokit(pacing: Pacing = {}): typeof ProbotOctokit {
  const ours = octokitOptions(pacing);
  return ProbotOctokit.defaults((instance: Record<string, unknown> = {}) => ({
    ...instance,
    retry: { ...ours.retry, ...(instance.retry as object | undefined) },
    throttle: { ...(instance.throttle as object | undefined), ...ours.throttle },
  })) as typeof ProbotOctokit;
}
