import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a notification channel was sent: the path, the headers, the raw body and the event header. */
export interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  event: string;
  body: string;
  /** The body as JSON (every format posts JSON); {} when it is not. */
  json: Record<string, any>;
}

/** A real HTTP receiver on 127.0.0.1 (a Slack, Teams or JSON webhook) that records what it is sent and answers as told. */
export interface Receiver {
  url: string;
  received: Received[];
  answer: (req: Received, res: ServerResponse) => void;
  close(): Promise<void>;
}

function parse(body: string): Record<string, any> {
  try {
    return JSON.parse(body) as Record<string, any>;
  } catch {
    return {};
  }
}

export async function receiver(answer: Receiver["answer"] = (_, res) => res.end("1")): Promise<Receiver> {
  const r: Partial<Receiver> & { received: Received[] } = { received: [], answer };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const entry = { path: req.url ?? "", headers: req.headers, event: String(req.headers["x-incident-desk-event"]), body, json: parse(body) };
      r.received.push(entry);
      r.answer!(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r as Receiver;
}
