// Webhook payloads the sim builds without a community example (@octokit/webhooks-examples has none
// for some events) are checked against GitHub's own webhook schemas (@octokit/openapi-webhooks).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { formatErrors } from "./openapi.js";

const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => void }).default ?? addFormatsModule;

let doc: { components: { schemas: Record<string, unknown> } } | undefined;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function load() {
  if (!doc) {
    const require = createRequire(import.meta.url);
    doc = JSON.parse(readFileSync(require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json"), "utf8"));
    ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
    addFormats(ajv);
    // As in openapi.ts: GitHub sends "" for unset URL fields.
    const uri = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
    ajv.addFormat("uri", { type: "string", validate: (s: string) => s === "" || uri.test(s) });
    ajv.addSchema({ $id: "webhooks", components: doc!.components });
  }
  return ajv!;
}

/** Validate a webhook payload against a component schema of the webhooks description (e.g. "webhook-deployment-protection-rule-requested"). */
export function validateWebhook(schema: string, payload: unknown): { ok: true } | { ok: false; message: string } {
  const a = load();
  let v = validators.get(schema);
  if (!v) {
    v = a.compile({ $ref: `webhooks#/components/schemas/${schema}` });
    validators.set(schema, v);
  }
  if (v(payload)) return { ok: true };
  return { ok: false, message: `${schema}: ${formatErrors(v.errors)}` };
}
