// Request/response types shared by the router, the routes and the loopback server.
import type { GitHubSim } from "./index.js";
import type { AppRec, UserRec } from "./model.js";

export interface Identity {
  kind: "user" | "installation" | "app-jwt";
  user: UserRec;
  login: string;
  app: AppRec | null;
  installationId: number | null;
}

export interface SimRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A response body sent as it is (`Accept: application/vnd.github.raw`), not as JSON. */
export class RawBody {
  constructor(readonly text: string) {}
}

export const encodeBody = (body: unknown): string => (body instanceof RawBody ? body.text : JSON.stringify(body));

export interface Ctx {
  sim: GitHubSim;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  identity: Identity;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  method: string;
  path: string;
  /** The origin the client used (for Link headers). */
  origin: string;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => RouteResult | Promise<RouteResult>;

export class HttpError extends Error {
  constructor(
    public status: number,
    message: string,
    public extra: Record<string, unknown> = {},
    public headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, "Not Found");

export function validationFailed(message: string, errors: unknown[] = []) {
  return new HttpError(422, message, { errors });
}
