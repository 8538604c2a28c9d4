// Injected faults, secondary rate limits, the content-creation limit and primary rate-limit headers.
export interface FaultRule {
  method?: string;
  /** Path template ("/repos/{owner}/{repo}/issues") or concrete path, or a RegExp tested against the concrete path. */
  path?: string | RegExp;
  status: number;
  /** How many matching requests fail (default: 1; Infinity for always). */
  times?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

export const SECONDARY_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";

export class Faults {
  rules: ActiveRule[] = [];

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** The next `times` requests (optionally filtered) answer 403 with retry-after. */
  secondaryRateLimit(opts: { times?: number; retryAfter?: number; method?: string; path?: string | RegExp } = {}): void {
    this.inject({
      method: opts.method,
      path: opts.path,
      status: 403,
      times: opts.times ?? 1,
      headers: { "retry-after": String(opts.retryAfter ?? 1) },
      body: { message: SECONDARY_MESSAGE, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" },
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** Finds (and consumes) a matching rule. */
  take(method: string, path: string, template: string | undefined): ActiveRule | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.method && r.method.toUpperCase() !== method.toUpperCase()) continue;
      if (r.path !== undefined) {
        if (r.path instanceof RegExp) {
          if (!r.path.test(path)) continue;
        } else if (r.path !== path && r.path !== template) continue;
      }
      r.remaining--;
      this.rules = this.rules.filter((x) => x.remaining > 0);
      return r;
    }
    return undefined;
  }
}

export class Limits {
  /** Max writes (POST/PATCH/PUT/DELETE) per identity within a sliding 60 s window of REAL time. undefined = off. */
  contentPerMinute: number | undefined = undefined;
  /** Primary rate limit per identity (x-ratelimit-limit). */
  primary = 5000;
  #writes = new Map<string, number[]>();
  #used = new Map<string, number>();

  /** Returns true if the write is allowed (and records it). */
  allowWrite(identity: string): boolean {
    if (this.contentPerMinute === undefined) return true;
    const now = Date.now();
    const list = (this.#writes.get(identity) ?? []).filter((t) => now - t < 60_000);
    if (list.length >= this.contentPerMinute) {
      this.#writes.set(identity, list);
      return false;
    }
    list.push(now);
    this.#writes.set(identity, list);
    return true;
  }

  headers(identity: string, simNow: Date, resource: "core" | "search" | "graphql", change = 1): Record<string, string> {
    const key = `${resource}:${identity}`;
    const used = Math.max(0, (this.#used.get(key) ?? 0) + change);
    this.#used.set(key, used);
    const limit = resource === "search" ? 30 : this.primary;
    const reset = Math.floor(simNow.getTime() / 3_600_000) * 3600 + 3600;
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - used)),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": String(used),
      "x-ratelimit-resource": resource,
    };
  }

  /** A `304 Not Modified` answer: the request does not count after all. */
  refund(identity: string, simNow: Date, resource: "core" | "search" | "graphql"): Record<string, string> {
    return this.headers(identity, simNow, resource, -1);
  }

  reset(): void {
    this.#writes.clear();
    this.#used.clear();
  }
}
