/**
 * What hostile text costs (issue 8, "bounded work per delivery"):
 *
 * 1. every parser that reads people's text, on 1 MB and 64 KB of each adversarial family
 *    (test/adversarial.fixtures.ts), median of 5 (each run on a fresh copy, so no cache answers);
 * 2. through the real app against the simulator (test/harness.ts): the slowest delivery of a 64 KB
 *    adversarial comment on an incident, of a pull request with a 64 KB adversarial body and
 *    `Fixes #n`, and of a pull request whose commit messages are adversarial;
 * 3. the per-delivery time of a later `/ack` on an incident holding five long refused comments.
 *
 * Not a test: `npm run bench`, or `node --import tsx --expose-gc bench/adversarial.ts` alone
 * (`--quick`: 64 KB inputs and a few families only).
 */
import { FAMILIES, KB64, MB, medianMs, PARSERS, type Family } from "../test/adversarial.fixtures.js";
import { startApp, type Harness } from "../test/harness.js";
import { GitHubSim } from "../test/sim/index.js";

const quick = process.argv.includes("--quick");
const families = quick ? FAMILIES.filter((f) => ["-a", "U+2028", "<!--", "/sev 1\\n", "random mix #1"].includes(f.name)) : FAMILIES;
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

// ---- 1. parsers ----------------------------------------------------------------------------------
// A fresh string per run (a character more at the end, past what any capped parser reads): the
// Markdown layer keeps results by text, and a repeated run would measure its cache.
const fresh = (text: string, run: number) => `${text}${String.fromCharCode(0xe000 + run)}`;

for (const p of PARSERS) p.run(fresh("warm up /sev 1 #1 `a` <!-- x --> [a](b) *a*\n\n- [ ] x\n", 99));

interface Cell {
  small: number;
  large: number;
}
const matrix = new Map<string, Map<string, Cell>>();
for (const family of families) {
  const small = family.make(KB64);
  const large = quick ? small : family.make(MB);
  const row = new Map<string, Cell>();
  for (const parser of PARSERS) {
    let run = 0;
    const s = medianMs(() => parser.run(fresh(small, run++)));
    const l = quick ? s : medianMs(() => parser.run(fresh(large, run++)));
    row.set(parser.name, { small: s, large: l });
  }
  matrix.set(family.name, row);
  (globalThis as { gc?: () => void }).gc?.();
}

console.log("## Parsers on hostile text (bench/adversarial.ts)\n");
console.log(
  `Median of 5 runs, each on a fresh copy of the input; ${quick ? "64 KB only (--quick)" : "64 KB and 1 MB"}. Parsers that read Markdown read at most GitHub's body limit (65,536 characters) of a longer text.\n`,
);
console.log("### The slowest family of each parser\n");
console.log("| parser | slowest at 64 KB | | slowest at 1 MB | | median over the families at 1 MB |");
console.log("| --- | ---: | --- | ---: | --- | ---: |");
let worstSmall = { ms: 0, what: "" };
let worstLarge = { ms: 0, what: "" };
for (const parser of PARSERS) {
  const cells = [...matrix].map(([family, row]) => ({ family, ...row.get(parser.name)! }));
  const bySmall = [...cells].sort((a, b) => b.small - a.small)[0]!;
  const byLarge = [...cells].sort((a, b) => b.large - a.large)[0]!;
  const medianLarge = cells.map((c) => c.large).sort((a, b) => a - b)[Math.floor(cells.length / 2)]!;
  if (bySmall.small > worstSmall.ms) worstSmall = { ms: bySmall.small, what: `${parser.name} on ${bySmall.family}` };
  if (byLarge.large > worstLarge.ms) worstLarge = { ms: byLarge.large, what: `${parser.name} on ${byLarge.family}` };
  console.log(`| ${parser.name} | ${ms(bySmall.small)} ms | ${bySmall.family} | ${ms(byLarge.large)} ms | ${byLarge.family} | ${ms(medianLarge)} ms |`);
}
console.log(`\nSlowest of all: 64 KB ${ms(worstSmall.ms)} ms (${worstSmall.what}); 1 MB ${ms(worstLarge.ms)} ms (${worstLarge.what}).\n`);

console.log("### Every family × parser (ms, 64 KB / 1 MB)\n");
console.log(`| family | ${PARSERS.map((p) => p.name).join(" | ")} |`);
console.log(`| --- | ${PARSERS.map(() => "---:").join(" | ")} |`);
for (const [family, row] of matrix) {
  const cells = PARSERS.map((p) => {
    const c = row.get(p.name)!;
    return quick ? ms(c.small) : `${ms(c.small)} / ${ms(c.large)}`;
  });
  console.log(`| ${family.replace(/\|/g, "\\|")} | ${cells.join(" | ")} |`);
}

// ---- 2. through the app --------------------------------------------------------------------------
const REPO = "acme/web";

/** An app on a fresh simulator whose fetch is timed, so the simulator's own work can be left out. */
async function app(): Promise<{ h: Harness; inSim: () => number }> {
  const sim = new GitHubSim();
  let spent = 0;
  const real = sim.fetch;
  sim.fetch = async (...args: Parameters<typeof real>) => {
    const started = performance.now();
    try {
      return await real(...args);
    } finally {
      spent += performance.now() - started;
    }
  };
  const h = await startApp({ sim, config: "changes:\n  lookback: 24h\n" });
  h.sim.seedLabels(REPO, [
    "incident",
    "incident-fix",
    "sev1",
    "sev2",
    "sev3",
    "sev4",
    "status:investigating",
    "status:identified",
    "status:mitigated",
    "status:resolved",
  ]);
  return { h, inSim: () => spent };
}

interface Timed {
  /** The slowest delivery: wall time from handing it to the app to the app's return. */
  wall: number;
  /** The same less the time the simulator (in this process) spent answering the app's requests. */
  own: number;
  deliveries: number;
}

/** Delivers everything queued, one delivery at a time, timing each. */
async function timedDeliver(h: Harness, inSim: () => number): Promise<Timed> {
  let wall = 0;
  let own = 0;
  let deliveries = 0;
  for (let round = 0; round < 20; round++) {
    const queue = h.sim.webhooks.take();
    if (queue.length === 0) break;
    for (const d of queue) {
      const simBefore = inSim();
      const started = performance.now();
      await h.receive(d);
      const elapsed = performance.now() - started;
      deliveries++;
      if (elapsed > wall) wall = elapsed;
      own = Math.max(own, elapsed - (inSim() - simBefore));
    }
  }
  return { wall, own, deliveries };
}

const BODY = 65_536;
const rows: { scenario: string; family: string; t: Timed }[] = [];

async function scenario(name: string, act: (h: Harness, n: number, family: Family) => void) {
  for (const family of families) {
    const { h, inSim } = await app();
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    act(h, n, family);
    const t = await timedDeliver(h, inSim);
    rows.push({ scenario: name, family: family.name, t });
    if (h.sim.violations.length > 0) throw new Error(`${name} / ${family.name}: ${JSON.stringify(h.sim.violations[0])}`);
    await h.close();
  }
}

// Every text of this part is new to the process (its last character differs), so no delivery
// finds it in the Markdown layer's cache from an earlier scenario.
let unique = 0;
const text = (family: Family, size: number) => `${family.make(size - 1)}${String.fromCharCode(0xe100 + unique++)}`;
await scenario("64 KB comment on an incident (by a responder)", (h, n, family) => void h.sim.as("alice").comment(REPO, n, text(family, BODY)));
await scenario("64 KB comment on an incident (by a read-only user)", (h, n, family) => void h.sim.as("rita").comment(REPO, n, text(family, BODY)));
await scenario("fork pull request: `Fixes #n` + 64 KB body", (h, n, family) => {
  const prefix = `Fixes #${n}\n\n`;
  h.sim.as("mallory").openPullRequest(REPO, {
    title: "Fix",
    body: prefix + text(family, BODY - prefix.length),
    head: `b${unique}`,
    fromFork: true,
    commits: [{ message: "fix" }],
  });
});
await scenario("pull request: `Fixes #n`, three 64 KB commit messages", (h, n, family) => {
  const messages = [0, 1, 2].map((i) => ({ message: `${i === 2 ? `Fixes #${n}\n\n` : ""}${text(family, BODY - 16)}` }));
  h.sim.as("bob").openPullRequest(REPO, { title: "Fix", body: `Fixes #${n}`, head: `b${unique}`, commits: messages });
});

console.log("\n## Hostile deliveries through the app (bench/adversarial.ts)\n");
console.log(
  "The real app (test/harness.ts) against the simulator in the same process, one delivery at a time. For each family, the slowest delivery the action caused (the comment or pull request itself, and the echoes of the app's own writes). `own` leaves out the time the simulator spent answering the app's requests; `wall` includes it.\n",
);
console.log("| scenario | slowest delivery, own | wall | family | median over the families (own) |");
console.log("| --- | ---: | ---: | --- | ---: |");
for (const name of [...new Set(rows.map((r) => r.scenario))]) {
  const mine = rows.filter((r) => r.scenario === name);
  const worst = [...mine].sort((a, b) => b.t.own - a.t.own)[0]!;
  const median = mine.map((r) => r.t.own).sort((a, b) => a - b)[Math.floor(mine.length / 2)]!;
  console.log(`| ${name} | ${ms(worst.t.own)} ms | ${ms(worst.t.wall)} ms | ${worst.family} | ${ms(median)} ms |`);
}

// ---- 3. refused comments are not re-parsed at full cost ------------------------------------------
{
  const refused = (i: number) => `${"/sev 1\n".repeat(Math.floor((BODY - 10) / 7))}#${i}`;
  const results: string[] = [];
  for (const withRefused of [false, true]) {
    const { h, inSim } = await app();
    const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
    await h.deliver();
    if (withRefused) {
      for (let i = 0; i < 5; i++) {
        h.sim.as("rita").comment(REPO, n, refused(i));
        await h.deliver();
      }
    }
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.sim.as(i % 2 === 0 ? "alice" : "bob").comment(REPO, n, i === 0 ? "/ack" : `/update still looking (${i})`);
      times.push((await timedDeliver(h, inSim)).own);
    }
    const sorted = [...times].sort((a, b) => a - b);
    results.push(
      `${withRefused ? "with five refused comments of 65,536 characters (9,361 `/sev 1` lines each)" : "without them"}: \`/ack\` ${ms(times[0]!)} ms, the next four commands median ${ms(sorted[2]!)} ms, slowest ${ms(sorted[4]!)} ms`,
    );
    await h.close();
  }
  console.log("\n### A later command on an incident holding five long refused comments\n");
  console.log("The app's own time of the slowest delivery each command caused (as above):\n");
  for (const line of results) console.log(`- ${line}`);
}

// ---- 4. many long comments: the Markdown layer's cache is not one slot -------------------------
{
  const { h, inSim } = await app();
  const n = h.sim.as("alice").openIssue(REPO, { title: "Checkout down", labels: ["incident"] });
  await h.deliver();
  const COMMENTS = quick ? 20 : 100;
  // Another bot's `/command` first, so that each comment is read by the Markdown layer; all of
  // GitHub's maximum length, so that they have the same length.
  const long = (i: number) => `/shrug\n\n${"word ".repeat(13_200)}`.slice(0, BODY - 8) + String(i).padStart(8, "0");
  for (let i = 0; i < COMMENTS; i++) {
    h.sim.as("alice").comment(REPO, n, long(i));
    await h.deliver();
  }
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    h.sim.as("bob").comment(REPO, n, i === 0 ? "/ack" : `/update still looking (${i})`);
    times.push((await timedDeliver(h, inSim)).own);
  }
  times.sort((a, b) => a - b);
  console.log(`\n### A later command on an incident holding ${COMMENTS} comments of 65,536 characters\n`);
  console.log(
    `Each comment starts with another bot's \`/command\`, so every delivery reads them all (from the cache): the app's own time of a later command, median of 5: ${ms(times[2]!)} ms (slowest ${ms(times[4]!)} ms).`,
  );
  await h.close();
}
process.exit(0);
