// The request pipeline: auth → operation match → faults/limits → validation → route → headers/records.
import { createHash, randomBytes } from "node:crypto";
import { identify } from "./auth.js";
import { SECONDARY_MESSAGE } from "./faults.js";
import { handleGraphql } from "./graphql.js";
import { checkLengths, encodeBody, HttpError, LIMITED_OPERATIONS, type Ctx, type Handler, type Identity, type SimRequest, type SimResponse } from "./http.js";
import type { GitHubSim } from "./index.js";
import { matchOperation, validateParams, validateRequestBody, validateResponse } from "./openapi.js";
import { appRoutes } from "./routes/apps.js";
import { checkRoutes } from "./routes/checks.js";
import { issueRoutes } from "./routes/issues.js";
import { pullRoutes } from "./routes/pulls.js";
import { repoRoutes } from "./routes/repos.js";
import { searchRoutes } from "./routes/search.js";
import { gateRoutes } from "./gates.js";

export const handlers: Record<string, Handler> = { ...issueRoutes, ...pullRoutes, ...repoRoutes, ...searchRoutes, ...appRoutes, ...checkRoutes, ...gateRoutes };

export interface RequestRecord {
  method: string;
  path: string;
  route: string | null;
  operationId: string | null;
  status: number;
  identity: string | null;
  query: Record<string, string>;
  body: unknown;
  at: string;
  /** False for a `304 Not Modified` answer to a conditional request: GitHub does not count it against the rate limit. */
  counted: boolean;
}

export interface Violation {
  kind: "unknown-operation" | "invalid-body" | "invalid-params" | "unimplemented" | "invalid-response" | "graphql" | "invalid-webhook";
  method: string;
  path: string;
  message: string;
}

const DOCS = "https://docs.github.com/rest";

function errorBody(status: number, message: string, extra: Record<string, unknown> = {}) {
  return { message, ...extra, documentation_url: DOCS, status: String(status) };
}

export async function route(sim: GitHubSim, req: SimRequest): Promise<SimResponse> {
  const url = new URL(req.url, "http://sim.invalid");
  const method = req.method.toUpperCase();
  // accept any base URL (e.g. GHES-style /api/v3 prefix)
  const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "") || "/";
  const origin = `${url.protocol}//${url.host}${url.pathname.startsWith("/api/v3/") ? "/api/v3" : ""}`;
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(), "x-github-media-type": "github.v3; format=json" };
  const record: RequestRecord = { method, path, route: null, operationId: null, status: 0, identity: null, query: Object.fromEntries(url.searchParams), body: undefined, at: sim.clock.iso(), counted: true };
  let identity: Identity | undefined;
  let isWrite = method !== "GET" && method !== "HEAD";
  const finish = (status: number, body: unknown, extraHeaders: Record<string, string> = {}): SimResponse => {
    record.status = status;
    sim.requests.push(record);
    const res = { status, headers: { ...headers, ...lower(extraHeaders) }, body: status === 204 || status === 304 ? undefined : body };
    return res;
  };
  const violation = (kind: Violation["kind"], message: string) => {
    sim.violations.push({ kind, method, path, message });
    if (sim.options.throwOnViolation) sim.pendingErrors.push(new Error(`GitHub sim violation (${kind}) ${method} ${path}: ${message}`));
  };

  let body: unknown;
  if (req.body !== undefined && req.body !== "") {
    try {
      body = JSON.parse(req.body);
    } catch {
      return finish(400, errorBody(400, "Problems parsing JSON"));
    }
  }
  record.body = body;

  try {
    identity = identify(sim.state, header(req.headers, "authorization"), sim.clock.now());
    record.identity = identity.login;
  } catch (e) {
    if (e instanceof HttpError) return finish(e.status, errorBody(e.status, e.message));
    throw e;
  }
  const isGraphql = method === "POST" && path === "/graphql";
  const resource = isGraphql ? "graphql" : path.startsWith("/search/") ? "search" : "core";
  Object.assign(headers, sim.limits.headers(identity.login, sim.clock.now(), resource));

  const matched = isGraphql ? undefined : matchOperation(method, path);
  if (!isGraphql && !matched) {
    violation("unknown-operation", `${method} ${path} is not in GitHub's OpenAPI description`);
    return finish(404, errorBody(404, `Not Found (not in GitHub's OpenAPI description: ${method} ${path})`));
  }
  record.route = isGraphql ? "/graphql" : matched!.operation.template;
  record.operationId = isGraphql ? "graphql" : matched!.operation.operationId;
  if (path.startsWith("/app/installations/") && method === "POST") isWrite = false; // token minting is not content creation

  // faults: a faulted request changes nothing
  const fault = sim.faults.take(method, path, record.route);
  if (fault) {
    return finish(fault.status, fault.body ?? errorBody(fault.status, fault.status >= 500 ? "Server Error" : "Injected fault"), fault.headers ?? {});
  }
  if (isWrite && !sim.limits.allowWrite(identity.login)) {
    return finish(403, { message: SECONDARY_MESSAGE, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" }, { "retry-after": "60" });
  }

  const ctx: Ctx = { sim, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v])), identity, params: matched?.params ?? {}, query: url.searchParams, body, method, path, origin };

  if (isGraphql) {
    const r = handleGraphql(ctx);
    if (r.violation) violation("graphql", r.violation);
    return finish(r.status, r.body);
  }
  const operation = matched!.operation;

  const paramProblems = validateParams(operation, url.searchParams);
  if (paramProblems.length) {
    const hard = paramProblems.filter((p) => !p.startsWith("unknown query parameter"));
    violation("invalid-params", paramProblems.join("; "));
    if (hard.length) return finish(422, errorBody(422, `Invalid request.\n\n${hard.join("\n")}`));
  }
  if (method !== "GET" && method !== "HEAD") {
    const v = validateRequestBody(operation, body);
    if (!v.ok) {
      violation("invalid-body", v.message);
      return finish(422, errorBody(422, v.message, { errors: v.errors.map((e) => ({ field: e.instancePath, message: e.message, code: "invalid" })) }));
    }
  }

  const limited = LIMITED_OPERATIONS[operation.operationId];
  if (limited && body && typeof body === "object") {
    try {
      const fields = body as { title?: unknown; body?: unknown };
      checkLengths(limited, {
        ...(typeof fields.body === "string" ? { body: fields.body } : {}),
        ...(limited === "Issue" && typeof fields.title === "string" ? { title: fields.title } : {}),
      });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return finish(e.status, errorBody(e.status, e.message, e.extra));
    }
  }

  const handler = handlers[operation.operationId];
  if (!handler) {
    violation("unimplemented", `the sim does not implement ${operation.operationId} (${method} ${operation.template})`);
    return finish(501, errorBody(501, `Not implemented by the GitHub sim: ${operation.operationId}`));
  }

  let status: number;
  let out: unknown;
  let extra: Record<string, string>;
  try {
    const r = await handler(ctx);
    status = r.status ?? 200;
    out = r.body;
    extra = r.headers ?? {};
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    if (e.status === 301) {
      const loc = `${origin}${String(e.extra.url)}`;
      return finish(301, { message: "Moved Permanently", url: loc, documentation_url: DOCS }, { location: loc });
    }
    return finish(e.status, errorBody(e.status, e.message, e.extra), e.headers);
  }
  if (sim.options.validateResponses && status < 300) {
    const v = validateResponse(operation, status, out);
    if (!v.ok) violation("invalid-response", v.message);
  }
  if (method === "GET" && status === 200) {
    // Like GitHub: a weak ETag of the representation; `If-None-Match` with it answers 304 with no
    // body, which does not count against the rate limit.
    const etag = `W/"${createHash("sha1").update(header(req.headers, "accept") ?? "").update("\0").update(encodeBody(out)).digest("hex")}"`;
    extra = { ...extra, etag };
    const presented = header(req.headers, "if-none-match");
    if (presented !== undefined && presented.split(",").some((t) => t.trim() === etag || t.trim() === "*")) {
      record.counted = false;
      Object.assign(headers, sim.limits.refund(identity.login, sim.clock.now(), resource));
      return finish(304, undefined, extra);
    }
  }
  return finish(status, out, extra);
}

function header(h: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
