// The sim's clock: every write is stamped with now() and (by default) advances it by 1 s.
export const START = "2026-03-02T09:00:00Z";

export function parseDuration(d: number | string): number {
  if (typeof d === "number") return d;
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g;
  let total = 0;
  let matched = false;
  for (const m of d.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms"];
  }
  if (!matched) throw new Error(`bad duration ${JSON.stringify(d)} (use e.g. 1500, "90m", "2h", "1h30m", "10s")`);
  return total;
}

export class Clock {
  #t = Date.parse(START);
  /** When true (default), each write advances the clock by tickMs. */
  autoTick = true;
  tickMs = 1000;

  now(): Date {
    return new Date(this.#t);
  }
  /** ISO without milliseconds, like GitHub. */
  iso(): string {
    return new Date(this.#t).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  set(date: Date | string | number): void {
    this.#t = new Date(date).getTime();
  }
  advance(d: number | string): Date {
    this.#t += parseDuration(d);
    return this.now();
  }
  /** Stamp for a write: returns the current time, then ticks. */
  stamp(): string {
    const s = this.iso();
    if (this.autoTick) this.#t += this.tickMs;
    return s;
  }
}
