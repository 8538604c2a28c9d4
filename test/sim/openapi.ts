// Loads GitHub's OpenAPI description once per process, matches requests to operations and
// validates request bodies / parameters / (optionally) responses with ajv.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction, type ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";

const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => void }).default ?? addFormatsModule;

type Json = any;

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  op: Json;
  regex: RegExp;
  params: string[];
  sortKey: number[];
}

export interface MatchedOperation {
  operation: Operation;
  params: Record<string, string>;
}

interface Loaded {
  doc: Json;
  byMethod: Map<string, Operation[]>;
  byId: Map<string, Operation>;
  loadMs: number;
}

let loaded: Loaded | undefined;
let ajv: Ajv | undefined;
const bodyValidators = new Map<string, ValidateFunction | null>();
const responseValidators = new Map<string, ValidateFunction | null>();
const schemaValidators = new Map<string, ValidateFunction>();

/** Greedy last parameters: values that may contain "/" when the client did not encode it. */
const GREEDY = new Set(["path", "ref", "branch"]);

export function loadOpenApi(): Loaded {
  if (loaded) return loaded;
  const t0 = performance.now();
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const byMethod = new Map<string, Operation[]>();
  const byId = new Map<string, Operation>();
  for (const [template, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const segs = template.split("/").slice(1);
      const params: string[] = [];
      const sortKey: number[] = [];
      const parts = segs.map((s, i) => {
        const m = /^\{([^}]+)\}$/.exec(s);
        if (m) {
          params.push(m[1]!);
          sortKey.push(1);
          const greedy = i === segs.length - 1 && GREEDY.has(m[1]!);
          return greedy ? "(.+)" : "([^/]+)";
        }
        sortKey.push(0);
        // segments like "{owner}.{repo}" are rare; escape literals
        return s.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_x, p: string) => {
          params.push(p);
          return "([^/]+)";
        });
      });
      const regex = new RegExp("^/" + parts.join("/") + "/?$");
      const operation: Operation = { method: method.toUpperCase(), template, operationId: op.operationId, op, regex, params, sortKey };
      const list = byMethod.get(operation.method) ?? [];
      list.push(operation);
      byMethod.set(operation.method, list);
      byId.set(op.operationId, operation);
    }
  }
  for (const list of byMethod.values()) {
    list.sort((a, b) => {
      const n = Math.max(a.sortKey.length, b.sortKey.length);
      for (let i = 0; i < n; i++) {
        const d = (a.sortKey[i] ?? 2) - (b.sortKey[i] ?? 2);
        if (d) return d;
      }
      return 0;
    });
  }
  loaded = { doc, byMethod, byId, loadMs: performance.now() - t0 };
  return loaded;
}

export function openApiLoadMs(): number {
  return loadOpenApi().loadMs;
}

export function matchOperation(method: string, path: string): MatchedOperation | undefined {
  const { byMethod } = loadOpenApi();
  for (const operation of byMethod.get(method.toUpperCase()) ?? []) {
    const m = operation.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    operation.params.forEach((p, i) => {
      params[p] = safeDecode(m[i + 1]!);
    });
    return { operation, params };
  }
  return undefined;
}

export function operationById(id: string): Operation | undefined {
  return loadOpenApi().byId.get(id);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function getAjv(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  // GitHub answers "" for unset URL fields (deployment status target_url, …) although the description says format uri.
  const uri = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
  ajv.addFormat("uri", { type: "string", validate: (s: string) => s === "" || uri.test(s) });
  return ajv;
}

export function resolveRef(node: Json): Json {
  const { doc } = loadOpenApi();
  let n = node;
  while (n && typeof n === "object" && typeof n.$ref === "string") {
    n = pointer(doc, n.$ref);
  }
  return n;
}

function pointer(doc: Json, ref: string): Json {
  const parts = ref.replace(/^#\//, "").split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let cur = doc;
  for (const p of parts) cur = cur?.[p];
  return cur;
}

/** Builds a self-contained schema: the schema plus the components it references (transitively). */
function selfContained(schema: Json): Json {
  const { doc } = loadOpenApi();
  const schemas: Record<string, Json> = {};
  const visit = (node: Json) => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    for (const [k, v] of Object.entries<Json>(node)) {
      if (k === "$ref" && typeof v === "string") {
        const m = /^#\/components\/schemas\/(.+)$/.exec(v);
        if (m && !(m[1]! in schemas)) {
          schemas[m[1]!] = doc.components.schemas[m[1]!];
          visit(schemas[m[1]!]);
        }
      } else if (k !== "example" && k !== "examples") visit(v);
    }
  };
  visit(schema);
  const converted: Record<string, Json> = {};
  for (const [k, v] of Object.entries(schemas)) converted[k] = toJsonSchema(v);
  return { allOf: [toJsonSchema(schema)], components: { schemas: converted } };
}

/** OpenAPI 3.0 → JSON Schema for ajv: `nullable`, and oneOf → anyOf (GitHub's oneOfs overlap). */
function toJsonSchema(node: Json): Json {
  if (!node || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map(toJsonSchema);
  const out: Json = {};
  for (const [k, v] of Object.entries<Json>(node)) {
    if (k === "example" || k === "examples" || k === "discriminator") continue;
    if (k === "oneOf") out.anyOf = toJsonSchema(v);
    else if (k === "properties" || k === "patternProperties" || k === "definitions") {
      out[k] = Object.fromEntries(Object.entries<Json>(v ?? {}).map(([pk, pv]) => [pk, toJsonSchema(pv)]));
    } else out[k] = toJsonSchema(v);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (!out.type) return { anyOf: [out, { type: "null" }] };
  } else if (out.nullable === false) delete out.nullable;
  return out;
}

function compile(schema: Json): ValidateFunction {
  return getAjv().compile(selfContained(schema));
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`)
    .join("; ");
}

export function validateRequestBody(operation: Operation, body: unknown): { ok: true } | { ok: false; message: string; errors: ErrorObject[] } {
  let v = bodyValidators.get(operation.operationId);
  if (v === undefined) {
    const rb = resolveRef(operation.op.requestBody);
    const schema = rb?.content?.["application/json"]?.schema;
    v = schema ? compile(schema) : null;
    bodyValidators.set(operation.operationId, v);
  }
  if (!v) return { ok: true };
  const rb = resolveRef(operation.op.requestBody);
  if (body === undefined) {
    if (rb?.required) return { ok: false, message: "Invalid request.\n\nRequest body is required.", errors: [] };
    return { ok: true };
  }
  if (v(body)) return { ok: true };
  return { ok: false, message: `Invalid request.\n\n${formatErrors(v.errors)}`, errors: [...(v.errors ?? [])] };
}

/** Loose parameter validation: declared integer/boolean/enum params must parse; required ones must be present. */
export function validateParams(operation: Operation, query: URLSearchParams): string[] {
  const problems: string[] = [];
  const params: Json[] = [...(operation.op.parameters ?? [])].map(resolveRef);
  for (const p of params) {
    if (p.in !== "query") continue;
    const value = query.get(p.name);
    if (value === null) {
      if (p.required) problems.push(`query parameter ${p.name} is required`);
      continue;
    }
    const type = p.schema?.type;
    if (type === "integer" && !/^-?\d+$/.test(value)) problems.push(`query parameter ${p.name} must be an integer, got ${JSON.stringify(value)}`);
    if (type === "boolean" && !/^(true|false)$/.test(value)) problems.push(`query parameter ${p.name} must be a boolean`);
    if (Array.isArray(p.schema?.enum) && !p.schema.enum.includes(value)) problems.push(`query parameter ${p.name} must be one of ${p.schema.enum.join(", ")}, got ${JSON.stringify(value)}`);
  }
  const known = new Set(params.filter((p) => p.in === "query").map((p) => p.name));
  for (const key of query.keys()) {
    if (!known.has(key)) problems.push(`unknown query parameter ${key}`);
  }
  return problems;
}

/** The schema of the answer, or undefined when the description has none (`Json` is `any`). */
export function responseSchema(operation: Operation, status: number): Json {
  const responses = operation.op.responses ?? {};
  const r = resolveRef(responses[String(status)]);
  return r?.content?.["application/json"]?.schema;
}

export function validateResponse(operation: Operation, status: number, body: unknown): { ok: true } | { ok: false; message: string } {
  const key = `${operation.operationId} ${status}`;
  let v = responseValidators.get(key);
  if (v === undefined) {
    const schema = responseSchema(operation, status);
    v = schema ? compile(schema) : null;
    responseValidators.set(key, v);
  }
  if (!v) {
    const declared = Object.keys(operation.op.responses ?? {});
    if (!declared.includes(String(status)) && status < 400) return { ok: false, message: `status ${status} is not declared for ${operation.operationId} (declared: ${declared.join(", ")})` };
    return { ok: true };
  }
  if (v(body)) return { ok: true };
  return { ok: false, message: `${operation.operationId} ${status}: ${formatErrors(v.errors)}` };
}

/** Validate any value against a named component schema (e.g. "issue", "webhook-issues-opened"). */
export function validateComponent(name: string, value: unknown): { ok: true } | { ok: false; message: string } {
  let v = schemaValidators.get(name);
  if (!v) {
    v = compile({ $ref: `#/components/schemas/${name}` });
    schemaValidators.set(name, v);
  }
  if (v(value)) return { ok: true };
  return { ok: false, message: `${name}: ${formatErrors(v.errors)}` };
}
