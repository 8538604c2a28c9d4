// Webhook deliveries: payloads built from @octokit/webhooks-examples, overwritten with the sim's state.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => void }).default ?? addFormatsModule;

export interface Delivery {
  id: string;
  name: string;
  payload: Record<string, any>;
}

export type WebhookListener = (d: Delivery) => void | Promise<void>;

let examples: Map<string, any[]> | undefined;

function loadExamples(): Map<string, any[]> {
  if (examples) return examples;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/webhooks-examples/api.github.com/index.json");
  const defs = JSON.parse(readFileSync(file, "utf8")) as { name: string; examples: any[] }[];
  examples = new Map(defs.map((d) => [d.name, d.examples]));
  return examples;
}

/** The community example for name/action (deep-cloned), or {} if there is none. */
export function exampleFor(name: string, action?: string): Record<string, any> {
  const list = loadExamples().get(name) ?? [];
  const ex = (action && list.find((e) => e.action === action)) || list[0];
  return ex ? structuredClone(ex) : {};
}

const STRIP = ["changes", "label", "assignee", "organization", "enterprise", "installation", "milestone", "requested_reviewer", "requested_team", "before", "after"];

/**
 * Events with no example in @octokit/webhooks-examples: their payloads are built from the sim's
 * state alone and validated against the schema of @octokit/openapi-webhooks at every emission.
 */
export const SCHEMA_BUILT = new Set([
  "issues.typed",
  "issues.untyped",
  "sub_issues.sub_issue_added",
  "sub_issues.sub_issue_removed",
  "sub_issues.parent_issue_added",
  "sub_issues.parent_issue_removed",
]);

let webhookDoc: { components: { schemas: Record<string, unknown> } } | undefined;
let webhookAjv: Ajv | undefined;
const webhookValidators = new Map<string, ValidateFunction | null>();

/** The payload's problems against GitHub's webhook schema (`webhook-<event>-<action>`), or undefined when it is valid. */
export function validateWebhook(name: string, action: string | undefined, payload: unknown, force = false): string | undefined {
  const key = `${name}.${action ?? ""}`;
  if (!force && !SCHEMA_BUILT.has(key)) return undefined;
  let validate = webhookValidators.get(key);
  if (validate === undefined) {
    if (!webhookDoc) {
      const require = createRequire(import.meta.url);
      webhookDoc = JSON.parse(readFileSync(require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json"), "utf8"));
    }
    const component = `webhook-${name.replace(/_/g, "-")}${action ? `-${action.replace(/_/g, "-")}` : ""}`;
    if (!webhookDoc!.components.schemas[component]) validate = null;
    else {
      if (!webhookAjv) {
        webhookAjv = new Ajv({ strict: false, allErrors: true, logger: false });
        addFormats(webhookAjv);
        // As for the REST answers (openapi.ts): GitHub's URLs as the sim writes them (a bot's `…/name[bot]`, "" when unset).
        const uri = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
        webhookAjv.addFormat("uri", { type: "string", validate: (v: string) => v === "" || uri.test(v) });
        webhookAjv.addSchema({ $id: "webhooks.json", components: webhookDoc!.components });
      }
      validate = webhookAjv.compile({ $ref: `webhooks.json#/components/schemas/${component}` });
    }
    webhookValidators.set(key, validate);
  }
  if (validate === null) return `no schema for the ${key} webhook in @octokit/openapi-webhooks`;
  if (validate(payload)) return undefined;
  return (validate.errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || "(payload)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`)
    .join("; ");
}

export function buildPayload(name: string, action: string | undefined, fields: Record<string, unknown>): Record<string, any> {
  // An event with no example starts empty (not from another action's example).
  const p = SCHEMA_BUILT.has(`${name}.${action ?? ""}`) ? {} : exampleFor(name, action);
  for (const k of STRIP) delete p[k];
  if (action !== undefined) p.action = action;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete p[k];
    else p[k] = v;
  }
  return p;
}

export class Webhooks {
  #queue: Delivery[] = [];
  /** Every delivery ever emitted (not cleared by take()). */
  history: Delivery[] = [];
  #listeners = new Set<WebhookListener>();
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  /** Errors thrown by listeners (rethrown by idle()). */
  errors: unknown[] = [];

  emit(name: string, payload: Record<string, any>): Delivery {
    const d: Delivery = { id: randomUUID(), name, payload };
    this.#queue.push(d);
    this.history.push(d);
    if (this.#listeners.size) {
      this.#pending++;
      const listeners = [...this.#listeners];
      this.#chain = this.#chain.then(async () => {
        try {
          for (const l of listeners) {
            try {
              await l(d);
            } catch (e) {
              this.errors.push(e);
            }
          }
        } finally {
          this.#pending--;
        }
      });
    }
    return d;
  }

  /** Returns and clears the queued deliveries. Optionally only those with the given event name. */
  take(name?: string): Delivery[] {
    if (!name) {
      const q = this.#queue;
      this.#queue = [];
      return q;
    }
    const taken = this.#queue.filter((d) => d.name === name);
    this.#queue = this.#queue.filter((d) => d.name !== name);
    return taken;
  }

  /** Queued deliveries without clearing them. */
  peek(): Delivery[] {
    return [...this.#queue];
  }

  subscribe(fn: WebhookListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Resolves when all listener calls (including those for deliveries they caused) have finished. */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const c = this.#chain;
      await c;
      await new Promise((r) => setImmediate(r));
      if (c === this.#chain && this.#pending === 0) break;
    }
    if (this.errors.length) {
      const e = this.errors.shift();
      throw e;
    }
  }

  sign(body: string, secret: string): string {
    return "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
  }

  /** Headers + body for POSTing a delivery to a webhook endpoint (e.g. Probot's /api/github/webhooks). */
  toRequest(d: Delivery, secret: string): { headers: Record<string, string>; body: string } {
    const body = JSON.stringify(d.payload);
    return {
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": d.name,
        "x-github-delivery": d.id,
        "x-hub-signature-256": this.sign(body, secret),
        "user-agent": "GitHub-Hookshot/sim",
      },
    };
  }
}
