/**
 * `npm run bench`: every benchmark, each in a process of its own so that none inherits another's
 * heap. Prints Markdown; BENCHMARKS.md holds the figures of the last recorded run.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const benches = [
  "lifecycle",
  "changes",
  "alerts",
  "action",
  "redact",
  "adversarial",
  "statuspage",
  "budget",
  "escalate",
  "cluster",
  "notify",
  "client",
  "gate",
  "risk",
  "problems",
];
let failed = 0;
for (const name of benches) {
  const file = new URL(`./${name}.ts`, import.meta.url).pathname;
  if (!existsSync(file)) continue;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", file], { stdio: "inherit" });
  if (run.status !== 0) {
    failed++;
    console.error(`bench/${name}.ts failed (exit ${run.status})`);
  }
  console.log();
}
process.exit(failed > 0 ? 1 : 0);
