import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { ConfigError } from "../config/load.js";
import { parseRepo, type RepoRef } from "../github/client.js";
import type { Logger } from "../incident/handle.js";
import { alertmanagerPayloadSchema, fromAlertmanager } from "./alertmanager.js";
import { grafanaPayloadSchema, fromGrafana } from "./grafana.js";
import { describeIssues, type AlertGroup } from "./group.js";
import { NotInstalled, type ClientFor } from "./installation.js";
import { receiveAlertGroup, type AlertOutcome } from "./receive.js";

/**
 * `POST /api/alerts/alertmanager` and `POST /api/alerts/grafana`, as a Probot 14 `addHandler`
 * handler (it answers `false` for every other path, so Probot's own routes still work).
 *
 * Everything that decides the answer without GitHub is checked first: the bearer token (401),
 * the target repository (400), the body against its schema (400 with the reason). Then the
 * GitHub work starts and the route waits for it at most `budgetMs` (default 5 s): done in time,
 * it answers with the outcome (201 opened, 200 commented or nothing new, 404 not installed,
 * 422 bad configuration, 502 GitHub failed, so the sender retries); not done in time, it answers
 * 202 and the work goes on in the background (the result is logged). Alertmanager and Grafana
 * both time out slow receivers, and a retry of a slow delivery then writes nothing twice.
 */
export interface AlertRouteOptions {
  clientFor: ClientFor;
  log: Logger;
  /** Read at each request, so a changed token needs no restart. Default `process.env`. */
  env?: () => Record<string, string | undefined>;
  budgetMs?: number;
  /** Largest body accepted; Alertmanager caps groups with `max_alerts`. */
  maxBodyBytes?: number;
}

const SOURCES: Record<string, { schema: z.ZodType; toGroup: (body: never) => AlertGroup }> = {
  "/api/alerts/alertmanager": { schema: alertmanagerPayloadSchema, toGroup: fromAlertmanager },
  "/api/alerts/grafana": { schema: grafanaPayloadSchema, toGroup: fromGrafana },
};

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares digests, so neither the length nor any prefix of the token leaks through timing. */
export function tokenMatches(presented: string | undefined, expected: string | undefined): boolean {
  if (!expected || presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
  return true;
}

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function outcomeStatus(outcome: AlertOutcome): number {
  return outcome.action === "opened" ? 201 : 200;
}

export function alertRoutes(options: AlertRouteOptions) {
  const env = options.env ?? (() => process.env);
  const budgetMs = options.budgetMs ?? 5_000;
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const source = SOURCES[url.pathname.replace(/\/+$/, "")];
    if (!source) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "use POST" });
    }
    const vars = env();
    const authorization = req.headers.authorization ?? "";
    const presented = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (!tokenMatches(presented, vars.ALERTS_TOKEN)) {
      req.resume();
      const why = vars.ALERTS_TOKEN ? "missing or wrong bearer token" : "the server has no ALERTS_TOKEN set, so it accepts no alerts";
      res.setHeader("www-authenticate", 'Bearer realm="incident-desk alerts"');
      return send(res, 401, { error: why });
    }
    let repo: RepoRef;
    try {
      const name = url.searchParams.get("repo") ?? vars.ALERTS_REPO;
      if (!name) throw new Error("no repository: add ?repo=owner/name to the URL or set ALERTS_REPO");
      repo = parseRepo(name);
    } catch (error) {
      req.resume();
      return send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req, maxBodyBytes));
    } catch (error) {
      if (error instanceof TooLarge) return send(res, 413, { error: `the body is larger than ${maxBodyBytes} bytes` });
      return send(res, 400, { error: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
    const parsed = source.schema.safeParse(json);
    if (!parsed.success) return send(res, 400, { error: `not a valid ${url.pathname.split("/").pop()} payload: ${describeIssues(parsed.error)}` });

    const group = source.toGroup(parsed.data as never);
    const full = `${repo.owner}/${repo.repo}`;
    const work = receiveAlertGroup({ clientFor: options.clientFor, log: options.log }, repo, group);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), budgetMs);
    });
    try {
      const result = await Promise.race([work, late]);
      if (result === "late") {
        work.then(
          (outcome) => options.log.info(`incident-desk: alert group for ${full} (answered 202): ${outcome.action}${outcome.issue ? ` #${outcome.issue.number}` : ""}`),
          (error: unknown) => options.log.error(`incident-desk: alert group for ${full} failed after answering 202: ${error instanceof Error ? error.message : String(error)}`),
        );
        return send(res, 202, { status: "accepted", message: "GitHub is slow: the incident is being written" });
      }
      return send(res, outcomeStatus(result), { status: result.action, repository: result.repo, ...(result.issue ? { issue: result.issue.number, url: result.issue.url } : {}) });
    } catch (error) {
      if (error instanceof NotInstalled) return send(res, 404, { error: error.message });
      if (error instanceof ConfigError) {
        options.log.warn(`incident-desk: alert for ${full} refused: ${error.message}`);
        return send(res, 422, { error: `the configuration is not valid: ${error.message}` });
      }
      options.log.error(`incident-desk: alert group for ${full} failed: ${error instanceof Error ? error.message : String(error)}`);
      return send(res, 502, { error: "GitHub did not accept the incident; retry the delivery" });
    } finally {
      clearTimeout(timer);
    }
  };
}
