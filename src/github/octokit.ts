import { ProbotOctokit } from "probot";
import { pacing, type PacingOptions } from "./pacing.js";

export type Pacing = PacingOptions;

const PacedOctokit = ProbotOctokit.plugin(pacing);

/**
 * Probot's Octokit (pagination, REST methods, config, auth) with our pacing plugin in place of
 * the throttling and retry plugins (see pacing.ts). With REDIS_URL, Probot hands every instance a
 * Redis connection for the throttling plugin: then that plugin stays on, so that several replicas
 * share one queue, and ours only retries.
 */
export function incidentOctokit(options: Pacing = {}): typeof ProbotOctokit {
  return PacedOctokit.defaults((instance: Record<string, unknown> = {}) => {
    const throttle = (instance.throttle ?? {}) as Record<string, unknown>;
    const clustered = throttle.connection !== undefined;
    return {
      ...instance,
      pacing: clustered ? { ...options, writeSpacingMs: 0, searchSpacingMs: 0 } : options,
      retry: { enabled: false },
      throttle: clustered
        ? {
            ...throttle,
            // Ours retries rate limits; the plugin only queues.
            onSecondaryRateLimit: () => false,
            onRateLimit: () => false,
          }
        : { ...throttle, enabled: false },
    };
  }) as typeof ProbotOctokit;
}
