import { ProbotOctokit } from "probot";
import { conditionalRequests, type ConditionalOptions } from "./conditional.js";
import { GITHUB_CONTENT_BUDGET, pacing, type PacingOptions } from "./pacing.js";

export interface AppOctokitOptions extends PacingOptions {
  /** Conditional requests (ETags): on by default; `false` turns them off. */
  conditional?: ConditionalOptions | false;
}

const AppOctokit = ProbotOctokit.plugin(pacing, conditionalRequests);

/**
 * Probot's Octokit (pagination, REST methods, config, auth) with our pacing plugin in place of
 * the throttling and retry plugins (see pacing.ts), GitHub's content budget, and conditional
 * requests (conditional.ts). Both share their state with the other replicas through the process's
 * coordination when REDIS_URL is set (src/main.ts), so Probot's own throttling stays off, even if
 * Probot was handed a Redis connection: it would queue every installation's writes in one line.
 */
export function incidentOctokit(options: AppOctokitOptions = {}): typeof ProbotOctokit {
  const { conditional = {}, ...paced } = options;
  return AppOctokit.defaults((instance: Record<string, unknown> = {}) => {
    const throttle = (instance.throttle ?? {}) as Record<string, unknown>;
    return {
      ...instance,
      pacing: { budget: GITHUB_CONTENT_BUDGET, ...paced },
      conditional,
      retry: { enabled: false },
      throttle: { ...throttle, enabled: false },
    };
  });
}
