/** Writes incidents.schema.json from the zod schema, for editors (`npm run schema`). */
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/config/json-schema.js";

writeFileSync(new URL("../incidents.schema.json", import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote incidents.schema.json");
