/** Durations as people write them in configuration: `90s`, `15m`, `4h`, `1d`, `1w`. */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

/**
 * A duration that is not zero (`0m`, `0.0h` would divide a rotation by zero): the configuration
 * schema uses this pattern so that editors refuse zero too (the lookahead wants a non-zero digit).
 */
export const NONZERO_DURATION_PATTERN = /^(?=[^1-9]*[1-9])(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

/** The configuration's bounds: below a second or above ten years, a duration is a mistake. */
export const MIN_DURATION_MS = 1_000;
export const MAX_DURATION_MS = 3_650 * 86_400_000;

export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 30m, 4h, 1d or 1w`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A compact human duration: `45s`, `12m`, `1h 05m`, `2d 3h`. */
export function formatDuration(ms: number): string {
  const negative = ms < 0;
  let rest = Math.round(Math.abs(ms) / 1000);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3_600);
  rest -= hours * 3_600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  let text: string;
  if (days > 0) text = `${days}d ${hours}h`;
  else if (hours > 0) text = `${hours}h ${String(minutes).padStart(2, "0")}m`;
  else if (minutes > 0) text = `${minutes}m`;
  else text = `${seconds}s`;
  return negative ? `-${text}` : text;
}

/** `2026-03-02 14:05 UTC`, the way the card and the post-mortem show instants. */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
