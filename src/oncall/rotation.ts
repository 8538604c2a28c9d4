import type { Config, Rotation } from "../config/schema.js";
import { parseDuration } from "../time/duration.js";
import { formatter } from "../time/zone.js";

/**
 * Who is on call, as a pure function of the configuration and an instant.
 *
 * Hand-offs happen every `every` from `start`. Without `timezone`, that is plain elapsed time from
 * the instant `start` names (an ISO 8601 offset such as `+01:00` is a fixed offset, so the
 * hand-off drifts by an hour against local clocks when daylight saving changes). With a
 * `timezone` (IANA name such as `Europe/Berlin`) and an `every` in whole days or weeks, hand-offs
 * happen at the same local wall-clock time as `start`, which is what a team means by "Mondays
 * at 09:00": a week across a daylight-saving change is then 167 or 169 hours long.
 */

export interface Shift {
  member: string;
  /** When this shift began (a hand-off, or the start of an override). */
  from: string;
  /** When it ends (the next hand-off or the end of the override). */
  to: string;
  override: boolean;
}

const DAY_MS = 86_400_000;
/** The zone's wall clock at instant `t`, written as if it were UTC (milliseconds). */
function wallClock(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall + (((t % 1000) + 1000) % 1000);
}

/**
 * The instant at which the zone's clocks show `wall`. In the autumn overlap (the hour that
 * happens twice) the earlier one; in the spring gap (an hour that never happens) the time the
 * clocks jump to, as Temporal's "compatible" disambiguation does. Zones change offset at most
 * once within a day, so the offsets a day before and after are the only candidates.
 */
function instantOfWall(wall: number, timeZone: string): number {
  const before = wall - (wallClock(wall - DAY_MS, timeZone) - (wall - DAY_MS));
  const after = wall - (wallClock(wall + DAY_MS, timeZone) - (wall + DAY_MS));
  const valid = [before, after].filter((c) => wallClock(c, timeZone) === wall);
  return valid.length > 0 ? Math.min(...valid) : before;
}

/** The instant of hand-off number `k` (0 is `start`). */
function handoffAt(rotation: Rotation, k: number): number {
  const start = Date.parse(rotation.start);
  const every = parseDuration(rotation.every);
  if (rotation.timezone && every % DAY_MS === 0) {
    const days = (every / DAY_MS) * k;
    return instantOfWall(wallClock(start, rotation.timezone) + days * DAY_MS, rotation.timezone);
  }
  return start + every * k;
}

/** The regular shift (ignoring overrides) that covers instant `t`. */
function regularShift(rotation: Rotation, t: number): Shift | undefined {
  const start = Date.parse(rotation.start);
  if (Number.isNaN(t) || t < start) return undefined;
  // Elapsed time gives the shift number to within one: only a daylight-saving hour differs.
  let k = Math.floor((t - start) / parseDuration(rotation.every));
  while (k > 0 && handoffAt(rotation, k) > t) k--;
  while (handoffAt(rotation, k + 1) <= t) k++;
  return {
    member: rotation.members[k % rotation.members.length]!,
    from: new Date(handoffAt(rotation, k)).toISOString(),
    to: new Date(handoffAt(rotation, k + 1)).toISOString(),
    override: false,
  };
}

/**
 * The shift covering an instant: an override wins over the regular rotation (the one listed
 * last, when overrides overlap: it is the most recent change people made).
 */
export function shiftAt(rotation: Rotation, at: string): Shift | undefined {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return undefined;
  for (let i = rotation.overrides.length - 1; i >= 0; i--) {
    const o = rotation.overrides[i]!;
    const from = Date.parse(o.from);
    const to = Date.parse(o.to);
    if (from <= t && t < to) {
      return { member: o.member, from: new Date(from).toISOString(), to: new Date(to).toISOString(), override: true };
    }
  }
  return regularShift(rotation, t);
}

/** Who is on call for a rotation at an instant, or nobody before the rotation starts. */
export function onCallAt(rotation: Rotation, at: string): string | undefined {
  return shiftAt(rotation, at)?.member;
}

/** The rotation that answers for a service: the service's own, else the first configured one. */
export function rotationFor(config: Config, service: string | undefined): Rotation | undefined {
  const named = service ? config.services[service]?.rotation : undefined;
  if (named) return config.oncall.rotations.find((r) => r.name === named);
  return config.oncall.rotations[0];
}
