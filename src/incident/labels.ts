import type { Config } from "../config/schema.js";
import { STATUSES } from "../config/schema.js";

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

const SEVERITY_COLORS = ["b60205", "d93f0b", "fbca04", "0e8a16", "c5def5"];
const STATUS_COLORS: Record<string, string> = {
  triage: "d4c5f9",
  investigating: "e99695",
  identified: "f9d0c4",
  mitigated: "fef2c0",
  resolved: "c2e0c6",
};

/** Every label incident-desk uses, with the colour and description it creates it with. */
export function labelSpecs(config: Config): LabelSpec[] {
  const l = config.labels;
  return [
    { name: l.incident, color: "b60205", description: "An incident, managed by incident-desk" },
    ...config.severities.map((s, i) => ({
      name: s.label,
      color: SEVERITY_COLORS[Math.min(i, SEVERITY_COLORS.length - 1)]!,
      description: (s.description || `Severity ${s.name}`).slice(0, 100),
    })),
    ...STATUSES.map((s) => ({ name: l.status[s], color: STATUS_COLORS[s]!, description: `Incident status: ${s}` })),
    { name: l.cause, color: "5319e7", description: "A change that caused an incident" },
    { name: l.fix, color: "1d76db", description: "A change that mitigated or fixed an incident" },
    { name: l.problem, color: "006b75", description: "A problem record: incidents with one underlying cause" },
    { name: l.followup, color: "bfd4f2", description: "A follow-up ticket: an action from an incident or a problem" },
    { name: l.postmortem, color: "0052cc", description: "The post-mortem of an incident" },
    { name: l.security, color: "ee0701", description: "A security incident" },
  ];
}

export function labelSpec(config: Config, name: string): LabelSpec {
  return (
    labelSpecs(config).find((s) => s.name.toLowerCase() === name.toLowerCase()) ?? {
      name,
      color: "ededed",
      description: "",
    }
  );
}
