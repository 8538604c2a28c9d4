/**
 * The README's quick start, as a newcomer runs it: `npm run demo` on this checkout, in a scratch
 * directory (it writes demo-output/ there). The demo exits 1 when any part of it went wrong (an
 * OpenAPI violation, the Action or the status page failing, no post-mortem, a check run or a
 * deploy gate answering otherwise than the story says, no problem record), so this test fails
 * with it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

test("npm run demo plays the whole product and exits 0", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "incident-desk-quickstart-"));
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const child = spawn(tsx, [join(root, "scripts", "demo.ts")], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(out).not.toContain("The demo did not go as it should");
  expect(status, out.slice(-3000)).toBe(0);
  expect(out).toMatch(/\d+ signed webhook deliveries, \d+ GitHub API requests, 0 OpenAPI violations/);
  // Change management during the incident: the feature is held and its deployment rejected, the revert let through.
  expect(out).toMatch(/check run "incident-desk \/ change risk": action_required — Change freeze: incident #1 holds changes/);
  expect(out).toMatch(/deploy gate: rejected — "incident-desk: deployments to production are frozen/);
  expect(out).toMatch(/check run "incident-desk \/ change risk": neutral/);
  expect(out).toMatch(/deploy gate: approved — "[^"]*ships fix #\d+/);
  // Problem management: a problem record, a known error whose workaround tops the incident's card.
  expect(out).toMatch(/problem #\d+ opened: "Gateway releases change TLS settings unreviewed"/);
  expect(out).toContain("**Known error — workaround**");
  expect(out).toMatch(/Follow-up ticket #\d+: Alert on TLS handshake failures \(labels: follow-up; assigned to carol; sub-issue of #1\)/);
  const postmortem = readFileSync(join(cwd, "demo-output", "postmortem.md"), "utf8");
  expect(postmortem).toContain("## Timeline");
  expect(postmortem).toContain("**Deploy gate** (deployments to frozen environments while this incident was open):");
  expect(postmortem).toMatch(/- `[0-9a-f]{7}` to production at .*: rejected\n- `[0-9a-f]{7}` to production at .*: let through: ships fix #\d+/);
  expect(postmortem).toMatch(/\*\*Problem record:\*\* \[#\d+\]\([^)]*\) Gateway releases change TLS settings unreviewed · known error/);
  expect(postmortem).toContain("> Pin the card processor's TLS settings");
  expect(existsSync(join(cwd, "demo-output", "status", "index.html"))).toBe(true);
}, 240_000);
