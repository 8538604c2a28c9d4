/**
 * Alerts: how many alert deliveries one process accepts and turns into incidents or comments,
 * and what each costs in requests to GitHub. The real app and its HTTP server (the alert route),
 * against the simulator in-process; writes are not paced (production spaces writes 1 s apart,
 * which is GitHub's content-creation limit and then the bound, not this process). Run:
 *   npx tsx bench/alerts.ts [groups=200] [concurrency=10]
 */
import { startApp, type Harness } from "../test/harness.js";
import { alertmanagerFiring, alertmanagerResolved } from "../test/alerts.fixtures.js";

const TOKEN = "bench-alerts-token-0123456789abcdef0123";
const GROUPS = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 10);

type Req = { method: string; operationId?: string | null };
function summary(requests: Req[], alerts: number): string {
  const by = new Map<string, number>();
  for (const r of requests) by.set(r.operationId ?? r.method, (by.get(r.operationId ?? r.method) ?? 0) + 1);
  const writes = requests.filter((r) => r.method !== "GET").length;
  const per = (n: number) => (n / alerts).toFixed(2);
  return `${per(requests.length)} requests per alert (${per(requests.length - writes)} reads, ${per(writes)} writes): ${[...by]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${per(v)}`)
    .join(", ")}`;
}

function group(i: number, kind: "firing" | "changed" | "resolved") {
  const base = kind === "resolved" ? alertmanagerResolved() : alertmanagerFiring();
  const alert = base.alerts[0]!;
  const labels = { ...alert.labels, alertname: `Bench${i}` };
  const alerts = [{ ...alert, labels, fingerprint: `fp${i}` }];
  if (kind === "changed") alerts.push({ ...alert, labels: { ...labels, instance: "10.0.0.99:8080" }, fingerprint: `fp${i}b` });
  return { ...base, groupKey: `{}:{alertname="Bench${i}"}`, groupLabels: { alertname: `Bench${i}` }, commonLabels: { ...base.commonLabels, alertname: `Bench${i}` }, alerts };
}

async function run(h: Harness, title: string, kind: "firing" | "changed" | "resolved", expected: string) {
  h.sim.resetRequests();
  const statuses = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next < GROUPS) {
      const i = next++;
      const t = performance.now();
      const res = await fetch(`${h.url}/api/alerts/alertmanager?repo=acme/web`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(group(i, kind)),
      });
      const body = (await res.json()) as { status?: string };
      latencies.push(performance.now() - t);
      const key = `${res.status} ${body.status ?? ""}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  h.sim.webhooks.take();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
  console.log(`${title}`);
  console.log(`  ${(GROUPS / seconds).toFixed(1)} alerts/s (${GROUPS} alerts, ${CONCURRENCY} at a time, ${seconds.toFixed(2)} s; answer p50 ${p(0.5)} ms, p95 ${p(0.95)} ms)`);
  console.log(`  answers: ${[...statuses].map(([k, v]) => `${k}×${v}`).join(", ")}${statuses.size === 1 && statuses.has(expected) ? "" : `  (expected ${expected})`}`);
  console.log(`  ${summary([...h.sim.requests] as Req[], GROUPS)}`);
}

async function main() {
  process.env.ALERTS_TOKEN = TOKEN;
  process.env.ALERTS_REPO = "acme/web";
  console.log("# incident-desk: alerts (one process, simulator, writes unpaced)\n");
  const h = await startApp({ http: true });
  // Warm-up: the OpenAPI description, the first token, the label cache.
  await fetch(`${h.url}/api/alerts/alertmanager?repo=acme/web`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(alertmanagerFiring()) });
  h.sim.webhooks.take();
  await run(h, "New groups: each opens an incident (issue + card)", "firing", "201 opened");
  await run(h, "The same groups, changed: each comments on its open incident", "changed", "200 commented");
  await run(h, "The same again (redelivery): nothing new to say", "changed", "200 unchanged");
  await run(h, "Resolved: each comments", "resolved", "200 commented");
  console.log(`\nviolations: ${h.sim.violations.length}`);
  await h.close();
}

await main();
