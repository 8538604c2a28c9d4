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

/** GitHub's limits on what people and apps write (characters, as GitHub counts them: code points). */
export const LIMITS = { body: 65_536, title: 256 } as const;

const characters = (text: string) => (text.length <= LIMITS.title ? text.length : [...text].length);

/**
 * GitHub's 422 for a body or title over its limit, e.g.
 * `{"resource":"Issue","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}`
 * (issues and pull requests are `Issue`, comments `IssueComment`). A refused write changes nothing.
 */
export function checkLengths(resource: string, fields: { title?: string | null; body?: string | null }) {
  for (const field of ["title", "body"] as const) {
    const value = fields[field];
    if (typeof value !== "string" || value.length <= LIMITS[field]) continue;
    if (characters(value) > LIMITS[field]) {
      throw validationFailed("Validation Failed", [{ resource, code: "custom", field, message: `${field} is too long (maximum is ${LIMITS[field]} characters)` }]);
    }
  }
}

/**
 * The REST operations that take an issue, pull request, review or comment body (and the title of
 * issues and pull requests), with the resource GitHub names in its 422. Checked before the route
 * runs, so the operations the sim does not implement are held to the limit too.
 */
export const LIMITED_OPERATIONS: Record<string, string> = {
  "issues/create": "Issue",
  "issues/update": "Issue",
  "pulls/create": "Issue",
  "pulls/update": "Issue",
  "issues/create-comment": "IssueComment",
  "issues/update-comment": "IssueComment",
  "pulls/create-review-comment": "PullRequestReviewComment",
  "pulls/update-review-comment": "PullRequestReviewComment",
  "pulls/create-reply-for-review-comment": "PullRequestReviewComment",
  "pulls/create-review": "PullRequestReview",
  "pulls/update-review": "PullRequestReview",
  "pulls/submit-review": "PullRequestReview",
  "repos/create-commit-comment": "CommitComment",
  "repos/update-commit-comment": "CommitComment",
};
