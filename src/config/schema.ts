import { z } from "zod";
import { DURATION_PATTERN, MAX_DURATION_MS, MIN_DURATION_MS, NONZERO_DURATION_PATTERN, parseDuration } from "../time/duration.js";
import { isTimeZone } from "../time/zone.js";

/**
 * `.github/incidents.yml`: the one schema for the configuration file. Types are inferred from
 * it, defaults are filled in by it, and `incidents.schema.json` is generated from it.
 */

/**
 * Every value that could throw or loop at run time is refused here, with the key and what to
 * write: zero durations (a rotation every `0s` divides by zero), durations no clock can hold,
 * instants that are not real dates or lack a time zone, duplicate names and labels, paths that
 * leave the repository. What JSON Schema can say (patterns, minimum lengths) is in
 * incidents.schema.json as well; the rest (a real calendar date, bounds) only here.
 */
const inBounds = (value: string) => {
  const ms = parseDuration(value);
  return ms >= MIN_DURATION_MS && ms <= MAX_DURATION_MS;
};
const BOUNDS = "must be between 1s and 3650d (ten years)";

/** A duration that must not be zero: a rotation's hand-off, a severity's deadlines, the look-back. */
const duration = z
  .string()
  .regex(NONZERO_DURATION_PATTERN, { message: "must be a duration longer than zero, such as 30m, 4h, 1d or 1w", abort: true })
  .refine(inBounds, { message: BOUNDS })
  .describe("A duration longer than zero: a number and s, m, h, d or w (30m, 4h, 1d, 1w); at most 3650d");

/** A wait that may be zero: an escalation level due at once with the one before. */
const wait = z
  .string()
  .regex(DURATION_PATTERN, { message: "must be a duration such as 0m, 10m, 1h or 1d", abort: true })
  .refine((value) => parseDuration(value) <= MAX_DURATION_MS, { message: "must be at most 3650d (ten years)" })
  .describe("A duration (0m, 10m, 1h, 1d); 0m is at once; at most 3650d");

const login = z
  .string()
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "must be a GitHub user name" })
  .transform((value) => value.replace(/^@/, ""));

const mention = z
  .string()
  .regex(/^@?[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9_.-]+)?$/, {
    message: "must be a user (@alice) or a team (@org/team)",
  })
  .transform((value) => (value.startsWith("@") ? value : `@${value}`));

/**
 * An instant everyone reads the same: a date (midnight UTC), or a date and time with `Z` or an
 * offset. Without one, `Date.parse` would take the server's local time, which differs between the
 * app's host and the Action's runner; and it quietly turns 2026-02-30 into March 2nd.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

function isRealInstant(value: string): boolean {
  const m = ISO_INSTANT.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  const date = new Date(Date.UTC(year!, month! - 1, day));
  const realDate = date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day;
  return realDate && hour < 24 && minute < 60 && second < 60 && offsetHours <= 14 && offsetMinutes < 60 && !Number.isNaN(Date.parse(value));
}

const isoInstant = z
  .string()
  .regex(ISO_INSTANT, { message: "must be an ISO 8601 date and time with Z or an offset, such as 2026-03-02T09:00:00Z or 2026-03-02T09:00:00+01:00", abort: true })
  .refine(isRealInstant, { message: "is not a real date and time (check the day of the month, the hour and the offset)" })
  .describe("An ISO 8601 date and time with Z or an offset (2026-03-02T09:00:00+01:00), or a date (midnight UTC)");

/** A path inside the repository: not empty, no `..`, no backslash, no leading `/` needed. */
const repoPath = (what: string) =>
  z
    .string()
    .regex(/^(?!.*\\)(?!\/*$)(?!(?:.*\/)?\.\.?(?:\/|$)).+$/, { message: `must be ${what} in the repository, such as docs/postmortems (no "..")` });

const labelName = z
  .string()
  .trim()
  .min(1, { message: "must not be empty" })
  .max(50, { message: "must be at most 50 characters (GitHub's limit for a label)" });

/** The incident label is also a filter of GitHub's issue listing, which reads a comma as two labels. */
const filterLabel = labelName.regex(/^[^,]*$/, { message: "must not contain a comma (GitHub's issue listing would read two labels)" });

/** `triage`: a report from someone below `commands.permission`, awaiting a responder (SPEC section 1). */
export const STATUSES = ["triage", "investigating", "identified", "mitigated", "resolved"] as const;
export type Status = (typeof STATUSES)[number];

const severity = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, { message: "must be a short name such as sev1" }),
    label: labelName.optional(),
    description: z.string().default(""),
    ack_within: duration.optional(),
    update_every: duration.optional(),
  })
  .strict()
  .transform((s) => ({ ...s, label: s.label ?? s.name }));

const DEFAULT_SEVERITIES = [
  { name: "sev1", description: "Critical: a core service is down or data is at risk for many users", ack_within: "5m", update_every: "30m" },
  { name: "sev2", description: "Major: a core feature is degraded for many users", ack_within: "15m", update_every: "1h" },
  { name: "sev3", description: "Minor: limited impact, a workaround exists", ack_within: "1h", update_every: "4h" },
  { name: "sev4", description: "Low: cosmetic or internal only", ack_within: "1d" },
];

const DEFAULT_SEVERITY_MAP: Record<string, string> = {
  critical: "sev1",
  error: "sev2",
  high: "sev2",
  warning: "sev3",
  info: "sev4",
};

const labels = z
  .object({
    incident: filterLabel.default("incident"),
    cause: labelName.default("incident-cause"),
    fix: labelName.default("incident-fix"),
    problem: labelName.default("problem"),
    // Follow-up tickets (a problem's or an incident's actions) are labelled apart from problem records.
    followup: labelName.default("follow-up"),
    postmortem: labelName.default("postmortem"),
    security: labelName.default("security"),
    maintenance: labelName.default("maintenance"),
    status: z
      .object({
        triage: labelName.default("status:triage"),
        investigating: labelName.default("status:investigating"),
        identified: labelName.default("status:identified"),
        mitigated: labelName.default("status:mitigated"),
        resolved: labelName.default("status:resolved"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const rotation = z
  .object({
    name: z.string().min(1),
    members: z.array(login).min(1, { message: "a rotation needs at least one member" }),
    start: isoInstant,
    every: duration.default("1w"),
    // An IANA zone makes daily and weekly hand-offs follow local clocks across daylight saving.
    timezone: z
      .string()
      .refine(isTimeZone, { message: "must be an IANA time zone such as Europe/Berlin or America/New_York" })
      .optional(),
    overrides: z
      .array(
        z
          .object({ member: login, from: isoInstant, to: isoInstant })
          .strict()
          .refine((o) => Date.parse(o.from) < Date.parse(o.to), { message: "`from` must be before `to`" }),
      )
      .default([]),
  })
  .strict();

const escalationLevel = z
  .object({
    after: wait.optional(),
    notify: z.array(mention).min(1),
  })
  .strict();

const service = z
  .object({
    team: mention.optional(),
    rotation: z.string().optional(),
    labels: z.array(labelName).default([]),
    // Globs (minimatch) of the files this service is built from: change risk on pull requests.
    paths: z.array(z.string().min(1).max(500)).max(200).default([]),
  })
  .strict();

const notificationEvent = z.enum(["declared", "severity", "status", "update", "resolved"]);

const notification = z
  .object({
    name: z.string().min(1).optional(),
    url_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: "must name an environment variable, such as SLACK_WEBHOOK_URL" }),
    format: z.enum(["slack", "teams", "json"]).default("slack"),
    secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    events: z.array(notificationEvent).default(["declared", "severity", "status", "update", "resolved"]),
    min_severity: z.string().optional(),
  })
  .strict();

const repoName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: "must be owner/name" });

/** Statuspage's component statuses that an incident can put a component in (maintenance has its own). */
export const COMPONENT_STATUSES = ["operational", "degraded_performance", "partial_outage", "major_outage"] as const;

// A component is a service (by name), or a named group of services with a description.
const statuspageComponent = z.union([
  z.string().min(1).max(100),
  z
    .object({
      name: z.string().min(1).max(100),
      description: z.string().max(500).optional(),
      services: z.array(z.string().min(1)).default([]),
    })
    .strict(),
]);

const statuspage = z
  .object({
    title: z.string().min(1).max(100).optional(),
    description: z.string().max(1000).optional(),
    url: z
      .string()
      .url({ message: "must be the page's public URL, such as https://status.example.com/" })
      .refine((u) => /^https?:\/\//i.test(u), { message: "must be an http(s) URL" })
      .optional(),
    components: z.array(statuspageComponent).optional(),
    history_days: z.number().int().min(1).max(365).default(90),
    repos: z.array(repoName).default([]),
    severities: z.record(z.string(), z.enum(COMPONENT_STATUSES)).optional(),
  })
  .strict();

const maintenance = z
  .object({
    // Alerts at or above this severity page even during a maintenance window of their service.
    page_above: z.string().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    labels: labels.prefault({}),
    severities: z.array(severity).min(1).prefault(DEFAULT_SEVERITIES),
    default_severity: z.string().optional(),
    commands: z
      .object({ permission: z.enum(["read", "triage", "write", "maintain", "admin"]).default("write") })
      .strict()
      .prefault({}),
    roles: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, { message: "must be a lower-case word" })).default(["commander", "comms", "scribe"]),
    oncall: z
      .object({
        rotations: z.array(rotation).default([]),
        escalation: z.array(escalationLevel).default([]),
      })
      .strict()
      .prefault({}),
    services: z.record(z.string(), service).default({}),
    changes: z
      .object({
        environments: z.array(z.string().min(1)).default(["production"]),
        lookback: duration.default("24h"),
        // The deploy gate and change risk: while a matching incident is open and not mitigated,
        // deployments to these environments are held. Absent: no freeze.
        freeze: z
          .object({
            environments: z.array(z.string().min(1)).min(1).default(["production"]),
            min_severity: z.string().default("sev2"),
            services: z.array(z.string().min(1)).default([]),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    postmortem: z
      .object({
        path: repoPath("a directory").default("docs/postmortems"),
        template: repoPath("a file").optional(),
      })
      .strict()
      .prefault({}),
    problems: z.object({ labels: z.array(labelName).default([]) }).strict().prefault({}),
    alerts: z
      .object({
        severity_map: z.record(z.string(), z.string()).default(DEFAULT_SEVERITY_MAP),
        resolved: z.enum(["comment", "mitigate"]).default("comment"),
      })
      .strict()
      .prefault({}),
    notifications: z.array(notification).default([]),
    private: z
      .object({ repo: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$/, { message: "must be owner/name" }).optional() })
      .strict()
      .default({}),
    statuspage: statuspage.prefault({}),
    maintenance: maintenance.prefault({}),
    // GitHub's issue type for incidents: used when the organisation defines it; false turns it off.
    issue_type: z.union([z.string().trim().min(1).max(100), z.literal(false)]).default("Incident"),
  })
  .strict()
  .transform((config) => {
    // The built-in alert mapping names sev1…sev4; with other severities, keep the entries that exist.
    if (JSON.stringify(config.alerts.severity_map) === JSON.stringify(DEFAULT_SEVERITY_MAP)) {
      const names = new Set(config.severities.map((s) => s.name));
      config.alerts.severity_map = Object.fromEntries(Object.entries(DEFAULT_SEVERITY_MAP).filter(([, v]) => names.has(v)));
    }
    return config;
  })
  .superRefine((config, ctx) => {
    const names = config.severities.map((s) => s.name);
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: ["severities", index, "name"], message: `"${name}" is listed twice` });
      seen.add(name);
    });
    const known = (value: string | undefined, path: (string | number)[]) => {
      if (value !== undefined && !seen.has(value)) {
        ctx.addIssue({ code: "custom", path, message: `"${value}" is not one of the severities (${names.join(", ")})` });
      }
    };
    known(config.default_severity, ["default_severity"]);
    for (const [key, value] of Object.entries(config.alerts.severity_map)) known(value, ["alerts", "severity_map", key]);
    config.notifications.forEach((n, i) => known(n.min_severity, ["notifications", i, "min_severity"]));
    const rotations = new Set<string>();
    config.oncall.rotations.forEach((r, i) => {
      if (rotations.has(r.name)) ctx.addIssue({ code: "custom", path: ["oncall", "rotations", i, "name"], message: `"${r.name}" is listed twice` });
      rotations.add(r.name);
    });
    // One label, one meaning: a label that is both a severity and a status (or two severities)
    // would have the app swap labels back and forth for ever.
    const meanings = new Map<string, string>();
    const label = (name: string, path: (string | number)[]) => {
      const key = name.toLowerCase();
      const first = meanings.get(key);
      if (first !== undefined) ctx.addIssue({ code: "custom", path, message: `"${name}" is already the label of ${first}: each label has one meaning` });
      else meanings.set(key, path.join("."));
    };
    for (const [key, name] of Object.entries(config.labels)) if (typeof name === "string") label(name, ["labels", key]);
    for (const [key, name] of Object.entries(config.labels.status)) label(name, ["labels", "status", key]);
    config.severities.forEach((s, i) => label(s.label, ["severities", i, "label"]));
    for (const [name, svc] of Object.entries(config.services)) {
      if (svc.rotation !== undefined && !rotations.has(svc.rotation)) {
        ctx.addIssue({ code: "custom", path: ["services", name, "rotation"], message: `no rotation named "${svc.rotation}" under oncall.rotations` });
      }
    }
    known(config.maintenance.page_above, ["maintenance", "page_above"]);
    if (config.changes.freeze) {
      known(config.changes.freeze.min_severity, ["changes", "freeze", "min_severity"]);
      config.changes.freeze.services.forEach((name, i) => {
        if (!(name in config.services)) ctx.addIssue({ code: "custom", path: ["changes", "freeze", "services", i], message: `"${name}" is not one of the services (${Object.keys(config.services).join(", ") || "none configured"})` });
      });
    }
    for (const name of Object.keys(config.statuspage.severities ?? {})) known(name, ["statuspage", "severities", name]);
    const services = Object.keys(config.services);
    (config.statuspage.components ?? []).forEach((component, i) => {
      const named = typeof component === "string" ? [component] : component.services;
      for (const service of named) {
        if (services.length > 0 && !services.includes(service)) {
          ctx.addIssue({ code: "custom", path: ["statuspage", "components", i], message: `"${service}" is not one of the services (${services.join(", ")})` });
        }
      }
    });
    if (!config.roles.includes("commander")) {
      ctx.addIssue({ code: "custom", path: ["roles"], message: "must include commander" });
    }
  });

export type Config = z.output<typeof configSchema>;
export type Rotation = Config["oncall"]["rotations"][number];
export type NotificationChannel = Config["notifications"][number];

export const DEFAULT_CONFIG: Config = configSchema.parse({});
