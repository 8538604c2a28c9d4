/**
 * The GitHub simulator in a process of its own, for benchmarks that measure the app's process
 * alone. Driven over IPC: `{ id, op, args }` → `{ id, result }`; `drain` posts the queued webhooks,
 * signed, to the app, as GitHub does.
 */
import { GitHubSim } from "../test/sim/index.js";

const sim = new GitHubSim();
const api = await sim.listen();
let secret = "secret";

/** GitHub's side of the deliveries: POST every queued webhook, signed, in order, until all is quiet. */
async function drain(url: string): Promise<{ delivered: number; fromPeople: number }> {
  let delivered = 0;
  let fromPeople = 0;
  for (let queue = sim.webhooks.take(); queue.length > 0; queue = sim.webhooks.take()) {
    for (const d of queue) {
      const { headers, body } = sim.webhooks.toRequest(d, secret);
      const person = (d.payload as { sender?: { type?: string } }).sender?.type !== "Bot";
      const res = await fetch(url, { method: "POST", headers: { ...headers, "x-bench-from": person ? "people" : "bot" }, body });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`delivery ${d.name} answered ${res.status}`);
      delivered++;
      if (person) fromPeople++;
    }
  }
  sim.webhooks.history.length = 0;
  return { delivered, fromPeople };
}

type Message = { id: number; op: string; args: unknown[] };
async function handle(m: Message): Promise<void> {
  if (m.op === "drain") {
    try {
      process.send!({ id: m.id, result: await drain(m.args[0] as string), deliveries: [] });
    } catch (e) {
      process.send!({ id: m.id, error: e instanceof Error ? e.message : String(e), deliveries: [] });
    }
    return;
  }
  let result: unknown;
  let error: string | undefined;
  try {
    switch (m.op) {
      case "setup": {
        const [repo, people, s] = m.args as [string, Record<string, string>, string];
        secret = s;
        sim.addRepo(repo);
        for (const [login, level] of Object.entries(people)) sim.setPermission(repo, login, level as never);
        result = { url: api.url, appId: sim.app.id };
        break;
      }
      case "as": {
        const [login, method, ...rest] = m.args as [string, string, ...unknown[]];
        const actor = sim.as(login) as unknown as Record<string, (...a: unknown[]) => unknown>;
        result = actor[method]!(...rest);
        break;
      }
      case "stats":
        result = { requests: sim.requests.length, violations: sim.violations.length };
        sim.webhooks.history.length = 0;
        break;
      default:
        throw new Error(`unknown op ${m.op}`);
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  process.send!({ id: m.id, result, error, deliveries: [] });
}
// An answer even when handling throws where no try covers it (e.g. `process.send` itself), rather
// than an unhandled rejection that leaves the parent waiting.
process.on("message", (m: Message) => {
  handle(m).catch((e: unknown) => process.send!({ id: m.id, error: e instanceof Error ? e.message : String(e), deliveries: [] }));
});
process.send!({ ready: true });
