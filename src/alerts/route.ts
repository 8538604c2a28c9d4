import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { ConfigError } from "../config/load.js";
import type { RepoRef } from "../github/client.js";
import type { Logger } from "../log.js";
import { alertmanagerPayloadSchema, fromAlertmanager } from "./alertmanager.js";
import { grafanaPayloadSchema, fromGrafana } from "./grafana.js";
import { describeIssues, type AlertGroup } from "./group.js";
import { NotInstalled, type ClientFor } from "./installation.js";
import { receiveAlertGroup, type AlertOutcome } from "./receive.js";
import { describeScope, findToken, parseRepoName, reaches, readAlertAccess } from "./tokens.js";

/**
 * `POST /api/alerts/alertmanager` and `POST /api/alerts/grafana`, as a Probot 14 `addHandler`
 * handler (it answers `false` for every other path, so Probot's own routes still work).
 *
 * Everything that decides the answer without GitHub is checked first: the bearer token (401),
 * the target repository (400), whether the token reaches it (403, the same whether or not the
 * app is installed there), the body against its schema (400 with the reason). Then the GitHub
 * work starts and the route waits for it at most `budgetMs` (default 5 s): done in time, it
 * answers with the outcome (201 opened, 200 commented or nothing new, 404 not installed on a
 * repository the token reaches, 422 "invalid configuration in <repo>" with the details only in
 * the log, 502 GitHub failed, so the sender retries); not done in time, it answers 202 and the
 * work goes on in the background (the result is logged). Alertmanager and Grafana both time out
 * slow receivers, and a retry of a slow delivery then writes nothing twice.
 *
 * The tokens and their repositories (src/alerts/tokens.ts) are read once, when the app starts; a
 * configuration that is wrong (a token shorter than 32 characters, a scope that is not a
 * repository) is logged as an error and the routes answer 503 to every alert until it is fixed.
 */
export interface AlertRouteOptions {
  clientFor: ClientFor;
  log: Logger;
  /** Read once, when the routes are made (the app starts). Default `process.env`. */
  env?: () => Record<string, string | undefined>;
  budgetMs?: number;
  /** Largest body accepted; Alertmanager caps groups with `max_alerts`. */
  maxBodyBytes?: number;
}

const SOURCES: Record<string, { schema: z.ZodType; toGroup: (body: never) => AlertGroup }> = {
  "/api/alerts/alertmanager": { schema: alertmanagerPayloadSchema, toGroup: fromAlertmanager },
  "/api/alerts/grafana": { schema: grafanaPayloadSchema, toGroup: fromGrafana },
};

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
  const access = readAlertAccess((options.env ?? (() => process.env))());
  const budgetMs = options.budgetMs ?? 5_000;
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
  if (access.problems.length > 0) {
    options.log.error(`incident-desk: the alert routes are disabled until the alert tokens are fixed (then restart): ${access.problems.join("; ")}`);
  } else if (access.tokens.length > 0) {
    options.log.info(`incident-desk: alert routes accept ${access.tokens.map((t) => `${t.source} (${describeScope(t)})`).join(", ")}`);
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const source = SOURCES[url.pathname.replace(/\/+$/, "")];
    if (!source) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "use POST" });
    }
    if (access.problems.length > 0) {
      req.resume();
      return send(res, 503, { error: "the alert routes are disabled: the server's alert token configuration is invalid (its log says why)" });
    }
    const authorization = req.headers.authorization ?? "";
    const presented = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    const token = findToken(access, presented);
    if (!token) {
      req.resume();
      const why = access.tokens.length > 0 ? "missing or wrong bearer token" : "the server has no ALERTS_TOKEN (or ALERTS_TOKENS) set, so it accepts no alerts";
      res.setHeader("www-authenticate", 'Bearer realm="incident-desk alerts"');
      return send(res, 401, { error: why });
    }
    const name = url.searchParams.get("repo");
    const repo: RepoRef | undefined = name !== null ? parseRepoName(name) : token.defaultRepo;
    if (!repo) {
      req.resume();
      const why = name !== null ? `"${name.slice(0, 200)}" is not a repository (owner/name)` : "no repository: add ?repo=owner/name to the URL (this token has no default repository, such as ALERTS_REPO)";
      return send(res, 400, { error: why });
    }
    const full = `${repo.owner}/${repo.repo}`;
    if (!reaches(token, repo)) {
      // The same answer whether or not the app is installed there: a token learns nothing of other installations.
      req.resume();
      return send(res, 403, { error: `this token may not send alerts to ${full}` });
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
      // Only about the repository the token reaches: another one (the configuration's private
      // repository) is a configuration problem, and what the configuration says stays in the log.
      if (error instanceof NotInstalled && error.repo.toLowerCase() === full.toLowerCase()) return send(res, 404, { error: `incident-desk is not installed on ${full}` });
      if (error instanceof ConfigError || error instanceof NotInstalled) {
        options.log.warn(`incident-desk: alert for ${full} refused, invalid configuration: ${error.message}`);
        return send(res, 422, { error: `invalid configuration in ${full}` });
      }
      options.log.error(`incident-desk: alert group for ${full} failed: ${error instanceof Error ? error.message : String(error)}`);
      return send(res, 502, { error: "GitHub did not accept the incident; retry the delivery" });
    } finally {
      clearTimeout(timer);
    }
  };
}
