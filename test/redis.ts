/**
 * A real Redis for the tests that need one: Debian's `redis-server` (`.ci/run` installs it),
 * started on a free loopback port in a temporary directory, with nothing persisted, and stopped
 * afterwards. No binary is downloaded.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./harness.js";

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stop it (SIGTERM) and wait; the temporary directory goes too. */
  stop(): Promise<void>;
  /** Redis going away mid-run (the process ends; `up` brings it back, empty, on the same port). */
  down(): Promise<void>;
  up(): Promise<void>;
}

export function redisServerPath(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.write("PING\r\n");
      socket.once("data", (d) => {
        socket.destroy();
        resolve(d.toString().startsWith("+PONG"));
      });
    });
    socket.once("error", () => resolve(false));
  });
}

/** Debian's package, as `.ci/run` installs it, when it is missing (root, or sudo without a password). */
function installRedis(): void {
  const asRoot = process.getuid?.() === 0;
  const run = (args: string[]) => spawnSync(asRoot ? args[0]! : "sudo", asRoot ? args.slice(1) : ["-n", ...args], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "redis-server"]);
}

export async function startRedis(): Promise<RedisServer> {
  if (!redisServerPath()) installRedis();
  const binary = redisServerPath();
  if (!binary) throw new Error("redis-server is not installed and could not be: apt-get install -y redis-server (.ci/run does it)");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "incident-desk-redis-"));
  let child!: ChildProcess;
  const launch = async () => {
    child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    for (let i = 0; i < 200; i++) {
      if (await reachable(port)) return;
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("redis-server did not start within 5 s");
  };
  await launch();
  const stopOnly = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get process() {
      return child;
    },
    async stop() {
      await stopOnly();
      rmSync(dir, { recursive: true, force: true });
    },
    down: stopOnly,
    async up() {
      await stopOnly();
      await launch();
    },
  };
}
