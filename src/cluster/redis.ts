import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { LocalQueue, type Coordination, type CoordinationHealth, type Spent, type SpendWindow } from "./coordination.js";

/**
 * The coordination of several replicas through one Redis (`REDIS_URL`). Every decision that must
 * be atomic across replicas is one Lua script, timed by Redis's own clock (`TIME`), so replicas
 * whose clocks disagree still space their writes correctly.
 *
 * Locks are leases: a key with an expiry, renewed while the holder works; a replica that dies
 * frees its locks when the lease runs out. A released lock is announced on a channel, so a waiter
 * of another replica takes it at once instead of polling; polling every second stays as a net.
 *
 * Errors reaching Redis (down, timed out, not yet connected) are thrown as `RedisUnavailable`
 * before any work starts; src/cluster/degrading.ts then does the same in memory.
 */
export class RedisUnavailable extends Error {
  constructor(cause: unknown) {
    super(`Redis unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "RedisUnavailable";
  }
}

const now = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const SCRIPTS = {
  /** KEYS: lock. ARGV: token, lease. → 0 taken, < 0 held (−ms left on its lease). */
  takeLock: {
    numberOfKeys: 1,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
          local left = redis.call('PTTL', KEYS[1]) if left < 1 then left = 1 end return -left`,
  },
  /** KEYS: lock, next start, pause. ARGV: token, lease. → 0 taken, > 0 open in ms, < 0 held. */
  takeGate: {
    numberOfKeys: 3,
    lua: `${now}
          local held = redis.call('PTTL', KEYS[1])
          if held ~= -2 then if held < 1 then held = 1 end return -held end
          local wait = 0
          local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
          if nextAt > now then wait = nextAt - now end
          local paused = redis.call('PTTL', KEYS[3])
          if paused > wait then wait = paused end
          if wait > 0 then return wait end
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 0`,
  },
  /** KEYS: lock, next start. ARGV: token, spacing, channel. Frees the lock if still ours and announces it. */
  release: {
    numberOfKeys: 2,
    lua: `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
          redis.call('DEL', KEYS[1])
          local spacing = tonumber(ARGV[2])
          if spacing > 0 then ${now} redis.call('SET', KEYS[2], now + spacing, 'PX', spacing + 1000) end
          redis.call('PUBLISH', ARGV[3], KEYS[1])
          return 1`,
  },
  /** KEYS: lock. ARGV: token, lease. */
  renew: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
  },
  /** KEYS: pause. ARGV: ms. Only ever lengthens a pause. */
  pause: {
    numberOfKeys: 1,
    lua: `if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end return 1`,
  },
  /** KEYS: claim. Undo a claim still running (not one that is done). */
  unclaim: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == 'running' then redis.call('DEL', KEYS[1]) end return 1`,
  },
  /** KEYS: events (sorted set). ARGV: member, then ms/limit pairs. → 0 recorded, > 0 ms until there is room. */
  spend: {
    numberOfKeys: 1,
    lua: `${now}
          local longest = 0
          for i = 2, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i])) end
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
          local wait = 0
          for i = 2, #ARGV, 2 do
            local ms = tonumber(ARGV[i]) local limit = tonumber(ARGV[i + 1])
            local inside = redis.call('ZCOUNT', KEYS[1], '(' .. (now - ms), '+inf')
            if inside >= limit then
              local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - ms), '+inf', 'WITHSCORES', 'LIMIT', inside - limit, 1)
              wait = math.max(wait, tonumber(oldest[2]) + ms - now, 1)
            end
          end
          if wait > 0 then return wait end
          redis.call('ZADD', KEYS[1], now, ARGV[1])
          redis.call('PEXPIRE', KEYS[1], longest)
          return 0`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type Scripted = Redis & Record<ScriptName, (...args: (string | number)[]) => Promise<number>>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RedisCoordinationOptions {
  /** Prefix of every key, so that several apps can share one Redis. */
  prefix?: string;
  /** Lease of a per-issue lock when the caller gives none. */
  leaseMs?: number;
  log?: { warn: (msg: string) => void };
}

export class RedisCoordination implements Coordination {
  readonly #client: Scripted;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #leaseMs: number;
  readonly #local = new LocalQueue();
  readonly #wakers = new Map<string, Set<() => void>>();
  readonly #log: { warn: (msg: string) => void } | undefined;
  /** Locks this process holds (lock key → token, next-start key, spacing), released at close. */
  readonly #held = new Map<string, { token: string; nextKey: string; spacingMs: number }>();

  constructor(url: string, options: RedisCoordinationOptions = {}) {
    this.#prefix = options.prefix ?? "incident-desk:";
    this.#channel = `${this.#prefix}released`;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#log = options.log;
    // Fail fast rather than queue commands while Redis is away: the caller then works in memory.
    const settings = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000, connectTimeout: 2_000, lazyConnect: true };
    this.#client = new Redis(url, settings) as Scripted;
    for (const [name, s] of Object.entries(SCRIPTS)) this.#client.defineCommand(name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
    this.#subscriber = new Redis(url, { ...settings, commandTimeout: undefined });
    this.#subscriber.on("message", (_channel: string, key: string) => {
      const wakers = this.#wakers.get(key);
      if (wakers) for (const wake of [...wakers]) wake();
    });
    // ioredis reconnects on its own; these only keep the errors from becoming unhandled.
    this.#client.on("error", () => undefined);
    this.#subscriber.on("error", () => undefined);
    this.#subscriber.on("ready", () => void this.#subscriber.subscribe(this.#channel).catch(() => undefined));
  }

  /** The client's events, for logging when Redis goes and comes back. */
  get events(): Redis {
    return this.#client;
  }

  get shared(): boolean {
    return this.#client.status === "ready";
  }

  /** Connect both connections; rejects when Redis cannot be reached now (ioredis keeps trying). */
  async connect(): Promise<void> {
    await Promise.all([this.#client.connect(), this.#subscriber.connect()]);
  }

  async #do<T>(command: () => Promise<T>): Promise<T> {
    if (this.#client.status !== "ready") throw new RedisUnavailable(`connection ${this.#client.status}`);
    try {
      return await command();
    } catch (error) {
      throw new RedisUnavailable(error);
    }
  }

  #key(kind: string, key: string): string {
    return `${this.#prefix}${kind}:${key}`;
  }

  /** Resolves when `lockKey` is announced free, or after `ms`. */
  #released(lockKey: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#wakers.get(lockKey) ?? new Set();
      this.#wakers.set(lockKey, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.#wakers.delete(lockKey);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(ms, 1_000)));
      set.add(done);
    });
  }

  async #holding<T>(lockKey: string, nextKey: string, spacingMs: number, token: string, leaseMs: number, work: () => Promise<T>): Promise<T> {
    // Renewed while the work lasts (a write waiting out a rate limit can take minutes).
    const renewal = setInterval(() => void this.#client.renew(lockKey, token, leaseMs).catch(() => undefined), Math.max(100, leaseMs / 3));
    this.#held.set(lockKey, { token, nextKey, spacingMs });
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      this.#held.delete(lockKey);
      // Not freed (Redis went away meanwhile): the lease frees it.
      await this.#client.release(lockKey, nextKey, token, spacingMs, this.#channel).catch((error: unknown) => {
        this.#log?.warn(`incident-desk: could not release ${lockKey} (${error instanceof Error ? error.message : String(error)}); its lease frees it`);
      });
    }
  }

  lock<T>(key: string, work: () => Promise<T>, leaseMs = this.#leaseMs): Promise<T> {
    const lockKey = this.#key("lock", key);
    return this.#local.run(lockKey, 0, async () => {
      const token = randomUUID();
      for (;;) {
        const got = await this.#do(() => this.#client.takeLock(lockKey, token, leaseMs));
        if (got === 0) break;
        await this.#released(lockKey, -got);
      }
      return this.#holding(lockKey, this.#key("none", key), 0, token, leaseMs, work);
    });
  }

  gate<T>(key: string, spacingMs: number, work: () => Promise<T>, options: { pauseKey: string; priority?: number }): Promise<T> {
    const lockKey = this.#key("gate", key);
    const nextKey = this.#key("gate-next", key);
    const pauseKey = this.#key("pause", options.pauseKey);
    return this.#local.run(lockKey, options.priority ?? 0, async () => {
      const token = randomUUID();
      for (;;) {
        const got = await this.#do(() => this.#client.takeGate(lockKey, nextKey, pauseKey, token, this.#leaseMs));
        if (got === 0) break;
        if (got > 0) await sleep(got);
        else await this.#released(lockKey, -got);
      }
      return this.#holding(lockKey, nextKey, spacingMs, token, this.#leaseMs, work);
    });
  }

  async pause(key: string, ms: number): Promise<void> {
    await this.#do(() => this.#client.pause(this.#key("pause", key), Math.ceil(ms)));
  }

  async pausedFor(key: string): Promise<number> {
    const left = await this.#do(() => this.#client.pttl(this.#key("pause", key)));
    return Math.max(0, left);
  }

  async claim(key: string, leaseMs: number): Promise<boolean> {
    const set = await this.#do(() => this.#client.set(this.#key("claim", key), "running", "PX", leaseMs, "NX"));
    return set === "OK";
  }

  async done(key: string, keepMs: number): Promise<void> {
    await this.#do(() => this.#client.set(this.#key("claim", key), "done", "PX", keepMs));
  }

  async unclaim(key: string): Promise<void> {
    await this.#do(() => this.#client.unclaim(this.#key("claim", key)));
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#do(() => this.#client.get(this.#key("mem", key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#do(() => this.#client.set(this.#key("mem", key), value, "PX", Math.max(1, Math.ceil(ttlMs))));
  }

  async spend(key: string, windows: SpendWindow[]): Promise<Spent> {
    const args = windows.flatMap((w) => [w.ms, w.limit]);
    const wait = await this.#do(() => this.#client.spend(this.#key("spend", key), randomUUID(), ...args));
    return wait === 0 ? { ok: true } : { ok: false, waitMs: wait };
  }

  async health(): Promise<CoordinationHealth> {
    try {
      await this.#do(() => this.#client.ping());
      return { ok: true, mode: "redis" };
    } catch (error) {
      return { ok: false, mode: "redis", detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Releases the locks still held (a stop that could not wait for their work), then disconnects. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#held].map(([lockKey, h]) => this.#client.release(lockKey, h.nextKey, h.token, h.spacingMs, this.#channel).catch(() => undefined)),
    );
    this.#held.clear();
    for (const set of this.#wakers.values()) for (const wake of [...set]) wake();
    this.#client.disconnect();
    this.#subscriber.disconnect();
  }
}
