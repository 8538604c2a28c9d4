/**
 * JSON schemas of Atlassian Statuspage's public API (v2), written from its documented fields
 * (the page, status, components, incidents with incident_updates, scheduled maintenances), so
 * that a client of that API would read our files. Every documented field is required, with its
 * documented type and values; nothing else is allowed (a misspelt field fails).
 */
import { Ajv } from "ajv";
import addFormats from "ajv-formats";

const dateTime = { type: "string", format: "date-time" } as const;
const nullableDateTime = { anyOf: [dateTime, { type: "null" }] } as const;
const strict = (properties: Record<string, unknown>) => ({ type: "object", properties, required: Object.keys(properties), additionalProperties: false });

const page = strict({
  id: { type: "string", minLength: 1 },
  name: { type: "string", minLength: 1 },
  url: { type: "string", format: "uri" },
  time_zone: { type: "string" },
  updated_at: dateTime,
});

const status = strict({
  indicator: { enum: ["none", "minor", "major", "critical"] },
  description: { type: "string", minLength: 1 },
});

const component = strict({
  id: { type: "string", minLength: 1 },
  name: { type: "string", minLength: 1 },
  status: { enum: ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"] },
  created_at: dateTime,
  updated_at: dateTime,
  position: { type: "integer", minimum: 1 },
  description: { type: ["string", "null"] },
  showcase: { type: "boolean" },
  start_date: { type: ["string", "null"] },
  group_id: { type: ["string", "null"] },
  page_id: { type: "string" },
  group: { type: "boolean" },
  only_show_if_degraded: { type: "boolean" },
});

const incidentUpdate = (statuses: string[]) =>
  strict({
    id: { type: "string", minLength: 1 },
    status: { enum: statuses },
    body: { type: "string" },
    incident_id: { type: "string", minLength: 1 },
    created_at: dateTime,
    updated_at: dateTime,
    display_at: dateTime,
    affected_components: {
      anyOf: [{ type: "null" }, { type: "array", items: strict({ code: { type: "string" }, name: { type: "string" }, old_status: { type: "string" }, new_status: { type: "string" } }) }],
    },
    deliver_notifications: { type: "boolean" },
    custom_tweet: { type: ["string", "null"] },
    tweet_id: { type: ["string", "null"] },
  });

const incidentFields = (statuses: string[], impacts: string[]) => ({
  id: { type: "string", minLength: 1 },
  name: { type: "string", minLength: 1 },
  status: { enum: statuses },
  created_at: dateTime,
  updated_at: nullableDateTime,
  monitoring_at: nullableDateTime,
  resolved_at: nullableDateTime,
  impact: { enum: impacts },
  shortlink: { type: "string", format: "uri" },
  started_at: dateTime,
  page_id: { type: "string" },
  incident_updates: { type: "array", items: incidentUpdate(statuses) },
  components: { type: "array", items: component },
});

const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved", "postmortem"];
const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "verifying", "completed"];
const incident = strict(incidentFields(INCIDENT_STATUSES, ["none", "minor", "major", "critical"]));
const maintenance = strict({
  ...incidentFields(MAINTENANCE_STATUSES, ["maintenance", "none", "minor", "major", "critical"]),
  scheduled_for: dateTime,
  scheduled_until: dateTime,
});

const documents: Record<string, unknown> = {
  "summary.json": strict({ page, components: { type: "array", items: component }, incidents: { type: "array", items: incident }, scheduled_maintenances: { type: "array", items: maintenance }, status }),
  "status.json": strict({ page, status }),
  "components.json": strict({ page, components: { type: "array", items: component } }),
  "incidents.json": strict({ page, incidents: { type: "array", items: incident, maxItems: 50 } }),
  "incidents/unresolved.json": strict({ page, incidents: { type: "array", items: { ...incident, properties: { ...incident.properties, status: { enum: ["investigating", "identified", "monitoring"] } } } } }),
  "scheduled-maintenances.json": strict({ page, scheduled_maintenances: { type: "array", items: maintenance, maxItems: 50 } }),
  "scheduled-maintenances/upcoming.json": strict({ page, scheduled_maintenances: { type: "array", items: { ...maintenance, properties: { ...maintenance.properties, status: { const: "scheduled" } } } } }),
  "scheduled-maintenances/active.json": strict({ page, scheduled_maintenances: { type: "array", items: { ...maintenance, properties: { ...maintenance.properties, status: { enum: ["in_progress", "verifying"] } } } } }),
};

const ajv = new Ajv({ allErrors: true, strict: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validators = new Map(Object.entries(documents).map(([name, schema]) => [name, ajv.compile(schema as object)]));

/** Throws with ajv's errors when the document is not what Statuspage's API would return. */
export function validateStatuspageApi(name: string, document: unknown): void {
  const validate = validators.get(name);
  if (!validate) throw new Error(`no schema for api/v2/${name}`);
  if (!validate(document)) throw new Error(`api/v2/${name}: ${ajv.errorsText(validate.errors, { separator: "\n" })}`);
}
