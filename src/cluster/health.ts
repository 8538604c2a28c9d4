import type { IncomingMessage, ServerResponse } from "node:http";
import { coordination } from "./coordination.js";
import { inflight, isStopping } from "./inflight.js";

/**
 * `GET /healthz` for load balancers and orchestrators: 200 while the replica takes deliveries,
 * with whether Redis is reachable (a replica without Redis still answers, alone: see
 * src/cluster/degrading.ts, so it stays in rotation); 503 once it is stopping, so that traffic
 * goes elsewhere while it finishes its work.
 */
export function healthRoute(stopping: () => boolean = isStopping) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/healthz") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const h = await coordination().health();
    const body = JSON.stringify({
      status: stopping() ? "stopping" : "ok",
      coordination: h.mode,
      redis: h.mode === "in-process" ? "not configured" : h.ok ? "reachable" : "unreachable",
      ...(h.detail ? { detail: h.detail } : {}),
      inflight: inflight(),
    });
    res.writeHead(stopping() ? 503 : 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
