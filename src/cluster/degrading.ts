import { InProcessCoordination, type Coordination, type CoordinationHealth, type Spent, type SpendWindow } from "./coordination.js";
import { RedisUnavailable, type RedisCoordination } from "./redis.js";

export interface Log {
  info: (msg: string) => void;
  warn: (msg: string) => void;
  error: (msg: string) => void;
}

/**
 * Redis when it answers, this process's memory when it does not: a replica that loses Redis
 * keeps answering deliveries (each replica then paces and locks on its own, as a single process
 * does) and goes back to Redis when it returns. The switch is logged once each way.
 *
 * Only failures to reach Redis before the work starts switch: the work itself runs once, and a
 * lock that cannot be released is freed by its lease.
 */
export class DegradingCoordination implements Coordination {
  readonly #memory = new InProcessCoordination();
  #down = false;
  #closing = false;

  constructor(
    readonly redis: RedisCoordination,
    readonly log: Log,
  ) {
    redis.events.on("ready", () => this.#up());
    redis.events.on("close", () => this.#lost("connection closed"));
    redis.events.on("error", (error: Error) => this.#lost(error.message));
  }

  get shared(): boolean {
    return this.redis.shared;
  }

  #up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.log.info("incident-desk: Redis is reachable again: replicas share pacing, locks and de-duplication again");
  }

  #lost(why: string): void {
    if (this.#down || this.#closing) return;
    this.#down = true;
    this.log.error(`incident-desk: Redis unreachable (${why}): this replica goes on alone, pacing, locking and de-duplicating in its own memory until Redis is back`);
  }

  async #either<T>(viaRedis: () => Promise<T>, inMemory: () => Promise<T>): Promise<T> {
    try {
      return await viaRedis();
    } catch (error) {
      if (!(error instanceof RedisUnavailable)) throw error;
      this.#lost(error.message);
      return inMemory();
    }
  }

  lock<T>(key: string, work: () => Promise<T>, leaseMs?: number): Promise<T> {
    // `work` runs in exactly one of the two: RedisUnavailable is only thrown before it starts.
    return this.#either(
      () => this.redis.lock(key, work, leaseMs),
      () => this.#memory.lock(key, work),
    );
  }

  gate<T>(key: string, spacingMs: number, work: () => Promise<T>, options: { pauseKey: string; priority?: number }): Promise<T> {
    return this.#either(
      () => this.redis.gate(key, spacingMs, work, options),
      () => this.#memory.gate(key, spacingMs, work, options),
    );
  }

  pause(key: string, ms: number): Promise<void> {
    // Kept in memory too: this replica honours its own rate limits whatever happens to Redis.
    void this.#memory.pause(key, ms);
    return this.#either(
      () => this.redis.pause(key, ms),
      async () => undefined,
    );
  }

  async pausedFor(key: string): Promise<number> {
    const local = await this.#memory.pausedFor(key);
    return Math.max(local, await this.#either(() => this.redis.pausedFor(key), async () => 0));
  }

  claim(key: string, leaseMs: number): Promise<boolean> {
    return this.#either(() => this.redis.claim(key, leaseMs), () => this.#memory.claim());
  }

  done(key: string, keepMs: number): Promise<void> {
    return this.#either(() => this.redis.done(key, keepMs), async () => undefined);
  }

  unclaim(key: string): Promise<void> {
    return this.#either(() => this.redis.unclaim(key), async () => undefined);
  }

  get(key: string): Promise<string | undefined> {
    return this.#either(() => this.redis.get(key), () => this.#memory.get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.#either(() => this.redis.set(key, value, ttlMs), () => this.#memory.set(key, value, ttlMs));
  }

  spend(key: string, windows: SpendWindow[]): Promise<Spent> {
    return this.#either(() => this.redis.spend(key, windows), () => this.#memory.spend(key, windows));
  }

  async health(): Promise<CoordinationHealth> {
    const h = await this.redis.health();
    return h.ok ? h : { ok: false, mode: "redis unreachable (in-process meanwhile)", ...(h.detail ? { detail: h.detail } : {}) };
  }

  close(): Promise<void> {
    this.#closing = true;
    return this.redis.close();
  }
}
