// Webhook deliveries: payloads built from @octokit/webhooks-examples, overwritten with the sim's state.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

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

export function buildPayload(name: string, action: string | undefined, fields: Record<string, unknown>): Record<string, any> {
  const p = exampleFor(name, action);
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
