/**
 * Problem records (issue 12): the app's requests for `/problem new`, `/problem #n`, `/known-error`
 * and `/workaround` on a problem with 30 linked open incidents, and what a linked incident's own
 * delivery costs once it is linked. The app in-process against the simulator (test/harness.ts);
 * requests counted per operation, the person's own comment left out. Not a test: `npm run bench`.
 */
import { startApp } from "../test/harness.js";

const h = await startApp();
const app = h.sim.app.bot.login;
const LINKED = 30;

async function measure(what: string, act: () => unknown): Promise<void> {
  h.sim.resetRequests();
  const t = performance.now();
  await act();
  await h.deliver();
  const ms = performance.now() - t;
  const mine = h.sim.requests.filter(
    (r) => r.identity === app && r.operationId !== "apps/create-installation-access-token" && r.operationId !== "apps/get-authenticated",
  );
  const reads = mine.filter((r) => r.method === "GET").length;
  const writes = mine.length - reads;
  console.log(`| ${what} | ${mine.length} | ${reads} | ${writes} | ${Math.round(ms)} ms |`);
  if (process.env.BENCH_DETAIL) console.error(mine.map((r) => `${r.method} ${r.route}`).join("\n"));
}

const alice = h.sim.as("alice");
const problem = alice.openIssue(h.repo, { title: "Connection pool exhaustion", labels: ["problem"] });
await h.deliver();
const incidents: number[] = [];
for (let i = 0; i < LINKED; i++) {
  const n = alice.openIssue(h.repo, { title: `Checkout 502s (${i})`, labels: ["incident", "sev2"] });
  await h.deliver();
  alice.comment(h.repo, n, `/problem #${problem}`);
  await h.deliver();
  incidents.push(n);
}

console.log(`## Problem records (bench/problems.ts)\n`);
console.log(
  `The app's requests (all of a delivery and of the deliveries its writes cause), with ${LINKED} open incidents linked to one problem. Wall time is the simulator's in-process time, for scale only.\n`,
);
console.log("| operation | requests | reads | writes | time |");
console.log("| --- | ---: | ---: | ---: | ---: |");
const another = alice.openIssue(h.repo, { title: "Checkout 502s again", labels: ["incident", "sev2"] });
await h.deliver();
await measure(`\`/problem #${problem}\` (the ${LINKED + 1}st incident)`, () => alice.comment(h.repo, another, `/problem #${problem}`));
const fresh = alice.openIssue(h.repo, { title: "Search times out", labels: ["incident", "sev3"] });
await h.deliver();
await measure("`/problem new <title>`", () => alice.comment(h.repo, fresh, "/problem new Search index too large"));
await measure("`/ack` on a linked incident (its summary unchanged)", () => alice.comment(h.repo, incidents[0]!, "/ack"));
await measure("`/sev 1` on a linked incident (its link record follows)", () => alice.comment(h.repo, incidents[0]!, "/sev 1"));
await measure(`\`/known-error\` on the problem (${LINKED + 1} linked, pushed to the newest 25)`, () => alice.comment(h.repo, problem, "/known-error"));
await measure(`\`/workaround <text>\` on the problem (pushed to the newest 25)`, () =>
  alice.comment(h.repo, problem, "/workaround Restart the payments pods."),
);
await measure("the same `/workaround` delivered again", () => {
  const last = h.sim.webhooks.history
    .filter((d) => d.name === "issue_comment" && (d.payload as { comment?: { body?: string } }).comment?.body?.startsWith("/workaround"))
    .at(-1)!;
  return h.receive(last);
});
if (h.sim.violations.length > 0) throw new Error(JSON.stringify(h.sim.violations));
await h.close();
process.exit(0);
