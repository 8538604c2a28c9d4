/**
 * The GitHub simulator in a process of its own, for benchmarks that measure the app's process
 * alone. Driven over IPC: `{ id, op, args }` → `{ id, result, deliveries }`, where deliveries are
 * the webhooks the change queued, already signed with the given secret.
 */
import { GitHubSim } from "../test/sim/index.js";

const sim = new GitHubSim();
const api = await sim.listen();
let secret = "secret";

type Message = { id: number; op: string; args: unknown[] };
process.on("message", (m: Message) => {
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
      case "take":
        result = null;
        break;
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
  const deliveries = sim.webhooks.take().map((d) => ({ name: d.name, sender: (d.payload as { sender?: { type?: string } }).sender?.type, ...sim.webhooks.toRequest(d, secret) }));
  sim.webhooks.history.length = 0;
  process.send!({ id: m.id, result, error, deliveries });
});
process.send!({ ready: true });
