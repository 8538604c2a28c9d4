import { z } from "zod";
import { configSchema } from "./schema.js";

/** The JSON Schema of `.github/incidents.yml`, generated from the zod schema (what a user may write). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  schema.properties = {
    _extends: {
      type: "string",
      description: "Inherit from another repository's file: `repo`, `owner/repo` or `owner/repo:path/to/file.yml`",
    },
    ...properties,
  };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/incident-desk/incident-desk/blob/main/incidents.schema.json",
    title: "incident-desk configuration (.github/incidents.yml)",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
