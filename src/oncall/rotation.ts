import type { Config, Rotation } from "../config/schema.js";
import { parseDuration } from "../time/duration.js";

/** Who is on call for a rotation at an instant: a pure function of the configuration. */
export function onCallAt(rotation: Rotation, at: string): string | undefined {
  const t = Date.parse(at);
  const override = rotation.overrides.find((o) => Date.parse(o.from) <= t && t < Date.parse(o.to));
  if (override) return override.member;
  const start = Date.parse(rotation.start);
  if (t < start) return undefined;
  const shift = Math.floor((t - start) / parseDuration(rotation.every));
  return rotation.members[shift % rotation.members.length];
}

/** The rotation that answers for a service: the service's own, else the first configured one. */
export function rotationFor(config: Config, service: string | undefined): Rotation | undefined {
  const named = service ? config.services[service]?.rotation : undefined;
  if (named) return config.oncall.rotations.find((r) => r.name === named);
  return config.oncall.rotations[0];
}
