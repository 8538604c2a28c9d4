// Loopback HTTP server (127.0.0.1, random port) serving the sim's routes over node:http.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubSim } from "./index.js";
import { encodeBody } from "./http.js";

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export async function listen(sim: GitHubSim): Promise<Listening> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const host = req.headers.host ?? "127.0.0.1";
      sim
        .handle({ method: req.method ?? "GET", url: `http://${host}${req.url ?? "/"}`, headers, body: chunks.length ? Buffer.concat(chunks).toString("utf8") : undefined })
        .then((r) => {
          const text = r.body === undefined ? "" : encodeBody(r.body);
          res.writeHead(r.status, { ...r.headers, ...(text ? { "content-length": String(Buffer.byteLength(text)) } : {}) });
          res.end(text);
        })
        .catch((e: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ message: `sim crashed: ${String(e)}` }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
