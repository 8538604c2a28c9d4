/**
 * What replicas of the app must agree on, behind one interface: pacing of GitHub requests per
 * installation, per-issue locks, de-duplication of deliveries, alert groups and dispatches, the
 * conditional-request cache, and the content budget. In one process (the default, and the
 * Action) it is all in memory, as it always was; with `REDIS_URL` the replicas share it through
 * Redis (src/cluster/redis.ts), falling back to memory while Redis is away (degrading.ts).
 *
 * The process has one coordination (`coordination()`), chosen at start by src/main.ts: the
 * per-issue serialisation (src/serialize.ts) and the pacing plugin read it at each use, so the
 * handlers keep their shape whether or not they run clustered.
 */

export interface SpendWindow {
  /** Window length. */
  ms: number;
  /** Events allowed within it. */
  limit: number;
}

export type Spent = { ok: true } | { ok: false; waitMs: number };

export interface CoordinationHealth {
  ok: boolean;
  /** `in-process`, `redis`, or `redis unreachable (in-process meanwhile)`. */
  mode: string;
  detail?: string;
}

export interface Coordination {
  /** True when other processes share this coordination (Redis reachable). */
  readonly shared: boolean;
  /**
   * Run `work` holding the lock `key`: one holder at a time across every process sharing this
   * coordination, in arrival order within a process. A holder that dies frees it within `leaseMs`
   * (while it lives, the lease is renewed).
   */
  lock<T>(key: string, work: () => Promise<T>, leaseMs?: number): Promise<T>;
  /**
   * A lock that also spaces its holders: `work` starts at least `spacingMs` after the previous
   * holder finished and not before a pause of `pauseKey` (see `pause`) is over. Waiters of one
   * process go by `priority` (lower first), then in arrival order.
   */
  gate<T>(key: string, spacingMs: number, work: () => Promise<T>, options: { pauseKey: string; priority?: number }): Promise<T>;
  /** Nothing goes through gates of `key` for `ms` (a rate limit's retry-after, shared). */
  pause(key: string, ms: number): Promise<void>;
  /** How long `key` stays paused (0: not paused). */
  pausedFor(key: string): Promise<number>;
  /**
   * The first claim of `key` wins (true); later claims lose (false) while the winner works
   * (`leaseMs`) and, after `done`, for the time it gives. `unclaim` lets the next claim win (the
   * work failed, a retry must do it).
   */
  claim(key: string, leaseMs: number): Promise<boolean>;
  done(key: string, keepMs: number): Promise<void>;
  unclaim(key: string): Promise<void>;
  /** A small shared memory (a cache: losing it costs requests, never correctness). */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Record one event in `key` when every window has room, else say how long until one has. */
  spend(key: string, windows: SpendWindow[]): Promise<Spent>;
  health(): Promise<CoordinationHealth>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waiters of one key within this process, by priority then arrival: the head runs, the others
 * wait for it. Used on its own in memory, and in front of Redis so that only one waiter per
 * process and key polls Redis.
 */
export class LocalQueue {
  #busy = new Set<string>();
  #waiting = new Map<string, { priority: number; seq: number; go: () => void }[]>();
  #seq = 0;

  async run<T>(key: string, priority: number, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(key)) {
      await new Promise<void>((go) => {
        const list = this.#waiting.get(key) ?? [];
        list.push({ priority, seq: this.#seq++, go });
        this.#waiting.set(key, list);
      });
    } else this.#busy.add(key);
    try {
      return await work();
    } finally {
      const list = this.#waiting.get(key);
      if (list && list.length > 0) {
        let best = 0;
        for (let i = 1; i < list.length; i++) {
          const a = list[i]!;
          const b = list[best]!;
          if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
        }
        const [next] = list.splice(best, 1);
        if (list.length === 0) this.#waiting.delete(key);
        next!.go();
      } else this.#busy.delete(key);
    }
  }

  /** Keys with a holder or waiters (for a graceful stop). */
  get active(): number {
    return this.#busy.size;
  }
}

/** Expiring entries, bounded in number and in characters: the oldest go first when full. */
class Expiring {
  #entries = new Map<string, { value: string; until: number }>();
  #chars = 0;
  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
  ) {}

  get(key: string, now = Date.now()): string | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: string, ttlMs: number, now = Date.now()): void {
    this.delete(key);
    if (value.length > this.maxChars) return;
    while (this.#entries.size > 0 && (this.#entries.size >= this.maxEntries || this.#chars + value.length > this.maxChars)) {
      this.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, until: now + ttlMs });
    this.#chars += value.length;
  }

  delete(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#chars -= e.value.length;
    this.#entries.delete(key);
  }
}

/** Everything in this process: what a single replica, the Action and the tests use. */
export class InProcessCoordination implements Coordination {
  readonly shared = false;
  /** The wall clock of the content budget's windows (tests inject theirs). */
  readonly #now: () => number;
  readonly #locks = new LocalQueue();
  readonly #gates = new LocalQueue();
  /** When each gate's last holder finished (monotonic clock: a wall clock set back must not stall writes). */
  readonly #lastEnd = new Map<string, number>();
  readonly #pausedUntil = new Map<string, number>();
  // The conditional-request cache lives here too: 20,000 entries or 64 M characters at most.
  readonly #memory = new Expiring(20_000, 64 * 1024 * 1024);
  readonly #spent = new Map<string, number[]>();

  /** The gates' and pauses' clock and how they wait (tests inject a clock that only moves on). */
  readonly #monotonic: () => number;
  readonly #sleep: (ms: number) => Promise<unknown>;

  constructor(options: { now?: () => number; clock?: { now: () => number; sleep: (ms: number) => Promise<unknown> } } = {}) {
    this.#now = options.now ?? options.clock?.now ?? Date.now;
    this.#monotonic = options.clock?.now ?? (() => performance.now());
    this.#sleep = options.clock?.sleep ?? sleep;
  }

  lock<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.#locks.run(key, 0, work);
  }

  gate<T>(key: string, spacingMs: number, work: () => Promise<T>, options: { pauseKey: string; priority?: number }): Promise<T> {
    return this.#gates.run(key, options.priority ?? 0, async () => {
      for (;;) {
        const wait = Math.max((this.#lastEnd.get(key) ?? -Infinity) + spacingMs - this.#monotonic(), await this.pausedFor(options.pauseKey));
        if (wait <= 0) break;
        await this.#sleep(wait);
      }
      try {
        return await work();
      } finally {
        this.#lastEnd.set(key, this.#monotonic());
      }
    });
  }

  async pause(key: string, ms: number): Promise<void> {
    const until = this.#monotonic() + ms;
    if ((this.#pausedUntil.get(key) ?? 0) < until) this.#pausedUntil.set(key, until);
  }

  async pausedFor(key: string): Promise<number> {
    const until = this.#pausedUntil.get(key);
    if (until === undefined) return 0;
    const left = until - this.#monotonic();
    if (left <= 0) this.#pausedUntil.delete(key);
    return Math.max(0, left);
  }

  /**
   * In one process a delivery is never refused: handling one twice is safe (the pipeline writes
   * only differences) and costs only reads, which is how a single replica always behaved.
   */
  async claim(): Promise<boolean> {
    return true;
  }
  async done(): Promise<void> {}
  async unclaim(): Promise<void> {}

  async get(key: string): Promise<string | undefined> {
    return this.#memory.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#memory.set(key, value, ttlMs);
  }

  async spend(key: string, windows: SpendWindow[]): Promise<Spent> {
    const now = this.#now();
    const longest = Math.max(...windows.map((w) => w.ms));
    const events = (this.#spent.get(key) ?? []).filter((t) => t > now - longest);
    let wait = 0;
    for (const w of windows) {
      const inside = events.filter((t) => t > now - w.ms);
      if (inside.length >= w.limit) wait = Math.max(wait, inside[inside.length - w.limit]! + w.ms - now);
    }
    if (wait > 0) {
      this.#spent.set(key, events);
      return { ok: false, waitMs: wait };
    }
    events.push(now);
    this.#spent.set(key, events);
    return { ok: true };
  }

  async health(): Promise<CoordinationHealth> {
    return { ok: true, mode: "in-process" };
  }

  async close(): Promise<void> {}
}

let current: Coordination = new InProcessCoordination();

/** The process's coordination. */
export function coordination(): Coordination {
  return current;
}

/** Chosen once at start (src/main.ts); tests swap it and put the previous one back. */
export function useCoordination(next: Coordination): Coordination {
  const previous = current;
  current = next;
  return previous;
}
