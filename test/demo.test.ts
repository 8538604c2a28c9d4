/**
 * The README's quick start, as a newcomer runs it: `npm run demo` on this checkout, in a scratch
 * directory (it writes demo-output/ there). The demo exits 1 when any part of it went wrong (an
 * OpenAPI violation, the Action or the status page failing, no post-mortem), so this test fails
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
  const postmortem = readFileSync(join(cwd, "demo-output", "postmortem.md"), "utf8");
  expect(postmortem).toContain("## Timeline");
  expect(existsSync(join(cwd, "demo-output", "status", "index.html"))).toBe(true);
}, 240_000);
