/**
 * What redact() costs on hostile text: a megabyte of each input that makes backtracking
 * expressions slow (long runs, token prefixes packed inside one run, an unterminated key block),
 * and a sweep over every prefix it knows. Prints the median of 5 runs. Run:
 *   npx tsx bench/redact.ts
 */
import { redact } from "../src/postmortem/redact.js";

const MB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length));
const base64 = Buffer.from(Array.from({ length: (MB * 3) / 4 }, (_, i) => (i * 7919) & 255)).toString("base64");

function median(text: string, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    redact(text);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const named: [string, string][] = [
  ["1 MB of `a`", fill("a")],
  ["1 MB of `-a`", fill("-a")],
  ["1 MB of `=`", fill("=")],
  ["1 MB of base64", base64],
  ["BEGIN PRIVATE KEY + 1 MB of base64 lines, no END", `-----BEGIN PRIVATE KEY-----\n${base64.replace(/(.{64})/g, "$1\n")}`],
  ["1 MB of BEGIN PRIVATE KEY lines", fill("-----BEGIN PRIVATE KEY-----\n")],
  ["1 MB of prose", fill("The gateway's pool was exhausted after a config change; we rolled back. ")],
  ["1 MB of `password=a\\n` (60,000 secrets)", fill("password=a\n")],
  ["1 MB of prefixes inside one run", fill("ghs_1_0ghp_glpat-SG.a.")],
];

const prefixes = [
  "ghs_1_", "ghp_", "github_pat_", "glpat-", "AKIA", "AIza", "GOCSPX-", "ya29.", "xoxb-", "xapp-1-", "npm_", "pypi-AgEIcHlwaS5vcmc",
  "sk_live_", "whsec_", "sk-proj-", "sk-", "SG.", "SG.a.", "shpat_", "glc_", "glsa_", "gsk_", "hf_", "lin_api_", "ntn_", "ops_ey",
  "hvs.", "vcp_", "dapi", "dckr_pat_", "figd_", "cfut_", "tskey-a-", "ATATT3", "eyJ", "eyJaaaaaaaaa.eyJ", "https://a:", "a://",
  "https://hooks.slack.com/services/", "https://discord.com/api/webhooks/1/", "https://a.webhook.office.com/", "Authorization: ",
  "Authorization: Basic ", "Bearer ", "Cookie: ", "-u a:", "password=", "password: '", "pwd:", "token=", "sig=", "AccountKey=",
  "-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: 1\n",
];
const units = ["a", "-a", "a.", "0", "aA0+/", " ", "a\n", ":", "'"];

console.log("## redact() on hostile text\n");
console.log("| input | median of 5 |\n| --- | --- |");
for (const [name, text] of named) console.log(`| ${name} | ${median(text).toFixed(1)} ms |`);

const sweep: [number, string, string][] = [];
for (const prefix of prefixes) {
  for (const unit of units) {
    const shapes: [string, string][] = [
      ["prefix then a 1 MB run", prefix + fill(unit)],
      ["prefix+unit repeated", fill(prefix + unit)],
      ["prefix + 300 chars, repeated", fill(prefix + unit.repeat(Math.ceil(300 / unit.length)))],
    ];
    for (const [shape, text] of shapes) sweep.push([median(text, 1), `${JSON.stringify(prefix)} ${JSON.stringify(unit)}: ${shape}`, text]);
  }
}
sweep.sort((a, b) => b[0] - a[0]);
const all = sweep.map(([ms]) => ms).sort((a, b) => a - b);
console.log(`\nSweep: ${sweep.length} inputs of 1 MB (every prefix × ${units.length} fillers × 3 shapes), one run each:`);
console.log(`median ${all[Math.floor(all.length / 2)]!.toFixed(1)} ms, p99 ${all[Math.floor(all.length * 0.99)]!.toFixed(1)} ms; the slowest five, measured again (median of 5):`);
for (const [, what, text] of sweep.slice(0, 5)) console.log(`- ${median(text).toFixed(1)} ms ${what}`);
